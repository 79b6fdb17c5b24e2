"""The plain data every import format parses into, and the result every load returns.

A format's parse step turns bytes into ``ParsedArticle`` objects and touches no database;
``articles.importers.loader`` writes them. Keeping the two apart is what lets the command,
the admin upload page and the tests share one importer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field, is_dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError


class ImportFailed(Exception):
    """Bad input: the message says what is wrong and what to do. Nothing was written."""


# What a bad item (or a restore's batch) raises while it is written: it fails alone, the rest of
# the file still loads.
ITEM_ERRORS = (ImportFailed, DatabaseError, ValidationError, ValueError)


class FootnoteKind:
    CITATION = "citation"
    IBID = "ibid"
    CROSS_REFERENCE = "cross_reference"
    LINK = "link"
    NOTE = "note"


@dataclass
class ParsedSource:
    """A bibliographic record as far as the text gives it; ``key`` deduplicates across articles."""

    key: str
    kind: str = "other"  # book, article, chapter, report, web, interview, statement, other
    authors: list[str] = field(default_factory=list)
    title: str = ""
    container: str = ""
    publisher: str = ""
    place: str = ""
    year: int | None = None
    url: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""  # the span of the work itself ("12–15"), not the page a note cites
    edition: str = ""
    doi: str = ""
    isbn: str = ""
    accessed: dt.date | None = None  # when the URL was read
    calendar: str = "gregorian"  # of ``year``: gregorian, solar_hijri or lunar_hijri (kept as written)


@dataclass
class ParsedFootnote:
    number: int
    text: str  # verbatim
    kind: str = FootnoteKind.NOTE
    prefix: str = ""  # a lead-in such as "For further information read:"
    source: ParsedSource | None = None
    locator: str = ""  # "p. 42"
    refers_to: int | None = None  # number of another footnote in the same article
    url: str = ""
    url_missing: bool = False  # the note ends where a link used to be


@dataclass
class ParsedAuthor:
    name: str
    login: str = ""  # WordPress user login, the author's identity in WXR
    email: str = ""
    bio: str = ""


@dataclass
class ParsedComment:
    source_id: str  # the comment's id in the source (wp:comment_id), unique within the article
    parent_id: str | None
    name: str
    email: str
    website: str
    submitted: dt.datetime
    body: str
    status: str  # pending, approved, spam, removed
    ip_hash: str = ""
    kind: str = "comment"  # comment, pingback, trackback


@dataclass
class ParsedMedia:
    """A file the source's media library holds for an article (a WordPress attachment): its URL,
    and what the source says of it."""

    url: str
    title: str = ""
    caption: str = ""
    alt_text: str = ""


@dataclass
class ParsedArticle:
    identity: str  # the source's own identity, e.g. "seed:000_x.txt" or "wxr:https://site/#42"
    title: str
    published_at: dt.datetime | None
    body_html: str
    status: str = "published"  # draft, pending, scheduled, private, published
    slug: str = ""  # empty: derived from the title
    summary: str = ""
    category_paths: list[list[str]] = field(default_factory=list)  # primary first; each root first
    authors: list[ParsedAuthor] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    footnotes: list[ParsedFootnote] = field(default_factory=list)
    comments: list[ParsedComment] = field(default_factory=list)
    comments_open: bool = True
    sticky: bool = False
    original_url: str = ""
    language: str = ""  # a code of ``articles.languages``; empty: detected from the text when loaded
    # Shared by the article's versions in other languages (e.g. a Polylang translation group); empty: none.
    translation_key: str = ""
    warnings: list[str] = field(default_factory=list)
    # WordPress's GUID: a post whose id an earlier post of the same site had is another post if it
    # differs (``importers.identities``). Not content: not in the digest.
    guid: str = ""
    # When the source says the text was last changed (WordPress's post_modified, a backup's edited_at);
    # the article's ``edited_at``, its JSON-LD dateModified. Not in the digest: it follows the content.
    modified_at: dt.datetime | None = None

    def content_hash(self) -> str:
        """Stable digest of everything that is imported, so a re-import can say `unchanged`."""
        # The same JSON as ``asdict`` would give (nested dataclasses become dicts of their fields),
        # without its deep copy, which cost more than the rest of the digest on a large import.
        data = {name: value for name, value in vars(self).items() if name not in _NOT_HASHED}
        raw = json.dumps(data, sort_keys=True, default=_plain, ensure_ascii=False)
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()


_NOT_HASHED = frozenset({"warnings", "guid", "modified_at"})


def _plain(value):
    return vars(value) if is_dataclass(value) else str(value)


@dataclass
class ItemResult:
    identity: str
    title: str
    outcome: str  # created, updated, unchanged, failed, skipped
    message: str = ""
    article_id: int | None = None
    url: str = ""
    warnings: list[str] = field(default_factory=list)


OUTCOMES = ("created", "updated", "unchanged", "failed")


@dataclass
class ImportResult:
    """What an import did. ``counts`` covers every item; ``items`` keeps only a bounded few
    (``add``), so a file of any size costs the same memory to report."""

    file_name: str
    format: str = ""
    items: list[ItemResult] = field(default_factory=list)  # those kept for the report (``add``)
    warnings: list[str] = field(default_factory=list)  # about the file as a whole
    skipped: dict[str, int] = field(default_factory=dict)  # e.g. {"attachment": 37}
    error: str = ""  # set when the whole file failed; then nothing was written
    counts: dict[str, int] = field(default_factory=dict)  # outcome -> items, every item counted
    notable_kept: int = 0  # items kept after the first ``ARCHIVE_IMPORT_REPORT_ITEMS``

    def add(self, items) -> None:
        """Count ``items``; keep the first ``ARCHIVE_IMPORT_REPORT_ITEMS`` of the file, and after
        them as many more that failed or carry warnings (what a reader must see), no others."""
        limit = settings.ARCHIVE_IMPORT_REPORT_ITEMS
        for item in items:
            self.counts[item.outcome] = self.counts.get(item.outcome, 0) + 1
            if len(self.items) - self.notable_kept < limit:
                self.items.append(item)
            elif self.notable_kept < limit and (item.outcome == "failed" or item.warnings):
                self.items.append(item)
                self.notable_kept += 1

    def discard_items(self) -> None:
        """The file failed as a whole: none of its items was written."""
        self.items, self.counts, self.notable_kept = [], {}, 0

    def count(self, outcome: str) -> int:
        return self.counts.get(outcome, 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def not_listed(self) -> int:
        """Items counted but not kept in ``items``."""
        return self.total - len(self.items)

    @property
    def failed(self) -> bool:
        return bool(self.error) or self.count("failed") > 0

    def summary(self) -> str:
        if self.error:
            return f"failed: {self.error}"
        parts = [f"{self.count(o)} {o}" for o in OUTCOMES]
        line = ", ".join(parts)
        if self.skipped:
            line += "; skipped " + ", ".join(f"{n} {kind}" for kind, n in sorted(self.skipped.items()))
        return line
