"""--url ingestion against a real HTTP server on loopback, and the terminal progress bar."""

from __future__ import annotations

import json
import os
import pty
import shutil
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import CORPUS, DATA, cli_env, free_port

from missionrag.config import Settings
from missionrag.errors import InputError
from missionrag.ingest.web import fetch_url
from missionrag.kb import KnowledgeBase

PAGE = (DATA / "page.html").read_bytes()


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        assert isinstance(self.server, _Server)
        self.server.seen.append((self.path, self.headers.get("Host")))
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


class _Server(ThreadingHTTPServer):
    """Records (path, Host header) of every request, so a test can tell what reached it."""

    seen: list[tuple[str, str | None]]


@pytest.fixture
def server() -> Iterator[_Server]:
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.seen = []
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def site(server: _Server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


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


def _fake_dns(monkeypatch: pytest.MonkeyPatch, table: dict[str, list[str]]) -> list[str]:
    """Answer ``getaddrinfo`` for made-up names: the n-th lookup gets ``table[name][n]`` (the
    last answer repeats); other names go to the real resolver. Returns the names looked up."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def fake(host: object, port: object, *args: object, **kwargs: object) -> list[object]:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in table:
            return real(host, port, *args, **kwargs)  # type: ignore[arg-type]
        asked.append(name)
        answers = table[name]
        ip = answers[min(asked.count(name), len(answers)) - 1]
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (ip, int(port or 0)))]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return asked


def test_dns_rebinding_cannot_reach_loopback(
    server: _Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name that answers public to the check and loopback afterwards: the check's answer is
    the address connected to, so the loopback server never sees the request."""
    port = server.server_address[1]
    asked = _fake_dns(monkeypatch, {"rebind.test": ["93.184.216.34", "127.0.0.1"]})
    # Tests stay offline: a connection to the public address is refused here instead of
    # going out; connections to anything else (the old code's "rebind.test") go through.
    real_connect = socket.create_connection
    connected: list[object] = []

    def connect(address: tuple[str, int], *args: object, **kwargs: object) -> socket.socket:
        connected.append(address)
        if address[0] == "93.184.216.34":
            raise ConnectionRefusedError("offline test: no connections to public addresses")
        return real_connect(address, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "create_connection", connect)
    with pytest.raises(InputError, match="could not be fetched"):
        fetch_url(
            f"http://rebind.test:{port}/page", timeout=1.0, max_bytes=1_000_000, allow_private=False
        )
    assert server.seen == []
    assert asked == ["rebind.test"]
    assert connected == [("93.184.216.34", port)]


def test_pinned_address_keeps_the_host_header(
    server: _Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With private addresses allowed, the fetch connects to the resolved address and still
    names the original host, on the first hop and on a redirect hop (one lookup per hop)."""
    port = server.server_address[1]
    asked = _fake_dns(monkeypatch, {"pinned.test": ["127.0.0.1"]})
    html = fetch_url(
        f"http://pinned.test:{port}/moved", timeout=5.0, max_bytes=1_000_000, allow_private=True
    )
    assert "street design" in html
    assert server.seen == [("/moved", f"pinned.test:{port}"), ("/page", f"pinned.test:{port}")]
    assert asked == ["pinned.test", "pinned.test"]


def _make_certs(folder: Path, hostname: str) -> tuple[Path, Path, Path]:
    """A throwaway CA and a leaf certificate for ``hostname`` only (no IP in it)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    ca_key, ca, key, csr, leaf = (
        folder / n for n in ("ca.key", "ca.pem", "k.pem", "c.csr", "l.pem")
    )
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    ext = folder / "leaf.ext"
    ext.write_text(
        f"subjectAltName=DNS:{hostname}\nbasicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
    )
    for args in (
        ["req", "-x509", *ec, "-keyout", ca_key, "-out", ca, "-days", "2", "-subj", "/CN=test CA"]
        + ["-addext", "basicConstraints=critical,CA:TRUE"]
        + ["-addext", "keyUsage=critical,keyCertSign,cRLSign"],
        ["req", *ec, "-keyout", key, "-out", csr, "-subj", f"/CN={hostname}"],
        ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-set_serial", "1"]
        + ["-days", "2", "-out", leaf, "-extfile", ext],
    ):
        subprocess.run([openssl, *map(str, args)], check=True, capture_output=True)
    return ca, leaf, key


def test_https_pinned_address_verifies_the_original_hostname(
    server: _Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Over https the connection goes to the pinned address, while SNI and the certificate
    check use the hostname from the URL: a certificate for another name is refused."""
    ca, leaf, key = _make_certs(tmp_path, "pinned.test")
    names: list[str | None] = []
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(leaf, key)
    ctx.sni_callback = lambda _sock, name, _ctx: names.append(name)  # type: ignore[assignment,func-returns-value]
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))
    _fake_dns(monkeypatch, {"pinned.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})
    port = server.server_address[1]
    html = fetch_url(
        f"https://pinned.test:{port}/page", timeout=5.0, max_bytes=1_000_000, allow_private=True
    )
    assert "street design" in html
    assert names == ["pinned.test"]
    assert server.seen == [("/page", f"pinned.test:{port}")]
    with pytest.raises(InputError, match="CERTIFICATE_VERIFY_FAILED"):
        fetch_url(
            f"https://other.test:{port}/page", timeout=5.0, max_bytes=1_000_000, allow_private=True
        )
    assert names[-1] == "other.test"
    assert len(server.seen) == 1


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
