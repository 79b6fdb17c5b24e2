"""The header of a seed file: breadcrumb, title and published date, then optional Author/Tags/Summary lines.

Pure: the file's lines in, a ``Header`` out; a missing title or an unreadable date raises ``ImportFailed``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache

from persiantools.jdatetime import JalaliDate

from articles import languages

from ..base import ImportFailed

# The date line must sit among the first few non-blank lines (breadcrumb, title, date).
HEADER_SEARCH_LINES = 6

ACCEPTED_DATE_FORMS = (
    '"January 2, 2016", "Jan 2, 2016", "2 January 2016", "2016-01-02" or a Solar Hijri date such as '
    '"۱۲ جدی ۱۳۹۴" or "1394/10/12"'
)


def _label_pattern(labels) -> str:
    # Longest first, so "Published Date" is not read as "Published"; any run of spaces between words.
    ordered = sorted(set(labels), key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(word) for word in label.split()) for label in ordered)


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern, re.Pattern, dict[str, str]]:
    """The date line and the other header lines, for the labels of every enabled language."""
    kinds = {}
    for kind in ("author", "tag", "summary", "language"):
        for label in languages.words(f"{kind}_labels"):
            kinds[_label_key(label)] = kind
    date_re = re.compile(rf"(?:{_label_pattern(languages.words('date_labels'))})\s*[:：]\s*(?P<value>.*)$",
                         re.IGNORECASE)
    field_re = re.compile(rf"(?P<key>{_label_pattern(kinds)})\s*[:：]\s*(?P<value>.*)$", re.IGNORECASE)
    return date_re, field_re, kinds


def _label_key(label: str) -> str:
    return " ".join(languages.fold_letters(label).casefold().split())


def date_line_value(line: str) -> str | None:
    """The value of a published-date line ("Published Date: …", "تاریخ نشر: …"), else None."""
    match = _patterns()[0].match(languages.fold_letters(line))
    return line[match.start("value") :].strip() if match else None


def _header_field(line: str) -> tuple[str, str] | None:
    """(kind, value) of an Author(s)/Tags/Summary/Language line in any language, else None."""
    _, field_re, kinds = _patterns()
    match = field_re.match(languages.fold_letters(line))
    if match is None:
        return None
    return kinds[_label_key(match["key"])], line[match.start("value") :].strip()


_BREADCRUMB_SEPARATOR_RE = re.compile(r"\s*(?:»|>>)\s*|\s+>\s+")
_AUTHOR_SEPARATORS = re.compile(r"[;؛،]")
_TAG_SEPARATORS = re.compile(r"[,;،؛]")


@dataclass
class Header:
    title: str
    date: dt.date
    breadcrumb: list[str]
    body_start: int  # index of the first line after the header
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    summary: str = ""
    language: str = ""  # a code, from a "Language:" header; empty: detect it from the text


def parse_header(lines: list[str], name: str) -> Header:
    """Read the header off the top of ``lines``; ``body_start`` is where the body begins."""
    non_blank = [(index, line.strip()) for index, line in enumerate(lines) if line.strip()]
    top = non_blank[:HEADER_SEARCH_LINES]
    language, top = _language_above_date(top, name)
    date_pos = _date_line_position(top, name)
    breadcrumb, title = _breadcrumb_and_title([line for _, line in top[:date_pos]], name)

    date_index, date_line = top[date_pos]
    date = _parse_date(date_line_value(date_line).rstrip(".،"), name)
    header = Header(title=title, date=date, breadcrumb=breadcrumb, body_start=date_index + 1, language=language)
    _read_header_fields(lines, header, name)
    return header


def _language_above_date(top, name) -> tuple[str, list[tuple[int, str]]]:
    """A "Language:" line may also stand above the date (even first): read it and leave it out."""
    for pos, (_, line) in enumerate(top):
        if date_line_value(line) is not None:
            break
        found = _header_field(line)
        if found and found[0] == "language":
            return _language_code(found[1], name), top[:pos] + top[pos + 1 :]
    return "", top


def _date_line_position(top: list[tuple[int, str]], name: str) -> int:
    """Where the date line sits among the top non-blank lines; something (the title) must precede it."""
    date_pos = next((pos for pos, (_, line) in enumerate(top) if date_line_value(line) is not None), None)
    if date_pos is None:
        raise ImportFailed(
            f'{name}: no "Published Date:" line found in the first lines; add one like '
            '"Published Date: January 2, 2016" below the title.'
        )
    if date_pos == 0:
        raise ImportFailed(
            f"{name}: no title: the file starts with the date line; put the article's title on the line above it."
        )
    return date_pos


def _breadcrumb_and_title(header_lines: list[str], name: str) -> tuple[list[str], str]:
    """Split the lines above the date into the category path (if any) and the title."""
    if len(header_lines) == 1:
        if len(_split_breadcrumb(header_lines[0])) > 1:
            raise ImportFailed(
                f"{name}: no title: the line above the date is a category path ({header_lines[0]!r}); "
                "put the article's title between it and the date line."
            )
        return [], header_lines[0]
    # A title wrapped over several lines is joined; the first line is always the breadcrumb.
    return _split_breadcrumb(header_lines[0]), " ".join(header_lines[1:])


def _split_breadcrumb(line: str) -> list[str]:
    return [level.strip() for level in _BREADCRUMB_SEPARATOR_RE.split(line) if level.strip()]


def _read_header_fields(lines: list[str], header: Header, name: str) -> None:
    """Consume Author(s)/Tags/Summary/Language lines after the date; the first other line starts the body."""
    index = header.body_start
    current_key = None
    while index < len(lines):
        line = lines[index].strip()
        match = _header_field(line) if line else None
        if not line:
            current_key = None  # a blank line ends a (possibly wrapped) Summary paragraph
        elif match:
            current_key, value = match
            if current_key == "language":
                header.language = _language_code(value, name)
            else:
                _add_header_value(header, current_key, value)
        elif current_key == "summary":
            header.summary = f"{header.summary} {line}".strip()
        else:
            break
        index += 1
    header.body_start = index


def _add_header_value(header: Header, key: str, value: str) -> None:
    if key == "author":
        header.authors = _unique(header.authors + [part.strip() for part in _AUTHOR_SEPARATORS.split(value)])
    elif key == "tag":
        header.tags = _unique(header.tags + [part.strip() for part in _TAG_SEPARATORS.split(value)])
    else:
        header.summary = value


def _language_code(value: str, name: str) -> str:
    code = languages.code_named(value.rstrip("."))
    if code is None:
        known = ", ".join(f"{lang.code} ({lang.name})" for lang in languages.enabled())
        raise ImportFailed(
            f'{name}: the language "{value}" is not one the archive publishes in; write one of {known}, '
            "or leave the Language: line out to have it detected from the text."
        )
    return code


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

# Month names and abbreviations (English), lower-case; the notes use them too, to tell "March 2015" from prose.
MONTHS = {name: number for name, (_, number) in languages.ENGLISH.months.items()}
_MONTH = r"(?P<month>[^\W\d_]+)\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_DATE_FORMS = [
    re.compile(rf"{_MONTH}\s+{_DAY}\s*[,،]?\s*{_YEAR}", re.IGNORECASE),  # January 2, 2016
    re.compile(rf"{_DAY}\s+{_MONTH}\s*[,،]?\s*{_YEAR}", re.IGNORECASE),  # 2 January 2016, ۱۲ جدی ۱۳۹۴
    re.compile(r"(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})"),  # 2016-01-02, ۱۳۹۴/۱۰/۱۲
    re.compile(r"(?P<day>\d{1,2})[-/.](?P<month>\d{1,2})[-/.](?P<year>1[0-6]\d\d)"),  # ۱۲/۱۰/۱۳۹۴ (Solar only)
]
# Numeric dates before this year are Solar Hijri (the Solar Hijri year 1700 is 2321).
_SOLAR_YEARS_BELOW = 1700


# A weekday (or any word) before the date: "Saturday, January 2, 2016", "شنبه، ۱۲ جدی ۱۳۹۴".
_LEADING_WORD_RE = re.compile(r"[^\W\d_][\w\u200c]*\s*[,،]?\s*")


def _parse_date(value: str, name: str) -> dt.date:
    written = value
    value, calendar_hint = _strip_year_suffix(languages.fold_letters(languages.ascii_digits(value)))
    for _ in range(3):  # the date itself, then without one or two leading words
        match, calendar, month_number = _date_match(value, calendar_hint)
        if match:
            try:
                return _gregorian(calendar, int(match["year"]), month_number, int(match["day"]))
            except ValueError:
                raise ImportFailed(
                    f'{name}: the published date "{written}" is not a real date; correct it '
                    f"(accepted forms: {ACCEPTED_DATE_FORMS})."
                ) from None
        leading = _LEADING_WORD_RE.match(value)
        if not leading:
            break
        value = value[leading.end() :]
    raise ImportFailed(f'{name}: cannot read the published date "{written}"; write it as one of {ACCEPTED_DATE_FORMS}.')


_DATE_AND_SUFFIX_RE = re.compile(r"(?P<date>.*\d)(?P<suffix>[^\d]*)")


def _date_match(value: str, calendar_hint: str):
    """(match, calendar, month number) of the first date form ``value`` is written in, else Nones."""
    for form in _DATE_FORMS:
        match = form.fullmatch(value)
        if match:
            calendar, month_number = _month(match["month"], int(match["year"]), calendar_hint)
            if month_number is not None:
                return match, calendar, month_number
    return None, "", None


def _strip_year_suffix(value: str) -> tuple[str, str]:
    """"۱۲ جدی ۱۳۹۴ هـ.ش" -> ("۱۲ جدی ۱۳۹۴", solar_hijri); other values unchanged."""
    match = _DATE_AND_SUFFIX_RE.fullmatch(value)
    suffix = re.sub(r"[\s.]", "", match["suffix"]) if match else ""
    if not suffix:
        return value, ""
    table = {re.sub(r"[\s.]", "", key): calendar for key, calendar in languages.year_suffixes().items()}
    return (match["date"], table[suffix]) if suffix in table else (value, "")


def _month(month: str, year: int, calendar_hint: str) -> tuple[str, int | None]:
    """(calendar, month number) of a month name or number."""
    if month.isdigit():
        solar = calendar_hint == languages.SOLAR_HIJRI or (not calendar_hint and year < _SOLAR_YEARS_BELOW)
        return (languages.SOLAR_HIJRI if solar else languages.GREGORIAN), int(month)
    return languages.months().get(month.casefold(), ("", None))


def _gregorian(calendar: str, year: int, month: int, day: int) -> dt.date:
    """The Gregorian day of a date in ``calendar`` (persiantools converts Solar Hijri ones)."""
    if calendar == languages.SOLAR_HIJRI:
        if year >= _SOLAR_YEARS_BELOW:
            raise ValueError("a Solar Hijri month with a Gregorian year")
        return JalaliDate(year, month, day).to_gregorian()
    return dt.date(year, month, day)
