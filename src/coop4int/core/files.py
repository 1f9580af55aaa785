"""Files people upload, checked by what they are, not by what they are called."""

from typing import IO

# The first bytes of each kind of file we accept, and the type it is served as.
SIGNATURES = {
    b"%PDF-": ("application/pdf", ".pdf"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
}
MAX_BYTES = 10 * 1024 * 1024


def sniff(upload: IO[bytes]) -> tuple[str, str] | None:
    """The content type and extension of ``upload`` from its first bytes; None if unknown."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, kind in SIGNATURES.items():
        if head.startswith(signature):
            return kind
    return None


# Served with every uploaded file: should a browser show one rather than save it, it runs
# nothing, loads nothing and cannot be framed (a PDF whose bytes also read as a page included).
DOWNLOAD_POLICY = "default-src 'none'; sandbox; frame-ancestors 'none'"
