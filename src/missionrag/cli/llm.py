"""``missionrag llm build|serve|eval``: the bundled local LLM (the work is in llm_local.py)."""

from __future__ import annotations

import click

from missionrag.cli.app import _settings


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
    from missionrag.llm_local import MODEL_ALIAS, LocalServer, ensure_server

    settings = _settings()
    ensure_server(settings, echo=click.echo)
    with LocalServer(settings) as server:
        click.echo(f"bundled model at {server.url}")
        from missionrag.cli.evals import evals_runner

        names = list(what or ("ask", "check"))
        click.echo(evals_runner().run_llm(names, every, llm_url=server.url, llm_model=MODEL_ALIAS))
