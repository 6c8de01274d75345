"""Embeddings, the Chroma store (embedded or server), the BM25 keyword index, hybrid retrieval."""

from __future__ import annotations

from typing import Protocol

from missionrag.models import Chunk, Hit


class Retriever(Protocol):
    """What ask, check and quiz need from the knowledge base (``KnowledgeBase`` satisfies it)."""

    def search(self, query: str, top_k: int | None = None) -> list[Hit]: ...

    def all_chunks(self) -> list[Chunk]: ...

    def document_text(self, source: str) -> str: ...
