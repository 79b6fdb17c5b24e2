"""A WXR's attachments (its media library): URL, title, caption and alt text by attachment id. No database.

WordPress writes attachments after the posts that use them (by id), so a [gallery ids="…"] cannot
be resolved while the items stream by: the attachments are read in a first pass over the file, and
only when a quick byte search finds any (an export without attachments costs no second pass).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..base import ParsedMedia
from .reader import _name, _RawItem, _XmlReader

_MARKERS = (b"<wp:post_type><![CDATA[attachment]]>", b"<wp:post_type>attachment<")
_SCAN_CHUNK = 1 << 20


@dataclass
class Attachment:
    media: ParsedMedia
    parent: str  # the post id it was uploaded to ("0": none)


def _has_attachments(stream) -> bool:
    tail = b""
    for chunk in iter(lambda: stream.read(_SCAN_CHUNK), b""):
        window = tail + chunk
        if any(marker in window for marker in _MARKERS):
            return True
        tail = window[-64:]
    return False


def scan_attachments(stream) -> dict[str, Attachment]:
    """Every attachment of the export by its post id; the stream is left where it was."""
    if not stream.seekable():
        return {}
    start = stream.tell()
    try:
        if not _has_attachments(stream):
            return {}
        stream.seek(start)
        found = {}
        for element in _XmlReader(stream).children:
            if _name(element.tag) != "item":
                continue
            item = _RawItem.from_element(element)
            if item.get("wp:post_type") == "attachment" and item.get("wp:attachment_url"):
                found[item.get("wp:post_id")] = _attachment(item)
        return found
    finally:
        stream.seek(start)


def _attachment(item: _RawItem) -> Attachment:
    return Attachment(
        ParsedMedia(
            url=item.get("wp:attachment_url"),
            title=item.get("title"),
            caption=item.get("excerpt:encoded"),
            alt_text=item.meta.get("_wp_attachment_image_alt", "").strip(),
        ),
        parent=item.get("wp:post_parent") or "0",
    )
