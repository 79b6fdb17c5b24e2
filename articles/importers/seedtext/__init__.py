"""Parse step for the seed format: one article per plain-text file exported from the old site.

The layout, top to bottom::

    Afghanistan » Politics                 breadcrumb (optional)
    The title
    Published Date: January 2, 2016
    Author: A; B / Tags: x, y / Summary: ... / Language: fa   optional headers
                                           (or their Dari and Pashto labels: articles.languages)
    Paragraphs separated by blank lines, with [n] footnote markers.
    [1] Footnote text ...                  trailing footnotes
    Related Post : / Leave a Reply ...     page chrome of the old site, dropped

Pure: bytes in, ``ParsedArticle`` out, no database. Bad input raises ``ImportFailed`` with a
message that names the file, says what is wrong and what to do about it.

This module decodes the bytes and ties the parts together: ``header`` (breadcrumb to Summary),
``body`` (paragraphs, chrome, HTML, summary) and ``notes`` (the notes list and its sources).
"""

from __future__ import annotations

import datetime as dt
import os

from articles import languages

from ..base import (
    FootnoteKind,
    ImportFailed,
    ParsedArticle,
    ParsedAuthor,
    ParsedFootnote,
    ParsedSource,
)
from .body import (
    SUMMARY_MAX_CHARS,
    Block,
    BodyRenderer,
    cut_summary,
    first_paragraph_text,
    split_blocks,
    strip_tail_chrome,
)
from .header import ACCEPTED_DATE_FORMS, HEADER_SEARCH_LINES, date_line_value, parse_header
from .notes import SOURCE_KEY_MAX_CHARS, build_footnotes, classify_note, source_key, split_off_footnotes

# What the rest of the project (the WXR importer, the format registry, tests) uses from here.
__all__ = [
    "ACCEPTED_DATE_FORMS",
    "FORMAT_NAME",
    "HEADER_SEARCH_LINES",
    "SOURCE_KEY_MAX_CHARS",
    "SUMMARY_MAX_CHARS",
    "Block",
    "FootnoteKind",
    "ImportFailed",
    "ParsedArticle",
    "ParsedAuthor",
    "ParsedFootnote",
    "ParsedSource",
    "classify_note",
    "detect",
    "parse",
    "source_key",
]

FORMAT_NAME = "seedtext"


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
    if any(date_line_value(line.strip()) is not None for line in first_lines):
        return True
    return file_name.lower().endswith(".txt")


def parse(data: bytes, file_name: str) -> ParsedArticle:
    """Turn one seed-format file into a ``ParsedArticle``; raise ``ImportFailed`` on bad input."""
    name = os.path.basename(file_name)
    lines = _decode(data, name).split("\n")
    header = parse_header(lines, name)
    blocks = split_blocks(lines[header.body_start :])
    blocks = strip_tail_chrome(blocks)
    blocks, note_lines = split_off_footnotes(blocks)
    blocks = strip_tail_chrome(blocks)  # e.g. "The End" standing just before the footnotes

    warnings: list[str] = []
    footnotes = build_footnotes(note_lines, warnings)
    renderer = BodyRenderer({note.number for note in footnotes})
    body_html = renderer.render(blocks)
    warnings.extend(renderer.warnings)
    warnings.extend(
        f"note [{note.number}] is not referenced in the text"
        for note in footnotes
        if note.number not in renderer.referenced
    )

    summary = header.summary or first_paragraph_text(blocks, renderer.known_notes)
    summary, was_cut = cut_summary(summary)
    if was_cut and header.summary:
        warnings.append(f"the Summary: header was longer than {SUMMARY_MAX_CHARS} characters and was cut")

    language = header.language or languages.detect(" ".join([header.title, *(" ".join(b) for b in blocks)]))
    return ParsedArticle(
        identity=f"seed:{name}",
        language=language,
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
