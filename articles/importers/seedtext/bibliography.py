"""Bibliographic notes: "Author, Title, Place: Publisher, Year, p. 42" (or with the Persian comma
"،", Perso-Arabic names and a Solar Hijri year) read as a ``ParsedSource`` and a locator, and the
key every citation of one work shares. The words it looks for come from ``articles.languages``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from articles import languages

from ..base import ParsedSource
from .header import MONTHS
from .reference_parts import DETAIL_FIELDS, kind_named_in, settle

SOURCE_KEY_MAX_CHARS = 200

# --------------------------------------------------------------------------------------------
# Bibliographic parsing: "Author, Title, Publisher/Place, Year."
# --------------------------------------------------------------------------------------------

# Well-known one-word book publishers, which would otherwise pass for a place.
_ONE_WORD_PUBLISHERS = {
    "routledge", "penguin", "hurst", "verso", "macmillan", "palgrave", "springer", "wiley", "brill",
    "sage", "zed", "knopf", "viking", "norton", "bloomsbury", "polity", "praeger", "westview",
    "ashgate", "rand", "vintage", "harpercollins", "hachette",
}  # fmt: skip


@lru_cache(maxsize=1)
def _vocabulary():
    """Publisher, organisation, container and report words, the locator pattern and the year
    suffixes of every enabled language (``articles.languages``)."""
    folded = languages.fold_letters
    words = {name: {folded(w.casefold()) for w in languages.words(name)}
             for name in ("publisher_words", "organisation_words", "container_words")}  # fmt: skip
    reports = sorted(languages.words("report_words"), key=len, reverse=True)
    words["report_re"] = re.compile(rf"\b(?:{'|'.join(map(re.escape, reports))})\b", re.IGNORECASE)
    labels = sorted(languages.words("locator_words"), key=len, reverse=True)
    words["locator_re"] = re.compile(
        rf"(?:{'|'.join(map(re.escape, labels))})\s*[\divxlc][\divxlc\s\-–,،]*", re.IGNORECASE
    )
    words["year_suffixes"] = {re.sub(r"[\s.]", "", k): v for k, v in languages.year_suffixes().items()}
    return words


_YEAR_PART_RE = re.compile(
    r"\(?(?:(?:\d{1,2}(?:st|nd|rd|th)?\s+)?[A-Za-z]+\.?\s+(?:\d{1,2}(?:st|nd|rd|th)?\s+)?)?"
    r"(?P<year>1[5-9]\d\d|20\d\d)\)?"
)
# A year written with Persian digits, a Perso-Arabic month or a calendar's mark ("۱۳۸۲ ش"), read
# once its digits are ASCII: (day) (month) year (suffix).
_OTHER_YEAR_PART_RE = re.compile(
    r"\(?(?:\d{1,2}\s+)?(?P<month>[^\W\d_]+\s+)?(?P<year>1[2-9]\d\d|20\d\d)\s*(?P<suffix>[^\d()]*?)\)?"
)
# Without a mark, a year before this one in a Perso-Arabic note is Solar Hijri (1500 SH is 2121).
_SOLAR_YEARS_BELOW = 1500
_PLACE_AND_PUBLISHER_RE = re.compile(r"(?P<place>[^\W\d_][\w .\u200c]{1,30}):\s*(?P<publisher>\S.*)")
_WORD_RE = re.compile(r"[\w\u200c]+")  # a word; the non-joiner keeps "هفته‌نامه" one word
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
    calendar: str = languages.GREGORIAN
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


def parse_bibliographic(text: str, url: str) -> tuple[ParsedSource, str] | None:
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
    if not url and not bib.publisher and bib.extras and _capital(bib.extras[0][:1]):
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
        calendar=bib.calendar,
        **{name: getattr(bib, name) for name in ("volume", "issue", "pages", "edition", "doi", "isbn")},
    )
    source.key = source_key(source, surname=bib.surname)
    return source, bib.locator


_PART_SIGNS = re.compile(r'[,،"“”‘’()\[\]]')


def _split_parts(text: str) -> list[str]:
    """Split on commas (Latin or Persian), but not inside double quotes, a quoted ‘title’ or parentheses.

    Only commas, quotes and brackets change anything, so only they are visited (a regex jumps
    from one to the next); the part under way is the text since the last split.
    """
    parts, start = [], 0
    nesting = _Nesting()
    for sign in _PART_SIGNS.finditer(text):
        index, char = sign.start(), sign.group()
        nesting.see(char, text, start, index)
        if char in ",،" and nesting.is_open():
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


def _capital(char: str) -> bool:
    """An upper-case letter, or a letter of a script without case (Perso-Arabic names)."""
    return char.isalpha() and not char.islower()


def _is_capitalised_name(text: str, min_words: int, max_words: int) -> bool:
    words = text.split()
    capitalised = [w for w in words if w.casefold() not in _NAME_PARTICLES]
    if not (min_words <= len(capitalised) <= max_words) or not _capital(words[0][:1]):
        return False
    vocabulary = _vocabulary()
    folded = {languages.fold_letters(w.casefold().strip(".")) for w in words}
    if vocabulary["publisher_words"] & folded:
        return False
    if not text.isascii() and (vocabulary["container_words"] & folded or vocabulary["report_re"].search(text)):
        return False  # "گزارش سالانه" (annual report) is a title, not a name; Latin names may be "Post"
    return all(_capital(w[:1]) and re.fullmatch(r"[\w.'’\-]+", w) for w in capitalised)


def _take_authors(parts: list[str], bib: _Bibliography) -> list[str]:
    """Read the authors off the front; return the parts that remain."""
    if len(parts) < 3:
        return parts  # "X, Y" alone: X is as likely a title as a name
    first, second = parts[0], parts[1]
    if _is_capitalised_name(first, 1, 2) and _is_capitalised_name(second.split(" and ")[0], 1, 2):
        # "Surname, Given[ and Given Surname]"
        given, *others = re.split(r"\s+(?:and|&|و)\s+", second)
        bib.authors = [f"{first}, {given}"] + others
        bib.surname = first
        return parts[2:]
    if _ACRONYM_RE.fullmatch(first):  # a corporate author such as "AREU"
        bib.authors, bib.surname = [first], first
        return parts[1:]
    names = re.split(r"\s+(?:and|&|و)\s+", first)
    if all(_is_capitalised_name(name, 2, 4) for name in names):
        bib.authors = names
        bib.surname = names[0].split()[-1]
        return parts[1:]
    return parts


def _classify_part(part: str, bib: _Bibliography) -> None:
    """Give a part after the title to the first field it fits (the order matters), else to extras."""
    words = {languages.fold_letters(w.casefold()) for w in _WORD_RE.findall(part)}
    if not any(take(part, words, bib) for take in _PART_FIELDS):
        bib.extras.append(part)


def _take_year(part: str, words: set[str], bib: _Bibliography) -> bool:
    if (year := _YEAR_PART_RE.fullmatch(part)) and _is_date_like(part):
        bib.year = int(year["year"])
        return True
    return False


def _take_other_year(part: str, words: set[str], bib: _Bibliography) -> bool:
    """A year in Persian digits, after a Perso-Arabic month or with a calendar's mark: kept as
    written, with its calendar (the mark's, the month's, else Solar Hijri before 1500)."""
    if part.isascii():
        return False
    match = _OTHER_YEAR_PART_RE.fullmatch(languages.ascii_digits(languages.fold_letters(part)))
    if match is None:
        return False
    suffix = re.sub(r"[\s.]", "", match["suffix"])
    month = languages.months().get((match["month"] or "").strip().casefold())
    if (suffix and suffix not in _vocabulary()["year_suffixes"]) or (match["month"] and month is None):
        return False
    year = int(match["year"])
    if suffix:
        bib.calendar = _vocabulary()["year_suffixes"][suffix]
    elif month:
        bib.calendar = month[0]
    else:
        bib.calendar = languages.SOLAR_HIJRI if year < _SOLAR_YEARS_BELOW else languages.GREGORIAN
    bib.year = year
    return True


def _take_locator(part: str, words: set[str], bib: _Bibliography) -> bool:
    if _vocabulary()["locator_re"].fullmatch(part):
        bib.locator = part
        return True
    return False


def _take_place_and_publisher(part: str, words: set[str], bib: _Bibliography) -> bool:
    """A "London: Hurst" part gives both at once."""
    both = _PLACE_AND_PUBLISHER_RE.fullmatch(part)
    if both and _capital(both["place"][0]) and len(both["place"].split()) <= 2:
        bib.place = bib.place or both["place"].strip()
        bib.publisher = bib.publisher or both["publisher"].strip()
        return True
    return False


def _take_publisher(part: str, words: set[str], bib: _Bibliography) -> bool:
    if words & _vocabulary()["publisher_words"] or (len(words) == 1 and words & _ONE_WORD_PUBLISHERS):
        bib.publisher = bib.publisher or part
        return True
    return False


def _take_container(part: str, words: set[str], bib: _Bibliography) -> bool:
    if words & _vocabulary()["container_words"]:
        bib.container = bib.container or part
        return True
    return False


def _take_place(part: str, words: set[str], bib: _Bibliography) -> bool:
    if not bib.place and _is_capitalised_name(part, 1, 2):
        bib.place = part
        return True
    return False


def _take_quoted_title_container(part: str, words: set[str], bib: _Bibliography) -> bool:
    if bib.title_quoted and not bib.container and _capital(part[:1]):
        bib.container = part  # “Article”, Where It Appeared
        return True
    return False


# Tried in this order: a part goes to the first that takes it.
_PART_FIELDS = (
    *DETAIL_FIELDS,
    _take_year,
    _take_other_year,
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
    publisher_words = {languages.fold_letters(w.casefold()) for w in _WORD_RE.findall(bib.publisher)}
    if publisher_words & _vocabulary()["organisation_words"] or _vocabulary()["report_re"].search(text):
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
_NOT_SLUG = re.compile(r"[\W_]+")  # on ASCII text: what is not a-z or 0-9


def _slug(text: str) -> str:
    """Lower-case words joined by '-': accents, quote styles and spacing do not matter. Latin
    letters become ASCII (as they always have); letters of other scripts are kept, with Arabic
    letter forms, Persian digits and the non-joiner folded as search folds them."""
    text = _APOSTROPHES.sub("", text)  # "Karzai’s" and "Karzai's" both become "karzais"
    kept = unicodedata.normalize("NFKD", languages.fold_for_search(text))
    if not kept.isascii():  # ASCII is kept whole: only other text is looked at a character at a time
        kept = "".join(_slug_char(char) for char in kept)
    return _NOT_SLUG.sub("-", kept.lower()).strip("-")


def _slug_char(char: str) -> str:
    """ASCII kept; a letter or digit of a non-Latin script kept; anything else dropped (as the
    ASCII encoding always dropped accents and curly punctuation)."""
    if char.isascii() or (char.isalnum() and not unicodedata.name(char, "").startswith("LATIN")):
        return char
    return ""


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
