"""WordPress's media shortcodes and embed blocks as plain HTML the archive keeps. No database.

[audio] and [video] become <audio>/<video> with controls and a <source> per file; [gallery] a list
of figures (its images found among the export's attachments); [embed] and embed blocks a link to
the outside player with its title, never an iframe. [caption] is converted in ``body``. The image,
gallery, cover, audio, video and media-and-text blocks already hold their HTML (kept by the
sanitizer's allowlist); only the embed block holds nothing but a URL.
"""

from __future__ import annotations

import html
import json
import re
from urllib.parse import urlsplit

from .attachments import Attachment

_ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s'"\]]+))""")
_AUDIO = re.compile(r"\[audio\b([^\]]*)\](?:\s*\[/audio\])?", re.IGNORECASE)
_VIDEO = re.compile(r"\[video\b([^\]]*)\](?:\s*\[/video\])?", re.IGNORECASE)
_EMBED = re.compile(r"\[embed\b[^\]]*\]\s*(\S+?)\s*\[/embed\]", re.IGNORECASE)
_GALLERY = re.compile(r"\[gallery\b([^\]]*)\]", re.IGNORECASE)
_EMBED_BLOCK = re.compile(
    r"<!-- wp:(?:core-embed/[\w-]+|embed)\s+(\{.*?\})\s*-->(.*?)<!-- /wp:(?:core-embed/[\w-]+|embed) -->", re.DOTALL
)
_GALLERY_BLOCK = re.compile(r"<!-- wp:gallery\b[^>]*?-->(.*?)<!-- /wp:gallery -->", re.DOTALL)
_IMAGE_FIGURE = re.compile(r"<figure\b[^>]*>\s*(?:<a\b[^>]*>\s*)?<img\b.*?</figure>", re.DOTALL | re.IGNORECASE)
_GALLERY_CAPTION = re.compile(r'<figcaption class="blocks-gallery-caption[^"]*">(.*?)</figcaption>', re.DOTALL)
_FIGCAPTION = re.compile(r"<figcaption[^>]*>(.*?)</figcaption>", re.DOTALL | re.IGNORECASE)

AUDIO_TYPES = {"mp3": "audio/mpeg", "m4a": "audio/mp4", "ogg": "audio/ogg", "oga": "audio/ogg", "wav": "audio/wav",
               "flac": "audio/flac"}
VIDEO_TYPES = {"mp4": "video/mp4", "m4v": "video/mp4", "webm": "video/webm", "ogv": "video/ogg",
               "mov": "video/quicktime"}
_PROVIDERS = {"youtube.com": "YouTube", "youtu.be": "YouTube", "vimeo.com": "Vimeo", "soundcloud.com": "SoundCloud",
              "twitter.com": "X (Twitter)", "x.com": "X (Twitter)", "facebook.com": "Facebook",
              "instagram.com": "Instagram", "dailymotion.com": "Dailymotion", "spotify.com": "Spotify"}


def shortcode_attributes(text: str) -> dict[str, str]:
    return {m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in _ATTRIBUTE.finditer(text)}


def convert_media(content: str, *, post_id: str, attachments: dict[str, Attachment], warnings: list[str]) -> str:
    """``content`` with its media shortcodes and embed blocks as HTML."""
    content = _EMBED_BLOCK.sub(_embed_block, content)
    content = _GALLERY_BLOCK.sub(_gallery_block, content)
    content = _EMBED.sub(lambda m: _outside_link(m.group(1), ""), content)
    content = _AUDIO.sub(lambda m: _player("audio", shortcode_attributes(m.group(1)), AUDIO_TYPES), content)
    content = _VIDEO.sub(lambda m: _player("video", shortcode_attributes(m.group(1)), VIDEO_TYPES), content)
    return _GALLERY.sub(lambda m: _gallery(shortcode_attributes(m.group(1)), post_id, attachments, warnings), content)


def _embed_block(match) -> str:
    try:
        attributes = json.loads(match.group(1))
    except ValueError:
        attributes = {}
    url = attributes.get("url", "") if isinstance(attributes, dict) else ""
    url = url or next(iter(re.findall(r"https?://[^\s<\"]+", match.group(2))), "")
    caption = _FIGCAPTION.search(match.group(2))
    return _outside_link(url, caption.group(1).strip() if caption else "") if url else ""


def _gallery_block(match) -> str:
    """A gallery block (images as figures nested in a figure, since WordPress 5.9; or already a
    list of figures before) as a list of figures, its caption kept."""
    inner = match.group(1)
    if "<li" in inner:
        return inner
    figures = _IMAGE_FIGURE.findall(inner)
    if not figures:
        return inner
    items = "".join(f"<li>{figure}</li>" for figure in figures)
    caption = _GALLERY_CAPTION.search(inner)
    if caption:
        return f"<figure><ul>{items}</ul><figcaption>{caption.group(1)}</figcaption></figure>"
    return f"<ul>{items}</ul>"


def provider_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.").removeprefix("m.")
    return next((name for domain, name in _PROVIDERS.items() if host == domain or host.endswith("." + domain)),
                host)


def _outside_link(url: str, title: str) -> str:
    """An outside player as a link: its title (the caption), else where it is."""
    if not url.lower().startswith(("http://", "https://")):
        return html.escape(url)
    text = title or f"{provider_of(url)}: {html.escape(url)}"
    return f'<p><a href="{html.escape(url)}">{text}</a></p>'


def _player(kind: str, attributes: dict[str, str], types: dict[str, str]) -> str:
    sources = []
    if attributes.get("src"):
        sources.append((attributes["src"], ""))
    sources += [(attributes[ext], mime) for ext, mime in types.items() if attributes.get(ext)]
    if not sources:
        return ""
    size = ""
    if kind == "video":
        size = "".join(f' {name}="{int(attributes[name])}"' for name in ("width", "height")
                       if attributes.get(name, "").isdigit())
        if attributes.get("poster"):
            size += f' poster="{html.escape(attributes["poster"])}"'
    tags = "".join(f'<source src="{html.escape(url)}"' + (f' type="{mime}"' if mime else "") + ">"
                   for url, mime in sources)
    first = html.escape(sources[0][0])
    return f'<figure><{kind} controls preload="metadata"{size}>{tags}<a href="{first}">{first}</a></{kind}></figure>'


def _gallery(attributes, post_id, attachments, warnings) -> str:
    ids = [i.strip() for i in attributes.get("ids", attributes.get("include", "")).split(",") if i.strip()]
    if not ids:  # WordPress shows the images attached to the post
        ids = [key for key, a in attachments.items() if a.parent == post_id]
    found = [attachments[i] for i in ids if i in attachments]
    if len(found) < len(ids):
        lost = ", ".join(i for i in ids if i not in attachments)
        warnings.append(f"A [gallery] names attachments the export does not hold ({lost}); they are left out.")
    if not found:
        return ""
    items = "".join(_figure(a) for a in found)
    return f"<ul>{items}</ul>"


def _figure(attachment: Attachment) -> str:
    media = attachment.media
    caption = f"<figcaption>{html.escape(media.caption)}</figcaption>" if media.caption else ""
    return (f'<li><figure><img src="{html.escape(media.url)}" alt="{html.escape(media.alt_text)}">'
            f"{caption}</figure></li>")
