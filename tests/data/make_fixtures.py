"""Regenerate the small real fixture files in tests/data/ (run once; outputs are committed).

.venv/bin/python tests/data/make_fixtures.py
"""

from __future__ import annotations

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


if __name__ == "__main__":
    main()
