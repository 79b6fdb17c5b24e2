"""Import formats as small policy objects: how to recognise a file and how to parse it.

Adding a format means adding one class here and listing it in ``FORMATS``; the command, the admin
upload page and the pipeline pick it up from there.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from articles.media.importing import attach_media

from . import jsonl, seedtext, wxr
from .base import ParsedArticle
from .loader import load_article, prime
from .restore import restore_article


@dataclass
class Parsed:
    """What a format's parse step yields for one file: articles, plus what it counted on the way."""

    articles: Iterable[ParsedArticle]
    warnings: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)

    def before_load(self, cache):
        """Called inside the file's transaction before the first article is loaded: a format
        whose file declares shared data (a category tree, tags, authors) writes it here once,
        into ``cache`` (an ``articles.importers.loader.FileCache``)."""

    def finish(self):
        """Called after ``articles`` is exhausted, for formats that count while streaming."""

    def after_load(self):
        """Called inside the file's transaction once its articles are loaded: a format whose file
        declares data about articles after them (WordPress attachments) links it here."""


class ImportFormat:
    name = ""
    label = ""
    extensions: tuple[str, ...] = ()
    # Whether the admin's upload page offers it. A backup restore replaces articles, comments and
    # provenance wholesale, so it stays an operator's command (`import_articles --format jsonl`).
    uploadable = True
    # Whether its articles load through the shared loader (``load``), whose new articles the
    # pipeline may create a batch at a time (``articles.importers.batch``).
    loads_in_batches = True
    # Whether ``parse`` reads the whole file into its articles and the file declares nothing shared
    # (no ``before_load``): then ``import_paths`` may load the articles of many small files together.
    parses_whole = False
    # Whether a file is restored a batch at a time, each batch its own transaction
    # (``articles.importers.restore_file``), instead of loaded in one transaction.
    commits_in_batches = False

    def detect(self, head: bytes, file_name: str) -> bool:
        raise NotImplementedError

    def parse(self, stream, file_name: str, **options) -> Parsed:
        raise NotImplementedError

    def load(self, parsed: ParsedArticle, *, file_name: str, sha256: str):
        """Write one parsed article; most formats share the loader's create-or-update step."""
        return load_article(parsed, file_name=file_name, fmt=self.name, sha256=sha256)


class SeedTextFormat(ImportFormat):
    name = "seedtext"
    label = "Plain-text export (seed format)"
    extensions = (".txt",)
    parses_whole = True  # one article a file

    def detect(self, head, file_name):
        return seedtext.detect(head, file_name)

    def parse(self, stream, file_name, **options):
        return Parsed(articles=[seedtext.parse(stream.read(), file_name)])


class WxrFormat(ImportFormat):
    name = "wxr"
    label = "WordPress export (WXR)"
    extensions = (".xml", ".wxr")

    def detect(self, head, file_name):
        return wxr.detect(head, file_name)

    def parse(self, stream, file_name, include_pages=False, **options):
        result = wxr.parse(stream, file_name, include_pages=include_pages)
        parsed = _StreamingParsed(articles=result.articles)
        parsed.source = result
        return parsed


class JsonlFormat(ImportFormat):
    """A backup written by ``export_articles``: restoring it brings every article back as it was."""

    name = "jsonl"
    label = "Archive export / backup (JSON Lines)"
    extensions = (".jsonl",)
    uploadable = False
    loads_in_batches = False  # a restore replaces rows of its own (``load``)
    commits_in_batches = True

    def detect(self, head, file_name):
        return jsonl.detect(head, file_name)

    def parse(self, stream, file_name, **options):
        return Parsed(articles=jsonl.parse(stream.read(), file_name))

    def load(self, parsed, *, file_name, sha256):
        return restore_article(parsed, file_name=file_name)


class _StreamingParsed(Parsed):
    source = None

    def before_load(self, cache):
        # The export's whole category tree (empty categories too), its tags and its authors.
        prime(cache, category_paths=self.source.categories, tags=self.source.tags, authors=self.source.authors)

    def finish(self):
        self.warnings.extend(self.source.warnings)
        self.skipped.update(self.source.skipped)

    def after_load(self):
        attach_media(self.source.attachments)


FORMATS: dict[str, ImportFormat] = {f.name: f for f in (SeedTextFormat(), WxrFormat(), JsonlFormat())}


def detect_format(head: bytes, file_name: str) -> ImportFormat | None:
    for fmt in FORMATS.values():
        if fmt.detect(head, file_name):
            return fmt
    return None


def iter_articles(parsed: Parsed) -> Iterator[ParsedArticle]:
    yield from parsed.articles
    parsed.finish()
