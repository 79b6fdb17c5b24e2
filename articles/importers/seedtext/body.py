"""The body of a seed file: its paragraphs, the old site's page chrome to drop, and the HTML with
``[n]`` markers linked to their notes; also the summary taken from the first paragraph.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from articles import languages

SUMMARY_MAX_CHARS = 300

Block = list[str]  # the stripped lines of one blank-line separated paragraph

# --------------------------------------------------------------------------------------------
# Blocks (paragraphs) and the old site's page chrome
# --------------------------------------------------------------------------------------------



@lru_cache(maxsize=1)
def _chrome_keys() -> tuple[frozenset[str], frozenset[str]]:
    """Whole paragraphs the old site's page template added after the article ("The End", "Leave a
    Reply", "پایان" …) and its related-posts headings, in every enabled language, as ``_chrome_key``s."""
    return (
        frozenset(_chrome_key(text) for text in languages.words("chrome")),
        frozenset(_chrome_key(text) for text in languages.words("related_headings")),
    )


# Related-post titles are single short lines; anything longer is real text.
_RELATED_TITLE_MAX_CHARS = 200
_RELATED_HEADING_MAX_CHARS = 40


def split_blocks(lines: list[str]) -> list[Block]:
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
    """Lower-case words only, so "Related Post :" and "related post" compare equal (and "مطالب مرتبط"
    written with Arabic letters and the Persian ones)."""
    return " ".join(re.findall(r"\w+", languages.fold_letters(text).casefold()))


def strip_tail_chrome(blocks: list[Block]) -> list[Block]:
    blocks = _cut_related_posts(blocks)
    chrome = _chrome_keys()[0]
    while blocks and _chrome_key(" ".join(blocks[-1])) in chrome:
        blocks = blocks[:-1]
    return blocks


def _cut_related_posts(blocks: list[Block]) -> list[Block]:
    """Drop a "Related Post(s)" paragraph and the post titles after it, if nothing real follows."""
    headings = _chrome_keys()[1]
    for index in range(len(blocks) - 1, -1, -1):
        block = blocks[index]
        # (The words of a whole paragraph are only listed when it could be the heading.)
        if len(block[0]) <= _RELATED_HEADING_MAX_CHARS and _chrome_key(block[0]) in headings:
            following = [line for b in blocks[index + 1 :] for line in b] + block[1:]
            if all(len(line) <= _RELATED_TITLE_MAX_CHARS for line in following):
                return blocks[:index]
            return blocks
    return blocks


# --------------------------------------------------------------------------------------------
# Body HTML
# --------------------------------------------------------------------------------------------

_MARKER_RE = re.compile(r"\[(\d{1,3})\]")
_BULLET_RE = re.compile(r"[-*•]\s+(?P<text>.*)")
_NUMBERED_RE = re.compile(r"\d{1,3}[.)\-]\s+(?P<text>.*)")  # "1. ", "۱) ", "۱- "
_HEADING_MAX_CHARS = 120
_HEADING_MAX_WORDS = 16
_CLOSING_PUNCTUATION = ".,;:!?…؟،؛"
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


class BodyRenderer:
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
        return self.link_markers(html.escape(text, quote=False))

    def link_markers(self, escaped: str) -> str:
        """The ``[n]`` markers of text already escaped for HTML made references to their notes (an
        unknown note's marker stays as it is, and is listed in ``dangling``)."""
        return _MARKER_RE.sub(lambda match: self._marker(int(match[1]), match.group()), escaped)

    def _marker(self, number: int, literal: str) -> str:
        if number not in self.known_notes:
            if number not in self.dangling:
                self.dangling.append(number)
            return html.escape(literal, quote=False)
        count = self.referenced.get(number, 0) + 1
        self.referenced[number] = count
        ref_id = f"fnref-{number}" if count == 1 else f"fnref-{number}-{count}"
        # The number is shown as written: "[۳]" in a Dari text stays ۳ on the page.
        return (
            f'<sup class="footnote-ref" id="{ref_id}">'
            f'<a href="#fn-{number}" aria-describedby="footnotes-label">{literal[1:-1]}</a></sup>'
        )


# --------------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------------


def first_paragraph_text(blocks: list[Block], known_notes: set[int]) -> str:
    for block in blocks:
        if not _is_heading(block) and BodyRenderer._list_of(block)[0] is None:
            text = " ".join(block)
            return _MARKER_RE.sub(lambda m: "" if int(m[1]) in known_notes else m.group(), text)
    return ""


def cut_summary(text: str) -> tuple[str, bool]:
    """Cut at a word boundary so the result, "…" included, is at most SUMMARY_MAX_CHARS long."""
    text = " ".join(text.split())
    if len(text) <= SUMMARY_MAX_CHARS:
        return text, False
    cut = text[: SUMMARY_MAX_CHARS - 1]
    if text[SUMMARY_MAX_CHARS - 1] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–—") + "…", True
