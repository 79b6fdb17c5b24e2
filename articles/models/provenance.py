from django.conf import settings
from django.db import models


class ImportRecordQuerySet(models.QuerySet):
    def with_warnings(self):
        return self.filter(has_warnings=True)


class ImportRecord(models.Model):
    """Where an article came from: one row per import that created or changed it."""

    class Outcome(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"

    # Provenance outlives the article: deleting it leaves its records, found by ``import_key``.
    article = models.ForeignKey(
        "articles.Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="import_records"
    )
    import_key = models.CharField(max_length=500, blank=True, default="", db_index=True,
                                  help_text="The imported article's identity in its source (e.g. seed:000_x.txt).")
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


class ImportRun(models.Model):
    """One upload on the admin's Import articles page, imported by a task (``articles.importers.tasks``).

    The counters follow the task while it runs (written with ``QuerySet.update``, so the run's page
    reads them at once); ``report`` holds the import's results, one entry per file, once it is done.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Importing"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField("size in bytes")
    dry_run = models.BooleanField(default=False)
    include_pages = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    files_done = models.PositiveIntegerField(default=0)
    files_total = models.PositiveIntegerField(default=0)
    items_done = models.PositiveIntegerField(default=0)
    bytes_done = models.PositiveBigIntegerField(default=0)
    bytes_total = models.PositiveBigIntegerField(default=0)
    report = models.JSONField(null=True, blank=True)  # a list of ImportResults as dicts, when finished
    message = models.TextField(blank=True)  # why the run failed
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display().lower()})"

    @property
    def done(self) -> bool:
        return self.status in (self.Status.FINISHED, self.Status.FAILED)


class ImportUploadChunk(models.Model):
    """The uploaded bytes of a run, a chunk a row, kept until the run is done (see the tasks module)."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="upload_chunks")
    position = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "position"], name="importuploadchunk_unique_position")]

    def __str__(self):
        return f"chunk {self.position} of run {self.run_id}"
