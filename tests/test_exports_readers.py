"""The quiz exports read by independent readers installed from the registries.

* GIFT: gift-pegjs (npm; `make node-readers` installs it from tests/node/package-lock.json).
* Anki CSV: the official ``anki`` package imports the file into a new collection.
* Markdown: markdown-it-py's CommonMark parser finds one answer-key entry per question.
* Aiken: the CLI says how many items it wrote and which it left out, and why.

QTI 2.1 keeps the structural checks of test_quiz_export.py: no PyPI or npm package ships the
IMS QTI 2.1 XSD (README, "Quiz exports").
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from apiserver import ingested_data_dir
from conftest import run_cli
from test_quiz_export import nasty_items

from missionrag.models import QuizItem
from missionrag.quiz.export import anki_back, anki_front, export_quiz

NODE_DIR = Path(__file__).parent / "node"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ingested_data_dir(tmp_path_factory.mktemp("exports"))


@pytest.fixture(scope="module")
def quiz30(data_dir: Path) -> list[QuizItem]:
    """The 30-item quiz of the bug report, from the real CLI, plus items built to break formats."""
    done = run_cli(["quiz", "--n", "30", "--seed", "7", "--format", "json"], data_dir)
    assert done.returncode == 0, done.stderr
    return [QuizItem.model_validate(i) for i in json.loads(done.stdout)]


def year_items(n: int = 12) -> list[QuizItem]:
    """Explanations and quotes that start like Markdown blocks ("1961.", "- ", "# ")."""
    starts = ["1961. The year", "- a dash", "# a hash", "+ plus", "10) paren", "= equals"]
    return [
        QuizItem(
            id=f"y{k}", type="cloze", question=f"{starts[k % 6]} opens the question _____ {k}.",
            answer=f"{1950 + k}", explanation=f"{starts[k % 6]} explains item {k}.",
            source="corpus/x.md", locator="page 3", quote=f"{starts[k % 6]} is quoted {k}.",
        )
        for k in range(n)
    ]  # fmt: skip


def test_gift_is_read_by_gift_pegjs(quiz30: list[QuizItem], tmp_path: Path) -> None:
    if shutil.which("node") is None or not (NODE_DIR / "node_modules" / "gift-pegjs").is_dir():
        pytest.skip("gift-pegjs is not installed (`make node-readers` installs it with npm)")
    items = quiz30 + nasty_items()
    path = tmp_path / "quiz.gift.txt"
    path.write_bytes(export_quiz(items, "gift"))
    done = subprocess.run(
        ["node", str(NODE_DIR / "read_gift.js"), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    parsed = json.loads(done.stdout)
    assert len(parsed) == len(items)
    kinds = {"mcq": "MC", "true_false": "TF", "cloze": "Short"}
    for item, q in zip(items, parsed, strict=True):
        assert q["type"] == kinds[item.type], item.id
        assert q["stem"]["text"] == item.question.replace("\r", "")
        if item.type == "true_false":
            assert q["isTrue"] == (item.answer == "True")
            continue
        correct = [c["text"]["text"] for c in q["choices"] if c["isCorrect"]]
        if item.type == "mcq":
            assert correct == [item.answer]
            assert [c["text"]["text"] for c in q["choices"]] == item.options
        else:
            assert item.answer in correct
        assert q["globalFeedback"]["text"] == item.explanation


def test_anki_csv_imports_into_a_real_collection(quiz30: list[QuizItem], tmp_path: Path) -> None:
    from anki.collection import Collection
    from anki.import_export_pb2 import ImportCsvRequest

    items = quiz30 + nasty_items()
    path = tmp_path / "quiz.csv"
    path.write_bytes(export_quiz(items, "anki", title="Mission quiz"))
    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        meta = col.get_csv_metadata(str(path), None)  # the file's own #headers decide
        col.import_csv(ImportCsvRequest(path=str(path), metadata=meta))
        assert col.note_count() == len(items)
        assert "Mission quiz" in [d.name for d in col.decks.all_names_and_ids()]
        notes = [col.get_note(nid) for nid in col.find_notes("")]
        # html:false: Anki escapes the text and turns line breaks into <br>.
        got = {
            tuple(html.unescape(f.replace("<br>", "\n")) for f in n.fields): set(n.tags)
            for n in notes
        }
        for item in items:
            tags = got[(anki_front(item), anki_back(item))]
            assert {"missionrag", f"type::{item.type}"} <= tags
    finally:
        col.close()


def _text(token) -> str:  # type: ignore[no-untyped-def]
    return "".join(c.content for c in token.children or [] if c.type in ("text", "code_inline"))


def answer_key(markdown: str) -> list[dict[str, object]]:
    """The entries of the "Answer key" list as a CommonMark renderer sees them."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(markdown)
    start = next(
        i for i, t in enumerate(tokens) if t.type == "inline" and t.content == "Answer key"
    )
    entries: list[dict[str, object]] = []
    depth = 0
    for t in tokens[start:]:
        if t.type in ("ordered_list_open", "bullet_list_open"):
            depth += 1
        elif t.type in ("ordered_list_close", "bullet_list_close"):
            depth -= 1
        elif t.type == "list_item_open" and depth == 1:
            entries.append({"number": int(t.info), "lines": [], "quote": None})
        elif t.type == "blockquote_open":
            entries[-1]["quote"] = ""
        elif t.type == "inline" and entries:
            if entries[-1]["quote"] == "":
                entries[-1]["quote"] = _text(t)
            else:
                entries[-1]["lines"].append(t)  # type: ignore[attr-defined]
        if depth > 1:
            pytest.fail(f"a list inside an answer-key entry: {t.map}")
    return entries


