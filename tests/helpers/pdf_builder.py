"""Write small PDFs with a real text layer, for the document reader tests (no library needed).

Each page is a list of blocks; a block is a list of lines drawn in Helvetica 11 pt, 14 pt
apart, blocks 30 pt apart, from the top of a Letter page; ``header``/``footer`` draw one
line in the margins of every page (``{page}`` is replaced by the page number). A page given
as ``None`` holds a drawing only (no text), like a scan.
"""

from __future__ import annotations

from collections.abc import Sequence

WIDTH, HEIGHT = 612, 792


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _content(blocks: Sequence[Sequence[str]] | None, page: int, header: str | None,
             footer: str | None) -> bytes:
    if blocks is None:
        return b"0.5 g 72 72 468 648 re f"
    ops = ["BT /F1 11 Tf"]
    if header:
        ops.append(f"1 0 0 1 72 {HEIGHT - 30} Tm ({_escape(header.format(page=page))}) Tj")
    y = HEIGHT - 90
    for block in blocks:
        for line in block:
            ops.append(f"1 0 0 1 72 {y} Tm ({_escape(line)}) Tj")
            y -= 14
        y -= 30
    if footer:
        ops.append(f"1 0 0 1 290 30 Tm ({_escape(footer.format(page=page))}) Tj")
    ops.append("ET")
    return "\n".join(ops).encode("latin-1")


def build_pdf(pages: Sequence[Sequence[Sequence[str]] | None], *, header: str | None = None,
              footer: str | None = None, title: str | None = None) -> bytes:
    """Return the bytes of a PDF with one page per item of ``pages``."""
    objects: list[bytes] = [b"", b""]  # 1: catalog, 2: pages (filled in below)
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                   b"/Encoding /WinAnsiEncoding >>")
    kids = []
    for number, blocks in enumerate(pages, start=1):
        stream = _content(blocks, number, header, footer)
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content_id = len(objects)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "
                       b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>"
                       % (WIDTH, HEIGHT, content_id))
        kids.append(len(objects))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = (b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids)
                  + b"] /Count %d >>" % len(kids))
    info = None
    if title:
        objects.append(b"<< /Title (" + _escape(title).encode("latin-1")
                       + b") /Author (Illustrative) /CreationDate (D:20240131120000Z) >>")
        info = len(objects)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer = b"<< /Size %d /Root 1 0 R" % (len(objects) + 1)
    if info:
        trailer += b" /Info %d 0 R" % info
    out += b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)
