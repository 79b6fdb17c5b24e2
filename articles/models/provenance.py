from django.db import models


class ImportRecordQuerySet(models.QuerySet):
    def with_warnings(self):
        return self.filter(has_warnings=True)


class ImportRecord(models.Model):
    """Where an article came from: one row per import that created or changed it."""

    class Outcome(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="import_records")
    file_name = models.CharField(max_length=500)
    format = models.CharField(max_length=30)
    sha256 = models.CharField("SHA-256 of the file", max_length=64)
    importer_version = models.CharField(max_length=20)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    imported_at = models.DateTimeField(auto_now_add=True)
    warnings = models.JSONField(default=list, blank=True)
    has_warnings = models.BooleanField(default=False, editable=False)

    objects = ImportRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-imported_at", "-id"]
        indexes = [models.Index(fields=["has_warnings"], name="importrecord_warnings_idx")]

    def __str__(self):
        return f"{self.file_name} ({self.format}, {self.outcome})"

    def save(self, *args, **kwargs):
        self.has_warnings = bool(self.warnings)
        super().save(*args, **kwargs)
