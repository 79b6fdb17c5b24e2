from django.db import models


class DeletedRecordQuerySet(models.QuerySet):
    def in_category_path(self, path):
        """Records that were filed in the category at ``path`` or anywhere below it."""
        return self.filter(
            models.Q(category_paths__contains=f" {path} ") | models.Q(category_paths__contains=f" {path}/")
        )


class DeletedRecord(models.Model):
    """What a harvester may still know of an article that left the public archive (unpublished or
    deleted): its id, when it left, and the categories it was filed in, so OAI-PMH answers it as a
    deleted record for as long as the archive exists (``deletedRecord`` ``persistent``).

    Written by ``articles.oai.receivers`` when a published article stops being public; removed when it
    is published again. Never written for an article that was never public: a draft leaves no trace.
    """

    # The article's id, which is also the local part of its OAI identifier; not a foreign key, as the
    # article may be gone.
    article_id = models.BigIntegerField(unique=True)
    datestamp = models.DateTimeField()
    # " afghanistan/politics region ": the category paths space-delimited (slugs hold no spaces), so
    # a set (a subtree) is one LIKE without a join.
    category_paths = models.TextField(blank=True, default=" ")

    objects = DeletedRecordQuerySet.as_manager()

    class Meta:
        ordering = ["datestamp", "article_id"]
        indexes = [models.Index(fields=["datestamp", "article_id"], name="deleted_record_harvest_idx")]

    def __str__(self):
        return f"article {self.article_id}, gone since {self.datestamp:%Y-%m-%d %H:%M}"

    @property
    def paths(self) -> list[str]:
        return self.category_paths.split()

    @staticmethod
    def joined_paths(paths) -> str:
        return " " + " ".join(sorted(set(paths))) + " " if paths else " "
