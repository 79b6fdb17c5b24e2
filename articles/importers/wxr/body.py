"""A WXR item's body as the archive stores it: classic content autop'd, [caption]s as <figure>s,
footnotes taken out (``footnotes``), the HTML sanitised. No database."""

from __future__ import annotations

import re

from articles.sanitize import clean_html, dropped_elements

from .footnotes import _classic_footnotes, _modern_footnotes
from .media_markup import convert_media
from .reader import _RawItem


def _body_and_footnotes(item: _RawItem, warnings: list[str], attachments=None):
    content = convert_captions(item.fields.get("content:encoded", ""))
    content = convert_media(content, post_id=item.get("wp:post_id"), attachments=attachments or {}, warnings=warnings)
    if not _is_block_content(content):
        content = autop(content)
    content, footnotes = _modern_footnotes(content, item.meta.get("footnotes", ""), warnings)
    if not footnotes:
        content, footnotes = _classic_footnotes(content, warnings)
    _warn_about_shortcodes(content, warnings)
    _warn_about_dropped(content, warnings)
    return _EMPTY_PARAGRAPH.sub("", clean_html(content)).strip(), footnotes


# Wrappers the sanitizer unwraps, keeping all they hold: nothing a reader would miss.
_WRAPPERS = frozenset({"div", "span", "font", "center", "small", "big", "mark", "ins", "del", "time"})


def _warn_about_dropped(content: str, warnings: list[str]) -> None:
    dropped = dropped_elements(content, ignore=_WRAPPERS)
    if dropped:
        counts = ", ".join(f"{n} <{tag}>" for tag, n in sorted(dropped.items()))
        warnings.append(f"The sanitizer removed elements the archive does not keep: {counts}.")


_EMPTY_PARAGRAPH = re.compile(r"<p>\s*</p>\s*")


def _is_block_content(content: str) -> bool:
    """Block-editor content carries its own <p> tags; WordPress only autops classic content."""
    return "<!-- wp:" in content


_BLOCK_TAGS = (
    "table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|"
    "area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|"
    "header|footer|nav|figure|figcaption|details|menu|summary"
)
_BLOCK_OPEN = re.compile(rf"(<(?:{_BLOCK_TAGS})[\s/>])", re.IGNORECASE)
_BLOCK_CLOSE = re.compile(rf"(</(?:{_BLOCK_TAGS})>)", re.IGNORECASE)
_ANY_BLOCK = re.compile(rf"</?(?:{_BLOCK_TAGS})[\s/>]", re.IGNORECASE)
_PRE = re.compile(r"<pre[\s>].*?</pre>", re.IGNORECASE | re.DOTALL)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def autop(text: str) -> str:
    """A simplified wpautop: blank-line separated text becomes <p>, single newlines <br />.

    Runs of text are wrapped; anything touching a block-level tag is left as written, and <pre>
    is never touched. Enough for classic-editor posts, which store paragraphs as blank lines.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept: list[str] = []

    def protect(match):
        kept.append(match.group(0))
        return f"\n\n\x00{len(kept) - 1}\x00\n\n"

    text = _PRE.sub(protect, text)
    text = _BLOCK_OPEN.sub(r"\n\n\1", text)
    text = _BLOCK_CLOSE.sub(r"\1\n\n", text)
    chunks = []
    for chunk in _PARAGRAPH_BREAK.split(text):
        chunk = chunk.strip()
        if not chunk:
            continue
        if chunk.startswith("\x00") or _ANY_BLOCK.search(chunk):
            chunks.append(chunk)
        else:
            chunks.append("<p>" + re.sub(r"\s*\n\s*", "<br />\n", chunk) + "</p>")
    body = "\n".join(chunks)
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], body)


_CAPTION = re.compile(r"\[caption\b([^\]]*)\](.*?)\[/caption\]", re.IGNORECASE | re.DOTALL)
_CAPTION_ATTR = re.compile(r"\bcaption=([\"'])(.*?)\1", re.DOTALL)
# The image, optionally wrapped in a link; whatever follows it is the caption (classic form).
_CAPTIONED_IMAGE = re.compile(r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", re.DOTALL)


def convert_captions(content: str) -> str:
    """[caption ...]<img> text[/caption] (or caption="text") becomes <figure> + <figcaption>."""

    def to_figure(match):
        image = _CAPTIONED_IMAGE.match(match.group(2))
        if image is None:
            return match.group(0)
        attribute = _CAPTION_ATTR.search(match.group(1))
        caption = image.group(2).strip() or (attribute.group(2) if attribute else "")
        figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
        return f"<figure>{image.group(1)}{figcaption}</figure>"

    return _CAPTION.sub(to_figure, content)


_SHORTCODE = re.compile(r"\[(caption|playlist)\b", re.IGNORECASE)


def _warn_about_shortcodes(content: str, warnings: list[str]) -> None:
    found = sorted({m.group(1).lower() for m in _SHORTCODE.finditer(content)})
    if found:
        names = ", ".join(f"[{name}]" for name in found)
        warnings.append(f"WordPress shortcodes {names} are not converted; they remain as text.")
