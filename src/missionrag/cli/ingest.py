"""``ingest`` and ``status``: fill the knowledge base and say what it holds."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from missionrag.cli.app import _kb, _settings, collection_option


@click.command()
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


@click.command()
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
