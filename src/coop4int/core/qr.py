"""QR codes drawn on the server as inline SVG: no image file, no request to anyone, and they
print as sharply as the text around them (segno, pure Python)."""

import segno
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Medium error correction: a printed code still reads with a fold or a smudge.
ERROR_CORRECTION = "m"
# Pixels per module: a link of ~80 characters (version 5, 37 modules plus the quiet zone of
# 4 on each side) comes out at 180 px, about 4.8 cm on paper.
SCALE = 4


def qr_svg(data: str, *, label: str, scale: int = SCALE) -> SafeString:
    """``data`` as a QR code: an ``<svg>`` to put in HTML, named ``label`` for screen readers.
    Black on white, with the quiet zone the readers need, whatever the page's colours."""
    code = segno.make(data, error=ERROR_CORRECTION)
    svg = code.svg_inline(scale=scale, dark="#000", light="#fff", svgclass="qr", lineclass="")
    named = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    return mark_safe(named)  # noqa: S308 - segno's markup, and the label escaped
