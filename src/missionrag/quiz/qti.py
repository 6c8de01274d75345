"""IMS QTI 2.1 content package: ``imsmanifest.xml`` plus one ``assessmentItem`` per question.

Multiple choice and true/false use ``choiceInteraction`` with the ``match_correct`` response
template; fill-in-the-blank uses an inline ``textEntryInteraction`` with a ``mapping`` of the
accepted spellings and the ``map_response`` template. The explanation and the source go in a
``rubricBlock`` for the tutor, so a trainer sees why the answer holds. Built with ElementTree
(well-formed by construction) and zipped with fixed timestamps so the same quiz gives the same
bytes.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile

from missionrag.models import QuizItem
from missionrag.quiz.gates import LETTERS
from missionrag.quiz.text import BLANK

QTI_NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
# The schemas tests/test_qti_xsd.py validates against: the QTI 2.1 item XSD and IMS CP 1.1.4
# (qti-sdk, where the XSDs come from, has no copy of the QTI 2.1 CP 1.2 profile).
QTI_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
CP_XSD = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
TEMPLATE = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/"
ITEM_TYPE = "imsqti_item_xmlv2p1"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def _q(tag: str, ns: str = QTI_NS) -> str:
    return f"{{{ns}}}{tag}"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, _q(tag), {k: v for k, v in attrs.items()})
    if text is not None:
        el.text = text
    return el


def item_href(item: QuizItem) -> str:
    return f"items/{item.id}.xml"


def assessment_item(item: QuizItem, number: int, quiz_title: str = "") -> ET.Element:
    root = ET.Element(
        _q("assessmentItem"),
        {
            "identifier": item.id,
            "title": f"{quiz_title} Q{number}".strip(),
            "adaptive": "false",
            "timeDependent": "false",
            f"{{{XSI_NS}}}schemaLocation": f"{QTI_NS} {QTI_XSD}",
        },
    )
    cloze = item.type == "cloze"
    _response_declaration(root, item, cloze)
    outcome = _sub(
        root, "outcomeDeclaration", identifier="SCORE", cardinality="single", baseType="float"
    )
    _sub(_sub(outcome, "defaultValue"), "value", "0")
    _item_body(root, item, cloze)
    template = "map_response" if cloze else "match_correct"
    _sub(root, "responseProcessing", template=TEMPLATE + template)
    return root


def _response_declaration(root: ET.Element, item: QuizItem, cloze: bool) -> None:
    """The correct answer: a letter, or for a blank every accepted spelling (``mapping``)."""
    decl = _sub(
        root,
        "responseDeclaration",
        identifier="RESPONSE",
        cardinality="single",
        baseType="string" if cloze else "identifier",
    )
    correct = _sub(decl, "correctResponse")
    if cloze:
        from missionrag.quiz.export import accepted_answers

        _sub(correct, "value", item.answer)
        mapping = _sub(decl, "mapping", defaultValue="0")
        for spelling in accepted_answers(item.answer):
            _sub(mapping, "mapEntry", mapKey=spelling, mappedValue="1", caseSensitive="false")
    else:
        _sub(correct, "value", LETTERS[item.options.index(item.answer)])


def _item_body(root: ET.Element, item: QuizItem, cloze: bool) -> None:
    """The question with its blank or choices, then the tutor's explanation and source."""
    body = _sub(root, "itemBody")
    if cloze:
        before, _, after = item.question.partition(BLANK)
        p = _sub(body, "p", before)
        entry = _sub(
            p,
            "textEntryInteraction",
            responseIdentifier="RESPONSE",
            expectedLength=str(max(10, len(item.answer) + 4)),
        )
        entry.tail = after
    else:
        interaction = _sub(
            body,
            "choiceInteraction",
            responseIdentifier="RESPONSE",
            shuffle="false",
            maxChoices="1",
        )
        _sub(interaction, "prompt", item.question)
        for k, option in enumerate(item.options):
            _sub(interaction, "simpleChoice", option, identifier=LETTERS[k])
    rubric = _sub(body, "rubricBlock", view="tutor")
    if item.explanation:
        _sub(rubric, "p", item.explanation)
    _sub(
        rubric,
        "p",
        f"Source: {item.title or item.source} ({item.source}) {item.locator or ''}".strip(),
    )


def manifest(items: list[QuizItem]) -> ET.Element:
    root = ET.Element(
        _q("manifest", CP_NS),
        {"identifier": "MANIFEST-missionrag", f"{{{XSI_NS}}}schemaLocation": f"{CP_NS} {CP_XSD}"},
    )
    meta = ET.SubElement(root, _q("metadata", CP_NS))
    ET.SubElement(meta, _q("schema", CP_NS)).text = "QTIv2.1 Package"
    ET.SubElement(meta, _q("schemaversion", CP_NS)).text = "1.0.0"
    ET.SubElement(root, _q("organizations", CP_NS))
    resources = ET.SubElement(root, _q("resources", CP_NS))
    for item in items:
        res = ET.SubElement(
            resources,
            _q("resource", CP_NS),
            {"identifier": f"RES-{item.id}", "type": ITEM_TYPE, "href": item_href(item)},
        )
        ET.SubElement(res, _q("file", CP_NS), {"href": item_href(item)})
    return root


def _xml_bytes(root: ET.Element, default_ns: str) -> bytes:
    ET.register_namespace("", default_ns)
    ET.register_namespace("xsi", XSI_NS)
    tree = ET.ElementTree(root)
    ET.indent(tree)
    buf = io.BytesIO()
    tree.write(buf, encoding="UTF-8", xml_declaration=True)
    return buf.getvalue()


def to_qti_zip(items: list[QuizItem], title: str = "missionrag quiz") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:

        def put(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)

        put("imsmanifest.xml", _xml_bytes(manifest(items), CP_NS))
        for n, item in enumerate(items, 1):
            put(item_href(item), _xml_bytes(assessment_item(item, n, title), QTI_NS))
    return buf.getvalue()
