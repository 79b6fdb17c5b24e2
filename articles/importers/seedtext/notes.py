"""The notes list at the end of a seed file: where it starts, and what each ``[n]`` note is (a
citation of a work, Ibid, a cross-reference, a link, a lost link or a plain note) with its source.

``classify_note`` and ``source_key`` are shared with the WXR importer and the tests.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from ..base import FootnoteKind, ParsedFootnote, ParsedSource
from .body import Block
from .header import MONTHS
from .reference_parts import DETAIL_FIELDS, kind_named_in, settle

SOURCE_KEY_MAX_CHARS = 200

# --------------------------------------------------------------------------------------------
# Footnotes: locating them
# --------------------------------------------------------------------------------------------

_NOTE_LINE_RE = re.compile(r"\[(?P<number>\d{1,3})\][.:)]?\s*(?P<text>.*)$")


def split_off_footnotes(blocks: list[Block]) -> tuple[list[Block], list[tuple[int, str]]]:
    """Separate the trailing ``[n] ...`` paragraphs from the body; return (body, [(n, text)])."""
    start = len(blocks)
    while start > 0 and _NOTE_LINE_RE.match(blocks[start - 1][0]):
        start -= 1
    notes: list[tuple[int, str]] = []
    for block in blocks[start:]:
        for line in block:
            match = _NOTE_LINE_RE.match(line)
            if match:
                notes.append((int(match["number"]), match["text"].strip()))
            else:  # a wrapped note: the line continues the note above
                number, text = notes[-1]
                notes[-1] = (number, f"{text} {line}")
    return blocks[:start], notes


def build_footnotes(note_lines: list[tuple[int, str]], warnings: list[str]) -> list[ParsedFootnote]:
    footnotes: list[ParsedFootnote] = []
    for number, text in note_lines:
        if any(note.number == number for note in footnotes):
            warnings.append(f"note [{number}] appears more than once; the first one was kept")
            continue
        footnotes.append(classify_note(number, text, footnotes, warnings))
    numbers = {note.number for note in footnotes}
    for note in footnotes:
        if note.kind == FootnoteKind.CROSS_REFERENCE and note.refers_to not in numbers:
            warnings.append(f"note [{note.number}] refers to note [{note.refers_to}], which does not exist")
    return footnotes


# --------------------------------------------------------------------------------------------
# Footnotes: classifying one note
# --------------------------------------------------------------------------------------------

_IBID_RE = re.compile(r"ibid(?:em)?\b\.?\s*[,;:]?\s*(?P<locator>.*)$", re.IGNORECASE)
_ORDINALS = [
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
    "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
    "eighteenth", "nineteenth", "twentieth",
]  # fmt: skip
_CROSS_REFERENCE_RE = re.compile(
    r"see\s+(?:the\s+)?(?:"
    rf"(?P<ordinal>{'|'.join(_ORDINALS)}|\d{{1,3}}(?:st|nd|rd|th))\s+(?:foot)?note"
    r"|(?:foot)?note\s+(?:no\.?\s*)?\[?(?P<number>\d{1,3})\]?"
    r"|n\.\s*(?P<n_number>\d{1,3})"
    r")\s*\.?",
    re.IGNORECASE,
)
_URL_RE = re.compile(r"https?://[^\s<>\"“”‘’]+", re.IGNORECASE)
# Words that make a short colon-terminated opening clause a lead-in rather than part of a title.
_LEAD_IN_WORDS = {
    "see", "read", "cf", "quoted", "cited", "available", "information", "details", "info",
    "online", "further", "source", "sources", "reference", "references",
}  # fmt: skip
_LEAD_IN_MAX_WORDS = 8
# Lead-ins that come without a colon.
_BARE_LEAD_IN_RE = re.compile(r"(?P<prefix>cf\.|see also|see)\s+(?=\S)", re.IGNORECASE)
# What is left around a removed URL: "Available at:", "(accessed 3 May 2015)" and the like.
_URL_LEFTOVER_RE = re.compile(
    r"[\s.,;:]*(?:(?:available\s+(?:online\s+)?at|online\s+at|online|url|link|retrieved\s+from|at)\s*:?)?"
    r"[\s.,;:]*(?:\(?(?:last\s+)?accessed[^)]*\)?)?[\s.,;:]*$",
    re.IGNORECASE,
)


def classify_note(number: int, text: str, earlier: list[ParsedFootnote], warnings) -> ParsedFootnote:
    """One note's kind, lead-in, source, locator and link; shared with the WXR importer."""
    note = ParsedFootnote(number=number, text=text)
    if not text:
        warnings.append(f"note [{number}] is empty")
        return note
    if ibid := _IBID_RE.match(text):
        return _ibid_note(note, ibid, earlier, warnings)
    if cross := _CROSS_REFERENCE_RE.fullmatch(text):
        note.kind, note.refers_to = FootnoteKind.CROSS_REFERENCE, _cross_reference_number(cross)
        return note
    url_match = _URL_RE.search(text)
    if url_match is None and text.rstrip().endswith(":"):
        note.kind, note.url_missing = FootnoteKind.LINK, True  # the link was lost in the export
        return note
    return _citation_or_link(note, text, url_match)


