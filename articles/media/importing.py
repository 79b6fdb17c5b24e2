"""The import's load hook for media: each imported article linked to the files its body shows, each
file read from a local copy of the old site's uploads folder (``import_articles --media-from DIR``)
or fetched by a task of its own after the import commits.

Which folder, if any, is the command's choice for the whole run: it is held in a context variable
(``media_folder``), like the import's file cache, so the hook's signature stays the loader's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings

from articles.models import Article, Media

from .fetch import sniff
from .library import link_attached, link_body, relink_article
from .store import store_bytes
from .tasks import enqueue_fetches

UPLOADS = "wp-content/uploads/"

_folder: ContextVar[Path | None] = ContextVar("media_folder", default=None)


@contextmanager
def media_folder(folder) -> Iterator[None]:
    """Within the block, imported articles' files are read from ``folder`` when it has them."""
    token = _folder.set(Path(folder).resolve())
    try:
        yield
    finally:
        _folder.reset(token)


def local_path(folder: Path, url: str) -> Path | None:
    """The file in ``folder`` for ``url``, matched by the path after ``wp-content/uploads/``;
    None if the URL has no such path, the file is absent, or the path would leave the folder."""
    path = unquote(urlsplit(url).path)
    if UPLOADS not in path:
        return None
    candidate = (folder / path.split(UPLOADS, 1)[1]).resolve()
    if not candidate.is_relative_to(folder) or not candidate.is_file():
        return None
    return candidate


def read_local(media: Media, folder: Path) -> bool:
    """Store ``media`` from the folder's copy; whether it could."""
    path = local_path(folder, media.original_url)
    if path is None or path.stat().st_size > settings.ARCHIVE_MEDIA_MAX_BYTES:
        return False
    data = path.read_bytes()
    content_type = sniff(data[:64])
    if not content_type:
        return False
    store_bytes(media, data, content_type)
    return True


def load_media(article, parsed) -> None:
    """after_load hook: the files the article's body shows found or made, read from the folder or
    queued to fetch."""
    _bring_in(article, link_body(article), parsed.warnings)


def attach_media(attachments: dict[str, list]) -> None:
    """The files a source attached to its posts ({import identity: [ParsedMedia]}), linked to the
    articles loaded from those posts once the file's articles are loaded."""
    for article in Article.objects.filter(import_key__in=list(attachments)).order_by("pk"):
        _bring_in(article, link_attached(article, attachments[article.import_key]), [])


def _bring_in(article, pending: list[Media], warnings: list[str]) -> None:
    folder = _folder.get()
    waiting = [m for m in pending if folder is None or not read_local(m, folder)]
    if folder is not None:
        if len(waiting) < len(pending):
            relink_article(article, quietly=True)
        if waiting:
            warnings.append(
                f"{len(waiting)} media file(s) not found in {folder}; they are fetched from the old site: "
                + ", ".join(m.original_url for m in waiting[:5]) + (" …" if len(waiting) > 5 else "")
            )
    enqueue_fetches(m.pk for m in waiting)
