"""The service against a hostile web page, hostile names and nosy readers, on a real server.

One server with no token on loopback (the `make run` default, writes open to the page) and an
LLM URL carrying a user name and password on a port where nothing listens (every LLM call
fails, so its error reaches the /ask notes).
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from apiserver import PAGE, ApiServer, ingested_data_dir
from conftest import free_port, run_cli

LLM_PASSWORD = "llm-s3cret-key"
LLM_KEY = "sk-test-key-0451"
OUTSIDE_DIR = "private-reports-4471"  # a folder name that must never reach a reader


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    base = tmp_path_factory.mktemp("security")
    data = ingested_data_dir(base)
    # A file ingested from the command line outside every allowed folder: stored by its
    # absolute path (prune needs it), never shown that way over HTTP.
    outside = base / OUTSIDE_DIR / "harbour-mission.md"
    outside.parent.mkdir()
    outside.write_text(
        "# Harbour mission\n\nBy 2033 the harbour mission cleans every quay of the old port.\n"
    )
    done = run_cli(["ingest", str(outside), "--json"], data)
    assert done.returncode == 0, done.stderr[-2000:]
    llm = f"http://llmuser:{LLM_PASSWORD}@127.0.0.1:{free_port()}/v1"
    env = {
        "MISSIONRAG_LLM_URL": llm,
        "MISSIONRAG_LLM_API_KEY": LLM_KEY,
        "MISSIONRAG_LLM_TIMEOUT": "5",
        "MISSIONRAG_MAX_FILE_MB": "1",
    }
    with ApiServer(data, **env) as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server: ApiServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=120, headers=PAGE) as c:
        yield c


def _port(server: ApiServer) -> int:
    return int(server.url.rsplit(":", 1)[1])


def _sources(client: httpx.Client) -> set[str]:
    return {d["source"] for d in client.get("/documents").json()["documents"]}


# --------------------------------------------------------------------------- other sites


def test_dns_rebinding_host_can_neither_read_nor_delete(
    client: httpx.Client, server: ApiServer
) -> None:
    before = _sources(client)
    evil = {"Host": f"rebind.attacker.example:{_port(server)}"}
    r = client.get("/documents", headers=evil)
    assert r.status_code == 400 and "MISSIONRAG_ALLOWED_HOSTS" in r.json()["detail"]
    doc_id = client.get("/documents").json()["documents"][0]["doc_id"]
    assert client.delete(f"/documents/{doc_id}", headers=evil).status_code == 400
    assert client.post("/search", json={"query": "missions"}, headers=evil).status_code == 400
    assert _sources(client) == before
    for host in (f"localhost:{_port(server)}", f"127.0.0.1:{_port(server)}", "LOCALHOST"):
        assert client.get("/health", headers={"Host": host}).status_code == 200, host


def test_another_site_cannot_upload_or_delete(client: httpx.Client) -> None:
    before = _sources(client)
    form = {"file": ("evil.md", b"# Evil\n\nPlanted by another site.\n")}
    for origin in ("https://evil.example", "null", "http://127.0.0.1:1"):
        r = client.post("/documents", files=form, headers={"Origin": origin})
        assert r.status_code == 403, (origin, r.text)
    doc_id = client.get("/documents").json()["documents"][0]["doc_id"]
    r = client.delete(f"/documents/{doc_id}", headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    assert _sources(client) == before


def test_a_form_post_without_the_page_header_is_refused(server: ApiServer) -> None:
    # What an old browser's cross-site form sends: no Origin, no custom header.
    with httpx.Client(base_url=server.url, timeout=60) as bare:
        r = bare.post("/documents", files={"file": ("f.md", b"# F\n\nForm post.\n")})
    assert r.status_code == 403 and "X-Requested-With" in r.json()["detail"]


def test_the_page_itself_may_write(client: httpx.Client, server: ApiServer) -> None:
    same_site = {"Origin": server.url}
    r = client.post(
        "/documents",
        files={"file": ("own page.md", b"# Own\n\nThe page uploads this kiwi note.\n")},
        headers=same_site,
    )
    assert r.status_code == 201, r.text
    path = server.data_dir / "uploads" / "own page.md"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    doc_id = r.json()["documents"][0]["doc_id"]
    assert client.delete(f"/documents/{doc_id}", headers=same_site).status_code == 200


def test_405_lists_every_method_of_the_path(client: httpx.Client) -> None:
    r = client.put("/documents/abc")
    assert r.status_code == 405
    allowed = {m.strip() for m in r.headers["allow"].split(",")}
    assert {"GET", "DELETE"} <= allowed
    r = client.patch("/documents")
    assert {"GET", "POST"} <= {m.strip() for m in r.headers["allow"].split(",")}


# --------------------------------------------------------------------------- uploads


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("Mission–strategy.md", "Mission–strategy.md"),
        ("報告 2030.md", "報告 2030.md"),
        ("🚀 launch.md", "_ launch.md"),
        ("a\u202egpj.md", "a_gpj.md"),
    ],
)
def test_upload_names_outside_latin1(client: httpx.Client, sent: str, stored: str) -> None:
    body = f"# {stored}\n\nThe walrus mission {len(sent)} counts tides.\n".encode()
    r = client.post("/documents", files={"file": (sent, body)})
    assert r.status_code == 201, r.text
    assert r.json()["report"]["added"] == [f"uploads/{stored}"]


def _multipart(disposition: bytes, body: bytes, close: bool = True) -> tuple[bytes, str]:
    b = b"b0undary4471"
    data = (
        b"--" + b + b"\r\nContent-Disposition: " + disposition + b"\r\n"
        b"Content-Type: text/markdown\r\n\r\n" + body + b"\r\n"
    )
    if close:
        data += b"--" + b + b"--\r\n"
    return data, f"multipart/form-data; boundary={b.decode()}"


def test_rfc5987_file_name(client: httpx.Client) -> None:
    raw = b'form-data; name="file"; filename="fallback.md"; filename*=UTF-8\'\'%E5%A0%B1%E5%91%8A-%E2%80%93.md'
    data, ctype = _multipart(raw, b"# RFC\n\nThe heron mission counts herons.\n")
    r = client.post("/documents", content=data, headers={"Content-Type": ctype})
    assert r.status_code == 201, r.text
    assert r.json()["report"]["added"] == ["uploads/報告-–.md"]


def test_truncated_upload_is_400_and_stores_nothing(
    client: httpx.Client, server: ApiServer
) -> None:
    before = _sources(client)
    data, ctype = _multipart(
        b'form-data; name="file"; filename="cut.md"',
        b"# Cut\n\nThe upload of the otter mission stops half",
        close=False,
    )
    r = client.post("/documents", content=data, headers={"Content-Type": ctype})
    assert r.status_code == 400 and "truncated" in r.json()["detail"]
    assert _sources(client) == before
    assert not list((server.data_dir / "uploads").glob("cut*"))
    assert not list((server.data_dir / "uploads").glob(".incoming-*"))


# --------------------------------------------------------------------------- what readers see


def test_secrets_never_leave_the_server(client: httpx.Client, server: ApiServer) -> None:
    health = client.get("/health")
    assert health.status_code == 200 and health.json()["llm"] is not None
    answer = client.post("/ask", json={"question": "Why do missions fail?"})
    assert answer.status_code == 200
    assert answer.json()["notes"], "the LLM failure should be noted"
    for text in (health.text, answer.text, server.log()):
        assert LLM_PASSWORD not in text and LLM_KEY not in text and "llmuser:" not in text
    env = {"MISSIONRAG_LLM_URL": f"http://llmuser:{LLM_PASSWORD}@127.0.0.1:9/v1"}
    for args in (["config"], ["config", "--json"], ["status"], ["status", "--json"]):
        out = run_cli(args, server.data_dir.parent / "cli-secrets", **env)
        assert LLM_PASSWORD not in out.stdout + out.stderr, args


def test_log_lines_cannot_be_forged(client: httpx.Client, server: ApiServer) -> None:
    r = client.post(
        "/documents", json={"url": "https://example.org/a\nINFO:     forged line\x00\x1b[2J"}
    )
    assert r.status_code == 422
    r = client.get("/documents/x%0AINFO:%20forged%20line%1b")
    assert r.status_code in (404, 422)
    log = server.log()
    assert not any(line.startswith("INFO:     forged") for line in log.splitlines())
    assert "\x00" not in log and "\x1b[2J" not in log
    assert "Logging error" not in log  # the escaping itself must not break a formatter


def test_absolute_server_paths_stay_on_the_server(client: httpx.Client) -> None:
    docs = client.get("/documents").text
    hits = client.post("/search", json={"query": "harbour mission quay old port"}).text
    answer = client.post("/ask", json={"question": "What does the harbour mission clean?"})
    quiz = client.post("/quiz", json={"n": 10, "seed": 3, "format": "gift"}).text
    for text in (docs, hits, answer.text, quiz):
        assert OUTSIDE_DIR not in text and "/tmp/" not in text
    assert "harbour-mission.md" in docs and "harbour-mission.md" in hits


def test_url_with_credentials_is_refused_on_the_command_line(tmp_path: Path) -> None:
    out = run_cli(["ingest", "--url", "https://user:pw@example.org/x"], tmp_path / "d")
    assert out.returncode == 2 and "user names or passwords" in out.stderr
    assert "pw" not in out.stderr.replace("passwords", "")