def _ibid_note(note: ParsedFootnote, ibid: re.Match, earlier: list[ParsedFootnote], warnings) -> ParsedFootnote:
    """An Ibid note: the work of the nearest earlier note that names one, at the locator given."""
    source = next((n.source for n in reversed(earlier) if n.source), None)
    if source is None and not earlier:
        warnings.append(f"note [{note.number}] says Ibid but no earlier note names a source")
        return note
    note.kind, note.source = FootnoteKind.IBID, source
    if source is None:
        # The work above was not recognised as a citation: point at the note itself.
        note.refers_to = earlier[-1].number
    note.locator = _tidy_locator(ibid["locator"])
    return note


def _citation_or_link(note: ParsedFootnote, text: str, url_match: re.Match | None) -> ParsedFootnote:
    """A reference to a work (with or without a link), else a bare link, else a plain note."""
    prefix, rest = _split_lead_in(text)
    url = _clean_url(url_match.group()) if url_match else ""
    if url:
        rest = rest.replace(url, " ", 1).strip()
        rest = _URL_LEFTOVER_RE.sub("", rest).strip()
    parsed = _parse_bibliographic(rest, url)
    if parsed is not None:
        note.kind, note.prefix, note.source, note.locator = FootnoteKind.CITATION, prefix, parsed[0], parsed[1]
    elif url:
        note.kind, note.prefix, note.url = FootnoteKind.LINK, prefix, url
    return note


def _clean_url(url: str) -> str:
    """Drop sentence punctuation and a closing bracket that belongs to the text around the URL."""
    url = url.rstrip(".,;:")
    while url.endswith(")") and url.count(")") > url.count("("):
        url = url[:-1].rstrip(".,;:")
    return url


def _tidy_locator(locator: str) -> str:
    locator = locator.strip()
    if locator.endswith(".") and len(locator) > 1 and locator[-2].isdigit():
        locator = locator[:-1]  # "p. 42." ends a sentence; "p." itself must keep its period
    return locator


def _cross_reference_number(match: re.Match) -> int:
    if match["ordinal"]:
        word = match["ordinal"].lower()
        return _ORDINALS.index(word) + 1 if word in _ORDINALS else int(word[:-2])
    return int(match["number"] or match["n_number"])


def _split_lead_in(text: str) -> tuple[str, str]:
    """Split "For further information read: Rest" into ("For further information read:", "Rest").

    Only a short clause free of commas, digits and sentence breaks counts, so the colon inside a
    title ("Afghanistan: in the five year...") or after a whole citation stays where it is.
    """
    head, colon, tail = text.partition(":")
    words = re.findall(r"\w+", head.casefold())
    if (
        colon
        and tail.strip()
        and 0 < len(words) <= _LEAD_IN_MAX_WORDS
        and _LEAD_IN_WORDS & set(words)
        and not re.search(r"[,\d]|\.\s", head)
    ):
        return head.strip() + ":", tail.strip()
    if bare := _BARE_LEAD_IN_RE.match(text):
        return bare["prefix"], text[bare.end() :].strip()
    return "", text.strip()


