"""Collections: two knowledge bases in one store never see each other's documents.

Embedded and against a real `chroma run` server; then the CLI (--collection, the
MISSIONRAG_COLLECTION default, `collections list|delete`) and the API (?collection=, the
header, per-collection tokens, GET /collections, DELETE /collections/{name}).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from apiserver import PAGE, ApiServer, auth, ingested_data_dir
from conftest import CORPUS, make_settings

from missionrag.collections import delete_collection, home, keyword_base, list_collections
from missionrag.errors import InputError
from missionrag.kb import KnowledgeBase

INVI = CORPUS / "invi-mission-driven-change.txt"
SURVEY = CORPUS / "oecd-ddc-missions-survey-workshop.md"
LANDER = "Who wrote the code for the lunar lander?"
RESPONDENTS = "What share of the survey respondents represent national government?"


def _sources(items: list[object]) -> set[str]:
    return {Path(str(getattr(i, "source", ""))).name for i in items}


def _assert_separate(a: KnowledgeBase, b: KnowledgeBase) -> None:
    """``a`` holds only INVI's page, ``b`` only the survey: every read stays inside."""
    assert _sources(a.documents()) == {INVI.name}
    assert _sources(b.documents()) == {SURVEY.name}
    assert _sources(a.search(RESPONDENTS, 5)) == {INVI.name}
    assert _sources(b.search(LANDER, 5)) == {SURVEY.name}
    own = a.ask(LANDER)
    assert not own.abstained and "Hamilton" in own.answer
    other = b.ask(LANDER)
    assert "Hamilton" not in other.answer
    assert _sources(other.citations) <= {SURVEY.name}
    assert _sources(other.closest) <= {SURVEY.name}
    assert _sources(a.quiz(n=3, seed=1)) == {INVI.name}
    assert _sources(b.quiz(n=3, seed=1)) == {SURVEY.name}
    checked = b.check("By 2030 halve youth unemployment in Denmark with schools and employers")
    assert _sources(checked.sources) <= {SURVEY.name}


def test_two_embedded_collections_coexist_and_delete_alone(tmp_path: Path) -> None:
    base = make_settings(tmp_path / "data")
    a = KnowledgeBase(base.model_copy(update={"collection": "team-a"}))
    b = a.for_collection("team-b")
    assert a.ingest([INVI]).added and b.ingest([SURVEY]).added
    _assert_separate(a, b)
    assert {c.name: c.documents for c in list_collections(base)} == {"team-a": 1, "team-b": 1}
    # Each has its own state mirror and keyword index, under its own name.
    assert (home(a.settings) / "state.json").is_file()
    assert home(a.settings) != home(b.settings)
    kw_a = keyword_base(a.settings)
    assert kw_a.with_name(kw_a.name + ".headers").is_dir()

    deleted = delete_collection(a)
    assert (deleted.name, deleted.documents) == ("team-a", 1)
    assert not home(a.settings).exists()
    assert not kw_a.with_name(kw_a.name + ".headers").exists()
    assert [c.name for c in list_collections(base)] == ["team-b"]
    # The other collection is untouched and still answers.
    fresh = KnowledgeBase(base.model_copy(update={"collection": "team-b"}))
    assert _sources(fresh.documents()) == {SURVEY.name}
    assert _sources(fresh.search(RESPONDENTS, 3)) == {SURVEY.name}
    # Reading a deleted (or never made) collection does not bring it back.
    gone = b.for_collection("team-a")
    assert gone.documents() == [] and not gone.has_store_dir()
    assert [c.name for c in list_collections(base)] == ["team-b"]


def test_two_collections_on_a_chroma_server(chroma_server: str, tmp_path: Path) -> None:
    base = make_settings(tmp_path / "data", chroma_url=chroma_server)
    a = KnowledgeBase(base.model_copy(update={"collection": "srv-a"}))
    b = a.for_collection("srv-b")
    assert a.ingest([INVI]).added and b.ingest([SURVEY]).added
    _assert_separate(a, b)
    # Another machine (its own data dir, its own keyword copies) sees the same separation.
    other = make_settings(tmp_path / "other", chroma_url=chroma_server)
    a2 = KnowledgeBase(other.model_copy(update={"collection": "srv-a"}))
    _assert_separate(a2, a2.for_collection("srv-b"))
    delete_collection(a)
    names = [c.name for c in list_collections(other)]
    assert "srv-a" not in names and "srv-b" in names
    assert _sources(KnowledgeBase(b.settings).search(RESPONDENTS, 3)) == {SURVEY.name}


