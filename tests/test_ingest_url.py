"""--url ingestion against a real HTTP server on loopback, and the terminal progress bar."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import CORPUS, DATA, cli_env, free_port

from missionrag.config import Settings
from missionrag.kb import KnowledgeBase

PAGE = (DATA / "page.html").read_bytes()


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/page":
            body, ctype = PAGE, "text/html; charset=utf-8"
        elif self.path == "/file.pdf":
            body, ctype = (DATA / "strategy.pdf").read_bytes(), "application/pdf"
        elif self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/page")
            self.end_headers()
            return
        else:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def site() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_url_ingestion_and_failures(settings: Settings, site: str) -> None:
    kb = KnowledgeBase(settings.model_copy(update={"allow_private_urls": True}))
    dead = f"http://127.0.0.1:{free_port()}/gone"
    report = kb.ingest(urls=[f"{site}/page", f"{site}/file.pdf", f"{site}/missing", dead])
    assert report.added == [f"{site}/page"]
    reasons = {f.source: f.reason for f in report.failed}
    assert "not an HTML page" in reasons[f"{site}/file.pdf"]
    assert "HTTP 404" in reasons[f"{site}/missing"]
    assert "could not be fetched" in reasons[dead]
    doc = kb.documents()[0]
    assert doc.title == "Vision zero mission" and doc.url == f"{site}/page" and doc.kind == "html"
    hit = kb.search("zero road deaths street design", 1)[0]
    assert hit.source == f"{site}/page" and hit.url == f"{site}/page"
    # The same URL again is unchanged; a redirect is followed (and checked) to the page.
    assert kb.ingest(urls=[f"{site}/page"]).unchanged == [f"{site}/page"]
    moved = kb.ingest(urls=[f"{site}/moved"])
    assert moved.added == [f"{site}/moved"]
    assert "street design" in kb.document_text(f"{site}/moved")


def test_private_addresses_refused_by_default(settings: Settings, site: str) -> None:
    kb = KnowledgeBase(settings)
    report = kb.ingest(
        urls=[
            f"{site}/page",
            "http://10.1.2.3/x",
            "http://169.254.169.254/latest",
            "file:///etc/passwd",
        ]
    )
    assert not report.added
    assert len(report.failed) == 4
    assert all("refusing" in f.reason or "only http" in f.reason for f in report.failed)


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    """On a TTY, ingest draws a progress bar on stderr; with --json or a pipe it does not."""
    master, slave = pty.openpty()
    exe = str(Path(sys.executable).parent / "missionrag")
    proc = subprocess.Popen(
        [
            exe,
            "ingest",
            str(CORPUS / "invi-mission-driven-change.txt"),
            str(CORPUS / "oecd-ddc-missions-survey-workshop.md"),
        ],
        env=cli_env(tmp_path / "d"),
        stdin=slave,
        stdout=slave,
        stderr=slave,
    )
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    proc.wait(timeout=300)
    os.close(master)
    text = out.decode(errors="replace")
    assert proc.returncode == 0, text
    assert "ingesting" in text and "2/2" in text
    assert "added 2" in text
    piped = subprocess.run(
        [exe, "ingest", str(CORPUS), "--json"],
        env=cli_env(tmp_path / "d"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "ingesting" not in piped.stderr and json.loads(piped.stdout)["added"]
