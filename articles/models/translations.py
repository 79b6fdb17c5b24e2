from django.db import models


class TranslationGroup(models.Model):
    """The versions of one article in its different languages: every article of a group is a
    translation of the others. ``key`` is the source's own identity of the group (a Polylang
    ``post_translations`` term, a WPML translation group, or the slugs of a restored backup)."""

    key = models.CharField(max_length=300, unique=True)

    def __str__(self):
        return self.key
