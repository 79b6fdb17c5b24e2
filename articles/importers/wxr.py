"""Parse a WordPress export (WXR 1.0-1.2) into ``ParsedArticle`` objects. No database.

The file is read as a stream: channel-level data (site, authors, categories, tags) comes before
the items in WXR, so ``parse`` reads that much up front and returns; the articles are then
produced one item at a time by a generator, each item's elements discarded once converted, so
memory stays flat however large the export is. Malformed XML found while iterating raises
``ImportFailed`` from the generator; the caller's transaction rolls the whole file back.

The XML parser is defusedxml's: a file with a DTD or entity declarations (billion laughs, XXE)
is refused before anything is expanded or fetched.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain
from urllib.parse import unquote

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from articles.sanitize import clean_html, html_to_text

from .base import (
    ImportFailed,
    ParsedArticle,
    ParsedAuthor,
    ParsedComment,
    ParsedFootnote,
)
from .seedtext import classify_note

FORMAT_NAME = "wxr"

# WXR 1.0 to 1.2, over http or https (WordPress.com writes https://wordpress.org/export/1.2/).
_WP_NS = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/$")
_EXCERPT_NS = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/excerpt/$")
_FIXED_NS = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://wellformedweb.org/CommentAPI/": "wfw",
}
_DETECT_WP_NS = re.compile(rb"xmlns:[\w.-]+\s*=\s*[\"']https?://wordpress\.org/export/\d")
_DETECT_BYTES = 8 * 1024
_FIRST_READ = 64 * 1024

STATUS_MAP = {
    "publish": "published",
    "draft": "draft",
    "future": "scheduled",
    "private": "private",
    "pending": "pending",
}
SKIPPED_STATUSES = {"trash", "auto-draft"}  # deleted or never written: nothing to import
COMMENT_STATUS_MAP = {
    "1": "approved",
    "0": "pending",
    "spam": "spam",
    "trash": "removed",
    "post-trashed": "removed",
}
IMPORTED_COMMENT_TYPES = {"", "comment", "pingback", "trackback"}
_ZERO_DATE = "0000-00-00 00:00:00"


@dataclass
class WxrParse:
    """One export: channel data (complete when ``parse`` returns) and a lazy stream of articles.

    ``skipped`` and ``warnings`` fill up while ``articles`` is iterated; read them afterwards.
    """

    file_name: str
    site_url: str = ""
    wxr_version: str = ""
    articles: Iterator[ParsedArticle] = field(default_factory=lambda: iter(()))
    categories: list[list[str]] = field(default_factory=list)  # every wp:category, root first
    tags: list[str] = field(default_factory=list)
    authors: list[ParsedAuthor] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # e.g. {"attachment": 37}
    warnings: list[str] = field(default_factory=list)


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


# --- reading the XML ---------------------------------------------------------------------------


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


# --- channel-level data ------------------------------------------------------------------------


class _Channel:
    """What the items refer to: the site, the authors by login and the category tree."""

    def __init__(self, result: WxrParse):
        self.result = result
        self.values: dict[str, str] = {}
        self.authors: dict[str, ParsedAuthor] = {}
        self.category_nodes: dict[str, tuple[str, str]] = {}  # nicename -> (name, parent)

    def take(self, element) -> None:
        name = _name(element.tag)
        if name == "wp:author":
            self._add_author({_name(c.tag): _text(c) for c in element})
        elif name == "wp:category":
            self._add_category({_name(c.tag): _text(c) for c in element})
        elif name == "wp:tag":
            parts = {_name(c.tag): _text(c) for c in element}
            tag = html.unescape(parts.get("wp:tag_name", ""))
            if tag:
                self.result.tags.append(tag)
        elif name in ("title", "link", "wp:base_site_url", "wp:base_blog_url", "wp:wxr_version"):
            self.values.setdefault(name, _text(element))

    def _add_author(self, parts: dict[str, str]) -> None:
        login = parts.get("wp:author_login", "")
        author = ParsedAuthor(
            name=html.unescape(parts.get("wp:author_display_name", "")) or login,
            login=login,
            email=parts.get("wp:author_email", ""),
        )
        self.authors[login] = author
        self.result.authors.append(author)

    def _add_category(self, parts: dict[str, str]) -> None:
        nicename = parts.get("wp:category_nicename", "")
        name = html.unescape(parts.get("wp:cat_name", "")) or nicename
        self.category_nodes[nicename] = (name, parts.get("wp:category_parent", ""))

    def finish_header(self, file_name: str) -> None:
        # base_blog_url is the blog itself; base_site_url is the network (https://wordpress.com/
        # for every WordPress.com blog), so it comes last.
        for key in ("wp:base_blog_url", "link", "wp:base_site_url"):
            if self.values.get(key):
                self.result.site_url = self.values[key].rstrip("/")
                break
        else:
            self.result.site_url = "file:" + file_name
            self.result.warnings.append(
                "The export names no site URL; articles are identified by file name, so "
                "importing the same site under another file name creates duplicates."
            )
        self.result.wxr_version = self.values.get("wp:wxr_version", "")
        self.result.categories = [self.category_path(n) for n in self.category_nodes]

    def category_path(self, nicename: str, fallback_name: str = "") -> list[str]:
        """Names from the root down to ``nicename``, following wp:category_parent."""
        if nicename not in self.category_nodes:
            return [fallback_name or nicename]
        path, seen = [], set()
        while nicename in self.category_nodes and nicename not in seen:  # a cycle ends the walk
            seen.add(nicename)
            name, nicename = self.category_nodes[nicename]
            path.append(name)
        return path[::-1]

    def author(self, login: str, warnings: list[str]) -> ParsedAuthor:
        if login not in self.authors:
            warnings.append(f"Author {login!r} is not listed in the export; imported by login.")
            return ParsedAuthor(name=login, login=login)
        return self.authors[login]


# --- items into articles -----------------------------------------------------------------------


def _articles(elements, channel: _Channel, include_pages: bool) -> Iterator[ParsedArticle]:
    result = channel.result
    for element in elements:
        if _name(element.tag) != "item":
            channel.take(element)  # channel data after the items: unusual but harmless
            continue
        item = _RawItem.from_element(element)
        reason = _skip_reason(item, include_pages)
        if reason:
            result.skipped[reason] = result.skipped.get(reason, 0) + 1
            continue
        yield _article(item, channel)


def _skip_reason(item: _RawItem, include_pages: bool) -> str:
    post_type = item.get("wp:post_type") or "post"
    if post_type not in ({"post", "page"} if include_pages else {"post"}):
        return post_type
    status = item.get("wp:status")
    if status in SKIPPED_STATUSES:
        return f"{post_type} ({status})"
    return ""


def _article(item: _RawItem, channel: _Channel) -> ParsedArticle:
    warnings: list[str] = []
    post_id = item.get("wp:post_id")
    title = html_to_text(item.get("title"))
    if not title:
        title = f"Untitled post {post_id}"
        warnings.append(f"The post has no title; imported as {title!r}.")
    published_at = _wp_datetime(item.get("wp:post_date_gmt")) or _wp_datetime(item.get("wp:post_date"))
    body, footnotes = _body_and_footnotes(item, warnings)
    article = ParsedArticle(
        identity=f"wxr:{channel.result.site_url}#{post_id}",
        title=title,
        published_at=published_at,
        body_html=body,
        status=_status(item, warnings),
        slug=unquote(item.get("wp:post_name")),
        summary=html_to_text(item.get("excerpt:encoded")),
        category_paths=[
            channel.category_path(nicename, name) for domain, nicename, name in item.categories if domain == "category"
        ],
        tags=[html.unescape(n) for d, _, n in item.categories if d == "post_tag" and n],
        footnotes=footnotes,
        comments_open=item.get("wp:comment_status") == "open",
        sticky=item.get("wp:is_sticky") == "1",
        original_url=item.get("link"),
        warnings=warnings,
    )
    # WordPress logins never contain "<" or ">" (sanitize_user strips them); exports by hand, like
    # the theme test data's ">themereviewteam", sometimes do.
    creator = item.get("dc:creator").strip("<> ")
    if creator:
        article.authors = [channel.author(creator, warnings)]
    article.comments = _comments(item.comments, published_at, warnings)
    return article


def _status(item: _RawItem, warnings: list[str]) -> str:
    wp_status = item.get("wp:status")
    if item.get("wp:post_password"):
        warnings.append("The post is password-protected in WordPress; imported as a draft.")
        return "draft"
    if wp_status not in STATUS_MAP:
        warnings.append(f"WordPress status {wp_status!r} is not supported; imported as a draft.")
        return "draft"
    return STATUS_MAP[wp_status]


def _wp_datetime(value: str) -> dt.datetime | None:
    """WordPress's "YYYY-MM-DD HH:MM:SS" as an aware UTC datetime; zero or invalid -> None."""
    if not value or value == _ZERO_DATE:
        return None
    try:
        return dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def _comments(raw_comments, fallback_date, warnings: list[str]) -> list[ParsedComment]:
    comments: list[ParsedComment] = []
    for raw in raw_comments:
        kind = raw.get("wp:comment_type", "")
        if kind not in IMPORTED_COMMENT_TYPES:
            warnings.append(f"Comment {raw.get('wp:comment_id')} of type {kind!r} was skipped.")
            continue
        submitted = (
            _wp_datetime(raw.get("wp:comment_date_gmt", ""))
            or _wp_datetime(raw.get("wp:comment_date", ""))
            or fallback_date
        )
        if submitted is None:
            warnings.append(f"Comment {raw.get('wp:comment_id')} has no date and was skipped.")
            continue
        approved = raw.get("wp:comment_approved", "")
        status = COMMENT_STATUS_MAP.get(approved, "pending")
        if approved not in COMMENT_STATUS_MAP:
            warnings.append(f"Comment status {approved!r} is unknown; imported as pending.")
        parent = raw.get("wp:comment_parent", "0")
        website = raw.get("wp:comment_author_url", "")
        comments.append(
            ParsedComment(
                source_id=raw.get("wp:comment_id", ""),
                parent_id=None if parent in ("", "0") else parent,
                name=html_to_text(raw.get("wp:comment_author", "")),
                email=raw.get("wp:comment_author_email", ""),
                website=website if re.match(r"https?://", website, re.IGNORECASE) else "",
                submitted=submitted,
                body=html_to_text(raw.get("wp:comment_content", ""), keep_lines=True),
                status=status,
                kind=kind if kind in ("pingback", "trackback") else "comment",
            )
        )
    _detach_orphans(comments, warnings)
    return comments


