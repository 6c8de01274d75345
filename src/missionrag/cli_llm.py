"""``missionrag llm build|serve`` and ``missionrag eval ask|check --llm`` (cli.py registers them).

Thin, like cli.py: the work is in llm_local.py (the bundled server) and the eval modules.
"""

from __future__ import annotations

from typing import Any

import click

from missionrag.errors import InputError


def _settings() -> Any:
    from missionrag.cli import _settings as settings

    return settings()


def eval_llm(kb: Any, names: list[str], every: int = 1) -> None:
    if not names:
        raise InputError("--llm applies to the ask and check evals")
    llm = kb.llm
    if llm is None:
        raise InputError(
            "--llm needs an LLM: set MISSIONRAG_LLM_URL (e.g. `missionrag llm serve` in another "
            "shell, then MISSIONRAG_LLM_URL=http://127.0.0.1:8080/v1)"
        )
    for name in names:
        if name == "ask":
            from missionrag.ask.llm_eval import run_ask_llm_eval

            summary, _ = run_ask_llm_eval(kb, kb.embedder, kb.settings, llm, every=every)
        else:
            from missionrag.check.llm_eval import run_check_llm_eval

            summary, _ = run_check_llm_eval(kb.settings, llm, every=every)
        click.echo(summary)


@click.group("llm")
def llm_group() -> None:
    """The bundled local LLM: llama.cpp's llama-server with SmolLM2-135M-Instruct.

    \b
    Examples:
      missionrag llm serve               # builds once (minutes), then serves on 127.0.0.1:8080
      MISSIONRAG_LLM_URL=http://127.0.0.1:8080/v1 missionrag ask "Why do missions fail?"
    """


@llm_group.command("build")
def llm_build() -> None:
    """Build llama-server and fetch the model into the cache, if not there yet."""
    from missionrag.llm_local import ensure_model, ensure_server

    settings = _settings()
    click.echo(f"llama-server: {ensure_server(settings, echo=click.echo)}")
    click.echo(f"model: {ensure_model(settings)}")


@llm_group.command("serve")
@click.option("--port", type=int, default=8080, show_default=True)
@click.option("--threads", type=int, default=None, help="CPU threads (default: up to 4).")
def llm_serve(port: int, threads: int | None) -> None:
    """Serve the bundled model on 127.0.0.1 (OpenAI-compatible) until Ctrl-C."""
    from missionrag.llm_local import LocalServer, ensure_model, ensure_server

    settings = _settings()
    ensure_server(settings, echo=click.echo)
    ensure_model(settings)
    server = LocalServer(settings, port, threads=threads)
    click.echo(f"starting {' '.join(server.command())}")
    with server:
        click.echo(f"serving at {server.url} (log: {server.log}); Ctrl-C stops it")
        click.echo(f"use it: export MISSIONRAG_LLM_URL={server.url}")
        try:
            assert server.proc is not None
            server.proc.wait()
        except KeyboardInterrupt:
            pass


@llm_group.command("eval")
@click.argument("what", nargs=-1, type=click.Choice(["ask", "check"]))
@click.option(
    "--every",
    type=click.IntRange(1),
    default=1,
    help="check: only every N-th case (a quicker run).",
)
def llm_eval(what: tuple[str, ...], every: int) -> None:
    """Run `eval ask|check --llm` through the bundled model, started for the run."""
    from missionrag.kb import KnowledgeBase
    from missionrag.llm_local import MODEL_ALIAS, LocalServer, ensure_server

    settings = _settings()
    ensure_server(settings, echo=click.echo)
    with LocalServer(settings) as server:
        click.echo(f"bundled model at {server.url}")
        kb = KnowledgeBase(
            settings.model_copy(update={"llm_url": server.url, "llm_model": MODEL_ALIAS})
        )
        eval_llm(kb, list(what or ("ask", "check")), every)
