from django import template
from django.utils.safestring import SafeString

from coop4int.core.qr import qr_svg as draw

register = template.Library()


@register.filter
def qr_svg(value: object, label: str) -> SafeString:
    """``{{ link|qr_svg:label }}`` — ``link`` as an inline SVG QR code named ``label``."""
    return draw(str(value), label=label) if value else SafeString("")