def _detach_orphans(comments: list[ParsedComment], warnings: list[str]) -> None:
    """A reply whose parent was not imported becomes a top-level comment."""
    known = {c.source_id for c in comments}
    for comment in comments:
        if comment.parent_id is not None and comment.parent_id not in known:
            warnings.append(
                f"Comment {comment.source_id} replies to comment {comment.parent_id}, which is "
                "not in the export; imported as a top-level comment."
            )
            comment.parent_id = None


# --- body: autop, footnotes, sanitising --------------------------------------------------------


def _body_and_footnotes(item: _RawItem, warnings: list[str]):
    content = convert_captions(item.fields.get("content:encoded", ""))
    if not _is_block_content(content):
        content = autop(content)
    content, footnotes = _modern_footnotes(content, item.meta.get("footnotes", ""), warnings)
    if not footnotes:
        content, footnotes = _classic_footnotes(content, warnings)
    _warn_about_shortcodes(content, warnings)
    return _EMPTY_PARAGRAPH.sub("", clean_html(content)).strip(), footnotes


_EMPTY_PARAGRAPH = re.compile(r"<p>\s*</p>\s*")


def _is_block_content(content: str) -> bool:
    """Block-editor content carries its own <p> tags; WordPress only autops classic content."""
    return "<!-- wp:" in content


