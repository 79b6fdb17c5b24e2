"""Bytes into the archive's storage: a Media row stored once per SHA-256, an image's size read and its
smaller renditions made with Pillow (for srcset)."""

from __future__ import annotations

import hashlib
import io
import posixpath
from urllib.parse import unquote, urlsplit

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from PIL import Image, UnidentifiedImageError

from articles.models import ArticleMedia, Media

from .fetch import sniff

# Widths of the smaller copies of an image, for srcset; only those narrower than the image are made.
RENDITION_WIDTHS = (480, 960)
# Decoding a larger image is refused (a decompression bomb); Pillow's own guard warns only.
MAX_PIXELS = 80_000_000


def file_name_of(url: str, content_type: str) -> str:
    """A readable, safe file name for a URL's file."""
    name = posixpath.basename(unquote(urlsplit(url).path)) or "file"
    safe = "".join(c if c.isalnum() or c in "._-" else "-" for c in name)[-80:].lstrip(".") or "file"
    if "." not in safe:
        safe += "." + content_type.rsplit("/", 1)[-1]
    return safe


@transaction.atomic
def store_bytes(media: Media, data: bytes, content_type: str = "", *, name: str = "") -> Media:
    """Keep ``data`` as ``media``'s file (named after ``name``, else its URL); if the same bytes are
    already stored, ``media`` becomes a duplicate of that row and its articles link to it. Returns
    the row holding the file."""
    content_type = content_type or sniff(data[:64])
    digest = hashlib.sha256(data).hexdigest()
    existing = Media.objects.filter(sha256=digest).exclude(pk=media.pk).first()
    if existing is not None:
        return _merge_into(media, existing)
    media.sha256, media.size, media.content_type = digest, len(data), content_type
    media.width = media.height = None
    media.renditions = {}
    media.file.save(file_name_of(name or media.original_url, content_type), ContentFile(data), save=False)
    if content_type.startswith("image/"):
        _describe_image(media, data)
    media.status, media.problem = Media.Status.STORED, ""
    media.fixity_ok, media.fixity_checked_at = True, None
    try:
        with transaction.atomic():
            media.save()
    except IntegrityError:  # another task stored the same bytes meanwhile: share its file
        media.file.delete(save=False)
        for name in media.renditions.values():
            default_storage.delete(name)
        media.sha256, media.renditions, media.size, media.width, media.height = None, {}, None, None, None
        return _merge_into(media, Media.objects.get(sha256=digest))
    return media


def _merge_into(media: Media, existing: Media) -> Media:
    for article_id in media.articles.values_list("pk", flat=True):
        ArticleMedia.objects.get_or_create(article_id=article_id, media=existing)
    media.duplicate_of = existing
    media.status, media.problem = Media.Status.STORED, ""
    media.sha256 = None
    media.save()
    return existing


def _describe_image(media: Media, data: bytes) -> None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            media.width, media.height = image.size
            if image.width * image.height > MAX_PIXELS:
                return
            media.renditions = _renditions(media, image)
    except (UnidentifiedImageError, OSError, ValueError):
        return  # kept as a file; shown at its own size


def _renditions(media: Media, image) -> dict:
    made = {}
    if image.format not in ("JPEG", "PNG", "WEBP"):
        return made  # GIFs may move: kept whole
    stem, _, extension = media.file.name.rpartition(".")
    for width in RENDITION_WIDTHS:
        if width >= image.width:
            break
        copy = image.copy()
        copy.thumbnail((width, image.height * width // image.width + 1))
        buffer = io.BytesIO()
        copy.save(buffer, format=image.format)
        made[str(width)] = default_storage.save(f"{stem}-{width}w.{extension}", ContentFile(buffer.getvalue()))
    return made


def mark_missing(media: Media, problem: str) -> None:
    Media.objects.filter(pk=media.pk).update(status=Media.Status.MISSING, problem=problem[:500])
