"""The notes list at the end of a seed file: where it starts, and what each ``[n]`` note is (a
citation of a work, Ibid, a cross-reference, a link, a lost link or a plain note) with its source.

``classify_note`` and ``source_key`` are shared with the WXR importer and the tests.
"""

from __future__ import annotations

import re
from functools import lru_cache

from articles import languages

from ..base import FootnoteKind, ParsedFootnote
from .bibliography import SOURCE_KEY_MAX_CHARS, parse_bibliographic, source_key
from .body import Block

__all__ = ["SOURCE_KEY_MAX_CHARS", "build_footnotes", "classify_note", "source_key", "split_off_footnotes"]

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

_ORDINALS = languages.ENGLISH.ordinals
_CROSS_REFERENCE_RE = re.compile(
    r"see\s+(?:the\s+)?(?:"
    rf"(?P<ordinal>{'|'.join(_ORDINALS)}|\d{{1,3}}(?:st|nd|rd|th))\s+(?:foot)?note"
    r"|(?:foot)?note\s+(?:no\.?\s*)?\[?(?P<number>\d{1,3})\]?"
    r"|n\.\s*(?P<n_number>\d{1,3})"
    r")\s*\.?",
    re.IGNORECASE,
)
_URL_RE = re.compile(r"https?://[^\s<>\"“”‘’]+", re.IGNORECASE)
_LEAD_IN_MAX_WORDS = 8
# Lead-ins that come without a colon.
_BARE_LEAD_IN_RE = re.compile(r"(?P<prefix>cf\.|see also|see)\s+(?=\S)", re.IGNORECASE)
# What is left around a removed URL: "Available at:", "(accessed 3 May 2015)" and the like.
_URL_LEFTOVER_RE = re.compile(
    r"[\s.,;:]*(?:(?:available\s+(?:online\s+)?at|online\s+at|online|url|link|retrieved\s+from|at)\s*:?)?"
    r"[\s.,;:]*(?:\(?(?:last\s+)?accessed[^)]*\)?)?[\s.,;:]*$",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def _language_patterns() -> tuple[re.Pattern, list[re.Pattern], frozenset[str], re.Pattern]:
    """Ibid, the other languages' cross-references, lead-in words and page locators, from
    ``articles.languages`` (every enabled language: a note does not say which it is in)."""
    ibid_words = sorted(languages.words("ibid_words"), key=len, reverse=True)
    ibid = re.compile(
        rf"(?P<word>{'|'.join(map(re.escape, ibid_words))})\b\.?\s*[,;:،؛]?\s*(?P<locator>.*)$", re.IGNORECASE
    )
    cross = [re.compile(pattern + r"\s*\.?") for pattern in languages.words("cross_references")]
    lead_in = frozenset(languages.fold_letters(w) for w in languages.words("lead_in_words"))
    labels = sorted(languages.words("locator_words"), key=len, reverse=True)
    locator = re.compile(rf"(?:{'|'.join(map(re.escape, labels))})?\s*\d", re.IGNORECASE)
    return ibid, cross, lead_in, locator


def classify_note(number: int, text: str, earlier: list[ParsedFootnote], warnings) -> ParsedFootnote:
    """One note's kind, lead-in, source, locator and link; shared with the WXR importer."""
    note = ParsedFootnote(number=number, text=text)
    if not text:
        warnings.append(f"note [{number}] is empty")
        return note
    if ibid := _ibid_match(languages.fold_letters(text)):
        return _ibid_note(note, ibid, earlier, warnings)
    if (refers_to := _cross_reference(text)) is not None:
        note.kind, note.refers_to = FootnoteKind.CROSS_REFERENCE, refers_to
        return note
    url_match = _URL_RE.search(text)
    if url_match is None and text.rstrip().endswith(":"):
        note.kind, note.url_missing = FootnoteKind.LINK, True  # the link was lost in the export
        return note
    return _citation_or_link(note, text, url_match)


def _ibid_match(text: str) -> re.Match | None:
    """Ibid and its locator. "همان" also begins ordinary sentences ("همان گونه که …"), so in a
    language without case the word counts only when a page locator (or nothing) follows it."""
    ibid_re, _, _, locator_re = _language_patterns()
    match = ibid_re.match(text)
    if match and not match["word"].isascii() and match["locator"] and not locator_re.match(match["locator"]):
        return None
    return match


def _cross_reference(text: str) -> int | None:
    """The number of the note a cross-reference note points to ("See the third footnote.",
    "نگاه کنید به پاورقی ۳", "پاورقی سوم را ببینید"), else None."""
    if cross := _CROSS_REFERENCE_RE.fullmatch(text):
        return _cross_reference_number(cross)
    folded = languages.fold_letters(text.strip())
    for pattern in _language_patterns()[1]:
        if match := pattern.fullmatch(folded):
            ref = match["ref"]
            return int(ref) if ref.isdigit() else languages.ordinal_number(ref)
    return None


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
    parsed = parse_bibliographic(rest, url)
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
    words = re.findall(r"\w+", languages.fold_letters(head.casefold()))
    if (
        colon
        and tail.strip()
        and 0 < len(words) <= _LEAD_IN_MAX_WORDS
        and _language_patterns()[2] & set(words)
        and not re.search(r"[,،\d]|\.\s", head)
    ):
        return head.strip() + ":", tail.strip()
    if bare := _BARE_LEAD_IN_RE.match(text):
        return bare["prefix"], text[bare.end() :].strip()
    return "", text.strip()
