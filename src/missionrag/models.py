"""Typed shapes that cross module and process boundaries.

The JSON shapes of ``../shared/CONTRACT.md`` are produced by ``model_dump(mode="json")`` of
these models; fields may be added, never renamed or removed.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Literal

from pydantic import BaseModel, Field, field_validator

# --------------------------------------------------------------------------- ingestion


class Mark(BaseModel):
    """A locator that holds from ``start`` (a character offset into the document text) on."""

    start: int
    locator: str | None = None
    url: str | None = None
    section: str | None = None
    page: int | None = None


class Document(BaseModel):
    """One source file or web page after loading: clean text plus where each part came from."""

    doc_id: str = Field(description="Stable id derived from the source path or URL")
    source: str = Field(description="Repo-relative path, absolute path, or URL")
    title: str
    text: str = Field(description="Clean text as indexed; quotes are verbatim substrings of it")
    url: str | None = Field(default=None, description="Original address of the whole document")
    kind: str = Field(
        description="Loader that produced it: text, markdown, transcript, pdf, html, docx"
    )
    marks: list[Mark] = Field(default_factory=list)
    date: str | None = None
    content_hash: str = ""
    language: str | None = Field(
        default=None, description="ISO 639-1 code, detected at ingest (language.py)"
    )

    @field_validator("marks")
    @classmethod
    def _sorted(cls, marks: list[Mark]) -> list[Mark]:
        # mark_at and marks_within bisect on start; a stable sort keeps a loader's order
        # among marks at the same offset (a page before the heading that opens it).
        return sorted(marks, key=lambda m: m.start)

    def mark_at(self, offset: int) -> Mark | None:
        """The mark in force at ``offset`` (marks are sorted by start)."""
        i = bisect_right(self.marks, offset, key=lambda m: m.start)
        return self.marks[i - 1] if i else None

    def marks_within(self, start: int, end: int) -> list[Mark]:
        """Marks that start strictly inside (start, end)."""
        lo = bisect_right(self.marks, start, key=lambda m: m.start)
        hi = bisect_left(self.marks, end, key=lambda m: m.start)
        return self.marks[lo:hi]


class Chunk(BaseModel):
    id: str
    doc_id: str
    source: str
    title: str
    text: str
    start: int = Field(description="Character offset of the chunk in Document.text")
    position: int = Field(description="Ordinal of the chunk within its document")
    locator: str | None = None
    url: str | None = None
    section: str | None = None
    page: int | None = None
    # Finer locators inside the chunk (e.g. transcript timestamps), offsets relative to the chunk.
    marks: list[Mark] = Field(default_factory=list)
    # Its document's language (ISO 639-1): BM25 stems it in that language. None: stored
    # before languages were detected (the keyword index detects it when it rebuilds).
    language: str | None = None


class FailedFile(BaseModel):
    source: str
    reason: str


class IngestReport(BaseModel):
    added: list[str] = Field(default_factory=list)
    updated: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    failed: list[FailedFile] = Field(default_factory=list)
    skipped: list[FailedFile] = Field(default_factory=list)
    chunks_embedded: int = 0
    chunks_total: int = 0
    seconds: float = 0.0


class DocumentInfo(BaseModel):
    doc_id: str
    source: str
    title: str
    url: str | None = None
    kind: str
    content_hash: str
    chunks: int
    ingested_at: str | None = None
    language: str | None = Field(default=None, description="ISO 639-1 code of its text")


class CollectionInfo(BaseModel):
    name: str = Field(
        description="The collection's name (MISSIONRAG_COLLECTION, --collection, ?collection=)"
    )
    documents: int
    chunks: int


class Status(BaseModel):
    collection: str = Field(default="missionrag", description="The collection this status is of")
    documents: int
    chunks: int
    store: str = Field(description="'embedded:<path>' or 'server:<url>'")
    data_dir: str
    embed_backend: str
    model_path: str
    keyword_index: str
    llm: str | None = None
    sources: list[DocumentInfo] = Field(default_factory=list)


# --------------------------------------------------------------------------- retrieval


class Hit(BaseModel):
    source: str
    title: str
    locator: str | None = None
    url: str | None = None
    text: str
    score: float
    chunk_id: str = ""
    doc_id: str = ""
    section: str | None = None
    page: int | None = None
    start: int | None = Field(
        default=None, description="Character offset of the passage in the document's text"
    )
    dense_score: float | None = None
    keyword_score: float | None = None
    rerank_score: float | None = Field(
        default=None, description="Cross-encoder logit when reranking ran (above ~0: relevant)"
    )
    marks: list[Mark] = Field(default_factory=list)


class SearchResult(BaseModel):
    query: str
    hits: list[Hit]


# --------------------------------------------------------------------------- ask


class Citation(BaseModel):
    source: str
    title: str
    locator: str | None = None
    url: str | None = None
    quote: str = Field(description="Exact sentence(s) from the source text, verbatim")
    score: float


class Answer(BaseModel):
    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = Field(default_factory=list)
    mode: Literal["extractive", "llm"] = "extractive"
    closest: list[Hit] = Field(default_factory=list, description="Nearest passages when abstaining")
    notes: list[str] = Field(default_factory=list)
    confidence: float | None = Field(
        default=None,
        description="With reranking: the calibrated probability (0-1) that the corpus answers the question (ask/relevance.py); the answer is given at MISSIONRAG_ASK_MIN_CONFIDENCE or above. Without reranking: the fallback path's relevance score",
    )
    standalone_query: str | None = Field(
        default=None,
        description="When earlier turns were sent: the query retrieval read (a follow-up resolved into a standalone question, or the question itself)",
    )
    context_from: str | None = Field(
        default=None,
        description="The earlier question a follow-up was read with; null when it stood alone",
    )


class ConversationTurn(BaseModel):
    """One earlier exchange a client sends back with a follow-up (ask/followup.py)."""

    question: str = Field(description="The question as it was asked")
    query: str | None = Field(
        default=None, description="The standalone query it was read as (Answer.standalone_query)"
    )


# --------------------------------------------------------------------------- check


class EvidenceSpan(BaseModel):
    """Words of the statement that earned (or cost) a criterion points, with their offsets."""

    start: int = Field(description="Character offset into the statement")
    end: int
    text: str = Field(description="statement[start:end]")
    effect: Literal["earned", "cost"]
    feature: str = Field(description="The rule feature these words set (check/features.py)")
    about: str = Field(default="", description="What the feature means")


class CriterionResult(BaseModel):
    score: float = Field(ge=0.0, le=1.0)
    passed: bool
    evidence: list[str] = Field(default_factory=list)
    advice: str = ""
    evidence_spans: list[EvidenceSpan] = Field(
        default_factory=list, description="The evidence as character spans, with what each did"
    )
    probability: float | None = Field(
        default=None, description="The learned model's calibrated probability that it is met"
    )


class MissionWashing(BaseModel):
    risk: float = Field(ge=0.0, le=1.0)
    flagged: bool
    signals: list[str] = Field(default_factory=list)


class Finding(BaseModel):
    start: int
    end: int
    rule: str
    severity: Literal["error", "warning", "info"] = "warning"
    message: str
    suggestion: str | None = None


class SourceRef(BaseModel):
    source: str
    locator: str | None = None
    quote: str
    title: str | None = None
    url: str | None = None
    criterion: str | None = Field(default=None, description="Which criterion this passage explains")


class SimilarMission(BaseModel):
    text: str
    issuer: str
    year: int | None = None
    similarity: float
    source: str | None = Field(default=None, description="Where the mission is published")


class Relabelling(BaseModel):
    """A draft whose whole target already stands as a commitment in the knowledge base."""

    draft_target: str = Field(description="The draft's target, verbatim")
    draft_start: int
    draft_end: int
    existing: str = Field(description="The commitment in the source, verbatim")
    source: str
    title: str | None = None
    locator: str | None = None
    url: str | None = None
    matched: dict[str, str] = Field(
        default_factory=dict, description="quantity, unit, object and deadline as both state them"
    )


class ExistingMission(BaseModel):
    """The draft is an existing published mission (a quote, paraphrase or translation)."""

    name: str
    text: str = Field(description="The published mission's wording")
    issuer: str | None = None
    year: int | None = None
    source: str | None = Field(default=None, description="URL or knowledge-base source")
    locator: str | None = None
    origin: Literal["library", "knowledge base"]
    match: str = Field(description="What matched: the whole target, or the wording")
    message: str


class CheckResult(BaseModel):
    statement: str
    criteria: dict[str, CriterionResult]
    mission_washing: MissionWashing
    overall: float = Field(ge=0.0, le=1.0)
    findings: list[Finding] = Field(default_factory=list)
    suggested_rewrite: str | None = None
    sources: list[SourceRef] = Field(default_factory=list)
    similar_missions: list[SimilarMission] = Field(default_factory=list)
    mode: Literal["offline", "llm"] = "offline"
    notes: list[str] = Field(default_factory=list)
    relabelling: Relabelling | None = Field(
        default=None, description="The existing commitment this draft restates, side by side"
    )
    existing_mission: ExistingMission | None = Field(
        default=None, description="The published mission this draft quotes (not washing)"
    )
    model: str | None = Field(
        default=None, description="Which learned heads judged: 'rules+embedding' or 'rules'"
    )


# --------------------------------------------------------------------------- quiz

QuizType = Literal["mcq", "true_false", "cloze"]


class QuizItem(BaseModel):
    id: str
    type: QuizType
    question: str
    options: list[str] = Field(default_factory=list)
    answer: str
    explanation: str = ""
    source: str
    locator: str | None = None
    quote: str = Field(description="The source sentence that proves the answer, verbatim")
    title: str | None = None
    url: str | None = None
    topic: str | None = None
    # Optional, so quiz JSON written before the gates and exports existed still loads.
    kind: str | None = Field(
        default=None,
        description="What the answer is: percent, year, number, organisation, person, place, term",
    )
    key: str | None = Field(default=None, description="The tested term exactly as the quote has it")
    claim: str | None = Field(
        default=None, description="true_false: the term the statement asserts (== key when True)"
    )
    mode: Literal["offline", "llm"] = "offline"
