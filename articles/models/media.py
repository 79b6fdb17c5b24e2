"""Media kept in the archive: images, audio and video the articles show, stored through Django's
storage API (``MEDIA_ROOT`` by default, any django-storages backend in production).

A ``Media`` row is made for every file an article's body refers to, first ``pending`` with only
its original URL; the fetch task (``articles.media.tasks``) stores the file and it becomes
``stored``, or ``missing`` with the reason. Files are deduplicated by SHA-256: a second URL whose
bytes are already stored becomes a ``duplicate_of`` the first, holding no file of its own.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class MediaQuerySet(models.QuerySet):
    def stored(self):
        return self.filter(status=Media.Status.STORED)

    def missing(self):
        return self.filter(status=Media.Status.MISSING)

    def pending(self):
        return self.filter(status=Media.Status.PENDING)

    def fixity_failed(self):
        return self.stored().filter(fixity_ok=False)


def media_path(instance, filename: str) -> str:
    """Where a file is stored: by its digest (two uploads of one file share nothing but the digest)."""
    digest = instance.sha256 or "unhashed"
    return f"archive/{digest[:2]}/{digest[:16]}-{filename}"


class Media(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be fetched"
        STORED = "stored", "Stored in the archive"
        MISSING = "missing", "Missing (could not be fetched)"

    file = models.FileField(upload_to=media_path, max_length=300, blank=True)
    original_url = models.URLField(
        max_length=1000, blank=True, default="", help_text="Where the file was on the old site (empty: uploaded here)."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    problem = models.CharField(max_length=500, blank=True, default="", help_text="Why the file is missing.")
    sha256 = models.CharField("SHA-256", max_length=64, null=True, blank=True, unique=True, editable=False)
    size = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    content_type = models.CharField(max_length=100, blank=True, default="", editable=False)
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # Smaller copies of an image for srcset: {"480": "storage name", ...}.
    renditions = models.JSONField(default=dict, blank=True, editable=False)
    alt_text = models.CharField(max_length=500, blank=True, default="")
    caption = models.TextField(blank=True, default="")
    credit = models.CharField(max_length=300, blank=True, default="")
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="duplicates", editable=False,
        help_text="The stored file with the same bytes (this URL keeps no copy of its own).",
    )
    articles = models.ManyToManyField("articles.Article", through="ArticleMedia", related_name="media", blank=True)
    fixity_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    fixity_ok = models.BooleanField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MediaQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "media"
        constraints = [
            models.UniqueConstraint(fields=["original_url"], condition=~Q(original_url=""), name="media_unique_url"),
        ]

    def __str__(self):
        name = self.file.name.rsplit("/", 1)[-1] if self.file else self.original_url.rsplit("/", 1)[-1]
        return name or f"Media {self.pk}"

    @property
    def kind(self) -> str:
        """image, audio or video (from the stored content type)."""
        return self.content_type.split("/", 1)[0] if self.content_type else ""


class ArticleMedia(models.Model):
    """An article using a file (found in its body when it was imported or saved)."""

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE)
    media = models.ForeignKey(Media, on_delete=models.CASCADE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "media"], name="articlemedia_unique")]

    def __str__(self):
        return f"{self.media} in article {self.article_id}"
