"""Regenerate the small real fixture files in tests/data/ (run once; outputs are committed).

.venv/bin/python tests/data/make_fixtures.py

``hostile_set(folder)`` builds the hostile-files set at test time instead (links, a pipe, odd
names and a zip bomb do not belong in git, and the bomb is 420 MB unpacked).
"""

from __future__ import annotations

import os
import shutil
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent


def minimal_pdf(pages: list[str]) -> bytes:
    """A valid PDF with one Helvetica text line per page, xref offsets computed exactly."""
    objs: list[bytes] = []
    n = len(pages)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n))
    objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objs.append(f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode())
    font_id = 3 + 2 * n
    for i, text in enumerate(pages):
        content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode() if text else b""
        objs.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode()
        )
        objs.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def main() -> None:
    from pypdf import PdfReader, PdfWriter

    good = minimal_pdf(
        [
            "Mission strategy for clean rivers. Our goal is swimmable rivers in every city by 2035.",
            "Page two explains that water utilities, farmers and citizens share the work.",
        ]
    )
    (HERE / "strategy.pdf").write_bytes(good)
    (HERE / "blank.pdf").write_bytes(minimal_pdf(["", ""]))
    (HERE / "corrupt.pdf").write_bytes(good[: len(good) // 3])
    writer = PdfWriter(clone_from=PdfReader(HERE / "strategy.pdf"))
    writer.encrypt(user_password="secret", owner_password="owner")
    with open(HERE / "encrypted.pdf", "wb") as fh:
        writer.write(fh)

    import docx

    d = docx.Document()
    d.core_properties.title = "Healthy ageing mission"
    d.add_heading("Healthy ageing mission", level=1)
    d.add_paragraph(
        "By 2032, every older person in the region can live independently at home for two years longer."
    )
    d.add_heading("Who takes part", level=2)
    d.add_paragraph(
        "Municipalities, care providers, housing associations and families act together."
    )
    d.save(HERE / "mission.docx")

    (HERE / "page.html").write_text(
        "<html><head><title>Road safety mission</title></head><body><nav>Home | About</nav>"
        "<article><h1>Vision zero mission</h1><p>The city will reach zero road deaths by 2030 by "
        "redesigning streets with residents, transport operators and police.</p>"
        "<h2>Lessons</h2><p>Speed limits alone did not work; street design did.</p></article>"
        "<footer>Contact us</footer></body></html>",
        encoding="utf-8",
    )
    (HERE / "binary.md").write_bytes(bytes(range(256)) * 4)
    (HERE / "latin1.txt").write_bytes("Missionen skal være færdig i år".encode("latin-1"))
    (HERE / "empty.md").write_bytes(b"")
    (HERE / "notes.xyz").write_text("not a supported type", encoding="utf-8")


# --------------------------------------------------------------------------- hostile files

SECRET = "OUTSIDE-SECRET-7f3a: this line lives outside the ingested folder"
DEEP = 50_000


@dataclass
class Hostile:
    """What the set holds: files that must go in, and files that must be named with a reason."""

    folder: Path
    outside: Path
    good: dict[str, str]  # file name -> a phrase its stored text must contain
    bad: dict[str, str]  # file name (as reported, escaped) -> a phrase of the reason


def _docx_with_body(src: Path, dst: Path, paragraphs: int) -> None:
    """A copy of ``src`` whose document.xml repeats one paragraph ``paragraphs`` times."""
    para = b"<w:p><w:r><w:t>mission</w:t></w:r></w:p>"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != "word/document.xml":
                zout.writestr(info, zin.read(info))
                continue
            xml = zin.read(info)
            head, _, _ = xml.partition(b"<w:body>")
            target = zipfile.ZipInfo("word/document.xml")
            target.compress_type = zipfile.ZIP_DEFLATED
            with zout.open(target, "w") as fh:
                fh.write(head + b"<w:body>")
                block = para * 10_000
                for _ in range(paragraphs // 10_000):
                    fh.write(block)
                fh.write(b"</w:body></w:document>")


def _lie_about_sizes(path: Path, name: str, size: int) -> None:
    """Patch the uncompressed size ``name`` declares (local header and central directory)."""
    raw = bytearray(path.read_bytes())
    encoded = name.encode()
    i = 0
    while (i := raw.find(b"PK\x03\x04", i)) != -1:
        n = struct.unpack_from("<H", raw, i + 26)[0]
        if raw[i + 30 : i + 30 + n] == encoded:
            struct.pack_into("<I", raw, i + 22, size)
        i += 4
    i = 0
    while (i := raw.find(b"PK\x01\x02", i)) != -1:
        n = struct.unpack_from("<H", raw, i + 28)[0]
        if raw[i + 46 : i + 46 + n] == encoded:
            struct.pack_into("<I", raw, i + 24, size)
        i += 4
    path.write_bytes(bytes(raw))


def hostile_set(base: Path) -> Hostile:
    """Write the hostile-files set under ``base``: ``base/folder`` to ingest, ``base/outside``.

    Expected with MISSIONRAG_MAX_FILE_MB=2 and the default MISSIONRAG_MAX_UNZIPPED_MB.
    """
    folder, outside = base / "folder", base / "outside"
    folder.mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    (outside / "notes.md").write_text("# Notes\n\n" + SECRET + "\n", encoding="utf-8")
    good: dict[str, str] = {}
    bad: dict[str, str] = {}

    def put(name: str, data: bytes | str, expect: str, ok: bool) -> None:
        path = folder / name
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
        (good if ok else bad)[name] = expect

    # Earlier cases, from the committed fixtures.
    for name, reason in [
        ("corrupt.pdf", "not a readable PDF"),
        ("encrypted.pdf", "encrypted"),
        ("blank.pdf", "no extractable text"),
        ("binary.md", "binary data"),
        ("latin1.txt", "not UTF-8"),
        ("empty.md", "empty"),
        ("notes.xyz", "unsupported file type"),
    ]:
        put(name, (HERE / name).read_bytes(), reason, ok=False)
    put("strategy.pdf", (HERE / "strategy.pdf").read_bytes(), "swimmable rivers", ok=True)
    put("mission.docx", (HERE / "mission.docx").read_bytes(), "every older person", ok=True)
    put("page.html", (HERE / "page.html").read_bytes(), "zero road deaths", ok=True)
    put("oversize.md", "# Big\n\n" + "word " * 500_000, "over the 2 MB limit", ok=False)

    # Text that froze the loader, and text that was mis-read.
    put("spaces.md", "# T\n\nSpaces follow.\n" + " " * 1_000_000 + "\nend.\n", "Spaces", ok=True)
    put("dots.md", "# Dots\n\n" + "." * 200_000 + " Then words.\n", "Then words", ok=True)
    put("open-links.md", "# Links\n\nText. " + "[[" * 100_000 + "\n", "Text.", ok=True)
    put("nul-late.md", b"# Late NUL\n\n" + b"a " * 6000 + b"\x00 tail\n", "binary data", ok=False)
    put(
        "controls.md",
        "# Bell\x07 title\n\nRed \x1b[31malert\x1b[0m text\x0c here.\n",
        "alert",
        ok=True,
    )
    put("utf16.txt", "Missionen skal være færdig i år.\n".encode("utf-16"), "færdig", ok=True)
    put(
        "utf16-no-bom.txt",
        "Plain words in UTF-16 with no byte-order mark.\n".encode("utf-16-le"),
        "without a byte-order mark",
        ok=False,
    )
    deep = "<html><head><title>Deep</title></head><body>" + "<div>" * DEEP
    deep += "<p>Deeply nested mission text survives.</p>" + "</div>" * DEEP + "</body></html>"
    put("deep.html", deep, "Deeply nested mission text", ok=True)
    put(
        "Mission–strategy 報告 🚀.md",
        "# Unicode name\n\nA file named in Unicode.\n",
        "Unicode",
        True,
    )

    # Names that would forge lines or reverse what follows them on screen.
    put("new\nline.md", "# Newline\n\nText.\n", "control or text-direction", ok=False)
    put("spoof\u202egpj.md", "# Spoof\n\nText.\n", "control or text-direction", ok=False)
    bad["new\\nline.md"] = bad.pop("new\nline.md")
    bad["spoof\\u202egpj.md"] = bad.pop("spoof\u202egpj.md")

    # Word files: a bomb (honest sizes), one that lies about them, one that is no zip.
    _docx_with_body(HERE / "mission.docx", folder / "bomb.docx", 10_000_000)
    bad["bomb.docx"] = "zip bomb"
    shutil.copy(folder / "bomb.docx", folder / "lying-bomb.docx")
    _lie_about_sizes(folder / "lying-bomb.docx", "word/document.xml", 5000)
    bad["lying-bomb.docx"] = "not a readable Word .docx file"
    put("not-a-zip.docx", b"PK\x03\x04 not really a zip", "not a readable Word", ok=False)

    # Links out of the folder, a link inside it, and a pipe that would block a reader.
    (folder / "passwd.txt").symlink_to(outside / "secret.txt")
    bad["passwd.txt"] = "symbolic link"
    (folder / "linked-dir").symlink_to(outside, target_is_directory=True)
    bad["linked-dir"] = "symbolic link"
    (folder / "alias.md").symlink_to(folder / "spaces.md")
    bad["alias.md"] = "symbolic link"
    os.mkfifo(folder / "pipe.md")
    bad["pipe.md"] = "not a regular file"
    return Hostile(folder=folder, outside=outside, good=good, bad=bad)


if __name__ == "__main__":
    main()
