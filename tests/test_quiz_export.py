"""Every export parsed back by an independent reader and compared with the items.

The readers below follow each format's published rules (Moodle GIFT and Aiken, Anki's CSV
file headers, IMS QTI 2.1, our Markdown layout), not our writer's code.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile

import pytest
from test_quiz_corpus import corpus_retriever

from missionrag.errors import InputError
from missionrag.models import QuizItem
from missionrag.quiz import build_quiz
from missionrag.quiz.export import FORMATS, export_quiz, file_extension, media_type

QTI = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"
CP = "{http://www.imsglobal.org/xsd/imscp_v1p1}"
LETTERS = "ABCD"
NASTY = 'Cost ~ = # { } : \\ back\\slash, "quoted", <tag> & *stars* _under_ [link](x) | pipe'


@pytest.fixture(scope="module")
def corpus_items() -> list[QuizItem]:
    return build_quiz(corpus_retriever(), n=20, seed=7)


def nasty_items() -> list[QuizItem]:
    """Items whose every text field holds the characters each format must escape."""
    base = {
        "source": "corpus/x.md",
        "locator": "00:01:02",
        "title": "Title: with {braces} & <angles>",
        "url": "https://example.org/watch?v=1&t=62s",
    }
    quote = f"The figure was 64 % and {NASTY}."
    return [
        QuizItem(
            id="qmcq", type="mcq", question=f"Which figure? {NASTY}\nsecond line",
            options=["30%", "64 % {odd} = ~", "a:b#c", "x\\y"], answer="64 % {odd} = ~",
            explanation=f"Because\n{NASTY}", quote=quote, kind="percent", **base,
        ),
        QuizItem(
            id="qtf", type="true_false", question=f"True or false? {NASTY}", options=["True", "False"],
            answer="False", explanation=f"No: {NASTY}", quote=quote, key="64 %", claim="30%", **base,
        ),
        QuizItem(
            id="qcloze", type="cloze", question=f"Fill in the blank: {NASTY} _____ ends.",
            answer="3,500", explanation=f"Since {NASTY}", quote=quote, **base,
        ),
    ]  # fmt: skip


# --------------------------------------------------------------------------- GIFT reader


def _gift_chars(text: str) -> list[tuple[str, bool]]:
    """(char, escaped) pairs; ``\\n`` is a newline, ``\\X`` is a literal X."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append(("\n" if nxt == "n" else nxt, True))
            i += 2
        else:
            out.append((text[i], False))
            i += 1
    return out


def _split(chars: list[tuple[str, bool]], seps: str) -> list[tuple[str, list[tuple[str, bool]]]]:
    """Split on unescaped separator characters; returns (separator, chars) pieces."""
    pieces, cur, sep = [], [], ""
    for ch, esc in chars:
        if not esc and ch in seps:
            pieces.append((sep, cur))
            cur, sep = [], ch
        else:
            cur.append((ch, esc))
    pieces.append((sep, cur))
    return pieces


def _text(chars: list[tuple[str, bool]]) -> str:
    return "".join(c for c, _ in chars)


def parse_gift(text: str) -> list[dict]:
    body = "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("//"))
    chars = _gift_chars(body)
    questions, i = [], 0
    while i < len(chars):
        # ::title::
        while i < len(chars) and not (chars[i] == (":", False) and chars[i + 1] == (":", False)):
            i += 1
        if i >= len(chars):
            break
        j = i + 2
        while not (chars[j] == (":", False) and chars[j + 1] == (":", False)):
            j += 1
        title = "".join(c for c, _ in chars[i + 2 : j])
        k = j + 2
        while chars[k] != ("{", False):
            k += 1
        question = "".join(c for c, _ in chars[j + 2 : k]).strip()
        # Moodle reads an unescaped ~ = # { } : in the text as markup.
        assert not [c for c, e in chars[j + 2 : k] if not e and c in "~=#{}:"], question
        m = k + 1
        while chars[m] != ("}", False):
            m += 1
        block = chars[k + 1 : m]
        i = m + 1
        general = ""
        plain = "".join(c if not e else "\x00" for c, e in block)
        if "####" in plain:
            cut = plain.index("####")
            general = _text(block[cut + 4 :]).strip()
            block = block[:cut]
        head = "".join(c for c, _ in block).strip()
        if re.match(r"^(TRUE|FALSE|T|F)\b", head):
            verdict = head.split("#", 1)[0].strip()
            questions.append(
                {
                    "title": title,
                    "question": question,
                    "tf": verdict in ("TRUE", "T"),
                    "general": general,
                }
            )
            continue
        answers = []
        for sep, part in _split(block, "=~")[1:]:
            assert not [c for c, e in part if not e and c in "{}:"], _text(part)
            answer_text = _split(part, "#")[0][1]
            answers.append((sep == "=", _text(answer_text).strip()))
        questions.append(
            {"title": title, "question": question, "answers": answers, "general": general}
        )
    return questions