# --------------------------------------------------------------------------------------------
# Bibliographic parsing: "Author, Title, Publisher/Place, Year."
# --------------------------------------------------------------------------------------------

_PUBLISHER_WORDS = {
    "press", "publishers", "publisher", "publishing", "publications", "university", "institute",
    "network", "centre", "center", "foundation", "books", "group", "council", "ministry",
    "agency", "office", "analysts", "unit", "organization", "organisation", "commission",
    "programme", "program", "bank", "trust", "society", "association", "company", "ltd", "inc",
}  # fmt: skip
# Publishers that issue reports rather than books.
_ORGANISATION_WORDS = {
    "institute", "network", "centre", "center", "foundation", "group", "council", "ministry",
    "agency", "office", "analysts", "unit", "organization", "organisation", "commission",
    "programme", "program", "bank", "trust", "association",
}  # fmt: skip
# Well-known one-word book publishers, which would otherwise pass for a place.
_ONE_WORD_PUBLISHERS = {
    "routledge", "penguin", "hurst", "verso", "macmillan", "palgrave", "springer", "wiley", "brill",
    "sage", "zed", "knopf", "viking", "norton", "bloomsbury", "polity", "praeger", "westview",
    "ashgate", "rand", "vintage", "harpercollins", "hachette",
}  # fmt: skip
_CONTAINER_WORDS = {
    "journal", "review", "magazine", "newspaper", "quarterly", "bulletin", "gazette", "times",
    "post", "news", "daily", "weekly", "monthly", "herald", "tribune", "affairs", "studies",
}  # fmt: skip
_REPORT_RE = re.compile(r"\b(?:report|working paper|briefing paper|policy brief|discussion paper)\b", re.IGNORECASE)
_YEAR_PART_RE = re.compile(
    r"\(?(?:(?:\d{1,2}(?:st|nd|rd|th)?\s+)?[A-Za-z]+\.?\s+(?:\d{1,2}(?:st|nd|rd|th)?\s+)?)?"
    r"(?P<year>1[5-9]\d\d|20\d\d)\)?"
)
_LOCATOR_PART_RE = re.compile(r"(?:pp?\.|pages?)\s*[\divxlc][\divxlc\s\-–,]*", re.IGNORECASE)
_PLACE_AND_PUBLISHER_RE = re.compile(r"(?P<place>[A-Z][\w .]{1,30}):\s*(?P<publisher>\S.*)")
_ACRONYM_RE = re.compile(r"[A-Z]{2,10}")
_NAME_PARTICLES = {"al", "el", "bin", "ibn", "van", "von", "de", "der", "den", "du", "la", "ul", "e"}
_QUOTES = "\"'“”‘’«»„"


@dataclass
class _Bibliography:
    authors: list[str] = field(default_factory=list)
    surname: str = ""
    title: str = ""
    title_quoted: bool = False
    container: str = ""
    publisher: str = ""
    place: str = ""
    year: int | None = None
    locator: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    pages_text: str = ""  # the range as written ("pp. 12-15"): the locator, if the work is a book
    edition: str = ""
    isbn: str = ""
    doi: str = ""
    in_book: bool = False  # "in Book": the title is a chapter of the container
    extras: list[str] = field(default_factory=list)  # parts that fit nowhere


def _parse_bibliographic(text: str, url: str) -> tuple[ParsedSource, str] | None:
    """Return (source, locator) when ``text`` reads as a reference to a work, else None."""
    parts = _split_parts(text.strip().rstrip("."))
    if not parts:
        return None
    bib = _Bibliography()
    parts = _take_authors(parts, bib)
    if not parts:
        return None
    bib.title, bib.title_quoted = _unquote(parts[0])
    for part in parts[1:]:
        _classify_part(part, bib)
    if not url and not bib.publisher and bib.extras and bib.extras[0][:1].isupper():
        bib.publisher = bib.extras.pop(0)  # an unknown name in a book reference is its publisher
    settle(bib, url)
    signals = [bool(bib.authors), bib.year is not None, bool(bib.publisher), bool(bib.place),
               bool(bib.container), bool(url), bool(bib.isbn or bib.doi)]  # fmt: skip
    if not bib.title or sum(signals) < 2:
        return None
    source = ParsedSource(
        key="",
        kind=_source_kind(bib, text, url),
        authors=bib.authors,
        title=bib.title,
        container=bib.container,
        publisher=bib.publisher,
        place=bib.place,
        year=bib.year,
        url=url,
        **{name: getattr(bib, name) for name in ("volume", "issue", "pages", "edition", "doi", "isbn")},
    )
    source.key = source_key(source, surname=bib.surname)
    return source, bib.locator


