"""An article pasted or typed in the seed format (the admin's text field).

A thin caller of the importer: the text is imported as a seed-format file of that text would be
(``import_stream``, the same parse and load steps as ``import_articles``), under a file name the
editor gives or one taken from the article's title. The name is the article's identity
(``seed:<name>``): pasting under the name of an imported file corrects that article.
"""

from __future__ import annotations

import hashlib
import io
import posixpath

from django.utils.text import slugify

from . import seedtext
from .base import ImportFailed, ImportResult, ParsedArticle
from .pipeline import import_stream

SUFFIX = ".txt"
NAME_MAX_CHARS = 200


def encoded(text: str) -> bytes:
    return text.encode("utf-8")


def pasted_name(text: str, name: str = "") -> str:
    """The file name the text is imported under: ``name`` (a ``.txt`` name, no folder), else the
    title's slug; ImportFailed (the parser's message) when the text is not an article."""
    name = posixpath.basename(name.strip().replace("\\", "/"))
    if name:
        return name if name.lower().endswith(SUFFIX) else name + SUFFIX
    title = seedtext.parse(encoded(text), "the text").title
    slug = slugify(title, allow_unicode=True)[: NAME_MAX_CHARS - len(SUFFIX)]
    return (slug or hashlib.sha256(encoded(title)).hexdigest()[:16]) + SUFFIX


def parse_pasted(text: str, name: str) -> ParsedArticle:
    """The parsed article, as the importer's parse step gives it for a file ``name`` of the text."""
    return seedtext.parse(encoded(text), name)


def import_pasted(text: str, name: str, *, dry_run: bool = False) -> ImportResult:
    """``import_stream`` of the text as the seed-format file ``name``; ``dry_run`` writes nothing."""
    return import_stream(io.BytesIO(encoded(text)), name, format_name=seedtext.FORMAT_NAME, dry_run=dry_run)


__all__ = ["ImportFailed", "import_pasted", "parse_pasted", "pasted_name"]