def check_gift(items: list[QuizItem], data: bytes) -> None:
    parsed = parse_gift(data.decode("utf-8"))
    assert len(parsed) == len(items)
    for item, q in zip(items, parsed, strict=True):
        assert q["question"] == item.question
        assert q["general"] == item.explanation
        if item.type == "true_false":
            assert q["tf"] is (item.answer == "True")
        elif item.type == "mcq":
            assert [a for _, a in q["answers"]] == item.options
            assert [a for ok, a in q["answers"] if ok] == [item.answer]
        else:
            assert all(ok for ok, _ in q["answers"])
            assert item.answer in [a for _, a in q["answers"]]


# --------------------------------------------------------------------------- other readers


def parse_aiken(text: str) -> list[dict]:
    out = []
    for block in text.strip().split("\n\n"):
        lines = block.splitlines()
        opts = [re.match(r"^([A-Z])\. (.*)$", ln) for ln in lines[1:-1]]
        assert all(opts), block
        m = re.fullmatch(r"ANSWER: ([A-Z])", lines[-1])
        assert m, lines[-1]
        letters = [o.group(1) for o in opts if o]
        assert letters == list(LETTERS[: len(letters)])
        out.append(
            {"question": lines[0], "options": [o.group(2) for o in opts if o], "answer": m.group(1)}
        )
    return out


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def parse_anki(text: str) -> tuple[dict[str, str], list[list[str]]]:
    headers, body = {}, []
    lines = text.split("\n")
    while lines and lines[0].startswith("#"):
        key, _, value = lines.pop(0)[1:].partition(":")
        headers[key] = value
    body = list(csv.reader(io.StringIO("\n".join(lines))))
    return headers, [row for row in body if row]


def parse_markdown(text: str) -> tuple[list[dict], list[dict]]:
    unesc = lambda s: re.sub(r"\\(.)", r"\1", s)  # noqa: E731
    head, _, rest = text.partition("\n## Questions\n")
    qpart, _, kpart = rest.partition("\n## Answer key\n")
    questions = []
    for block in re.split(r"\n### ", "\n" + qpart)[1:]:
        lines = [ln for ln in block.splitlines() if ln.strip()]
        number, kind = re.match(r"(\d+)\. (.+)", lines[0]).groups()
        options = [
            unesc(m.group(1)) for ln in lines[2:] if (m := re.match(r"- (?:[A-D]\. )?(.*)", ln))
        ]
        questions.append(
            {"n": int(number), "type": kind, "question": unesc(lines[1]), "options": options}
        )
    keys = []
    for block in re.split(r"\n(?=\d+\. \*\*)", kpart.strip()):
        lines = block.splitlines()
        answer = unesc(re.match(r"\d+\. \*\*(.*)\*\*$", lines[0]).group(1))
        source = next(ln for ln in lines if ln.strip().startswith("Source: "))
        quote = unesc(next(ln for ln in lines if ln.strip().startswith("> ")).strip()[2:])
        keys.append({"answer": answer, "source": source, "quote": quote})
    return questions, keys


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("which", ["corpus", "nasty"])
def test_gift_round_trip(which, corpus_items):
    items = corpus_items if which == "corpus" else nasty_items()
    data = export_quiz(items, "gift")
    check_gift(items, data)
    # Every control character in the text is escaped: none survive outside the markup.
    for line in data.decode().splitlines():
        if line.startswith("\t~") or line.startswith("\t="):
            assert not re.search(r"(?<!\\)[{}]", line[2:])


@pytest.mark.parametrize("which", ["corpus", "nasty"])
def test_aiken_round_trip(which, corpus_items):
    items = corpus_items if which == "corpus" else nasty_items()
    parsed = parse_aiken(export_quiz(items, "aiken").decode())
    exportable = [i for i in items if i.type != "cloze"]
    assert len(parsed) == len(exportable) and len(exportable) < len(items)
    for item, q in zip(exportable, parsed, strict=True):
        assert q["question"] == one_line(item.question)
        assert q["options"] == [one_line(o) for o in item.options]
        assert q["options"][LETTERS.index(q["answer"])] == one_line(item.answer)


@pytest.mark.parametrize("which", ["corpus", "nasty"])
def test_anki_round_trip(which, corpus_items):
    items = corpus_items if which == "corpus" else nasty_items()
    headers, rows = parse_anki(export_quiz(items, "anki", title="Missions 101").decode())
    assert headers["separator"] == "Comma" and headers["deck"] == "Missions 101"
    assert headers["tags column"] == "3" and headers["html"] == "false"
    assert headers["columns"].split(",") == ["Front", "Back", "Tags"]
    assert len(rows) == len(items)
    for item, (front, back, tags) in zip(items, rows, strict=True):
        assert front.splitlines()[0] == item.question.splitlines()[0]
        assert item.question in front
        if item.type == "mcq":
            assert front.splitlines()[-4:] == [
                f"{LETTERS[k]}. {o}" for k, o in enumerate(item.options)
            ]
            assert back.startswith(f"{LETTERS[item.options.index(item.answer)]}. {item.answer}")
        else:
            assert back.startswith(item.answer)
        assert item.source in back and item.explanation in back
        assert f"type::{item.type}" in tags.split() and " " not in tags.split()[0]


