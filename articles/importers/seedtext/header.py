"""The header of a seed file: breadcrumb, title and published date, then optional Author/Tags/Summary lines.

Pure: the file's lines in, a ``Header`` out; a missing title or an unreadable date raises ``ImportFailed``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ..base import ImportFailed

# The date line must sit among the first few non-blank lines (breadcrumb, title, date).
HEADER_SEARCH_LINES = 6

ACCEPTED_DATE_FORMS = '"January 2, 2016", "Jan 2, 2016", "2 January 2016" or "2016-01-02"'

DATE_LINE_RE = re.compile(
    r"(?:published\s+date|date\s+published|published(?:\s+on)?|date)\s*:\s*(?P<value>.*)$",
    re.IGNORECASE,
)
_HEADER_FIELD_RE = re.compile(r"(?P<key>authors?|tags|summary)\s*:\s*(?P<value>.*)$", re.IGNORECASE)
_BREADCRUMB_SEPARATOR_RE = re.compile(r"\s*(?:»|>>)\s*|\s+>\s+")


@dataclass
class Header:
    title: str
    date: dt.date
    breadcrumb: list[str]
    body_start: int  # index of the first line after the header
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    summary: str = ""


def parse_header(lines: list[str], name: str) -> Header:
    """Read the header off the top of ``lines``; ``body_start`` is where the body begins."""
    non_blank = [(index, line.strip()) for index, line in enumerate(lines) if line.strip()]
    top = non_blank[:HEADER_SEARCH_LINES]
    date_pos = _date_line_position(top, name)
    breadcrumb, title = _breadcrumb_and_title([line for _, line in top[:date_pos]], name)

    date_index, date_line = top[date_pos]
    date = _parse_date(DATE_LINE_RE.match(date_line)["value"].strip().rstrip("."), name)
    header = Header(title=title, date=date, breadcrumb=breadcrumb, body_start=date_index + 1)
    _read_header_fields(lines, header)
    return header


def _date_line_position(top: list[tuple[int, str]], name: str) -> int:
    """Where the date line sits among the top non-blank lines; something (the title) must precede it."""
    date_pos = next((pos for pos, (_, line) in enumerate(top) if DATE_LINE_RE.match(line)), None)
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


def _read_header_fields(lines: list[str], header: Header) -> None:
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


def _add_header_value(header: Header, key: str, value: str) -> None:
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

# Month names and abbreviations, lower-case; the notes use them too, to tell "March 2015" from prose.
MONTHS = {
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
        month_number = int(month) if month.isdigit() else MONTHS.get(month.lower())
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
