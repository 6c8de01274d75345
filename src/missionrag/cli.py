"""Command line: a thin edge over ``KnowledgeBase``. Parse, call, format; nothing else.

Errors are ``MissionRagError``s translated here once: a one-line message on stderr and the
exit code of ../shared/CONTRACT.md (2 input, 3 backend unavailable, 1 a finding asked to fail).
Heavy modules are imported inside the commands that need them, so ``--help`` stays instant.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click

from missionrag import __version__
from missionrag.config import Settings
from missionrag.errors import InputError, MissionRagError

T = TypeVar("T")


COLLECTION_KEY = "missionrag.collection"


def _settings() -> Settings:
    """Settings from the environment, with ``--collection`` (if given) over it."""
    from pydantic import ValidationError

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    ctx = click.get_current_context(silent=True)
    name = ctx.meta.get(COLLECTION_KEY) if ctx is not None else None
    try:
        return Settings(**({"collection": name} if name else {}))
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err.get("loc") else "setting"
        where = "--collection" if name and field == "collection" else f"MISSIONRAG_{field.upper()}"
        raise InputError(f"{where}: {err['msg'].removeprefix('Value error, ')}") from None


def _remember_collection(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.meta[COLLECTION_KEY] = value


def collection_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--collection NAME`` on a command: work in that collection (collections.py)."""
    return click.option(
        "--collection",
        metavar="NAME",
        default=None,
        expose_value=False,
        is_eager=True,
        callback=_remember_collection,
        help="Collection to work in (default: MISSIONRAG_COLLECTION, else missionrag).",
    )(f)


def _kb() -> Any:
    from missionrag.kb import KnowledgeBase

    return KnowledgeBase(_settings())


def _fail(exc: MissionRagError) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(exc.exit_code)


def _inputs(arg: str | None, file: Path | None, what: str) -> list[str]:
    if file is not None and arg:
        raise click.UsageError(f"give the {what} or --file, not both")
    if file is not None:
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{file}: cannot read it as UTF-8 text ({exc})") from exc
        items = [ln.strip() for ln in lines if ln.strip()]
        if not items:
            raise InputError(f"{file}: no {what}s in it (one per line)")
        return items
    if not arg:
        raise click.UsageError(f"give a {what} or --file F")
    return [arg]


def _batch(
    items: list[str], run: Callable[[str], T], as_json: bool, key: str, human: Callable[[T], str]
) -> int:
    """Run each item; in a batch one bad line reports its error and the rest go on."""
    code = 0
    for item in items:
        try:
            result = run(item)
        except InputError as exc:
            if len(items) == 1:
                raise
            code = max(code, exc.exit_code)
            if as_json:
                click.echo(json.dumps({key: item, "error": str(exc)}, ensure_ascii=False))
            else:
                click.echo(f"error: {exc}", err=True)
            continue
        if as_json:
            click.echo(
                json.dumps(
                    result.model_dump(mode="json") if hasattr(result, "model_dump") else result,
                    ensure_ascii=False,
                )
            )  # type: ignore[union-attr]
        else:
            click.echo(human(result))
    return code


def _color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


class Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MissionRagError as exc:
            _fail(exc)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="missionrag")
def main() -> None:
    """Knowledge base, mission-statement checker and quiz builder for mission-oriented policy.

    \b
    Examples:
      missionrag ingest corpus/ --url https://example.org/mission-report
      missionrag search "mission washing" --json
      missionrag ask "Why do missions fail?"
      missionrag check "Halve road deaths in Denmark by 2030, with cities, carmakers and citizens"
      missionrag check-doc strategy.pdf
      missionrag quiz --n 20 --format gift --out quiz.gift
      missionrag serve --port 8000

    Settings come from MISSIONRAG_* environment variables; `missionrag config` lists them.
    """


# ---------------------------------------------------------------------------- ingest/status


