"""Running and looking after the knowledge base: ``serve``, ``config``, ``warmup``, ``collections``."""

from __future__ import annotations

import json
import os

import click

from missionrag.cli.app import _kb, _settings, collection_option
from missionrag.config import Settings
from missionrag.errors import InputError


@click.command()
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


@click.command()
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


@click.command()
def warmup() -> None:
    """Prepare the embedding backend (export the ONNX model once) so first use is fast."""
    onnx = _kb().warmup()
    click.echo(f"onnx model ready: {onnx}" if onnx is not None else "torch model ready")


@click.group()
def collections() -> None:
    """List or delete collections (separate knowledge bases in one store).

    \b
    Every command takes --collection NAME (default MISSIONRAG_COLLECTION):
      missionrag ingest --collection team-a reports/
      missionrag ask --collection team-a "What did we decide on funding?"
      missionrag collections list
      missionrag collections delete team-a --yes
    """


@collections.command("list")
@click.option("--json", "as_json", is_flag=True)
def collections_list(as_json: bool) -> None:
    """Every collection in the store, with its documents and chunks."""
    from missionrag.collections import list_collections

    settings = _settings()
    found = list_collections(settings)
    if as_json:
        for c in found:
            click.echo(c.model_dump_json())
        return
    if not found:
        click.echo("no collections yet; `missionrag ingest --collection NAME PATH` makes one")
    for c in found:
        mark = "*" if c.name == settings.collection else " "
        click.echo(f"{mark} {c.name:<24} {c.documents:4d} documents {c.chunks:6d} chunks")


@collections.command("delete")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def collections_delete(name: str, yes: bool) -> None:
    """Delete collection NAME: its documents, index, uploads and history; nothing else."""
    from missionrag.collections import check_name, delete_collection

    check_name(name)
    if not yes and not click.confirm(f"delete the collection {name!r} and all its documents?"):
        raise click.Abort()
    info = delete_collection(_kb().for_collection(name))
    click.echo(f"deleted collection {info.name} ({info.documents} documents, {info.chunks} chunks)")
