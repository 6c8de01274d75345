"""Schemathesis against a real server: no 5xx, no response outside the schema, no request the
schema forbids accepted (``api/openapi.py`` keeps the schema true to the server).

Bounded: a fixed seed and ``FUZZ_EXAMPLES`` cases per operation (about half a minute on two
cores). Writes go with the token, deletes without it: a fuzzer holding the token would delete
the corpus (the stateful phase follows GET /documents to DELETE), and an empty store answers
503 by design, which the fuzzer counts as a server error.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from apiserver import PAGE, ApiServer, auth, ingested_data_dir

TOKEN = "fuzz-token"
FUZZ_EXAMPLES = int(os.environ.get("MISSIONRAG_FUZZ_EXAMPLES", "20"))
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "unsupported_method",
        "allow_header_conformance",
        "missing_required_header",
    ]
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    data = ingested_data_dir(tmp_path_factory.mktemp("fuzz"))
    with ApiServer(data, MISSIONRAG_API_TOKEN=TOKEN) as srv:
        yield srv


def _schemathesis(server: ApiServer, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "schemathesis"
    return subprocess.run(
        [
            str(exe),
            "run",
            server.url + "/openapi.json",
            "--max-examples",
            str(FUZZ_EXAMPLES),
            "--seed",
            "4471",
            "--phases",
            "examples,coverage,fuzzing",
            "--checks",
            CHECKS,
            "--request-timeout",
            "60",
            "--workers",
            "1",
            "--no-color",
            *args,
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.parametrize(
    ("name", "args"),
    [
        (
            "with the token, all but DELETE",
            ["--exclude-method", "DELETE", "-H", f"Authorization: {auth(TOKEN)['Authorization']}"],
        ),
        ("without the token, DELETE", ["--include-method", "DELETE"]),
    ],
)
def test_fuzzer_finds_no_5xx_and_no_schema_violation(
    server: ApiServer, tmp_path: Path, name: str, args: list[str]
) -> None:
    page = [f"{k}: {v}" for k, v in PAGE.items()]
    done = _schemathesis(server, tmp_path, "-H", page[0], *args)
    out = done.stdout + done.stderr
    assert done.returncode == 0, f"{name}:\n{out[-6000:]}\nserver log:\n{server.log()[-3000:]}"
    assert " passed" in out


def test_schema_advertises_what_is_enforced(server: ApiServer) -> None:
    import httpx

    schema = httpx.get(server.url + "/openapi.json", timeout=30).json()
    comps = schema["components"]["schemas"]
    assert comps["AskRequest"]["properties"]["question"]["maxLength"] == 2000
    assert comps["SearchRequest"]["properties"]["query"]["maxLength"] == 2000
    assert comps["CheckRequest"]["properties"]["statement"]["maxLength"] == 5000
    types = comps["QuizRequest"]["properties"]["types"]["anyOf"]
    assert any(v.get("minItems") == 1 for v in types)
    assert comps["ValidationFailure"]["properties"]["detail"]["type"] == "string"
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            assert {"400", "500"} <= set(op["responses"]), (method, path)
    assert "404" in schema["paths"]["/documents/{doc_id}"]["get"]["responses"]
    r = httpx.post(server.url + "/ask", json={"question": "x" * 2001}, timeout=30)
    assert r.status_code == 422 and r.json()["errors"][0]["type"] == "string_too_long"