@pytest.mark.parametrize("which", ["corpus", "nasty"])
def test_markdown_round_trip(which, corpus_items):
    items = corpus_items if which == "corpus" else nasty_items()
    questions, keys = parse_markdown(export_quiz(items, "md").decode())
    assert [q["n"] for q in questions] == list(range(1, len(items) + 1))
    for item, q, k in zip(items, questions, keys, strict=True):
        assert q["question"] == one_line(item.question)
        if item.type == "mcq":
            assert q["options"] == [one_line(o) for o in item.options]
            assert (
                k["answer"]
                == f"{LETTERS[item.options.index(item.answer)]}. {one_line(item.answer)}"
            )
        else:
            assert k["answer"] == one_line(item.answer)
        assert k["quote"] == one_line(item.quote)
        assert item.source in k["source"] and (item.locator or "") in re.sub(
            r"\\(.)", r"\1", k["source"]
        )


@pytest.mark.parametrize("which", ["corpus", "nasty"])
def test_json_round_trip_has_the_contract_shape(which, corpus_items):
    items = corpus_items if which == "corpus" else nasty_items()
    rows = json.loads(export_quiz(items, "json"))
    contract = {
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
    for item, row in zip(items, rows, strict=True):
        assert contract <= set(row)
        assert QuizItem.model_validate(row) == item


@pytest.mark.parametrize("which", ["corpus", "nasty"])
def test_qti_package_is_well_formed_and_complete(which, corpus_items):
    items = corpus_items if which == "corpus" else nasty_items()
    data = export_quiz(items, "qti")
    assert data == export_quiz(items, "qti"), "same quiz, same bytes"
    zf = zipfile.ZipFile(io.BytesIO(data))
    assert zf.testzip() is None
    manifest = ET.fromstring(zf.read("imsmanifest.xml"))
    assert manifest.tag == f"{CP}manifest"
    assert manifest.findtext(f"{CP}metadata/{CP}schema") == "QTIv2.1 Package"
    resources = manifest.findall(f"{CP}resources/{CP}resource")
    assert len(resources) == len(items)
    for item, res in zip(items, resources, strict=True):
        assert res.get("type") == "imsqti_item_xmlv2p1"
        href = res.get("href")
        assert res.find(f"{CP}file").get("href") == href
        root = ET.fromstring(zf.read(href))
        assert root.tag == f"{QTI}assessmentItem"
        assert root.get("identifier") == item.id
        assert (
            root.get("adaptive") == "false"
            and root.get("timeDependent") == "false"
            and root.get("title")
        )
        decl = root.find(f"{QTI}responseDeclaration")
        assert decl.get("identifier") == "RESPONSE" and decl.get("cardinality") == "single"
        correct = decl.findtext(f"{QTI}correctResponse/{QTI}value")
        assert root.find(f"{QTI}outcomeDeclaration").get("identifier") == "SCORE"
        body = root.find(f"{QTI}itemBody")
        template = root.find(f"{QTI}responseProcessing").get("template")
        if item.type == "cloze":
            assert decl.get("baseType") == "string" and correct == item.answer
            keys = [e.get("mapKey") for e in decl.findall(f"{QTI}mapping/{QTI}mapEntry")]
            assert item.answer in keys
            assert which == "corpus" or "3500" in keys, "both spellings of 3,500 are accepted"
            p = body.find(f"{QTI}p")
            entry = p.find(f"{QTI}textEntryInteraction")
            assert entry.get("responseIdentifier") == "RESPONSE"
            assert f"{p.text}_____{entry.tail}" == item.question
            assert template.endswith("/map_response")
        else:
            assert decl.get("baseType") == "identifier"
            choice = body.find(f"{QTI}choiceInteraction")
            assert (
                choice.get("responseIdentifier") == "RESPONSE" and choice.get("maxChoices") == "1"
            )
            assert choice.findtext(f"{QTI}prompt") == item.question
            simple = choice.findall(f"{QTI}simpleChoice")
            assert [s.text for s in simple] == item.options
            assert dict((s.get("identifier"), s.text) for s in simple)[correct] == item.answer
            assert template.endswith("/match_correct")
        rubric = " ".join(p.text or "" for p in body.findall(f"{QTI}rubricBlock/{QTI}p"))
        assert item.source in rubric


def test_formats_media_types_and_extensions():
    assert FORMATS == ("json", "gift", "aiken", "anki", "qti", "md")
    assert media_type("qti") == "application/zip" and file_extension("qti") == "zip"
    assert media_type("anki").startswith("text/csv") and file_extension("gift") == "gift.txt"
    assert media_type("json") == "application/json" and file_extension("md") == "md"
    with pytest.raises(InputError, match="unknown quiz format 'docx'"):
        export_quiz([], "docx")
    assert json.loads(export_quiz([], "json")) == []