_BLOCK_TAGS = (
    "table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|"
    "area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|"
    "header|footer|nav|figure|figcaption|details|menu|summary"
)
_BLOCK_OPEN = re.compile(rf"(<(?:{_BLOCK_TAGS})[\s/>])", re.IGNORECASE)
_BLOCK_CLOSE = re.compile(rf"(</(?:{_BLOCK_TAGS})>)", re.IGNORECASE)
_ANY_BLOCK = re.compile(rf"</?(?:{_BLOCK_TAGS})[\s/>]", re.IGNORECASE)
_PRE = re.compile(r"<pre[\s>].*?</pre>", re.IGNORECASE | re.DOTALL)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def autop(text: str) -> str:
    """A simplified wpautop: blank-line separated text becomes <p>, single newlines <br />.

    Runs of text are wrapped; anything touching a block-level tag is left as written, and <pre>
    is never touched. Enough for classic-editor posts, which store paragraphs as blank lines.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept: list[str] = []

    def protect(match):
        kept.append(match.group(0))
        return f"\n\n\x00{len(kept) - 1}\x00\n\n"

    text = _PRE.sub(protect, text)
    text = _BLOCK_OPEN.sub(r"\n\n\1", text)
    text = _BLOCK_CLOSE.sub(r"\1\n\n", text)
    chunks = []
    for chunk in _PARAGRAPH_BREAK.split(text):
        chunk = chunk.strip()
        if not chunk:
            continue
        if chunk.startswith("\x00") or _ANY_BLOCK.search(chunk):
            chunks.append(chunk)
        else:
            chunks.append("<p>" + re.sub(r"\s*\n\s*", "<br />\n", chunk) + "</p>")
    body = "\n".join(chunks)
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], body)


def footnote_ref(number: int, occurrence: int) -> str:
    """The archive's own footnote reference markup; repeat references get ids fnref-N-2, -3..."""
    ref_id = f"fnref-{number}" if occurrence == 1 else f"fnref-{number}-{occurrence}"
    return (
        f'<sup class="footnote-ref" id="{ref_id}">'
        f'<a href="#fn-{number}" aria-describedby="footnotes-label">{number}</a></sup>'
    )


