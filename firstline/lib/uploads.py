"""What an uploaded file really is, by its first bytes, not its name.

Staff attach officials' replies (a scanned letter, a photo, an email saved
as text) to responses. Only these kinds are kept, and each is served back
with its own type and as a download, so nothing uploaded can run in the
site's origin.
"""

from __future__ import annotations

from typing import IO

KINDS: dict[str, tuple[str, str]] = {
    # kind: (content type, file extension)
    "pdf": ("application/pdf", "pdf"),
    "png": ("image/png", "png"),
    "jpeg": ("image/jpeg", "jpg"),
    "text": ("text/plain; charset=utf-8", "txt"),
}
SNIFF_BYTES = 4096


def upload_kind(file: IO[bytes]) -> str | None:
    """The kind of the file (a key of KINDS), or None when it is none of them."""
    position = file.tell()
    head = file.read(SNIFF_BYTES)
    file.seek(position)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the sniff boundary is still text.
        if exc.start < len(head) - 3:
            return None
        text = head[: exc.start].decode("utf-8")
    lowered = text.lstrip().lower()
    # Markup would render as a page if anything ever served it inline.
    if lowered.startswith(("<!doctype", "<html", "<svg", "<?xml", "<script")):
        return None
    return "text"
