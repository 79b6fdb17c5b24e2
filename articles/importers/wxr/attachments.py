"""A WXR's attachments (its media library): URL, caption and alt text by attachment id. No database.

WordPress writes attachments after the posts that use them (by id), so they are gathered as the
items stream by: a post with a [gallery] waits until the end of the file, when every attachment
is known (``items``), and the files attached to each post are handed to the load step once the
file's articles are loaded (``WxrParse.attachments``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..base import ParsedMedia
from .reader import _RawItem


@dataclass
class Attachment:
    media: ParsedMedia
    parent: str  # the post id it was uploaded to ("0": none)


def attachment_of(item: _RawItem) -> Attachment | None:
    """The attachment an <item> describes, or None if it names no file."""
    url = item.get("wp:attachment_url")
    if not url:
        return None
    media = ParsedMedia(
        url=url,
        title=item.get("title"),
        caption=item.get("excerpt:encoded"),
        alt_text=item.meta.get("_wp_attachment_image_alt", "").strip(),
    )
    return Attachment(media, parent=item.get("wp:post_parent") or "0")
