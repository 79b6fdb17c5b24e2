"""Parse step for backups: the JSON Lines ``export_articles`` writes, one article per line. No database.

Every line is checked against the export's shape before anything is loaded; a line that is not
JSON, not an object, or carries a key of the wrong type fails the whole file with a message naming
the line and the key (the pipeline's transaction then writes nothing).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from articles import languages
from articles.sanitize import safe_url

from .base import ImportFailed, ParsedArticle, ParsedAuthor, ParsedFootnote, ParsedSource

FORMAT_NAME = "jsonl"

STATUSES = {"draft", "pending", "scheduled", "private", "published"}
FOOTNOTE_KINDS = {"citation", "ibid", "cross_reference", "link", "note"}
SOURCE_KINDS = {"book", "article", "chapter", "report", "web", "interview", "statement", "other"}
# Added to sources later (issue 22): optional, so older backups restore as they are.
SOURCE_DETAILS = {"volume": 50, "issue": 50, "pages": 50, "edition": 50, "doi": 255, "isbn": 17}
COMMENT_STATUSES = {"pending", "approved", "spam", "removed"}
COMMENT_KINDS = {"comment", "pingback", "trackback"}
_SLUG = re.compile(r"^[-\w]{1,255}$")  # Unicode letters too: a Dari title's slug keeps them
_DETECT = re.compile(rb'^\s*\{\s*"slug"\s*:')


@dataclass
class RestoredRecord:
    """One provenance entry (an ImportRecord) exactly as exported."""

    file: str
    format: str
    sha256: str
    imported_at: dt.datetime
    importer_version: str = ""
    outcome: str = "created"
    warnings: list[str] = field(default_factory=list)


@dataclass
class RestoredComment:
    id: int | str
    parent: int | str | None
    name: str
    website: str
    submitted: dt.datetime
    body: str
    status: str = "approved"  # the public export lists approved comments only, without a status
    email: str = ""
    kind: str = "comment"
    import_id: str = ""  # the comment's id in the export it was first imported from (wp:comment_id)
    ip_hash: str = ""


@dataclass
class AuthorProfile:
    name: str
    slug: str
    bio: str = ""
    login: str = ""
    orcid: str = ""
    wikidata: str = ""


@dataclass
class CategoryProfile:
    path: list[str]
    slug: str
    description: str = ""


@dataclass
class RestoredArticle(ParsedArticle):
    """A ``ParsedArticle`` plus what only a backup carries: the exact slug, primary category, history."""

    primary_category: list[str] = field(default_factory=list)
    import_key: str | None = None
    provenance: list[RestoredRecord] = field(default_factory=list)
    restored_comments: list[RestoredComment] | None = None  # None: the line has no "comments" key
    translations: list[str] = field(default_factory=list)  # slugs of the article's other-language versions
    line: dict = field(default_factory=dict, repr=False)  # the exported object, to tell "unchanged"
    line_number: int = 0  # in the file, for a message about its batch
    # Keys added by issue 24; None where an older backup has no such key (the restore then keeps
    # what the database has, or derives it as an import would).
    author_profiles: list[AuthorProfile] | None = None
    category_profiles: list[CategoryProfile] | None = None
    related_pins: list[str] | None = None
    related_exclusions: list[str] | None = None
    redirects: list[str] | None = None
    media: list[dict] | None = None  # the files' metadata (``articles.export``), checked


def detect(data: bytes, file_name: str) -> bool:
    return file_name.lower().endswith(".jsonl") or bool(_DETECT.match(data[:200]))


def parse(data: bytes, file_name: str) -> list[RestoredArticle]:
    return list(parse_lines(data.splitlines(), file_name))


def parse_lines(lines: Iterable[bytes], file_name: str, *, checked: bool = False) -> Iterator[RestoredArticle]:
    """The articles of a backup's lines (bytes, in file order), one at a time, each with its line
    number: a restore reads a file of any size in constant memory (``restore_file``). ``checked``:
    the same lines were read before, so their slugs are known to be unique; none is kept."""
    slugs, articles = set(), 0
    for number, raw in enumerate(lines, start=1):
        line = _Line(file_name, number)
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise line.error(f"not UTF-8 text (byte {exc.start} of the line); export_articles writes UTF-8") from None
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            raise line.error(f"not valid JSON ({str(exc)[:80]})") from None
        article = line.article(data)
        articles += 1
        if not checked:
            if article.slug in slugs:
                raise line.error(f"the slug {article.slug!r} appears twice in the file")
            slugs.add(article.slug)
        yield article
    if not articles:
        raise ImportFailed(f"{file_name}: no articles in the file; export them with `manage.py export_articles`.")


class _Line:
    """Type checks for one line, each failure naming the line and the key."""

    def __init__(self, file_name, number):
        self.file_name, self.number = file_name, number

    def error(self, what):
        return ImportFailed(
            f"{self.file_name}: line {self.number}: {what}. Restore only files written by "
            "`manage.py export_articles`, unchanged; nothing was imported."
        )

    def get(self, obj, key, kinds, *, required=True, default=None, where=""):
        if key not in obj:
            if required:
                raise self.error(f"{where}the key {key!r} is missing")
            return default
        value = obj[key]
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in _as_tuple(kinds)):
            raise self.error(f"{where}{key!r} has the wrong type ({type(value).__name__})")
        return value

    def text(self, obj, key, *, required=True, max_length=None, where=""):
        value = self.get(obj, key, str, required=required, default="", where=where)
        if max_length and len(value) > max_length:
            raise self.error(f"{where}{key!r} is longer than {max_length} characters")
        if "\x00" in value:
            raise self.error(f"{where}{key!r} contains a NUL character")
        return value

    def url(self, obj, key, *, required=True, max_length=1000, where=""):
        value = self.text(obj, key, required=required, max_length=max_length, where=where)
        if value and safe_url(value) != value:
            raise self.error(f"{where}{key!r} is not an http(s) URL: {value[:40]!r}")
        return value

    def choice(self, obj, key, choices, *, required=True, default=None, where=""):
        value = self.get(obj, key, str, required=required, default=default, where=where)
        if value not in choices:
            raise self.error(f"{where}{key!r} is {value!r}; expected one of {', '.join(sorted(choices))}")
        return value

    def names(self, obj, key, *, required=True, where=""):
        value = self.get(obj, key, list, required=required, default=[], where=where)
        if not all(isinstance(v, str) and v.strip() and "\x00" not in v for v in value):
            raise self.error(f"{where}{key!r} must be a list of non-empty strings")
        return value

    def when(self, obj, key, *, required=True, where="", date_only=False):
        value = self.get(obj, key, (str, type(None)), required=required, where=where)
        if value is None:
            return None
        try:
            parsed = dt.date.fromisoformat(value) if date_only else dt.datetime.fromisoformat(value)
        except ValueError:
            raise self.error(f"{where}{key!r} is not an ISO date{'' if date_only else '-time'}: {value[:40]!r}")
        if date_only:
            return dt.datetime(parsed.year, parsed.month, parsed.day, tzinfo=dt.UTC)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)

    def objects(self, obj, key, *, required=True):
        value = self.get(obj, key, list, required=required, default=None)
        if value is not None and not all(isinstance(v, dict) for v in value):
            raise self.error(f"{key!r} must be a list of objects")
        return value

    def article(self, obj) -> RestoredArticle:
        if not isinstance(obj, dict):
            raise self.error("not a JSON object")
        slug = self.text(obj, "slug")
        if not _SLUG.match(slug):
            raise self.error(f"the slug {slug[:40]!r} is not a URL slug (letters, digits, - and _)")
        title = self.text(obj, "title", max_length=500)
        if not title.strip():
            raise self.error("the title is empty")
        published_at = self._published_at(obj)
        category = self.names(obj, "category")
        categories = [self._path(p, "categories") for p in self.get(obj, "categories", list)]
        footnotes = self._footnotes(obj)
        comments = self.objects(obj, "comments", required=False)
        import_key = self.get(obj, "import_key", (str, type(None)), required=False)
        translations = self.names(obj, "translations", required=False)
        if not all(_SLUG.match(other) for other in translations):
            raise self.error("'translations' must be a list of article slugs")
        return RestoredArticle(
            identity=f"jsonl:{slug}",
            title=title,
            slug=slug,
            published_at=published_at,
            modified_at=self.when(obj, "edited_at", required=False),
            status=self.choice(obj, "status", STATUSES),
            summary=self.text(obj, "summary"),
            body_html=self.text(obj, "body_html"),
            primary_category=category,
            category_paths=categories,
            authors=[ParsedAuthor(name=name) for name in self.names(obj, "authors")],
            tags=self.names(obj, "tags"),
            footnotes=footnotes,
            comments_open=self.get(obj, "comments_open", bool, required=False, default=True),
            sticky=self.get(obj, "sticky", bool, required=False, default=False),
            original_url=self.url(obj, "original_url", required=False),
            import_key=import_key or None,
            provenance=[self._record(raw) for raw in self.objects(obj, "provenance")],
            restored_comments=None if comments is None else self._comments(comments),
            # A backup written before articles had languages is of English articles.
            language=self.choice(obj, "language", {lang.code for lang in languages.enabled()}, required=False,
                                 default=languages.DEFAULT_LANGUAGE),
            translations=translations,
            line=obj,
            line_number=self.number,
            **self._details(obj),
        )

    def _details(self, obj) -> dict:
        """What a backup since issue 24 carries besides: profiles, related choices, redirects."""
        authors = self.objects(obj, "author_profiles", required=False)
        categories = self.objects(obj, "category_profiles", required=False)
        return {
            "author_profiles": None if authors is None else [self._author(raw) for raw in authors],
            "category_profiles": None if categories is None else [self._category(raw) for raw in categories],
            "related_pins": self._slugs(obj, "related_pins"),
            "related_exclusions": self._slugs(obj, "related_exclusions"),
            "redirects": self._old_paths(obj),
            "media": self._media(obj),
        }

    # A file's metadata in an export: key -> the types it may have.
    _MEDIA_KEYS = {
        "file": (str,), "original_url": (str,), "status": (str,), "sha256": (str, type(None)),
        "size": (int, type(None)), "content_type": (str,), "width": (int, type(None)),
        "height": (int, type(None)), "alt_text": (str,), "caption": (str,), "credit": (str,),
        "renditions": (dict,),
    }

    def _media(self, obj):
        rows = self.objects(obj, "media", required=False)
        for raw in rows or ():
            for key, kinds in self._MEDIA_KEYS.items():
                if key in raw and not isinstance(raw[key], kinds):
                    raise self.error(f"media: {key!r} has the wrong type")
            name = raw.get("file", "")
            if name.startswith("/") or ".." in name.split("/") or "\x00" in name:
                raise self.error(f"media: the file name {name[:60]!r} is not a path inside the media folder")
        return rows

    def _author(self, raw) -> AuthorProfile:
        where = "author_profiles: "
        slug = self.text(raw, "slug", max_length=200, where=where)
        if not _SLUG.match(slug):
            raise self.error(f"{where}the slug {slug[:40]!r} is not a slug")
        name = self.text(raw, "name", max_length=200, where=where)
        if not name.strip():
            raise self.error(f"{where}an author's name is empty")
        return AuthorProfile(
            name=name, slug=slug, bio=self.text(raw, "bio", required=False, where=where),
            login=self.text(raw, "login", required=False, max_length=150, where=where),
            orcid=self.text(raw, "orcid", required=False, max_length=60, where=where),
            wikidata=self.text(raw, "wikidata", required=False, max_length=60, where=where),
        )

    def _category(self, raw) -> CategoryProfile:
        where = "category_profiles: "
        slug = self.text(raw, "slug", max_length=200, where=where)
        if not _SLUG.match(slug):
            raise self.error(f"{where}the slug {slug[:40]!r} is not a slug")
        return CategoryProfile(
            path=self._path(raw.get("path"), "category_profiles"), slug=slug,
            description=self.text(raw, "description", required=False, where=where),
        )

    def _slugs(self, obj, key):
        value = self.get(obj, key, list, required=False)
        if value is not None and not all(isinstance(v, str) and _SLUG.match(v) for v in value):
            raise self.error(f"{key!r} must be a list of article slugs")
        return value

    def _old_paths(self, obj):
        value = self.get(obj, "redirects", list, required=False)
        if value is not None and not all(isinstance(v, str) and v.startswith("/") and len(v) <= 200 for v in value):
            raise self.error("'redirects' must be a list of paths (each starting with /, at most 200 characters)")
        return value

    def _published_at(self, obj):
        """The exact ``published_at``, or else the day ``published`` (midnight UTC)."""
        published_at = self.when(obj, "published_at", required=False)
        if published_at is None:
            published_at = self.when(obj, "published", date_only=True)
        return published_at

    def _footnotes(self, obj) -> list[ParsedFootnote]:
        """The line's footnotes, each with the Source it cites (from the line's ``sources``); no two
        may share a number."""
        sources = {}
        for i, raw in enumerate(self.objects(obj, "sources"), start=1):
            source = self._source(raw, f"source {i}: ")
            sources[source.key] = source
        footnotes = [self._footnote(raw, sources) for raw in self.objects(obj, "footnotes")]
        numbers = [n.number for n in footnotes]
        if len(set(numbers)) != len(numbers):
            raise self.error("two footnotes share a number")
        return footnotes

    def _path(self, value, key):
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.error(f"{key!r} must be a list of category paths (lists of names)")
        return value

    def _source(self, raw, where) -> ParsedSource:
        year = self.get(raw, "year", (int, type(None)), where=where)
        if year is not None and not 1000 <= year <= 2999:
            raise self.error(f"{where}the year {year} is not plausible")
        key = self.text(raw, "key", max_length=255, where=where)
        if not _SLUG.match(key):
            raise self.error(f"{where}the key {key[:40]!r} is not a slug")
        return ParsedSource(
            key=key,
            kind=self.choice(raw, "kind", SOURCE_KINDS, where=where),
            authors=self.names(raw, "authors", where=where),
            title=self.text(raw, "title", max_length=1000, where=where),
            container=self.text(raw, "container", max_length=500, where=where),
            publisher=self.text(raw, "publisher", max_length=500, where=where),
            place=self.text(raw, "place", max_length=200, where=where),
            year=year,
            url=self.url(raw, "url", where=where),
            **{name: self.text(raw, name, required=False, max_length=limit, where=where)
               for name, limit in SOURCE_DETAILS.items()},
            accessed=self._day(raw, "accessed", where),
            calendar=self.choice(raw, "calendar", set(languages.CALENDARS), required=False,
                                 default=languages.GREGORIAN, where=where),
        )

    def _day(self, raw, key, where):
        value = self.get(raw, key, (str, type(None)), required=False, where=where)
        try:
            return dt.date.fromisoformat(value) if value else None
        except ValueError:
            raise self.error(f"{where}{key!r} is not a date (YYYY-MM-DD): {value[:20]!r}") from None

    def _footnote(self, raw, sources) -> ParsedFootnote:
        number = self.get(raw, "number", int, where="footnote: ")
        if not 1 <= number <= 100_000:
            raise self.error(f"footnote number {number} is out of range")
        where = f"footnote {number}: "
        key = self.get(raw, "source", (str, type(None)), where=where)
        if key is not None and key not in sources:
            raise self.error(f"{where}cites the source {key[:40]!r}, which the line's 'sources' does not list")
        refers_to = self.get(raw, "refers_to", (int, type(None)), where=where)
        return ParsedFootnote(
            number=number,
            text=self.text(raw, "text", where=where),
            kind=self.choice(raw, "kind", FOOTNOTE_KINDS, where=where),
            prefix=self.text(raw, "prefix", required=False, max_length=300, where=where),
            source=sources[key] if key is not None else None,
            locator=self.text(raw, "locator", max_length=100, where=where),
            refers_to=refers_to,
            url=self.url(raw, "url", where=where),
            url_missing=self.get(raw, "url_missing", bool, where=where),
        )

    def _record(self, raw) -> RestoredRecord:
        where = "provenance: "
        imported_at = self.when(raw, "imported_at", where=where)
        if imported_at is None:
            raise self.error(f"{where}'imported_at' is empty")
        return RestoredRecord(
            file=self.text(raw, "file", max_length=500, where=where),
            format=self.text(raw, "format", max_length=30, where=where),
            sha256=self.text(raw, "sha256", max_length=64, where=where),
            imported_at=imported_at,
            importer_version=self.text(raw, "importer_version", required=False, max_length=20, where=where),
            outcome=self.choice(raw, "outcome", {"created", "updated"}, required=False, default="created",
                                where=where),
            warnings=self.names(raw, "warnings", required=False, where=where),
        )

    def _comments(self, rows) -> list[RestoredComment]:
        comments, ids = [], set()
        for raw in rows:
            identity = self.get(raw, "id", (int, str), where="comment: ")
            where = f"comment {str(identity)[:20]}: "
            if identity in ids:
                raise self.error(f"{where}the id appears twice")
            ids.add(identity)
            submitted = self.when(raw, "submitted", where=where)
            if submitted is None:
                raise self.error(f"{where}'submitted' is empty")
            comments.append(
                RestoredComment(
                    id=identity,
                    parent=self.get(raw, "parent", (int, str, type(None)), where=where),
                    name=self.text(raw, "name", max_length=100, where=where),
                    website=self.url(raw, "website", max_length=300, where=where),
                    submitted=submitted,
                    body=self.text(raw, "body", where=where),
                    status=self.choice(raw, "status", COMMENT_STATUSES, required=False, default="approved",
                                       where=where),
                    email=self.text(raw, "email", required=False, max_length=254, where=where),
                    kind=self.choice(raw, "kind", COMMENT_KINDS, required=False, default="comment", where=where),
                    import_id=self.text(raw, "import_id", required=False, max_length=50, where=where),
                    ip_hash=self.text(raw, "ip_hash", required=False, max_length=64, where=where),
                )
            )
        parents = {c.id: c.parent for c in comments}
        for comment in comments:
            where = f"comment {str(comment.id)[:20]}: "
            if comment.parent is not None and comment.parent not in ids:
                raise self.error(f"{where}its parent {str(comment.parent)[:20]} is not in the line")
            seen, step = {comment.id}, comment.parent
            while step is not None:
                if step in seen:
                    raise self.error(f"{where}its replies form a loop")
                seen.add(step)
                step = parents.get(step)
        return comments


def _as_tuple(kinds):
    return kinds if isinstance(kinds, tuple) else (kinds,)
