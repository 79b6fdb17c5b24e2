"""Parse step for the seed format: one article per plain-text file exported from the old site.

The layout, top to bottom::

    Afghanistan » Politics                 breadcrumb (optional)
    The title
    Published Date: January 2, 2016
    Author: A; B / Tags: x, y / Summary: ...   optional headers
    Paragraphs separated by blank lines, with [n] footnote markers.
    [1] Footnote text ...                  trailing footnotes
    Related Post : / Leave a Reply ...     page chrome of the old site, dropped

Pure: bytes in, ``ParsedArticle`` out, no database. Bad input raises ``ImportFailed`` with a
message that names the file, says what is wrong and what to do about it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import os
import re
import unicodedata
from dataclasses import dataclass, field

from .base import (
    FootnoteKind,
    ImportFailed,
    ParsedArticle,
    ParsedAuthor,
    ParsedFootnote,
    ParsedSource,
)

FORMAT_NAME = "seedtext"

# The date line must sit among the first few non-blank lines (breadcrumb, title, date).
HEADER_SEARCH_LINES = 6
SUMMARY_MAX_CHARS = 300
SOURCE_KEY_MAX_CHARS = 200

ACCEPTED_DATE_FORMS = '"January 2, 2016", "Jan 2, 2016", "2 January 2016" or "2016-01-02"'


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def detect(data: bytes, file_name: str) -> bool:
    """True for a seed-format text file: a date line near the top, or a ``.txt`` name.

    A ``.txt`` file is claimed even when it is broken (binary, no date line) so that ``parse``
    can say precisely what is wrong instead of the caller reporting "unknown format".
    """
    head = data[:8192]
    if head.lstrip().startswith((b"<?xml", b"<rss", b"<")):
        return False
    text = _normalise_newlines(head.decode("utf-8", errors="replace").lstrip("\ufeff"))
    first_lines = [line for line in text.split("\n") if line.strip()][:HEADER_SEARCH_LINES]
    if any(_DATE_LINE_RE.match(line.strip()) for line in first_lines):
        return True
    return file_name.lower().endswith(".txt")


def parse(data: bytes, file_name: str) -> ParsedArticle:
    """Turn one seed-format file into a ``ParsedArticle``; raise ``ImportFailed`` on bad input."""
    name = os.path.basename(file_name)
    lines = _decode(data, name).split("\n")
    header = _parse_header(lines, name)
    blocks = _split_blocks(lines[header.body_start :])
    blocks = _strip_tail_chrome(blocks)
    blocks, note_lines = _split_off_footnotes(blocks)
    blocks = _strip_tail_chrome(blocks)  # e.g. "The End" standing just before the footnotes

    warnings: list[str] = []
    footnotes = _build_footnotes(note_lines, warnings)
    renderer = _BodyRenderer({note.number for note in footnotes})
    body_html = renderer.render(blocks)
    warnings.extend(renderer.warnings)
    warnings.extend(
        f"note [{note.number}] is not referenced in the text"
        for note in footnotes
        if note.number not in renderer.referenced
    )

    summary = header.summary or _first_paragraph_text(blocks, renderer.known_notes)
    summary, was_cut = _cut_summary(summary)
    if was_cut and header.summary:
        warnings.append(f"the Summary: header was longer than {SUMMARY_MAX_CHARS} characters and was cut")

    return ParsedArticle(
        identity=f"seed:{name}",
        title=header.title,
        published_at=dt.datetime.combine(header.date, dt.time(0, 0), tzinfo=dt.UTC),
        body_html=body_html,
        status="published",
        summary=summary,
        category_paths=[header.breadcrumb] if header.breadcrumb else [],
        authors=[ParsedAuthor(name=author) for author in header.authors],
        tags=header.tags,
        footnotes=footnotes,
        warnings=warnings,
    )


# --------------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------------

# C0 controls other than tab, LF, VT, FF and CR: a text export has (almost) none of them.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13))


def _decode(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")  # the BOM says so; its NUL bytes are not binary noise
        except UnicodeDecodeError as exc:
            raise ImportFailed(
                f"{name}: the file starts like UTF-16 text but byte {exc.start} is not UTF-16; "
                "export the article again as plain text (UTF-8) and import that file."
            ) from None
    else:
        if _looks_binary(data):
            raise ImportFailed(
                f"{name}: the file is binary, not a text export; export the article as plain text "
                "(UTF-8) and import that file."
            )
        text = _decode_text_bytes(data)
    text = _normalise_newlines(text.lstrip("\ufeff"))
    if not text.strip():
        raise ImportFailed(f"{name}: the file is empty; export the article again and import the new file.")
    return text


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))  # how many are control bytes
    return controls > max(2, len(sample) // 100)


def _decode_text_bytes(data: bytes) -> str:
    try:
        return data.decode("utf-8")  # a BOM, if any, is stripped by the caller
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")  # the usual encoding of text saved on Windows
    except UnicodeDecodeError:
        return data.decode("latin-1")  # the five bytes cp1252 leaves undefined


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --------------------------------------------------------------------------------------------
# Header: breadcrumb, title, date, optional Author/Tags/Summary lines
# --------------------------------------------------------------------------------------------

_DATE_LINE_RE = re.compile(
    r"(?:published\s+date|date\s+published|published(?:\s+on)?|date)\s*:\s*(?P<value>.*)$",
    re.IGNORECASE,
)
_HEADER_FIELD_RE = re.compile(r"(?P<key>authors?|tags|summary)\s*:\s*(?P<value>.*)$", re.IGNORECASE)
_BREADCRUMB_SEPARATOR_RE = re.compile(r"\s*(?:»|>>)\s*|\s+>\s+")


@dataclass
class _Header:
    title: str
    date: dt.date
    breadcrumb: list[str]
    body_start: int  # index of the first line after the header
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    summary: str = ""


def _parse_header(lines: list[str], name: str) -> _Header:
    non_blank = [(index, line.strip()) for index, line in enumerate(lines) if line.strip()]
    top = non_blank[:HEADER_SEARCH_LINES]
    date_pos = next((pos for pos, (_, line) in enumerate(top) if _DATE_LINE_RE.match(line)), None)
    if date_pos is None:
        raise ImportFailed(
            f'{name}: no "Published Date:" line found in the first lines; add one like '
            '"Published Date: January 2, 2016" below the title.'
        )
    if date_pos == 0:
        raise ImportFailed(
            f"{name}: no title: the file starts with the date line; put the article's title on the line above it."
        )
    header_lines = [line for _, line in top[:date_pos]]
    if len(header_lines) == 1 and len(_split_breadcrumb(header_lines[0])) > 1:
        raise ImportFailed(
            f"{name}: no title: the line above the date is a category path ({header_lines[0]!r}); "
            "put the article's title between it and the date line."
        )
    if len(header_lines) == 1:
        breadcrumb, title = [], header_lines[0]
    else:
        # A title wrapped over several lines is joined; the first line is always the breadcrumb.
        breadcrumb = _split_breadcrumb(header_lines[0])
        title = " ".join(header_lines[1:])

    date_index, date_line = top[date_pos]
    date = _parse_date(_DATE_LINE_RE.match(date_line)["value"].strip().rstrip("."), name)
    header = _Header(title=title, date=date, breadcrumb=breadcrumb, body_start=date_index + 1)
    _read_header_fields(lines, header)
    return header


def _split_breadcrumb(line: str) -> list[str]:
    return [level.strip() for level in _BREADCRUMB_SEPARATOR_RE.split(line) if level.strip()]


def _read_header_fields(lines: list[str], header: _Header) -> None:
    """Consume Author(s)/Tags/Summary lines after the date; the first other line starts the body."""
    index = header.body_start
    current_key = None
    while index < len(lines):
        line = lines[index].strip()
        match = _HEADER_FIELD_RE.match(line)
        if not line:
            current_key = None  # a blank line ends a (possibly wrapped) Summary paragraph
        elif match:
            current_key = match["key"].lower()
            _add_header_value(header, current_key, match["value"].strip())
        elif current_key == "summary":
            header.summary = f"{header.summary} {line}".strip()
        else:
            break
        index += 1
    header.body_start = index


def _add_header_value(header: _Header, key: str, value: str) -> None:
    if key.startswith("author"):
        header.authors = _unique(header.authors + [part.strip() for part in value.split(";")])
    elif key == "tags":
        header.tags = _unique(header.tags + [part.strip() for part in value.split(",")])
    else:
        header.summary = value


def _unique(values: list[str]) -> list[str]:
    """Drop empty and repeated (case-insensitively) values, keeping the first spelling."""
    seen: list[str] = []
    for value in values:
        if value and value.casefold() not in (s.casefold() for s in seen):
            seen.append(value)
    return seen


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH = r"(?P<month>[A-Za-z]+)\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_DATE_FORMS = [
    re.compile(rf"{_MONTH}\s+{_DAY}\s*,?\s*{_YEAR}", re.IGNORECASE),  # January 2, 2016
    re.compile(rf"{_DAY}\s+{_MONTH}\s*,?\s*{_YEAR}", re.IGNORECASE),  # 2 January 2016
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"),  # 2016-01-02
]


def _parse_date(value: str, name: str) -> dt.date:
    for form in _DATE_FORMS:
        match = form.fullmatch(value)
        if not match:
            continue
        month = match["month"]
        month_number = int(month) if month.isdigit() else _MONTHS.get(month.lower())
        if month_number is None:
            continue
        try:
            return dt.date(int(match["year"]), month_number, int(match["day"]))
        except ValueError:
            raise ImportFailed(
                f'{name}: the published date "{value}" is not a real date; correct it '
                f"(accepted forms: {ACCEPTED_DATE_FORMS})."
            ) from None
    raise ImportFailed(f'{name}: cannot read the published date "{value}"; write it as one of {ACCEPTED_DATE_FORMS}.')


# --------------------------------------------------------------------------------------------
# Blocks (paragraphs) and the old site's page chrome
# --------------------------------------------------------------------------------------------

Block = list[str]  # the stripped lines of one blank-line separated paragraph

# Whole paragraphs the old site's page template added after the article.
_CHROME_RE = re.compile(
    r"the end|leave a reply(?: cancel reply)?|comments are closed|"
    r"you must be logged in to post a comment|"
    r"your email address will not be published(?: required fields are marked)?",
)
_RELATED_POSTS_RE = re.compile(r"related posts?")
# Related-post titles are single short lines; anything longer is real text.
_RELATED_TITLE_MAX_CHARS = 200


def _split_blocks(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    current: Block = []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _chrome_key(text: str) -> str:
    """Lower-case words only, so "Related Post :" and "related posts" compare equal."""
    return " ".join(re.findall(r"\w+", text.casefold()))


def _strip_tail_chrome(blocks: list[Block]) -> list[Block]:
    blocks = _cut_related_posts(blocks)
    while blocks and _CHROME_RE.fullmatch(_chrome_key(" ".join(blocks[-1]))):
        blocks = blocks[:-1]
    return blocks


def _cut_related_posts(blocks: list[Block]) -> list[Block]:
    """Drop a "Related Post(s)" paragraph and the post titles after it, if nothing real follows."""
    for index in range(len(blocks) - 1, -1, -1):
        block = blocks[index]
        # (The words of a whole paragraph are only listed when it could be the heading.)
        if "related" in block[0].casefold() and _RELATED_POSTS_RE.fullmatch(_chrome_key(block[0])):
            following = [line for b in blocks[index + 1 :] for line in b] + block[1:]
            if all(len(line) <= _RELATED_TITLE_MAX_CHARS for line in following):
                return blocks[:index]
            return blocks
    return blocks


# --------------------------------------------------------------------------------------------
# Footnotes: locating them
# --------------------------------------------------------------------------------------------

_NOTE_LINE_RE = re.compile(r"\[(?P<number>\d{1,3})\][.:)]?\s*(?P<text>.*)$")


def _split_off_footnotes(blocks: list[Block]) -> tuple[list[Block], list[tuple[int, str]]]:
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


def _build_footnotes(note_lines: list[tuple[int, str]], warnings: list[str]) -> list[ParsedFootnote]:
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
        source = next((n.source for n in reversed(earlier) if n.source), None)
        if source is None and not earlier:
            warnings.append(f"note [{number}] says Ibid but no earlier note names a source")
            return note
        note.kind, note.source = FootnoteKind.IBID, source
        if source is None:
            # The work above was not recognised as a citation: point at the note itself.
            note.refers_to = earlier[-1].number
        note.locator = _tidy_locator(ibid["locator"])
        return note
    if cross := _CROSS_REFERENCE_RE.fullmatch(text):
        note.kind, note.refers_to = FootnoteKind.CROSS_REFERENCE, _cross_reference_number(cross)
        return note
    url_match = _URL_RE.search(text)
    if url_match is None and text.rstrip().endswith(":"):
        note.kind, note.url_missing = FootnoteKind.LINK, True  # the link was lost in the export
        return note

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
    signals = [bool(bib.authors), bib.year is not None, bool(bib.publisher), bool(bib.place),
               bool(bib.container), bool(url)]  # fmt: skip
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
    in_double = in_single = False
    depth = 0
    for sign in _PART_SIGNS.finditer(text):
        index, char = sign.start(), sign.group()
        if char in '"“”' and not in_single:
            in_double = not in_double if char == '"' else char == "“"
        elif char == "‘" and not text[start:index].strip() and not in_double:
            in_single = True  # only a part that opens with ‘ is a quoted title (’ is also an apostrophe)
        elif char == "’" and in_single and not text[index + 1 : index + 2].isalpha():
            in_single = False
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        if char == "," and not (in_double or in_single or depth):
            parts.append(text[start:index].strip())
            start = index + 1
    parts.append(text[start:].strip())
    return [part for part in parts if part]


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
    words = {w.casefold() for w in re.findall(r"\w+", part)}
    if (year := _YEAR_PART_RE.fullmatch(part)) and _is_date_like(part):
        bib.year = int(year["year"])
    elif _LOCATOR_PART_RE.fullmatch(part):
        bib.locator = part
    elif (both := _PLACE_AND_PUBLISHER_RE.fullmatch(part)) and len(both["place"].split()) <= 2:
        bib.place = bib.place or both["place"].strip()
        bib.publisher = bib.publisher or both["publisher"].strip()
    elif words & _PUBLISHER_WORDS or (len(words) == 1 and words & _ONE_WORD_PUBLISHERS):
        bib.publisher = bib.publisher or part
    elif words & _CONTAINER_WORDS:
        bib.container = bib.container or part
    elif not bib.place and _is_capitalised_name(part, 1, 2):
        bib.place = part
    elif bib.title_quoted and not bib.container and part[:1].isupper():
        bib.container = part  # “Article”, Where It Appeared
    else:
        bib.extras.append(part)


def _is_date_like(part: str) -> bool:
    """The words around a year must be a month ("March 2015"), not prose ("in 2015")."""
    words = re.findall(r"[A-Za-z]+", part)
    return all(w.lower() in _MONTHS or w.lower() in ("st", "nd", "rd", "th") for w in words)


def _source_kind(bib: _Bibliography, text: str, url: str) -> str:
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


# --------------------------------------------------------------------------------------------
# Body HTML
# --------------------------------------------------------------------------------------------

_MARKER_RE = re.compile(r"\[(\d{1,3})\]")
_BULLET_RE = re.compile(r"[-*•]\s+(?P<text>.*)")
_NUMBERED_RE = re.compile(r"\d{1,3}[.)]\s+(?P<text>.*)")
_HEADING_MAX_CHARS = 120
_HEADING_MAX_WORDS = 16
_CLOSING_PUNCTUATION = ".,;:!?…"
_CLOSING_QUOTES_AND_BRACKETS = "”’\"')]»"


def _is_heading(block: Block) -> bool:
    if len(block) != 1:
        return False
    text = _MARKER_RE.sub("", block[0]).strip()  # "Background[1]" is still a heading
    if not text or len(text) > _HEADING_MAX_CHARS or len(text.split()) > _HEADING_MAX_WORDS:
        return False
    if not text[0].isalnum():
        return False
    # ")" alone is not punctuation: "Relations: (2001-2014)" is a heading; "He said “no.”" is not.
    return not text.rstrip(_CLOSING_QUOTES_AND_BRACKETS).endswith(tuple(_CLOSING_PUNCTUATION))


def _list_items(block: Block, item_re: re.Pattern) -> list[str] | None:
    matches = [item_re.fullmatch(line) for line in block]
    return [m["text"] for m in matches] if all(matches) else None


class _BodyRenderer:
    """Renders blocks to HTML, linking ``[n]`` markers to notes that exist and noting the rest."""

    def __init__(self, known_notes: set[int]):
        self.known_notes = known_notes
        self.referenced: dict[int, int] = {}  # note number -> how many markers point to it
        self.dangling: list[int] = []
        self.warnings: list[str] = []

    def render(self, blocks: list[Block]) -> str:
        html_blocks: list[str] = []
        previous_list = None  # (tag, items) of the list being built, so "- a\n\n- b" is one list
        for block in blocks:
            tag, items = self._list_of(block)
            if tag and previous_list and previous_list[0] == tag:
                previous_list[1].extend(items)
                continue
            if previous_list:
                html_blocks.append(self._render_list(*previous_list))
                previous_list = None
            if tag:
                previous_list = (tag, items)
            elif _is_heading(block):
                html_blocks.append(f"<h2>{self.inline(block[0])}</h2>")
            else:
                html_blocks.append(f"<p>{self.inline(' '.join(block))}</p>")
        if previous_list:
            html_blocks.append(self._render_list(*previous_list))
        self.warnings.extend(f"marker [{n}] in the text has no note" for n in self.dangling)
        return "\n".join(html_blocks)

    @staticmethod
    def _list_of(block: Block) -> tuple[str | None, list[str]]:
        for tag, item_re in (("ul", _BULLET_RE), ("ol", _NUMBERED_RE)):
            items = _list_items(block, item_re)
            if items is not None:
                return tag, items
        return None, []

    def _render_list(self, tag: str, items: list[str]) -> str:
        return f"<{tag}>" + "".join(f"<li>{self.inline(item)}</li>" for item in items) + f"</{tag}>"

    def inline(self, text: str) -> str:
        out, position = [], 0
        for match in _MARKER_RE.finditer(text):
            out.append(html.escape(text[position : match.start()], quote=False))
            out.append(self._marker(int(match[1]), match.group()))
            position = match.end()
        out.append(html.escape(text[position:], quote=False))
        return "".join(out)

    def _marker(self, number: int, literal: str) -> str:
        if number not in self.known_notes:
            if number not in self.dangling:
                self.dangling.append(number)
            return html.escape(literal, quote=False)
        count = self.referenced.get(number, 0) + 1
        self.referenced[number] = count
        ref_id = f"fnref-{number}" if count == 1 else f"fnref-{number}-{count}"
        return (
            f'<sup class="footnote-ref" id="{ref_id}">'
            f'<a href="#fn-{number}" aria-describedby="footnotes-label">{number}</a></sup>'
        )


# --------------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------------


def _first_paragraph_text(blocks: list[Block], known_notes: set[int]) -> str:
    for block in blocks:
        if not _is_heading(block) and _BodyRenderer._list_of(block)[0] is None:
            text = " ".join(block)
            return _MARKER_RE.sub(lambda m: "" if int(m[1]) in known_notes else m.group(), text)
    return ""


def _cut_summary(text: str) -> tuple[str, bool]:
    """Cut at a word boundary so the result, "…" included, is at most SUMMARY_MAX_CHARS long."""
    text = " ".join(text.split())
    if len(text) <= SUMMARY_MAX_CHARS:
        return text, False
    cut = text[: SUMMARY_MAX_CHARS - 1]
    if text[SUMMARY_MAX_CHARS - 1] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–—") + "…", True