@pytest.mark.parametrize("which", ["corpus30", "built"])
def test_markdown_answer_key_is_one_entry_per_question(which: str, quiz30: list[QuizItem]) -> None:
    items = quiz30 if which == "corpus30" else nasty_items() + year_items()
    key = answer_key(export_quiz(items, "md").decode())
    assert [e["number"] for e in key] == list(range(1, len(items) + 1))
    for item, entry in zip(items, key, strict=True):
        (para,) = entry["lines"]  # type: ignore[misc]
        lines = [c.content for c in para.children if c.type == "text"]
        strong = re.search(r"<strong>(.*?)</strong>", _render(para))
        answer = (
            f"{'ABCD'[item.options.index(item.answer)]}. {item.answer}"
            if item.type == "mcq"
            else item.answer
        )
        assert strong and html.unescape(strong.group(1)) == " ".join(answer.split())
        if item.explanation:
            assert " ".join(item.explanation.split()) in lines
        assert entry["quote"] == " ".join(item.quote.split())


def _render(inline) -> str:  # type: ignore[no-untyped-def]
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    return md.renderer.renderInline(inline.children, md.options, {})


def test_aiken_cli_says_what_it_wrote_and_left_out(
    data_dir: Path, quiz30: list[QuizItem], tmp_path: Path
) -> None:
    out = tmp_path / "quiz.aiken.txt"
    done = run_cli(
        ["quiz", "--n", "30", "--seed", "7", "--format", "aiken", "--out", str(out)], data_dir
    )
    assert done.returncode == 0, done.stderr
    cloze = [n for n, i in enumerate(quiz30, 1) if i.type == "cloze"]
    written = len(re.findall(r"^ANSWER: [A-D]$", out.read_text(), re.M))
    assert cloze and written == 30 - len(cloze)
    numbers = ", ".join(f"Q{n}" for n in cloze)
    assert (
        f"wrote {written} of 30 items to {out}; left out {len(cloze)} ({numbers}): "
        "fill-in-the-blank items cannot be written in Aiken"
    ) in done.stderr
