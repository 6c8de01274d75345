"""The QTI export validated against the official IMS QTI 2.1 XSD (tests/data/qti21/NOTICE.md).

The schema files are vendored unchanged with their relative layout, so every import resolves
to a file beside it; a resolver records every document libxml2 loads and the test fails if one
is not a vendored file, so validation never reaches the network.

The IMS Content Packaging 1.1 schema (for ``imsmanifest.xml``) is not vendored: its notice
asks redistributors to register with IMS first (NOTICE.md). Point ``IMSCP_XSD`` at a copy of
``imscp_v1p1.xsd`` (with ``imsmd_v1p2p4.xsd`` and ``w3/xml.xsd`` beside it, as in qti-sdk's
``src/qtism/data/storage/xml/schemes/``) to validate the manifest too.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

import pytest
import test_quiz_export
from conftest import DATA
from lxml import etree

from missionrag.quiz.export import export_quiz
from missionrag.quiz.qti import CP_NS, CP_XSD, QTI_NS, QTI_XSD

SCHEMAS = DATA / "qti21"
QTI_SCHEMA = SCHEMAS / "qtiv2p1" / "imsqti_v2p1.xsd"
XS = "{http://www.w3.org/2001/XMLSchema}"
Q = f"{{{QTI_NS}}}"

corpus_items = test_quiz_export.corpus_items  # the export tests' quiz: 20 items, seed 7
nasty_items = test_quiz_export.nasty_items


class _LocalOnly(etree.Resolver):
    """Records every URL libxml2 asks for while loading a schema; resolves none itself."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def resolve(self, url, pubid, context):  # type: ignore[no-untyped-def]
        self.urls.append(url)
        return None


def load_schema(path: Path, root: Path) -> etree.XMLSchema:
    """The schema at ``path``; fails if loading it touched anything but files under ``root``."""
    resolver = _LocalOnly()
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(resolver)
    schema = etree.XMLSchema(etree.parse(str(path), parser))
    outside = [u for u in resolver.urls if not Path(u).resolve().is_relative_to(root.resolve())]
    assert resolver.urls and not outside, f"schema loads outside {root}: {outside}"
    return schema


@pytest.fixture(scope="module")
def qti_schema() -> etree.XMLSchema:
    return load_schema(QTI_SCHEMA, SCHEMAS)


def assert_valid(schema: etree.XMLSchema, xml: bytes, name: str) -> None:
    doc = etree.fromstring(xml)
    ok = schema.validate(doc)
    log = "\n".join(f"  line {e.line}: {e.message}" for e in schema.error_log)
    assert ok, f"{name} does not validate:\n{log}"


def package(items: list) -> zipfile.ZipFile:  # type: ignore[type-arg]
    return zipfile.ZipFile(io.BytesIO(export_quiz(items, "qti")))


def test_vendored_schemas_import_only_each_other():
    """Every import and include names a relative path to a vendored file, never a URL."""
    files = sorted(SCHEMAS.rglob("*.xsd"))
    assert len(files) == 34
    for path in files:
        tree = etree.parse(str(path))
        for ref in tree.iter(f"{XS}import", f"{XS}include", f"{XS}redefine"):
            location = ref.get("schemaLocation")
            if location is None:  # mathml2's "any foreign namespace" import loads nothing
                continue
            assert "://" not in location, f"{path}: {location}"
            assert (path.parent / location).is_file(), f"{path}: {location} is not vendored"
    for path in (QTI_SCHEMA, SCHEMAS / "apipv1p0" / "apipv1p0_qtiextv2p1_v1p0.xsd"):
        assert "IPR, License and Distribution Notices" in path.read_text(encoding="utf-8")


def test_items_name_the_schema_they_validate_against():
    assert QTI_XSD.rsplit("/", 1)[1] == QTI_SCHEMA.name
    assert CP_XSD.rsplit("/", 1)[1] == "imscp_v1p1.xsd"


@pytest.mark.parametrize("which", ["corpus", "nasty"])
def test_every_qti_item_validates_against_the_ims_xsd(which, corpus_items, qti_schema):
    items = corpus_items if which == "corpus" else nasty_items()
    zf = package(items)
    names = [n for n in zf.namelist() if n != "imsmanifest.xml"]
    assert len(names) == len(items)
    assert which == "nasty" or {i.type for i in items} == {"mcq", "true_false", "cloze"}
    for name in names:
        assert_valid(qti_schema, zf.read(name), name)


@pytest.mark.skipif(not os.environ.get("IMSCP_XSD"), reason="IMSCP_XSD not set (module doc)")
def test_manifest_validates_against_ims_cp_1_1(corpus_items):
    path = Path(os.environ["IMSCP_XSD"])
    schema = load_schema(path, path.parent)
    manifest = package(corpus_items).read("imsmanifest.xml")
    assert etree.fromstring(manifest).tag == f"{{{CP_NS}}}manifest"
    assert_valid(schema, manifest, "imsmanifest.xml")


def _item(mutate) -> bytes:  # type: ignore[no-untyped-def]
    """The nasty multiple-choice item, exported, then changed by ``mutate``."""
    doc = etree.fromstring(package(nasty_items()[:1]).read("items/qmcq.xml"))
    mutate(doc)
    return etree.tostring(doc)


def test_a_choice_interaction_without_response_identifier_is_rejected(qti_schema):
    assert_valid(qti_schema, _item(lambda doc: None), "the unchanged item")

    def drop_identifier(doc):  # type: ignore[no-untyped-def]
        del doc.find(f"{Q}itemBody/{Q}choiceInteraction").attrib["responseIdentifier"]

    with pytest.raises(AssertionError, match="responseIdentifier"):
        assert_valid(qti_schema, _item(drop_identifier), "broken item")


def test_an_unknown_element_is_rejected(qti_schema):
    def add_unknown(doc):  # type: ignore[no-untyped-def]
        etree.SubElement(doc.find(f"{Q}itemBody"), f"{Q}multipleChoice")

    with pytest.raises(AssertionError, match=re.escape("multipleChoice")):
        assert_valid(qti_schema, _item(add_unknown), "broken item")
