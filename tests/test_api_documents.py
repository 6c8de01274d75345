"""Documents over HTTP: who may write, uploads streamed with a limit, deletes, URL guard.

Three real servers: one with a token, one with no token on loopback (writes open), and one
with no token that believes it binds 0.0.0.0 (writes refused). All listen on 127.0.0.1 only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from apiserver import PAGE, ApiServer, auth, ingested_data_dir

TOKEN = "docs-test-token"
GENERIC_500 = "internal error: the request failed on the server; the server log has the details"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    data = ingested_data_dir(tmp_path_factory.mktemp("docs"))
    # 1 MB upload limit keeps the over-size tests fast.
    with ApiServer(data, MISSIONRAG_API_TOKEN=TOKEN, MISSIONRAG_MAX_FILE_MB="1") as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server: ApiServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=120) as c:
        yield c


def _docs(client: httpx.Client) -> dict[str, dict[str, Any]]:
    return {d["source"]: d for d in client.get("/documents").json()["documents"]}


def _uploads(server: ApiServer) -> list[str]:
    folder = server.data_dir / "uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _upload(
    client: httpx.Client, name: str, data: bytes, token: str | None = TOKEN
) -> httpx.Response:
    headers = auth(token) if token else {}
    return client.post("/documents", files={"file": (name, data)}, headers=headers)


# --------------------------------------------------------------------------- who may write


def test_writes_without_token_are_401(client: httpx.Client) -> None:
    before = _docs(client)
    r = _upload(client, "a.md", b"# A\n\nSome text about missions.\n", token=None)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert _upload(client, "a.md", b"# A\n\ntext\n", token="wrong").status_code == 401
    doc_id = next(iter(before.values()))["doc_id"]
    assert client.delete(f"/documents/{doc_id}").status_code == 401
    r = client.post("/documents", json={"url": "https://example.org/"})
    assert r.status_code == 401
    assert _docs(client) == before  # nothing changed


def test_exposed_server_without_token_refuses_writes(tmp_path: Path) -> None:
    data = ingested_data_dir(tmp_path)
    # It binds loopback (tests never listen publicly) but is told its bind host is 0.0.0.0,
    # the address `missionrag serve --host 0.0.0.0` would give it.
    with ApiServer(data, MISSIONRAG_HOST="0.0.0.0") as srv, httpx.Client(base_url=srv.url) as c:
        assert c.get("/health").json()["writes"] == "disabled"
        r = c.post("/documents", files={"file": ("a.md", b"# A\n\ntext\n")})
        assert r.status_code == 403
        assert "MISSIONRAG_API_TOKEN" in r.json()["detail"]
        assert c.delete("/documents/abc").status_code == 403
        assert c.post("/search", json={"query": "missions"}).status_code == 200  # reads work
        log = srv.log()
    assert "writes are disabled" in log and "0.0.0.0" in log
    assert "refused POST /documents" in log


def test_loopback_server_without_token_allows_writes(tmp_path: Path) -> None:
    data = ingested_data_dir(tmp_path)
    # A real failure inside a write: "uploads" is a file where the folder should be.
    (data / "uploads").write_text("not a folder")
    with ApiServer(data) as srv, httpx.Client(base_url=srv.url, headers=PAGE) as c:
        assert c.get("/health").json()["writes"] == "open"
        # Past the auth check: the id is unknown, so 404 (not 401/403).
        assert c.delete("/documents/0123456789abcdef").status_code == 404
        r = c.post("/documents", files={"file": ("a.md", b"# A\n\ntext\n")})
        # The server may write the traceback just after answering: poll the log (bounded).
        deadline = time.monotonic() + 10
        while "FileExistsError" not in (log := srv.log()) and time.monotonic() < deadline:
            time.sleep(0.1)
    assert r.status_code == 500
    assert r.json() == {"detail": GENERIC_500}  # no traceback, no path, no exception text
    assert "Traceback" in log and "FileExistsError" in log  # ...but the log has it all


# --------------------------------------------------------------------------- uploads


def test_upload_search_delete_round_trip(client: httpx.Client, server: ApiServer) -> None:
    text = b"# Quokka harbour mission\n\nBy 2031 the quokka harbour mission halves plastic waste.\n"
    r = _upload(client, "quokka notes.md", text)
    assert r.status_code == 201, r.text
    body = r.json()
    assert len(body["report"]["added"]) == 1
    (doc,) = body["documents"]
    assert doc["title"] == "Quokka harbour mission"
    assert doc["source"] == "uploads/quokka notes.md"  # no server paths leak to clients
    assert "quokka notes.md" in _uploads(server)

    hits = client.post("/search", json={"query": "quokka harbour plastic", "top_k": 1}).json()[
        "hits"
    ]
    assert hits[0]["source"] == doc["source"]

    again = _upload(client, "quokka notes.md", text)
    assert again.status_code == 200 and again.json()["report"]["unchanged"]

    r = client.delete(f"/documents/{doc['doc_id']}", headers=auth(TOKEN))
    assert r.status_code == 200
    assert r.json()["deleted"]["doc_id"] == doc["doc_id"]
    assert doc["source"] not in _docs(client)
    assert "quokka notes.md" not in _uploads(server)  # or the next ingest brings it back
    hits = client.post("/search", json={"query": "quokka harbour plastic", "top_k": 3}).json()[
        "hits"
    ]
    assert all(h["source"] != doc["source"] for h in hits)
    assert client.delete(f"/documents/{doc['doc_id']}", headers=auth(TOKEN)).status_code == 404


def test_corrupt_upload_is_refused_and_nothing_is_lost(
    client: httpx.Client, server: ApiServer
) -> None:
    good = b"# Walrus plan\n\nThe walrus mission restores kelp forests by 2035.\n"
    assert _upload(client, "walrus.md", good).status_code == 201
    before = _docs(client)

    # Same name, binary content: the loader refuses it.
    r = _upload(client, "walrus.md", bytes(range(256)) * 40)
    assert r.status_code == 422
    assert r.json()["detail"].startswith("walrus.md:")
    assert _docs(client) == before  # the stored version is untouched
    assert (server.data_dir / "uploads" / "walrus.md").read_bytes() == good  # and so is the file
    hits = client.post("/search", json={"query": "walrus kelp forests", "top_k": 1}).json()["hits"]
    assert hits[0]["text"].count("walrus") >= 1

    r = _upload(client, "broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage")
    assert r.status_code == 422
    assert "broken.pdf" in r.json()["detail"]
    assert _docs(client) == before
    assert _uploads(server) == ["walrus.md"]  # no half-written or refused file left behind


def test_upload_over_the_limit_is_413_and_leaves_nothing(
    client: httpx.Client, server: ApiServer
) -> None:
    big = b"word " * 300_000  # 1.5 MB against a 1 MB limit
    before = _uploads(server)
    r = _upload(client, "big.txt", big)
    assert r.status_code == 413
    assert "MISSIONRAG_MAX_FILE_MB" in r.json()["detail"]

    # Streamed without Content-Length: the limit is enforced while the bytes arrive.
    boundary = "xyzBOUNDARY"

    def body() -> Iterator[bytes]:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        ).encode()
        for _ in range(30):
            yield b"word " * 10_000
        yield f"\r\n--{boundary}--\r\n".encode()

    r = client.post(
        "/documents",
        content=body(),
        headers={**auth(TOKEN), "content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert r.status_code == 413
    assert _uploads(server) == before


@pytest.mark.parametrize(
    ("name", "data", "expect"),
    [
        ("tool.exe", b"MZ....", "unsupported file type"),
        ("empty.txt", b"", "empty"),
    ],
)
def test_bad_uploads_are_422(client: httpx.Client, name: str, data: bytes, expect: str) -> None:
    r = _upload(client, name, data)
    assert r.status_code == 422
    assert expect in r.json()["detail"]


def test_upload_name_cannot_escape_the_uploads_folder(
    client: httpx.Client, server: ApiServer
) -> None:
    r = _upload(client, "../../escape.md", b"# Escape\n\nAn otter mission for 2040.\n")
    assert r.status_code == 201, r.text
    assert "escape.md" in _uploads(server)
    assert not (server.data_dir.parent / "escape.md").exists()
    source = r.json()["documents"][0]["source"]
    assert (
        client.delete(
            f"/documents/{_docs(client)[source]['doc_id']}", headers=auth(TOKEN)
        ).status_code
        == 200
    )


def test_wrong_content_type_is_422(client: httpx.Client) -> None:
    r = client.post(
        "/documents", content=b"hello", headers={**auth(TOKEN), "content-type": "text/plain"}
    )
    assert r.status_code == 422


# --------------------------------------------------------------------------- URL guard


@pytest.fixture
def canary() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server on loopback that records every request it gets."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            body = b"<html><head><title>secret</title></head><body><p>internal</p></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/admin", seen
    httpd.shutdown()
    httpd.server_close()


def test_url_ingestion_refuses_internal_addresses(
    client: httpx.Client, canary: tuple[str, list[str]]
) -> None:
    url, seen = canary
    port = url.split(":")[2].split("/")[0]
    before = _docs(client)
    for target in (
        url,
        f"http://localhost:{port}/admin",
        "http://10.1.2.3/intranet",
        "http://192.168.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:80/",
    ):
        r = client.post("/documents", json={"url": target}, headers=auth(TOKEN))
        assert r.status_code == 422, (target, r.text)
        assert "MISSIONRAG_ALLOW_PRIVATE_URLS" in r.json()["detail"], target
    for target in (
        "file:///etc/passwd",
        "ftp://example.org/x",
        f"http://user:pw@127.0.0.1:{port}/",
    ):
        r = client.post("/documents", json={"url": target}, headers=auth(TOKEN))
        assert r.status_code == 422, (target, r.text)
    assert seen == []  # the guard answered before anything was fetched
    assert _docs(client) == before
