"""HTTP API against a real uvicorn server with the real corpus: shapes, limits, errors.

Shapes are checked against ``../shared/CONTRACT.md``; every request goes over a real socket.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest
from apiserver import ApiServer, ingested_data_dir

TOKEN = "api-test-token"
HIT_KEYS = {"source", "title", "locator", "url", "text", "score"}
CITATION_KEYS = {"source", "title", "locator", "url", "quote", "score"}
QUIZ_KEYS = {
    "id",
    "type",
    "question",
    "options",
    "answer",
    "explanation",
    "source",
    "locator",
    "quote",
}
CRITERIA = {"bold", "measurable", "time_bound", "cross_sectoral"}
VAGUE = "We will strive to foster innovation and improve wellbeing through synergies."


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    data = ingested_data_dir(tmp_path_factory.mktemp("api"))
    with ApiServer(data, MISSIONRAG_API_TOKEN=TOKEN) as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server: ApiServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


def _doc_text(client: httpx.Client, source: str) -> str:
    docs = client.get("/documents").json()["documents"]
    doc_id = next(d["doc_id"] for d in docs if d["source"] == source)
    return str(client.get(f"/documents/{doc_id}").json()["text"])


# --------------------------------------------------------------------------- shapes


def test_health(client: httpx.Client) -> None:
    r = client.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert {"status", "documents", "chunks", "version", "llm"} <= body.keys()
    assert body["status"] == "ok"
    assert body["documents"] == 5 and body["chunks"] > 5
    assert body["llm"] is None  # no MISSIONRAG_LLM_URL: offline
    assert body["writes"] == "token"
    assert body["limits"]["max_statement_chars"] == 5000


def test_search_shape(client: httpx.Client) -> None:
    r = client.post("/search", json={"query": "mission washing", "top_k": 3})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["query"] == "mission washing"
    assert 1 <= len(body["hits"]) <= 3
    for hit in body["hits"]:
        assert hit.keys() >= HIT_KEYS
        assert hit["source"].startswith("corpus/")
        assert isinstance(hit["score"], float)
    assert "washing" in body["hits"][0]["text"].lower()


def test_ask_shape_and_quotes_are_verbatim(client: httpx.Client) -> None:
    r = client.post("/ask", json={"question": "What are pilot initiatives in a mission?"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert {"question", "answer", "abstained", "citations", "mode"} <= body.keys()
    assert body["abstained"] is False and body["mode"] in ("extractive", "llm")
    assert body["citations"]
    for c in body["citations"]:
        assert c.keys() >= CITATION_KEYS
        # The page opens the source at the quote: it must really be in the document text.
        assert c["quote"] in _doc_text(client, c["source"])


def _sse(text: str) -> list[tuple[str, object]]:
    events = []
    for frame in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in frame.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_ask_stream_ends_with_the_answer(client: httpx.Client) -> None:
    question = "What are pilot initiatives in a mission?"
    r = client.post("/ask/stream", json={"question": question})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    events = _sse(r.text)
    assert all(name == "token" for name, _ in events[:-1])
    name, answer = events[-1]
    assert name == "answer"
    plain = client.post("/ask", json={"question": question}).json()
    assert answer == plain


def test_ask_stream_input_error_keeps_its_status(client: httpx.Client) -> None:
    # Errors before the first event must not hide behind "200 + error event".
    r = client.post("/ask/stream", json={"question": "x" * 2001})
    assert r.status_code == 422


def test_check_shape(client: httpx.Client) -> None:
    r = client.post("/check", json={"statement": VAGUE})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["statement"] == VAGUE
    assert set(body["criteria"]) == CRITERIA
    for c in body["criteria"].values():
        assert 0.0 <= c["score"] <= 1.0 and isinstance(c["passed"], bool)
        assert isinstance(c["evidence"], list) and isinstance(c["advice"], str)
    mw = body["mission_washing"]
    assert 0.0 <= mw["risk"] <= 1.0 and isinstance(mw["flagged"], bool)
    assert 0.0 <= body["overall"] <= 1.0
    assert body["findings"], "a statement this vague has findings"
    for f in body["findings"]:
        assert 0 <= f["start"] < f["end"] <= len(VAGUE)
        assert f["severity"] in ("error", "warning", "info") and f["message"]
    assert "suggested_rewrite" in body and isinstance(body["sources"], list)


def test_quiz_json_is_reproducible(client: httpx.Client) -> None:
    req = {"n": 4, "seed": 11, "format": "json"}
    first = client.post("/quiz", json=req)
    assert first.status_code == 200, first.text
    items = first.json()
    assert isinstance(items, list) and 1 <= len(items) <= 4
    for item in items:
        assert item.keys() >= QUIZ_KEYS
        assert item["type"] in ("mcq", "true_false", "cloze")
    assert client.post("/quiz", json=req).json() == items


def test_quiz_types_filter(client: httpx.Client) -> None:
    r = client.post("/quiz", json={"n": 4, "seed": 3, "types": ["true_false"]})
    assert r.status_code == 200, r.text
    assert {i["type"] for i in r.json()} == {"true_false"}


@pytest.mark.parametrize("fmt", ["gift", "aiken", "anki", "qti", "md"])
def test_quiz_downloads(client: httpx.Client, fmt: str) -> None:
    from missionrag.quiz.export import file_extension, media_type

    req = {"n": 3, "seed": 5}
    items = client.post("/quiz", json={**req, "format": "json"}).json()
    r = client.post("/quiz", json={**req, "format": fmt})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media_type(fmt).split(";")[0]
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert disposition.rstrip('"').endswith(file_extension(fmt).lstrip("."))
    assert r.content
    if fmt in ("gift", "md", "aiken"):
        # The file is the same quiz as the preview: its first question's words are in it.
        words = [w for w in items[0]["question"].split() if w.isalpha() and len(w) > 5]
        assert any(w in r.text for w in words), (words, r.text[:500])


def test_documents_list(client: httpx.Client) -> None:
    body = client.get("/documents").json()
    assert body["count"] == 5 == len(body["documents"])
    for d in body["documents"]:
        assert {"doc_id", "source", "title", "kind", "chunks"} <= d.keys()


def test_unknown_document_is_404_json(client: httpx.Client) -> None:
    r = client.get("/documents/0000000000000000")
    assert r.status_code == 404
    assert "0000000000000000" in r.json()["detail"]


def test_openapi_lists_every_endpoint(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/health", "/search", "/ask", "/ask/stream", "/check", "/quiz", "/documents"):
        assert path in paths
    assert "delete" in paths["/documents/{doc_id}"]
    assert client.get("/docs").status_code == 200


def test_api_docs_work_offline(client: httpx.Client) -> None:
    """/docs serves Swagger UI from local files: no CDN address in the page."""
    page = client.get("/docs")
    assert page.status_code == 200 and "/docs-assets/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower()
    js = client.get("/docs-assets/swagger-ui-bundle.js")
    assert js.status_code == 200 and len(js.content) > 100_000


def test_web_page_and_assets(client: httpx.Client) -> None:
    r = client.get("/")
    assert r.status_code == 200 and "<title>missionrag" in r.text
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'self'" in csp
    js = client.get("/static/app.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert "cdn" not in r.text.lower()  # works offline: nothing loaded from elsewhere


# --------------------------------------------------------------------------- limits


def test_two_megabyte_statement_is_refused_fast(client: httpx.Client) -> None:
    t0 = time.monotonic()
    r = client.post("/check", json={"statement": "x" * 2_000_000})
    assert r.status_code == 413
    assert "MISSIONRAG_MAX_BODY_KB" in r.json()["detail"]
    assert time.monotonic() - t0 < 10


def test_chunked_body_is_counted_while_streaming(client: httpx.Client) -> None:
    # No Content-Length: the limit has to be enforced on the bytes as they arrive.
    def body() -> Iterator[bytes]:
        yield b'{"statement": "'
        for _ in range(40):
            yield b"x" * 50_000
        yield b'"}'

    r = client.post("/check", content=body(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_oversize_body_answered_before_it_is_sent(server: ApiServer) -> None:
    # Announce 2 MB, send 1 KB, then wait: a server that read the whole body first would hang.
    host, port = urlparse(server.url).hostname, urlparse(server.url).port
    with socket.create_connection((host, port), timeout=10) as s:
        s.sendall(
            b"POST /check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 2000000\r\n\r\n" + b"x" * 1024
        )
        reply = s.recv(4096)
    assert reply.startswith(b"HTTP/1.1 413")


def test_statement_over_the_setting_is_422_without_echo(client: httpx.Client) -> None:
    r = client.post("/check", json={"statement": "y" * 6000})
    assert r.status_code == 422
    body = r.json()
    assert body["detail"].startswith("statement:") and "5000" in body["detail"]
    assert len(r.content) < 1000  # the 6000 characters are not sent back


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("/ask", {"question": "q" * 2001}),
        ("/ask", {"question": "   "}),
        ("/ask", {"question": "ok", "top_k": 0}),
        ("/search", {"query": ""}),
        ("/check", {}),
        ("/quiz", {"n": 0}),
        ("/quiz", {"format": "docx"}),
        ("/quiz", {"types": ["essay"]}),
    ],
)
def test_invalid_requests_are_422(
    client: httpx.Client, path: str, payload: dict[str, object]
) -> None:
    r = client.post(path, json=payload)
    assert r.status_code == 422, r.text
    assert isinstance(r.json()["detail"], str) and r.json()["detail"]


def test_malformed_json_is_422(client: httpx.Client) -> None:
    r = client.post(
        "/check", content=b'{"statement": ', headers={"content-type": "application/json"}
    )
    assert r.status_code == 422
    assert "JSON" in r.json()["detail"]


def test_error_responses_carry_no_traceback(client: httpx.Client, server: ApiServer) -> None:
    for r in (
        client.post("/check", content=b"{", headers={"content-type": "application/json"}),
        client.get("/documents/nope-nope"),
        client.delete("/documents/abc", headers={"Authorization": "Bearer wrong"}),
    ):
        assert "Traceback" not in r.text and 'File "' not in r.text
        assert "detail" in r.json()


def test_data_dir_paths_stay_on_server(server: ApiServer, client: httpx.Client) -> None:
    # /health must not reveal where the store lives on disk.
    assert str(Path(server.data_dir)) not in client.get("/health").text


def test_ask_stream_sends_llm_tokens_before_the_answer(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # The LLM answerer lands separately (ask core); until then there is nothing to stream.
    pytest.importorskip("missionrag.ask.llm_answer")
    from llmserver import FakeLLMServer

    reply = "Pilot initiatives are “test runs” that do not need to be rolled out everywhere [1]."
    data = ingested_data_dir(tmp_path_factory.mktemp("api-llm"))
    with (
        FakeLLMServer(lambda messages: reply) as llm,
        ApiServer(data, MISSIONRAG_LLM_URL=llm.url, MISSIONRAG_LLM_MODEL="fake") as srv,
        httpx.Client(base_url=srv.url, timeout=60) as c,
        c.stream("POST", "/ask/stream", json={"question": "What are pilot initiatives?"}) as r,
    ):
        assert r.status_code == 200
        text = "".join(r.iter_text())
    events = _sse(text)
    names = [name for name, _ in events]
    assert names.count("token") >= 2 and names[-1] == "answer" and "error" not in names
    streamed = "".join(str(data) for name, data in events if name == "token")
    assert "test runs" in streamed
    assert llm.requests, "the LLM was really called"
