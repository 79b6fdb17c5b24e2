"""Parse a WordPress export (WXR 1.0-1.2) into ``ParsedArticle`` objects. No database.

The file is read as a stream: channel-level data (site, authors, categories, tags) comes before
the items in WXR, so ``parse`` reads that much up front and returns; the articles are then
produced one item at a time by a generator, each item's elements discarded once converted, so
memory stays flat however large the export is. Malformed XML found while iterating raises
``ImportFailed`` from the generator; the caller's transaction rolls the whole file back.

The XML parser is defusedxml's: a file with a DTD or entity declarations (billion laughs, XXE)
is refused before anything is expanded or fetched.

The parts: ``reader`` walks the XML and reduces elements to plain values, ``channel`` holds the
site, authors and category tree, ``items`` turns each <item> into a ``ParsedArticle``, with its
body from ``body`` (autop, captions), its notes from ``footnotes`` and its ``comments``.
"""

from __future__ import annotations

import re
from itertools import chain

from .body import autop, convert_captions
from .channel import WxrParse, _Channel
from .comments import COMMENT_STATUS_MAP, IMPORTED_COMMENT_TYPES
from .footnotes import footnote_ref
from .items import SKIPPED_STATUSES, STATUS_MAP, _articles
from .reader import _name, _XmlReader

__all__ = [
    "COMMENT_STATUS_MAP",
    "FORMAT_NAME",
    "IMPORTED_COMMENT_TYPES",
    "SKIPPED_STATUSES",
    "STATUS_MAP",
    "WxrParse",
    "autop",
    "convert_captions",
    "detect",
    "footnote_ref",
    "parse",
]

FORMAT_NAME = "wxr"

_DETECT_WP_NS = re.compile(rb"xmlns:[\w.-]+\s*=\s*[\"']https?://wordpress\.org/export/\d")
_DETECT_BYTES = 8 * 1024


def detect(data_head: bytes, file_name: str) -> bool:
    """True for an RSS document declaring the WordPress export namespace near its start."""
    head = data_head[:_DETECT_BYTES]
    return b"<rss" in head and _DETECT_WP_NS.search(head) is not None


def parse(stream, file_name: str, *, include_pages: bool = False) -> WxrParse:
    """Read the channel header of ``stream`` (binary) and return a WxrParse with lazy articles."""
    reader = _XmlReader(stream)
    result = WxrParse(file_name=file_name)
    channel = _Channel(result)
    first_item = None
    for element in reader.children:
        if _name(element.tag) == "item":
            first_item = element  # the generator keeps it until asked for the next element
            break
        channel.take(element)
    channel.finish_header(file_name)
    # Breaking out of the loop left the shared generator suspended just after the first item.
    elements = chain([first_item], reader.children) if first_item is not None else iter(())
    result.articles = _articles(elements, channel, include_pages)
    return result