class _RefCounter:
    """Renders references to known notes, counting repeats for unique ids."""

    def __init__(self):
        self.seen: dict[int, int] = {}

    def render(self, number: int) -> str:
        self.seen[number] = self.seen.get(number, 0) + 1
        return footnote_ref(number, self.seen[number])

    def warn_unreferenced(self, footnotes, warnings: list[str]) -> None:
        for note in footnotes:
            if note.number not in self.seen:
                warnings.append(f"Footnote {note.number} is never referenced in the text.")


# WordPress 6.3+: <sup data-fn="uuid" class="fn"><a href="#uuid" id="uuid-link">1</a></sup>
_DATA_FN_REF = re.compile(r"<sup\b[^>]*?\bdata-fn=([\"'])(.*?)\1[^>]*>.*?</sup>", re.IGNORECASE | re.DOTALL)


def _modern_footnotes(content: str, meta_json: str, warnings: list[str]):
    """Footnotes from the ``footnotes`` post meta, references rewritten to our markup."""
    if not meta_json and "data-fn=" not in content:
        return content, []
    notes = _footnote_meta(meta_json, warnings)
    numbers = {note_id: n for n, (note_id, _) in enumerate(notes, start=1)}
    footnotes: list[ParsedFootnote] = []
    for number, (_, note_html) in enumerate(notes, start=1):
        footnotes.append(_footnote_from_html(number, note_html, footnotes, warnings))
    refs = _RefCounter()

    def rewrite(match):
        number = numbers.get(html.unescape(match.group(2)))
        if number is None:
            warnings.append("A footnote reference points to a note missing from the export.")
            return ""
        return refs.render(number)

    content = _DATA_FN_REF.sub(rewrite, content)
    refs.warn_unreferenced(footnotes, warnings)
    return content, footnotes


def _footnote_meta(meta_json: str, warnings: list[str]) -> list[tuple[str, str]]:
    if not meta_json:
        return []
    try:
        data = json.loads(meta_json)
        return [(str(note["id"]), str(note.get("content", ""))) for note in data]
    except (ValueError, TypeError, KeyError):
        warnings.append("The post's footnotes could not be read (invalid JSON); none imported.")
        return []


_HREF = re.compile(r"href=([\"'])(https?://.*?)\1", re.IGNORECASE)


def _footnote_from_html(number: int, note_html: str, earlier: list[ParsedFootnote], warnings: list[str]):
    """Classify a note with the seed importer's rules (citations become Sources), text kept verbatim."""
    text = html_to_text(note_html)
    href = _HREF.search(note_html)
    url = html.unescape(href.group(2)) if href else ""
    # A link behind the note's words counts as the note's URL, as if it had been written out.
    note = classify_note(number, text if not url or url in text else f"{text} {url}", earlier, warnings)
    note.text = text
    return note


