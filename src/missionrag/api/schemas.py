"""Request and response schemas of the HTTP API (``../shared/CONTRACT.md``).

Responses of search, ask, check and quiz are the core models themselves (``models.py``): their
``model_dump`` *is* the contract shape, so a second copy here could only drift. What is
HTTP-only (health, the documents list, upload results) is defined here.

Text fields carry fixed ceilings so a huge value fails fast in validation; the configured,
usually smaller, limits are applied in ``deps.py``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from missionrag.models import CollectionInfo, DocumentInfo, IngestReport, QuizType

# Ceilings above any sensible setting; MISSIONRAG_MAX_*_CHARS are enforced below them.
QUERY_CEILING = 20_000
STATEMENT_CEILING = 100_000
TOP_K_MAX = 50
QUIZ_MAX = 50
HISTORY_MAX = 20  # turns a client may send; the last three are read (ask/followup.py)

QuizFormat = Literal["json", "gift", "aiken", "anki", "qti", "md"]
QUIZ_FORMATS: tuple[str, ...] = ("json", "gift", "aiken", "anki", "qti", "md")


def _not_blank(value: str) -> str:
    # Not stripped: check findings are offsets into the statement exactly as sent.
    if not value.strip():
        raise ValueError("must not be empty")
    return value


class _Request(BaseModel):
    # Unknown fields are ignored: clients may send more than this version knows. Strict: the
    # schema says integer, so "seed": false or "n": "5" is refused, not coerced (schemathesis
    # flags a request the schema forbids that the server accepts).
    model_config = ConfigDict(extra="ignore", strict=True)


class SearchRequest(_Request):
    query: str = Field(min_length=1, max_length=QUERY_CEILING, description="What to look for")
    top_k: int | None = Field(default=None, ge=1, le=TOP_K_MAX, description="Hits to return")

    _check_query = field_validator("query")(_not_blank)


class HistoryTurn(_Request):
    """An earlier turn, as the client keeps it (the Answer's question and standalone_query)."""

    question: str = Field(min_length=1, max_length=QUERY_CEILING)
    query: str | None = Field(
        default=None,
        max_length=QUERY_CEILING,
        description="The standalone query the turn was read as (Answer.standalone_query)",
    )

    _check_question = field_validator("question")(_not_blank)


class AskRequest(_Request):
    question: str = Field(min_length=1, max_length=QUERY_CEILING)
    top_k: int | None = Field(default=None, ge=1, le=TOP_K_MAX, description="Passages to read")
    history: list[HistoryTurn] | None = Field(
        default=None,
        max_length=HISTORY_MAX,
        description="Earlier turns of the conversation, oldest first (held by the client; the "
        "server keeps nothing). A follow-up is read with one of the last three into a "
        "standalone query; the answer's standalone_query and context_from say how",
    )

    _check_question = field_validator("question")(_not_blank)


class CheckRequest(_Request):
    statement: str = Field(
        min_length=1, max_length=STATEMENT_CEILING, description="A mission statement"
    )

    _check_statement = field_validator("statement")(_not_blank)


class QuizRequest(_Request):
    n: int = Field(default=10, ge=1, le=QUIZ_MAX, description="Number of questions")
    topic: str | None = Field(default=None, max_length=200, description="Focus the questions")
    format: QuizFormat = Field(default="json", description="json returns an array; others a file")
    types: list[QuizType] | None = Field(default=None, description="Question types to include")
    seed: int | None = Field(default=None, description="Same seed, same corpus: same quiz")

    @field_validator("topic")
    @classmethod
    def _blank_topic_is_none(cls, value: str | None) -> str | None:
        return value.strip() if value and value.strip() else None

    @field_validator("types")
    @classmethod
    def _unique_types(cls, value: list[QuizType] | None) -> list[QuizType] | None:
        if value is None:
            return None
        if not value:
            raise ValueError("pick at least one question type, or leave types out")
        return list(dict.fromkeys(value))


class UrlIngestRequest(_Request):
    url: str = Field(min_length=1, max_length=2048, description="An http(s) web page to ingest")

    _check_url = field_validator("url")(_not_blank)


class Limits(BaseModel):
    max_query_chars: int
    max_statement_chars: int
    max_file_mb: float
    max_body_kb: int


class HealthOut(BaseModel):
    status: Literal["ok", "unavailable"]
    documents: int
    chunks: int
    version: str
    llm: str | None = Field(description="Model name and URL, or null when running offline")
    writes: Literal["open", "token", "disabled"] = Field(
        description="open: no token needed (loopback); token: Bearer token needed; disabled"
    )
    limits: Limits
    detail: str | None = None


class DocumentsOut(BaseModel):
    documents: list[DocumentInfo]
    count: int


class DocumentOut(DocumentInfo):
    text: str = Field(description="The clean text as indexed (what quotes are taken from)")


class IngestOut(BaseModel):
    report: IngestReport
    documents: list[DocumentInfo] = Field(description="The documents this request added or kept")


class DeleteOut(BaseModel):
    deleted: DocumentInfo


class CollectionsOut(BaseModel):
    collections: list[CollectionInfo]
    default: str = Field(description="The collection requests without ?collection= use")


class CollectionDeleted(BaseModel):
    deleted: CollectionInfo
