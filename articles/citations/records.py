"""Articles and sources as CSL-JSON items: the one description BibTeX, RIS, the rendered styles
and the page's meta tags are all written from.

Entry types (why): an article is a ``report`` in CSL and ``RPRT`` in RIS, because Zotero imports
both as its Report type, which keeps what a research centre's paper has (the institution that
published it, the place, the abstract, the URL and access date); its web-page type drops the
publisher. BibTeX has no report type Zotero maps that way, so there the article is ``@online``
(Zotero's Web Page), the type that keeps the URL and the access date (``urldate``).

Uses only what ``Article.objects.for_page()`` loads (authors, tags, footnotes and their sources,
the primary category): no query of its own.
"""

from __future__ import annotations

import datetime as dt
import html

from django.conf import settings
from django.utils import timezone
from django.utils.html import strip_tags

ARTICLE_TYPE = "report"
# Source.kind -> CSL type (the CSL 1.0.2 type list).
SOURCE_TYPES = {
    "book": "book",
    "article": "article-journal",
    "chapter": "chapter",
    "report": "report",
    "web": "webpage",
    "interview": "interview",
    "statement": "document",
    "other": "document",
}
# Kinds CSL has no type for: named in ``genre`` (styles print it, RIS and BibTeX carry it as the type of work).
SOURCE_GENRES = {"statement": "Statement"}


def person(name: str) -> dict:
    """CSL name parts of a personal name: "Family, Given" as written, else the last word is the family name.

    Names of every script split the same way (by words), e.g. "Waheed Muzhdah" and "وحید مژده".
    """
    name = " ".join(name.split())
    if "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
    else:
        given, _, family = name.rpartition(" ")
    return {"family": family, "given": given} if given else {"family": family}


def organisation(name: str) -> dict:
    return {"literal": name}


def date_parts(value: dt.date | dt.datetime | None = None, *, year: int | None = None) -> dict | None:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)  # the day the site's readers saw
    if value is not None:
        return {"date-parts": [[value.year, value.month, value.day]]}
    return {"date-parts": [[year]]} if year else None


def article_item(article, *, url: str, accessed: dt.date | None = None) -> dict:
    """The article as a CSL-JSON item; ``url`` its permalink, ``accessed`` the day it is read."""
    authors = article.ordered_authors()
    item = {
        "id": article.slug,
        "type": ARTICLE_TYPE,
        "title": article.title,
        # No byline: the archive itself is the author, as an organisation (never "Anonymous").
        "author": [_author_name(a) for a in authors] or [organisation(settings.SITE_NAME)],
        "publisher": settings.SITE_NAME,
        "URL": url,
        "language": article.language or settings.LANGUAGE_CODE,
        "issued": date_parts(article.published_at),
        "accessed": date_parts(accessed),
        "abstract": " ".join(html.unescape(strip_tags(article.summary)).split()),
        "keyword": ", ".join(sorted(tag.name for tag in article.tags.all())),
        # Where the article is filed: Zotero's "Loc. in Archive".
        "archive_location": article.primary_category.full_name if article.primary_category_id else "",
    }
    return _without_empty(item)


def _author_name(author) -> dict:
    name = person(author.name)
    # Not a CSL variable: citeproc never sees it (``styles``), the JSON file keeps it for other tools.
    if author.orcid:
        name["ORCID"] = f"https://orcid.org/{author.orcid}"
    return name


def source_item(source) -> dict:
    """A cited work as a CSL-JSON item (its authors are "Family, Given" or one name each)."""
    kind = SOURCE_TYPES.get(source.kind, "document")
    item = {
        "id": source.key,
        "type": kind,
        "genre": SOURCE_GENRES.get(source.kind, ""),
        "title": source.title or source.short_label(),
        "author": [person(name) if _is_personal(name) else organisation(name) for name in source.authors or []],
        "container-title": source.container,
        "publisher": source.publisher,
        "publisher-place": source.place,
        "issued": date_parts(year=source.year),
        "URL": source.url,
        "accessed": date_parts(source.accessed),
        "volume": source.volume,
        "issue": source.issue,
        "page": source.pages,
        "edition": source.edition,
        "DOI": source.doi,
        "ISBN": source.isbn,
    }
    return _without_empty(item)


def article_sources(article) -> list:
    """The Sources the article's notes cite, each once, in the order first cited."""
    sources, seen = [], set()
    for note in article.footnotes.all():
        if note.source_id and note.source_id not in seen:
            seen.add(note.source_id)
            sources.append(note.source)
    return sources


def keywords(item: dict) -> list[str]:
    """The item's keywords (CSL keeps them in one comma-separated string)."""
    return [word.strip() for word in item.get("keyword", "").split(",") if word.strip()]


def _is_personal(name: str) -> bool:
    # "Ruttig, Thomas" or "Thomas Ruttig"; a one-word or all-capitals name ("AREU") is an organisation.
    return "," in name or (len(name.split()) > 1 and not name.isupper())


def _without_empty(item: dict) -> dict:
    return {key: value for key, value in item.items() if value not in ("", None, [])}
