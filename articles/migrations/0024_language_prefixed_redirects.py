from django.conf import settings
from django.db import migrations
from django.db.models import Case, Value, When
from django.urls import reverse
from django.utils import translation

CHUNK = 500


def _moves(apps):
    """(address before the language prefixes, address now) of every article not in the default language."""
    Article = apps.get_model("articles", "Article")
    enabled = {code for code, _ in settings.LANGUAGES} - {settings.LANGUAGE_CODE}
    rows = Article.objects.filter(language__in=enabled).values_list("slug", "language").order_by("pk")
    for slug, language in rows.iterator(chunk_size=2000):
        with translation.override(settings.LANGUAGE_CODE):
            before = reverse("articles:article", kwargs={"slug": slug})
        with translation.override(language):
            yield before, reverse("articles:article", kwargs={"slug": slug})


def _rewrite(apps, pairs):
    Redirect = apps.get_model("redirects", "Redirect")
    pairs = list(pairs)
    for start in range(0, len(pairs), CHUNK):
        chunk = dict(pairs[start : start + CHUNK])
        Redirect.objects.filter(new_path__in=chunk).update(
            new_path=Case(*(When(new_path=old, then=Value(new)) for old, new in chunk.items()))
        )


def prefix_redirects(apps, schema_editor):
    _rewrite(apps, _moves(apps))


def unprefix_redirects(apps, schema_editor):
    _rewrite(apps, ((new, old) for old, new in _moves(apps)))


class Migration(migrations.Migration):
    """A Dari or Pashto article's page moved under its language's prefix (/fa/articles/…, i18n_patterns):
    the old site's addresses imported before lead there directly, not through a second 301, and the
    export finds them as the article's redirects again."""

    dependencies = [
        ("articles", "0023_trash_guids_edited_at"),
        ("redirects", "0002_alter_redirect_new_path_help_text"),
    ]

    operations = [migrations.RunPython(prefix_redirects, unprefix_redirects, elidable=True)]