def test_collection_names_are_validated(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from missionrag.collections import check_name, parse_tokens

    for bad in ("", "Team", "a b", "../x", "x" * 64, "-x", "ä"):
        with pytest.raises(InputError, match="collection name"):
            check_name(bad)
    with pytest.raises(ValidationError, match="not a collection name"):
        make_settings(tmp_path / "d", collection="Bad/Name")
    with pytest.raises(InputError, match="name:token"):
        parse_tokens("team-a:one,broken")
    assert parse_tokens(" team-a : one , team-b:two ") == {"team-a": "one", "team-b": "two"}


def test_cli_collections(cli) -> None:  # type: ignore[no-untyped-def]
    # MISSIONRAG_COLLECTION is the default; --collection overrides it.
    done = cli("ingest", str(INVI), "--json", MISSIONRAG_COLLECTION="team-x")
    assert done.returncode == 0, done.stderr
    done = cli("ingest", str(SURVEY), "--collection", "team-y", "--json")
    assert done.returncode == 0, done.stderr
    found = cli("search", LANDER, "--json", "--collection", "team-x")
    assert {Path(h["source"]).name for h in json.loads(found.stdout)["hits"]} == {INVI.name}
    found = cli("search", LANDER, "--json", MISSIONRAG_COLLECTION="team-y")
    assert {Path(h["source"]).name for h in json.loads(found.stdout)["hits"]} == {SURVEY.name}
    status = json.loads(cli("status", "--json", "--collection", "team-y").stdout)
    assert (status["collection"], status["documents"]) == ("team-y", 1)
    listed = [json.loads(x) for x in cli("collections", "list", "--json").stdout.splitlines()]
    assert [(c["name"], c["documents"]) for c in listed] == [("team-x", 1), ("team-y", 1)]

    bad = cli("search", "x", "--collection", "Team X")
    assert bad.returncode == 2 and "not a collection name" in bad.stderr
    missing = cli("ask", "x", "--collection", "nobody")
    assert missing.returncode == 3 and "'nobody' has no documents" in missing.stderr

    gone = cli("collections", "delete", "team-x", "--yes")
    assert gone.returncode == 0 and "deleted collection team-x (1 documents" in gone.stdout
    again = cli("collections", "delete", "team-x", "--yes")
    assert again.returncode == 2 and "no collection named 'team-x'" in again.stderr
    found = cli("search", "respondents", "--json", "--collection", "team-y")
    assert found.returncode == 0 and json.loads(found.stdout)["hits"]


ADMIN = "admin-token-123"
TEAM = "team-a-token-456"
NOTE = b"# Lighthouse mission\n\nThe Lighthouse mission lights every harbour in Esbjerg by 2032.\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    data = ingested_data_dir(tmp_path_factory.mktemp("collections"))
    env = {"MISSIONRAG_API_TOKEN": ADMIN, "MISSIONRAG_COLLECTION_TOKENS": f"team-a:{TEAM}"}
    with ApiServer(data, **env) as srv:
        yield srv


def _upload(url: str, collection: str, token: str) -> httpx.Response:
    return httpx.post(
        f"{url}/documents?collection={collection}",
        files={"file": ("lighthouse.md", NOTE)},
        headers=auth(token),
        timeout=120,
    )


def test_api_collections_tokens_and_isolation(server: ApiServer) -> None:
    url = server.url
    # team-a takes only its own token; the admin token is not it.
    assert _upload(url, "team-a", ADMIN).status_code == 401
    assert _upload(url, "team-a", TEAM).status_code == 201
    # team-b has no token of its own: the API token writes there, team-a's does not.
    assert _upload(url, "team-b", TEAM).status_code == 401
    assert _upload(url, "team-b", ADMIN).status_code == 201

    def docs(**kw: str) -> list[str]:
        got = httpx.get(f"{url}/documents", timeout=30, **kw)  # type: ignore[arg-type]
        assert got.status_code == 200, got.text
        return sorted(d["source"] for d in got.json()["documents"])

    assert docs(params={"collection": "team-a"}) == ["uploads/lighthouse.md"]
    assert docs(headers={"X-Missionrag-Collection": "team-b"}) == ["uploads/lighthouse.md"]
    assert "uploads/lighthouse.md" not in docs() and len(docs()) == 5  # the default: corpus
    hits = httpx.post(
        f"{url}/search?collection=team-a", json={"query": "Who wrote the lander code?"}, timeout=60
    ).json()["hits"]
    assert {h["source"] for h in hits} == {"uploads/lighthouse.md"}
    health = httpx.get(f"{url}/health?collection=team-a", timeout=30).json()
    assert (health["documents"], health["writes"]) == (1, "token")

    listed = httpx.get(f"{url}/collections", timeout=30).json()
    assert listed["default"] == "missionrag"
    counts = {c["name"]: c["documents"] for c in listed["collections"]}
    assert counts == {"missionrag": 5, "team-a": 1, "team-b": 1}

    missing = httpx.post(f"{url}/ask?collection=nobody", json={"question": "x y"}, timeout=30)
    assert missing.status_code == 404 and "no collection named 'nobody'" in missing.json()["detail"]
    bad = httpx.get(f"{url}/documents?collection=Bad%20Name", timeout=30)
    assert bad.status_code == 422

    # A refused first upload does not leave an empty collection behind.
    refused = httpx.post(
        f"{url}/documents?collection=team-c",
        files={"file": ("notes.exe", b"MZ")},
        headers=auth(ADMIN),
        timeout=60,
    )
    assert refused.status_code == 422
    assert httpx.get(f"{url}/documents?collection=team-c", timeout=30).status_code == 404
    assert not (server.data_dir / "collections" / "team-c").exists()

    # Deleting team-a needs team-a's token and leaves team-b and the default as they were.
    assert httpx.delete(f"{url}/collections/team-a", headers=PAGE, timeout=30).status_code == 401
    gone = httpx.delete(f"{url}/collections/team-a", headers=auth(TEAM), timeout=60)
    assert gone.status_code == 200 and gone.json()["deleted"]["documents"] == 1
    again = httpx.delete(f"{url}/collections/team-a", headers=auth(TEAM), timeout=60)
    assert again.status_code == 404
    assert httpx.get(f"{url}/documents?collection=team-a", timeout=30).status_code == 404
    assert docs(params={"collection": "team-b"}) == ["uploads/lighthouse.md"]
    assert len(docs()) == 5
    assert not (server.data_dir / "collections" / "team-a").exists()
    assert (server.data_dir / "collections" / "team-b" / "uploads" / "lighthouse.md").is_file()
