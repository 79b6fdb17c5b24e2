"""The media a body refers to, and the body rewritten to the archive's copies. Pure text, no database.

Bodies are sanitized (``articles.sanitize``), so tags and attributes come as nh3 writes them:
lowercase names, double-quoted values, ``&amp;`` escaped. The patterns rely on that.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

_TAG = re.compile(r"<(img|audio|video|source|a)\b[^>]*>")
_URL_ATTRIBUTE = re.compile(r'\s(src|href|poster)="([^"]*)"')
MEDIA_EXTENSIONS = (
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".mp3", ".m4a", ".ogg", ".oga", ".wav", ".flac",
    ".mp4", ".m4v", ".webm", ".ogv", ".mov",
)  # fmt: skip


def _is_media_link(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(MEDIA_EXTENSIONS)


def media_urls(body: str) -> list[str]:
    """The http(s) URLs of the images, audio and video ``body`` shows (and links to), in order, once each."""
    found: dict[str, None] = {}
    for tag in _TAG.finditer(body):
        for _attribute, raw in _URL_ATTRIBUTE.findall(tag.group(0)):
            url = html.unescape(raw)
            if not url.lower().startswith(("http://", "https://")):
                continue
            if tag.group(1) == "a" and not _is_media_link(url):
                continue
            found[url] = None
    return list(found)


@dataclass(frozen=True)
class Copy:
    """The archive's copy of a file, as a body shows it."""

    url: str
    srcset: str = ""  # "url 480w, url 960w, url 1600w" for an image with renditions
    width: int | None = None
    height: int | None = None


_SRCSET = re.compile(r'\ssrcset="[^"]*"')
_SIZE = re.compile(r'\s(?:width|height|sizes)="[^"]*"')


def relink(body: str, copies: dict[str, Copy]) -> str:
    """``body`` with every URL that has a copy in ``copies`` pointing to it; an image gets its
    srcset and size. URLs without a copy are left as they are (the old site's)."""
    if not copies:
        return body

    def rewrite_tag(match):
        tag = match.group(0)
        image = None

        def rewrite_attribute(attribute):
            nonlocal image
            copy = copies.get(html.unescape(attribute.group(2)))
            if copy is None:
                return attribute.group(0)
            if match.group(1) == "img" and attribute.group(1) == "src":
                image = copy
            return f' {attribute.group(1)}="{html.escape(copy.url)}"'

        tag = _URL_ATTRIBUTE.sub(rewrite_attribute, tag)
        if image is not None:
            tag = _image_attributes(tag, image)
        return tag

    return _TAG.sub(rewrite_tag, body)


def _image_attributes(tag: str, copy: Copy) -> str:
    tag = _SIZE.sub("", _SRCSET.sub("", tag))
    extra = ""
    if copy.srcset:
        extra += f' srcset="{html.escape(copy.srcset)}" sizes="(max-width: 50rem) 100vw, 50rem"'
    if copy.width and copy.height:
        extra += f' width="{copy.width}" height="{copy.height}"'
    end = 2 if tag.endswith("/>") else 1
    return tag[:-end].rstrip() + extra + tag[-end:]
