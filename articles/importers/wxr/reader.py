"""Reading the XML of a WordPress export: one pass over the stream, each child of <channel> handed
out when complete and then dropped, and an <item> reduced to plain values. No database."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from ..base import ImportFailed

# WXR 1.0 to 1.2, over http or https (WordPress.com writes https://wordpress.org/export/1.2/).
_WP_NS = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/$")
_EXCERPT_NS = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/excerpt/$")
_FIXED_NS = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://wellformedweb.org/CommentAPI/": "wfw",
}
_FIRST_READ = 64 * 1024
_ZERO_DATE = "0000-00-00 00:00:00"


def _name(tag: str) -> str:
    """``{namespace}local`` as ``prefix:local`` with WXR's usual prefixes, whatever the version."""
    if not tag.startswith("{"):
        return tag
    uri, local = tag[1:].split("}", 1)
    if _WP_NS.match(uri):
        return "wp:" + local
    if _EXCERPT_NS.match(uri):
        return "excerpt:" + local
    prefix = _FIXED_NS.get(uri)
    return f"{prefix}:{local}" if prefix else tag


class _ChainedReader:
    """A read()-able stream that first returns bytes already read from the real one."""

    def __init__(self, head: bytes, stream):
        self._head = head
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        if self._head:
            chunk, self._head = self._head, b""
            return chunk
        return self._stream.read(size)


class _XmlReader:
    """Walks the XML once, handing out each finished child of <channel> and then dropping it."""

    def __init__(self, stream):
        head = stream.read(_FIRST_READ)
        if not head.strip():
            raise ImportFailed("The file is empty: a WordPress export is an XML file of posts.")
        self._events = self._safe_events(_ChainedReader(head, stream))
        # Each complete element directly under <rss><channel>, cleared once the consumer moves on.
        # One generator for the whole file: the header loop and the article loop share it.
        self.children = self._walk()

    @staticmethod
    def _safe_events(source):
        try:
            yield from SafeET.iterparse(
                source,
                events=("start-ns", "start", "end"),
                forbid_dtd=True,
                forbid_entities=True,
                forbid_external=True,
            )
        except DefusedXmlException:
            raise ImportFailed(
                "The file contains a DTD or entity declarations, which are not allowed in an "
                "export (WordPress never writes them); it was not read."
            ) from None
        except ET.ParseError as error:
            line, column = error.position
            raise ImportFailed(
                f"The XML ends early or is malformed at line {line}, column {column + 1}; "
                "export the site again and upload the complete file."
            ) from None

    def _walk(self):
        namespaces: set[str] = set()
        depth = 0
        root = channel = None
        for event, element in self._events:
            if event == "start-ns":
                namespaces.add(element[1])
            elif event == "start":
                depth += 1
                if depth == 1:
                    _check_root(element, namespaces)
                    root = element
                elif depth == 2 and element.tag == "channel":
                    channel = element
            else:
                depth -= 1
                if depth == 2 and channel is not None:
                    yield element
                    element.clear()
                    del channel[:]  # keep the tree from growing item by item
                elif depth == 1:
                    del root[:]
        if root is not None and channel is None:
            raise ImportFailed("Not a WordPress export: the RSS file has no <channel>.")


def _check_root(element, namespaces: set[str]) -> None:
    if element.tag != "rss" or not any(_WP_NS.match(uri) for uri in namespaces):
        raise ImportFailed(
            "Not a WordPress export: expected an RSS file using the WordPress export (WXR) "
            "namespace, as written by Tools > Export in WordPress."
        )


def _text(element) -> str:
    return (element.text or "").strip() if element is not None else ""


@dataclass
class _RawItem:
    """An <item> reduced to plain Python values, so its XML can be thrown away."""

    fields: dict[str, str]  # first occurrence of each single-valued child, e.g. "wp:post_id"
    categories: list[tuple[str, str, str]]  # (domain, nicename, name)
    meta: dict[str, str]
    comments: list[dict[str, str]]

    @classmethod
    def from_element(cls, item) -> _RawItem:
        fields: dict[str, str] = {}
        categories, meta, comments = [], {}, []
        for child in item:
            name = _name(child.tag)
            if name == "category":
                domain = child.get("domain", "")
                categories.append((domain, child.get("nicename", ""), _text(child)))
            elif name == "wp:postmeta":
                parts = {_name(c.tag): _text(c) for c in child}
                meta.setdefault(parts.get("wp:meta_key", ""), parts.get("wp:meta_value", ""))
            elif name == "wp:comment":
                comments.append({_name(c.tag): _text(c) for c in child})
            else:
                fields.setdefault(name, child.text or "")
        return cls(fields, categories, meta, comments)

    def get(self, name: str) -> str:
        return self.fields.get(name, "").strip()


def _wp_datetime(value: str) -> dt.datetime | None:
    """WordPress's "YYYY-MM-DD HH:MM:SS" as an aware UTC datetime; zero or invalid -> None."""
    if not value or value == _ZERO_DATE:
        return None
    try:
        return dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.UTC)
    except ValueError:
        return None
