"""The media library's tasks: a file fetched from the old site (one task per file), and the weekly
fixity check of every stored file."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from articles.aftercommit import AtCommit
from articles.models import Media

from .fetch import FetchRefused, fetch
from .library import relink_users_of
from .store import mark_missing, store_bytes

logger = logging.getLogger(__name__)

FIXITY_EVERY = timedelta(days=7)


@task()
def fetch_media(media_id: int) -> str:
    """Fetch a pending file from its original URL and store it, then point the articles using it at
    the copy; a file that cannot be fetched is marked missing with the reason. Returns the status."""
    media = Media.objects.filter(pk=media_id, status=Media.Status.PENDING).first()
    if media is None:
        return "skipped"
    try:
        fetched = fetch(media.original_url)
    except FetchRefused as exc:
        logger.info("Media %s not fetched from %s: %s", media.pk, media.original_url, exc)
        mark_missing(media, str(exc))
        return Media.Status.MISSING
    holder = store_bytes(media, fetched.data, fetched.content_type)
    relink_users_of(holder)
    return Media.Status.STORED


def _fetch_each(media_ids) -> None:
    for pk in media_ids:
        fetch_media.enqueue(pk)


_to_fetch = AtCommit(_fetch_each)


def enqueue_fetches(media_ids) -> None:
    """At the commit of the write that made them, one fetch task per pending file (none when
    ``ARCHIVE_MEDIA_FETCH`` is off: they stay pending, and are shown so in the admin)."""
    if settings.ARCHIVE_MEDIA_FETCH:
        _to_fetch.add(media_ids)


def file_digest(media: Media) -> str | None:
    """The SHA-256 of the stored file as it is now, or None if it cannot be read."""
    digest = hashlib.sha256()
    try:
        with media.file.storage.open(media.file.name, "rb") as stream:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


@task()
def check_fixity(*, reschedule: bool = True) -> dict:
    """Recompute every stored file's SHA-256: a file changed or gone is marked (``fixity_ok`` False,
    counted in the admin overview). Then the next check is enqueued for a week later."""
    report = {"checked": 0, "changed": 0, "missing": 0}
    for media in Media.objects.stored().filter(duplicate_of=None).exclude(file="").iterator():
        digest = file_digest(media)
        ok = digest == media.sha256
        report["checked"] += 1
        report["missing" if digest is None else "changed"] += not ok
        if not ok:
            logger.warning("Fixity: %s is %s", media.file.name, "missing" if digest is None else "changed")
        Media.objects.filter(pk=media.pk).update(fixity_ok=ok, fixity_checked_at=timezone.now())
    if reschedule:
        schedule_fixity(after=FIXITY_EVERY)
    return report


def schedule_fixity(*, after: timedelta = timedelta(0)) -> bool:
    """Enqueue ``check_fixity`` unless a check is already waiting (or tasks run at once here)."""
    if not check_fixity.get_backend().supports_defer:
        return False
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=check_fixity.module_path)
    if waiting.exists():
        return False
    check_fixity.using(run_after=timezone.now() + after).enqueue()
    return True