@main.command()
@collection_option
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--url", "urls", multiple=True, help="A web page to ingest (repeatable).")
@click.option(
    "--prune", is_flag=True, help="Remove stored documents whose files are gone from PATHS."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON report on stdout.")
def ingest(paths: tuple[Path, ...], urls: tuple[str, ...], prune: bool, as_json: bool) -> None:
    """Add, update or skip documents (PDF, DOCX, HTML, Markdown, text). Default PATH: corpus/."""
    settings = _settings()
    kb = _kb()
    targets = list(paths) or ([] if urls else [settings.corpus_dir])
    bar: Any = None

    def progress(done: float, total: int, name: str) -> None:
        nonlocal bar
        if as_json or not sys.stderr.isatty() or total == 0:
            return
        if bar is None:
            bar = click.progressbar(length=total, label="ingesting", file=sys.stderr, show_pos=True)
            bar.__enter__()
        bar.update(int(done) - bar.pos)
        if done >= total:
            bar.__exit__(None, None, None)

    report = kb.ingest(targets, list(urls), prune=prune, progress=progress)
    kb.refresh_literature()  # the passages `check` cites, reranked for this store
    if as_json:
        click.echo(report.model_dump_json())
    else:
        for f in report.failed:
            click.echo(f"failed: {f.source}: {f.reason}", err=True)
        for f in report.skipped:
            click.echo(f"skipped: {f.source}: {f.reason}", err=True)
        click.echo(
            f"added {len(report.added)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}, "
            f"removed {len(report.removed)}, failed {len(report.failed)}; "
            f"{report.chunks_embedded} chunks embedded, {report.chunks_total} in store ({report.seconds:.1f} s)"
        )
    if report.failed:
        sys.exit(2)


@main.command()
@collection_option
@click.option("--json", "as_json", is_flag=True)
def status(as_json: bool) -> None:
    """What the knowledge base holds and how it is configured."""
    st = _kb().status()
    if as_json:
        click.echo(st.model_dump_json())
        return
    click.echo(
        f"collection {st.collection}: {st.documents} documents, {st.chunks} chunks  ({st.store})"
    )
    click.echo(f"embeddings: {st.embed_backend} {st.model_path}")
    click.echo(f"keyword index: {st.keyword_index}")
    click.echo(f"LLM: {st.llm or 'none (offline: extractive answers, rule-based checks)'}")
    for d in st.sources:
        click.echo(f"  {d.doc_id}  {d.chunks:4d} chunks  {d.source}  ({d.title})")


# ---------------------------------------------------------------------------- search/ask


def _render_hits(query: str, hits: Iterable[Any]) -> str:
    lines = [f"search: {query}"]
    for i, h in enumerate(hits, 1):
        where = ", ".join(x for x in (h.locator, h.url) if x)
        lines.append(f"[{i}] {h.score:.2f}  {h.source}" + (f"  ({where})" if where else ""))
        snippet = " ".join(h.text.split())
        lines.append("    " + (snippet[:300] + ("…" if len(snippet) > 300 else "")))
    if len(lines) == 1:
        lines.append("no matches")
    return "\n".join(lines)


@main.command()
@collection_option
@click.argument("query", required=False)
@click.option("--file", "file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--top-k", type=click.IntRange(1, 100), default=None)
@click.option("--mode", type=click.Choice(["hybrid", "dense", "keyword"]), default="hybrid")
@click.option("--json", "as_json", is_flag=True)
def search(
    query: str | None, file: Path | None, top_k: int | None, mode: str, as_json: bool
) -> None:
    """Passages that match QUERY (hybrid: embeddings + BM25)."""
    from missionrag.models import SearchResult

    kb = _kb()
    items = _inputs(query, file, "query")
    code = _batch(
        items,
        lambda q: SearchResult(query=q, hits=kb.search(q, top_k, mode=mode)),
        as_json,
        "query",
        lambda r: _render_hits(r.query, r.hits),
    )
    sys.exit(code)


@main.command()
@collection_option
@click.argument("question", required=False)
@click.option("--file", "file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--top-k", type=click.IntRange(1, 50), default=None)
@click.option(
    "--follow-up",
    "follow_up",
    is_flag=True,
    help="Read the question after the previous `ask` in this collection (kept in the data dir): "
    '"and in Denmark?" becomes a standalone question.',
)
@click.option("--json", "as_json", is_flag=True)
def ask(
    question: str | None, file: Path | None, top_k: int | None, follow_up: bool, as_json: bool
) -> None:
    """A short answer with verbatim, checkable citations (or an honest "not in the corpus").

    Each ask is remembered (the last few, per collection) so the next one can be a follow-up:
    `missionrag ask "Which countries use missions?"` then
    `missionrag ask --follow-up "and which organisations?"`. With --file and --follow-up the
    lines are one conversation.
    """
    from missionrag.ask import render_answer
    from missionrag.ask.followup import load_history, save_history, turn_of

    kb = _kb()
    items = _inputs(question, file, "question")
    color = _color()
    history = load_history(kb.settings) if follow_up else []

    def run(q: str) -> Any:
        if not follow_up:
            history.clear()  # a plain ask starts a new conversation
        answer = kb.ask(q, top_k, history=history or None)
        history.append(turn_of(q, answer))
        return answer

    code = _batch(items, run, as_json, "question", lambda a: render_answer(a, color))
    if history:
        save_history(kb.settings, history)
    sys.exit(code)


# ---------------------------------------------------------------------------- check


@main.command()
@collection_option
@click.argument("statement", required=False)
@click.option("--file", "file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
@click.option(
    "--fail-under",
    type=click.FloatRange(0, 1),
    default=None,
    help="Exit 1 if any overall score is below X.",
)
def check(
    statement: str | None, file: Path | None, as_json: bool, fail_under: float | None
) -> None:
    """Score a mission statement: bold, measurable, time-bound, cross-sectoral, mission washing."""
    from missionrag.check.render import render_check

    kb = _kb()
    items = _inputs(statement, file, "statement")
    scores: list[float] = []

    def run(s: str) -> Any:
        r = kb.check(s)
        scores.append(r.overall)
        return r

    color = _color()
    code = _batch(items, run, as_json, "statement", lambda r: render_check(r, color))
    if fail_under is not None and any(s < fail_under for s in scores):
        code = code or 1
    sys.exit(code)


@main.command("check-doc")
@collection_option
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
@click.option(
    "--top", type=click.IntRange(1, 500), default=None, help="Check only the N best candidates."
)
def check_doc(file: Path, as_json: bool, top: int | None) -> None:
    """Find the sentences of a strategy document that state a goal, best first, and check each."""
    from missionrag.check.render import render_check

    doc = _kb().check_document(file, top)
    if not doc.checks:
        click.echo(f"no sentence stating a goal found in {doc.source}", err=True)
        return
    color = _color()
    for c, result in ((x.candidate, x.result) for x in doc.checks):
        if as_json:
            found = {"source": doc.source, "locator": c.locator, "start": c.start, "end": c.end}
            click.echo(
                json.dumps(
                    {**found, "candidate_score": c.score, **result.model_dump(mode="json")},
                    ensure_ascii=False,
                )
            )
        else:
            where = f", {c.locator}" if c.locator else ""
            click.echo(f"── {doc.source}{where} (goal score {c.score:.2f})")
            click.echo(render_check(result, color))
            click.echo()


# ---------------------------------------------------------------------------- quiz


@main.command()
@collection_option
@click.option("--n", "n", type=click.IntRange(1, 200), default=10, show_default=True)
@click.option("--topic", default=None, help="Draw questions from passages near this topic.")
@click.option("--types", default=None, help="Comma-separated: mcq,true_false,cloze (default: all).")
@click.option("--seed", type=int, default=None, help="Same seed + same corpus = same quiz.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "gift", "aiken", "anki", "qti", "md"]),
    default="json",
    show_default=True,
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="File to write (default: stdout).",
)
def quiz(
    n: int, topic: str | None, types: str | None, seed: int | None, fmt: str, out: Path | None
) -> None:
    """Quiz items proved by the corpus, exported for Moodle, Anki, QTI tools or Markdown."""
    from missionrag.quiz.export import export_quiz, export_summary, left_out

    kb = _kb()
    type_list = [t.strip() for t in types.split(",") if t.strip()] if types else None
    items = kb.quiz(n=n, topic=topic, types=type_list, seed=seed)
    data = export_quiz(items, fmt)
    if out is not None:
        out.write_bytes(data)
        # Written vs left out (Aiken has no fill-in items), never a count of what was asked for.
        click.echo(export_summary(items, fmt, str(out)), err=True)
    elif fmt == "qti":
        raise InputError("QTI is a zip file; give --out quiz.zip")
    else:
        sys.stdout.buffer.write(data)
        if not data.endswith(b"\n"):
            sys.stdout.buffer.write(b"\n")
        if left_out(items, fmt):
            click.echo(export_summary(items, fmt, "standard output"), err=True)


# ---------------------------------------------------------------------------- eval, serve, config


@main.command("eval")
@click.argument(
    "what",
    type=click.Choice(["retrieval", "ask", "check", "quiz", "followups", "language", "all"]),
    default="all",
)
@click.option(
    "--split",
    type=click.Choice(["dev", "test", "all"]),
    default="all",
    help="dev: questions settings were chosen on; test: the ones kept untouched.",
)
@click.option(
    "--kb",
    "kb_name",
    type=click.Choice(["seed", "big", "both"]),
    default="both",
    help="seed: corpus/ only; big: corpus/ + evals/corpus_b (about 100 real documents).",
)
@click.option(
    "--labels",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    default=None,
    help="check: score this labels file (default evals/check/labels_dev.jsonl, cross-validated).",
)
@click.option(
    "--llm",
    "with_llm",
    is_flag=True,
    help="ask and check: also run through MISSIONRAG_LLM_URL (reports *_llm.md beside the offline ones).",
)
@click.option(
    "--every", type=click.IntRange(1), default=1, help="With --llm: only every N-th case."
)
def eval_(
    what: str, split: str, kb_name: str, labels: Path | None, with_llm: bool, every: int
) -> None:
    """Run the labelled evals in evals/ and write reports to evals/reports/.

    The eval runner lives beside the product (evals/missionrag_evals) and ships with the
    source repository, not the package: run this from a checkout.
    """
    try:
        runner = evals_runner()
        if with_llm:
            names = ["ask", "check"] if what == "all" else [what]
            click.echo(runner.run_llm(names, every))
        else:
            click.echo(runner.run(what, split, kb_name, labels))
    except MissionRagError as exc:
        _fail(exc)


def evals_runner() -> Any:
    """The eval runner (evals/missionrag_evals), which ships with the repository, not the wheel."""
    from missionrag.config import REPO_ROOT

    evals = REPO_ROOT / "evals"
    if not (evals / "missionrag_evals").is_dir():
        raise InputError("the evals ship with the source repository; run this from a checkout")
    if str(evals) not in sys.path:
        sys.path.insert(0, str(evals))
    import missionrag_evals.__main__ as runner

    return runner


@main.command()
@collection_option
@click.option("--host", default=None, help="Bind address (default MISSIONRAG_HOST, 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default MISSIONRAG_PORT, 8000).")
@click.option(
    "--workers",
    type=int,
    default=1,
    show_default=True,
    help="Needs MISSIONRAG_CHROMA_URL when > 1.",
)
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Serve the HTTP API and the web page."""
    import uvicorn

    settings = _settings()
    host = host or settings.host
    port = port or settings.port
    os.environ["MISSIONRAG_HOST"] = host
    os.environ["MISSIONRAG_PORT"] = str(port)
    os.environ["MISSIONRAG_COLLECTION"] = settings.collection  # the workers' default too
    from missionrag.index.backend import backend_for

    if workers > 1 and backend_for(settings).single_owner:
        raise InputError(
            "several workers need a shared Chroma server: start `chroma run --path DIR --port N` "
            "and set MISSIONRAG_CHROMA_URL=http://127.0.0.1:N (an embedded store has one owner)"
        )
    if workers > 1:
        uvicorn.run(
            "missionrag.api:create_app", factory=True, host=host, port=port, workers=workers
        )
    else:
        from missionrag.api import create_app

        uvicorn.run(
            create_app(settings.model_copy(update={"host": host, "port": port})),
            host=host,
            port=port,
        )


@main.command()
@collection_option
@click.option("--json", "as_json", is_flag=True)
def config(as_json: bool) -> None:
    """Every MISSIONRAG_* setting, its current value and what it does."""
    from missionrag.redact import URL_SETTINGS, redact_url

    settings = _settings()
    rows = []
    for name, field in Settings.model_fields.items():
        value = getattr(settings, name)
        if name in ("api_token", "llm_api_key", "collection_tokens"):
            value = "***" if value else None
        elif name in URL_SETTINGS:
            value = redact_url(value)  # a password in the URL is a secret too
        rows.append(
            {
                "env": f"MISSIONRAG_{name.upper()}",
                "value": str(value) if value is not None else None,
                "description": field.description or "",
            }
        )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    else:
        for r in rows:
            click.echo(f"{r['env']:<32} {r['value'] or '-':<30} {r['description']}")


@main.command()
def warmup() -> None:
    """Prepare the embedding backend (export the ONNX model once) so first use is fast."""
    onnx = _kb().warmup()
    click.echo(f"onnx model ready: {onnx}" if onnx is not None else "torch model ready")


# The bundled local LLM (`missionrag llm build|serve`) lives in cli_llm.py.
from missionrag.cli_llm import llm_group  # noqa: E402

main.add_command(llm_group)

# Conversations (chat) and collections live in their own module; importing it registers them.
from missionrag import cli_more  # noqa: E402, F401

if __name__ == "__main__":  # pragma: no cover
    main()
