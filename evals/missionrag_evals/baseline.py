"""llama-index's default ``VectorStoreIndex`` over the same texts and model: the baseline.

Defaults as shipped: SentenceSplitter (1024 tokens, 200 overlap), in-memory vector store,
top-k similarity. Only the embedding model is ours, so the comparison isolates retrieval.
llama-index's global ``Settings`` are changed here, in the eval process only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from missionrag.models import Hit

if TYPE_CHECKING:
    from missionrag.kb import KnowledgeBase


def llamaindex_ranker(kb: KnowledgeBase) -> Callable[[str, int], list[Hit]]:
    from llama_index.core import Document as LIDocument
    from llama_index.core import Settings as LISettings
    from llama_index.core import VectorStoreIndex
    from llama_index.core.base.embeddings.base import BaseEmbedding

    embedder = kb.embedder

    class _Embed(BaseEmbedding):
        def _get_query_embedding(self, query: str) -> list[float]:
            return embedder.embed([query])[0].tolist()  # type: ignore[no-any-return]

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return embedder.embed([text])[0].tolist()  # type: ignore[no-any-return]

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return embedder.embed(texts).tolist()  # type: ignore[no-any-return]

    LISettings.embed_model = _Embed(model_name="missionrag")
    LISettings.llm = None
    docs = [
        LIDocument(text=kb.document_text(d.source), metadata={"source": d.source}, id_=d.doc_id)
        for d in kb.documents()
    ]
    index = VectorStoreIndex.from_documents(docs)

    def rank(query: str, k: int) -> list[Hit]:
        out = []
        for n in index.as_retriever(similarity_top_k=k).retrieve(query):
            node = n.node
            start = getattr(node, "start_char_idx", None) or 0
            text = node.get_content()
            out.append(
                Hit(source=node.metadata["source"], title="", text=text, score=0.0, start=start)
            )
        return out

    return rank