_PART_SIGNS = re.compile(r'[,"“”‘’()\[\]]')


def _split_parts(text: str) -> list[str]:
    """Split on commas, but not inside double quotes, a quoted ‘title’ or parentheses.

    Only commas, quotes and brackets change anything, so only they are visited (a regex jumps
    from one to the next); the part under way is the text since the last split.
    """
    parts, start = [], 0
    nesting = _Nesting()
    for sign in _PART_SIGNS.finditer(text):
        index, char = sign.start(), sign.group()
        nesting.see(char, text, start, index)
        if char == "," and nesting.is_open():
            parts.append(text[start:index].strip())
            start = index + 1
    parts.append(text[start:].strip())
    return [part for part in parts if part]


@dataclass
class _Nesting:
    """Whether ``_split_parts`` is inside quotes or brackets, where a comma does not split."""

    in_double: bool = False
    in_single: bool = False
    depth: int = 0

    def is_open(self) -> bool:
        return not (self.in_double or self.in_single or self.depth)

    def see(self, char: str, text: str, start: int, index: int) -> None:
        """Update for the quote or bracket ``char`` at ``index``; the part under way began at ``start``."""
        if char in "([":
            self.depth += 1
        elif char in ")]":
            self.depth = max(0, self.depth - 1)
        else:
            self._see_quote(char, text, start, index)

    def _see_quote(self, char: str, text: str, start: int, index: int) -> None:
        if char in '"“”' and not self.in_single:
            self.in_double = not self.in_double if char == '"' else char == "“"
        elif char == "‘" and not text[start:index].strip() and not self.in_double:
            self.in_single = True  # only a part that opens with ‘ is a quoted title (’ is also an apostrophe)
        elif char == "’" and self.in_single and not text[index + 1 : index + 2].isalpha():
            self.in_single = False


def _unquote(part: str) -> tuple[str, bool]:
    if len(part) > 1 and part[0] in _QUOTES and part[-1] in _QUOTES:
        return part[1:-1].strip(), True
    return part, False


def _is_capitalised_name(text: str, min_words: int, max_words: int) -> bool:
    words = text.split()
    capitalised = [w for w in words if w.casefold() not in _NAME_PARTICLES]
    if not (min_words <= len(capitalised) <= max_words) or not words[0][:1].isupper():
        return False
    if _PUBLISHER_WORDS & {w.casefold().strip(".") for w in words}:
        return False
    return all(w[:1].isupper() and re.fullmatch(r"[\w.'’\-]+", w) and not w[:1].isdigit() for w in capitalised)


def _take_authors(parts: list[str], bib: _Bibliography) -> list[str]:
    """Read the authors off the front; return the parts that remain."""
    if len(parts) < 3:
        return parts  # "X, Y" alone: X is as likely a title as a name
    first, second = parts[0], parts[1]
    if _is_capitalised_name(first, 1, 2) and _is_capitalised_name(second.split(" and ")[0], 1, 2):
        # "Surname, Given[ and Given Surname]"
        given, *others = re.split(r"\s+(?:and|&)\s+", second)
        bib.authors = [f"{first}, {given}"] + others
        bib.surname = first
        return parts[2:]
    if _ACRONYM_RE.fullmatch(first):  # a corporate author such as "AREU"
        bib.authors, bib.surname = [first], first
        return parts[1:]
    names = re.split(r"\s+(?:and|&)\s+", first)
    if all(_is_capitalised_name(name, 2, 4) for name in names):
        bib.authors = names
        bib.surname = names[0].split()[-1]
        return parts[1:]
    return parts


