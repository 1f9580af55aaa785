"""Small documents the demo people send, made in code: a one-page PDF of a few lines, the same
bytes every time (so that a demo loaded twice, or backed up and restored, holds the same
file). Only what a PDF reader needs: a page, a standard font, the text and the cross-reference
table that says where each object starts."""

# Helvetica is one of the fonts every PDF reader has; WinAnsiEncoding is Windows-1252, which
# covers the accents of Portuguese and French.
_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
_PAGE_WIDTH, _PAGE_HEIGHT = 595, 842  # A4, in points
_MARGIN = 72


def _text(line: str) -> bytes:
    """A PDF string literal: backslashes and parentheses escaped, the rest in Windows-1252."""
    escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return b"(" + escaped.encode("cp1252", errors="replace") + b")"


def one_page_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page A4 PDF: ``title`` large, then ``lines`` one under another."""
    content = b"BT /F1 18 Tf %d %d Td %s Tj /F1 11 Tf 16 TL T*" % (
        _MARGIN,
        _PAGE_HEIGHT - _MARGIN,
        _text(title),
    )
    for line in lines:
        content += b" T* %s Tj" % _text(line)
    content += b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>" % (_PAGE_WIDTH, _PAGE_HEIGHT),
        _FONT,
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    pdf = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    table = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        table,
    )
    return pdf
