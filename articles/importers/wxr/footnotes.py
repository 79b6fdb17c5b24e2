"""Footnotes of a WXR item: the block editor's (``footnotes`` post meta, ``data-fn`` references) or a
classic trailing "[n] note" list, classified as the seed importer does and referenced with the
archive's own markup (``footnote_ref``). No database."""

from __future__ import annotations

import html
import json
import re

from articles.sanitize import html_to_text

from ..base import ParsedFootnote
from ..seedtext import classify_note


def footnote_ref(number: int, occurrence: int) -> str:
    """The archive's own footnote reference markup; repeat references get ids fnref-N-2, -3..."""
    ref_id = f"fnref-{number}" if occurrence == 1 else f"fnref-{number}-{occurrence}"
    return (
        f'<sup class="footnote-ref" id="{ref_id}">'
        f'<a href="#fn-{number}" aria-describedby="footnotes-label">{number}</a></sup>'
    )


class _RefCounter:
    """Renders references to known notes, counting repeats for unique ids."""

    def __init__(self):
        self.seen: dict[int, int] = {}

    def render(self, number: int) -> str:
        self.seen[number] = self.seen.get(number, 0) + 1
        return footnote_ref(number, self.seen[number])

    def warn_unreferenced(self, footnotes, warnings: list[str]) -> None:
        for note in footnotes:
            if note.number not in self.seen:
                warnings.append(f"Footnote {note.number} is never referenced in the text.")


# WordPress 6.3+: <sup data-fn="uuid" class="fn"><a href="#uuid" id="uuid-link">1</a></sup>
_DATA_FN_REF = re.compile(r"<sup\b[^>]*?\bdata-fn=([\"'])(.*?)\1[^>]*>.*?</sup>", re.IGNORECASE | re.DOTALL)


def _modern_footnotes(content: str, meta_json: str, warnings: list[str]):
    """Footnotes from the ``footnotes`` post meta, references rewritten to our markup."""
    if not meta_json and "data-fn=" not in content:
        return content, []
    notes = _footnote_meta(meta_json, warnings)
    numbers = {note_id: n for n, (note_id, _) in enumerate(notes, start=1)}
    footnotes: list[ParsedFootnote] = []
    for number, (_, note_html) in enumerate(notes, start=1):
        footnotes.append(_footnote_from_html(number, note_html, footnotes, warnings))
    refs = _RefCounter()

    def rewrite(match):
        number = numbers.get(html.unescape(match.group(2)))
        if number is None:
            warnings.append("A footnote reference points to a note missing from the export.")
            return ""
        return refs.render(number)

    content = _DATA_FN_REF.sub(rewrite, content)
    refs.warn_unreferenced(footnotes, warnings)
    return content, footnotes


def _footnote_meta(meta_json: str, warnings: list[str]) -> list[tuple[str, str]]:
    if not meta_json:
        return []
    try:
        data = json.loads(meta_json)
        return [(str(note["id"]), str(note.get("content", ""))) for note in data]
    except (ValueError, TypeError, KeyError):
        warnings.append("The post's footnotes could not be read (invalid JSON); none imported.")
        return []


_HREF = re.compile(r"href=([\"'])(https?://.*?)\1", re.IGNORECASE)


def _footnote_from_html(number: int, note_html: str, earlier: list[ParsedFootnote], warnings: list[str]):
    """Classify a note with the seed importer's rules (citations become Sources), text kept verbatim."""
    text = html_to_text(note_html)
    href = _HREF.search(note_html)
    url = html.unescape(href.group(2)) if href else ""
    # A link behind the note's words counts as the note's URL, as if it had been written out.
    note = classify_note(number, text if not url or url in text else f"{text} {url}", earlier, warnings)
    note.text = text
    return note


# Classic footnotes: "[1]" in the text, paragraphs "[1] The note." at the end.
_MARKER_WRAP_OPEN = r"(?:<sup\b[^>]*>\s*)?(?:<a\b[^>]*>\s*)?"
_MARKER_WRAP_CLOSE = r"(?:\s*</a>)?(?:\s*</sup>)?"
# _MARKER_WRAP_OPEN + [n] + _MARKER_WRAP_CLOSE, written as three alternatives that each start with
# "<" or "[" (same matches, same order): the regex engine then skips to those characters instead
# of trying the optional wrappers at every position of the body.
_MARKER = re.compile(
    r"(?:<sup\b[^>]*>\s*(?:<a\b[^>]*>\s*)?\[|<a\b[^>]*>\s*\[|\[)(\d{1,3})\]" + _MARKER_WRAP_CLOSE, re.IGNORECASE
)
_NOTE_LINE = re.compile(
    r"^\s*" + _MARKER_WRAP_OPEN + r"\[(\d{1,3})\]" + _MARKER_WRAP_CLOSE + r"\s*(.*?)\s*$",
    re.IGNORECASE | re.DOTALL,
)
_NOTES_HEADING = re.compile(
    r"(?:<h[2-6][^>]*>|<p>(?:<strong>|<b>)?)\s*(?:foot|end)?notes?\s*:?\s*"
    r"(?:</h[2-6]>|(?:</strong>|</b>)?</p>)\s*$|<hr\s*/?>\s*$",
    re.IGNORECASE,
)


def _classic_footnotes(content: str, warnings: list[str]):
    """Move a trailing "[n] note" list into footnotes and turn "[n]" markers into references."""
    body, notes = _split_trailing_notes(content)
    if not notes or [n for n, _ in notes] != list(range(1, len(notes) + 1)):
        return content, []
    footnotes: list[ParsedFootnote] = []
    for number, note_html in notes:
        footnotes.append(_footnote_from_html(number, note_html, footnotes, warnings))
    refs = _RefCounter()

    def rewrite(match):
        number = int(match.group(1))
        return refs.render(number) if 1 <= number <= len(notes) else match.group(0)

    body = _MARKER.sub(rewrite, body)
    refs.warn_unreferenced(footnotes, warnings)
    return body, footnotes


def _split_trailing_notes(content: str):
    notes: list[tuple[int, str]] = []
    body = content.rstrip()
    while last := _last_paragraph(body):
        start, inner = last
        lines = re.split(r"<br\s*/?>", inner, flags=re.IGNORECASE)
        parsed = [_NOTE_LINE.match(line) for line in lines]
        if not all(parsed):
            break
        notes[:0] = [(int(m.group(1)), m.group(2)) for m in parsed]
        body = body[:start].rstrip()
    if notes:
        while heading := _NOTES_HEADING.search(body):
            body = body[: heading.start()].rstrip()
    return body, notes


def _last_paragraph(body: str):
    r"""(start, inner HTML) of the paragraph the body ends with, or None.

    What ``re.search(r"<p>((?:(?!<p>).)*?)</p>\s*$", body, re.I | re.S)`` finds: the closing tag
    followed by nothing but whitespace, and the last "<p>" before it (an earlier one would hold
    that one inside). Both are looked for from the end: the pattern tries every "<p>" and walks
    each paragraph a character at a time, and even a scan from the start would read the whole
    body again for each note taken off the end.
    """
    end = len(body.rstrip()) - len("</p>")
    if end < 0 or body[end : end + 4].lower() != "</p>":
        return None
    start = max(body.rfind("<p>", 0, end), body.rfind("<P>", 0, end))
    if start < 0:
        return None
    return start, body[start + 3 : end]