def _classify_part(part: str, bib: _Bibliography) -> None:
    """Give a part after the title to the first field it fits (the order matters), else to extras."""
    words = {w.casefold() for w in re.findall(r"\w+", part)}
    if not any(take(part, words, bib) for take in _PART_FIELDS):
        bib.extras.append(part)


def _take_year(part: str, words: set[str], bib: _Bibliography) -> bool:
    if (year := _YEAR_PART_RE.fullmatch(part)) and _is_date_like(part):
        bib.year = int(year["year"])
        return True
    return False


def _take_locator(part: str, words: set[str], bib: _Bibliography) -> bool:
    if _LOCATOR_PART_RE.fullmatch(part):
        bib.locator = part
        return True
    return False


def _take_place_and_publisher(part: str, words: set[str], bib: _Bibliography) -> bool:
    """A "London: Hurst" part gives both at once."""
    if (both := _PLACE_AND_PUBLISHER_RE.fullmatch(part)) and len(both["place"].split()) <= 2:
        bib.place = bib.place or both["place"].strip()
        bib.publisher = bib.publisher or both["publisher"].strip()
        return True
    return False


def _take_publisher(part: str, words: set[str], bib: _Bibliography) -> bool:
    if words & _PUBLISHER_WORDS or (len(words) == 1 and words & _ONE_WORD_PUBLISHERS):
        bib.publisher = bib.publisher or part
        return True
    return False


def _take_container(part: str, words: set[str], bib: _Bibliography) -> bool:
    if words & _CONTAINER_WORDS:
        bib.container = bib.container or part
        return True
    return False


def _take_place(part: str, words: set[str], bib: _Bibliography) -> bool:
    if not bib.place and _is_capitalised_name(part, 1, 2):
        bib.place = part
        return True
    return False


def _take_quoted_title_container(part: str, words: set[str], bib: _Bibliography) -> bool:
    if bib.title_quoted and not bib.container and part[:1].isupper():
        bib.container = part  # “Article”, Where It Appeared
        return True
    return False


# Tried in this order: a part goes to the first that takes it.
_PART_FIELDS = (
    *DETAIL_FIELDS,
    _take_year,
    _take_locator,
    _take_place_and_publisher,
    _take_publisher,
    _take_container,
    _take_place,
    _take_quoted_title_container,
)


def _is_date_like(part: str) -> bool:
    """The words around a year must be a month ("March 2015"), not prose ("in 2015")."""
    words = re.findall(r"[A-Za-z]+", part)
    return all(w.lower() in MONTHS or w.lower() in ("st", "nd", "rd", "th") for w in words)


def _source_kind(bib: _Bibliography, text: str, url: str) -> str:
    if named := kind_named_in(text, bib):
        return named
    if bib.container:
        return "article"
    publisher_words = {w.casefold() for w in re.findall(r"\w+", bib.publisher)}
    if publisher_words & _ORGANISATION_WORDS or _REPORT_RE.search(text):
        return "report"
    if bib.place or bib.publisher:
        return "book"
    if url:
        return "web"
    return "other"


# --------------------------------------------------------------------------------------------
# Source keys
# --------------------------------------------------------------------------------------------


_APOSTROPHES = re.compile(r"['’‘ʼ`]")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def _slug(text: str) -> str:
    """Lower-case ASCII words joined by '-': accents, quote styles and spacing do not matter."""
    text = _APOSTROPHES.sub("", text)  # "Karzai’s" and "Karzai's" both become "karzais"
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")


def _surname(author: str) -> str:
    return author.split(",")[0] if "," in author else (author.split() or [""])[-1]


def source_key(source: ParsedSource, surname: str = "") -> str:
    """Key shared by every citation of the same work, however it was typed."""
    surname = surname or (_surname(source.authors[0]) if source.authors else "")
    title_words = " ".join(source.title.split()[:12])
    pieces = [_slug(surname), _slug(title_words), str(source.year) if source.year else ""]
    key = "-".join(piece for piece in pieces if piece)
    if not key and source.url:
        normalised_url = source.url.strip().lower().rstrip("/")
        key = "url-" + hashlib.sha1(normalised_url.encode("utf-8")).hexdigest()[:12]
    return key[:SOURCE_KEY_MAX_CHARS].rstrip("-")
