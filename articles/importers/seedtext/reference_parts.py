"""The parts of a reference that give a work's volume, issue, pages, edition, ISBN or DOI, and the
words that say a work is a chapter, an interview or a statement (used by ``notes``).

Each ``take_*`` looks at one comma-separated part of a note, as ``notes._PART_FIELDS`` does: it
sets the field on the bibliography being read and says whether the part was its.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from articles.identifiers import normalize_doi, normalize_isbn, validate_doi, validate_isbn

_VOLUME_RE = re.compile(r"vol(?:ume)?\.?\s*(?P<volume>\d{1,4}|[ivxlc]{1,8})", re.IGNORECASE)
_ISSUE_RE = re.compile(r"(?:no|nr|iss|issue|number)\.?\s*(?P<issue>\d{1,4}(?:\s*[-–/]\s*\d{1,4})?)", re.IGNORECASE)
# "vol. 7 no. 3" and "vol. 7 (3)" in one part.
_VOLUME_ISSUE_RE = re.compile(
    rf"{_VOLUME_RE.pattern}\s*(?:,?\s*{_ISSUE_RE.pattern}|\((?P<paren_issue>\d{{1,4}})\))", re.IGNORECASE
)
# The span of a work: "pp. 12–15" (a single page, "p. 42", is where a note points, its locator).
_PAGE_RANGE_RE = re.compile(r"pp?\.\s*(?P<pages>\d{1,5}\s*[-–—]\s*\d{1,5})", re.IGNORECASE)
_ORDINAL_EDITIONS = {"first": "1", "second": "2", "third": "3", "fourth": "4", "fifth": "5", "sixth": "6",
                     "seventh": "7", "eighth": "8", "ninth": "9", "tenth": "10"}  # fmt: skip
_EDITION_RE = re.compile(
    rf"(?P<edition>\d{{1,2}}(?:st|nd|rd|th)|{'|'.join(_ORDINAL_EDITIONS)}|rev(?:ised)?\.?)\s+(?:ed(?:n|ition)?)\.?",
    re.IGNORECASE,
)
_ISBN_RE = re.compile(r"ISBN(?:-1[03])?\s*:?\s*(?P<isbn>[\dXx][\d\sXx-]{8,20})", re.IGNORECASE)
_DOI_RE = re.compile(r"(?:doi\s*:?\s*|https?://(?:dx\.)?doi\.org/)(?P<doi>10\.\d{4,9}/\S+)", re.IGNORECASE)
_IN_BOOK_RE = re.compile(r"[Ii]n:?\s+(?P<book>[A-Z\"“‘].*)")
_INTERVIEW_RE = re.compile(r"\binterview(?:ed)?\b", re.IGNORECASE)
_STATEMENT_RE = re.compile(r"\b(?:statement|press release|declaration|communiqu[eé])\b", re.IGNORECASE)


def take_volume_and_issue(part: str, words: set[str], bib) -> bool:
    if both := _VOLUME_ISSUE_RE.fullmatch(part):
        bib.volume, bib.issue = both["volume"], both["issue"] or both["paren_issue"]
        return True
    if volume := _VOLUME_RE.fullmatch(part):
        bib.volume = volume["volume"]
        return True
    if issue := _ISSUE_RE.fullmatch(part):
        bib.issue = issue["issue"].replace(" ", "")
        return True
    return False


def take_page_range(part: str, words: set[str], bib) -> bool:
    """A page range is the span of an article or chapter; in a book reference it is the pages the
    note points to, its locator (``settle`` decides once every part is read)."""
    if pages := _PAGE_RANGE_RE.fullmatch(part):
        bib.pages, bib.pages_text = re.sub(r"\s*[-–—]\s*", "–", pages["pages"]), part
        return True
    return False


def take_edition(part: str, words: set[str], bib) -> bool:
    if edition := _EDITION_RE.fullmatch(part):
        word = edition["edition"].casefold().rstrip(".")
        bib.edition = _ORDINAL_EDITIONS.get(word) or ("revised" if word.startswith("rev") else word[:-2])
        return True
    return False


def take_isbn(part: str, words: set[str], bib) -> bool:
    if (found := _ISBN_RE.fullmatch(part)) and _valid(validate_isbn, found["isbn"]):
        bib.isbn = normalize_isbn(found["isbn"])
        return True
    return False


def take_doi(part: str, words: set[str], bib) -> bool:
    if (found := _DOI_RE.fullmatch(part)) and _valid(validate_doi, found["doi"]):
        bib.doi = normalize_doi(found["doi"])
        return True
    return False


def take_book(part: str, words: set[str], bib) -> bool:
    """“Chapter”, in Book: the book is the chapter's container (only after a quoted title, as
    chapters are cited; "in London" after a book's title is not a book)."""
    if bib.title_quoted and not bib.container and (book := _IN_BOOK_RE.fullmatch(part)):
        bib.container, bib.in_book = book["book"].strip("\"“”‘’ "), True
        return True
    return False


# Tried before the other fields of ``notes._PART_FIELDS``: each is unmistakable.
DETAIL_FIELDS = (take_volume_and_issue, take_page_range, take_edition, take_isbn, take_doi, take_book)


def settle(bib, url: str) -> None:
    """What is known only once every part is read: a page range belongs to the work when it is part
    of another (an article, a chapter), else to the note; a doi.org link gives the DOI."""
    if bib.pages and not bib.container:
        bib.locator, bib.pages = bib.locator or bib.pages_text, ""
    if not bib.doi and (found := _DOI_RE.fullmatch(url or "")) and _valid(validate_doi, found["doi"]):
        bib.doi = normalize_doi(found["doi"])


def kind_named_in(text: str, bib) -> str:
    """The kind a note's own words give (an interview, a statement, a chapter), else ''."""
    if _INTERVIEW_RE.search(text):
        return "interview"
    if _STATEMENT_RE.search(text):
        return "statement"
    if getattr(bib, "in_book", False):
        return "chapter"
    return ""


def _valid(validate, value: str) -> bool:
    try:
        validate(value)
    except ValidationError:  # a number that only looks like one is left in the text
        return False
    return True