# Classic footnotes: "[1]" in the text, paragraphs "[1] The note." at the end.
_MARKER_WRAP_OPEN = r"(?:<sup\b[^>]*>\s*)?(?:<a\b[^>]*>\s*)?"
_MARKER_WRAP_CLOSE = r"(?:\s*</a>)?(?:\s*</sup>)?"
# _MARKER_WRAP_OPEN + [n] + _MARKER_WRAP_CLOSE, written as three alternatives that each start with
# "<" or "[" (same matches, same order): the regex engine then skips to those characters instead
# of trying the optional wrappers at every position of the body (eight times quicker).
_MARKER = re.compile(
    r"(?:<sup\b[^>]*>\s*(?:<a\b[^>]*>\s*)?\[|<a\b[^>]*>\s*\[|\[)(\d{1,3})\]" + _MARKER_WRAP_CLOSE, re.IGNORECASE
)
_NOTE_LINE = re.compile(
    r"^\s*" + _MARKER_WRAP_OPEN + r"\[(\d{1,3})\]" + _MARKER_WRAP_CLOSE + r"\s*(.*?)\s*$",
    re.IGNORECASE | re.DOTALL,
)
_NOTES_HEADING = re.compile(
    r"(?:<h[2-6][^>]*>|<p>(?:<strong>|<b>)?)\s*(?:foot|end)?notes?\s*:?\s*"
    r"(?:</h[2-6]>|(?:</strong>|</b>)?</p>)\s*$|<hr\s*/?>\s*$",
    re.IGNORECASE,
)


def _classic_footnotes(content: str, warnings: list[str]):
    """Move a trailing "[n] note" list into footnotes and turn "[n]" markers into references."""
    body, notes = _split_trailing_notes(content)
    if not notes or [n for n, _ in notes] != list(range(1, len(notes) + 1)):
        return content, []
    footnotes: list[ParsedFootnote] = []
    for number, note_html in notes:
        footnotes.append(_footnote_from_html(number, note_html, footnotes, warnings))
    refs = _RefCounter()

    def rewrite(match):
        number = int(match.group(1))
        return refs.render(number) if 1 <= number <= len(notes) else match.group(0)

    body = _MARKER.sub(rewrite, body)
    refs.warn_unreferenced(footnotes, warnings)
    return body, footnotes


def _split_trailing_notes(content: str):
    notes: list[tuple[int, str]] = []
    body = content.rstrip()
    while last := _last_paragraph(body):
        start, inner = last
        lines = re.split(r"<br\s*/?>", inner, flags=re.IGNORECASE)
        parsed = [_NOTE_LINE.match(line) for line in lines]
        if not all(parsed):
            break
        notes[:0] = [(int(m.group(1)), m.group(2)) for m in parsed]
        body = body[:start].rstrip()
    if notes:
        while heading := _NOTES_HEADING.search(body):
            body = body[: heading.start()].rstrip()
    return body, notes


def _last_paragraph(body: str):
    r"""(start, inner HTML) of the paragraph the body ends with, or None.

    What ``re.search(r"<p>((?:(?!<p>).)*?)</p>\s*$", body, re.I | re.S)`` finds: the closing tag
    followed by nothing but whitespace, and the last "<p>" before it (an earlier one would hold
    that one inside). Both are looked for from the end: the pattern tries every "<p>" and walks
    each paragraph a character at a time, and even a scan from the start, once for each note
    taken off the end, was a sizeable part of parsing an export.
    """
    end = len(body.rstrip()) - len("</p>")
    if end < 0 or body[end : end + 4].lower() != "</p>":
        return None
    start = max(body.rfind("<p>", 0, end), body.rfind("<P>", 0, end))
    if start < 0:
        return None
    return start, body[start + 3 : end]


_CAPTION = re.compile(r"\[caption\b([^\]]*)\](.*?)\[/caption\]", re.IGNORECASE | re.DOTALL)
_CAPTION_ATTR = re.compile(r"\bcaption=([\"'])(.*?)\1", re.DOTALL)
# The image, optionally wrapped in a link; whatever follows it is the caption (classic form).
_CAPTIONED_IMAGE = re.compile(r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", re.DOTALL)


def convert_captions(content: str) -> str:
    """[caption ...]<img> text[/caption] (or caption="text") becomes <figure> + <figcaption>."""

    def to_figure(match):
        image = _CAPTIONED_IMAGE.match(match.group(2))
        if image is None:
            return match.group(0)
        attribute = _CAPTION_ATTR.search(match.group(1))
        caption = image.group(2).strip() or (attribute.group(2) if attribute else "")
        figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
        return f"<figure>{image.group(1)}{figcaption}</figure>"

    return _CAPTION.sub(to_figure, content)


_SHORTCODE = re.compile(r"\[(caption|gallery|embed|audio|video|playlist)\b", re.IGNORECASE)


def _warn_about_shortcodes(content: str, warnings: list[str]) -> None:
    found = sorted({m.group(1).lower() for m in _SHORTCODE.finditer(content)})
    if found:
        names = ", ".join(f"[{name}]" for name in found)
        warnings.append(f"WordPress shortcodes {names} are not converted; they remain as text.")
