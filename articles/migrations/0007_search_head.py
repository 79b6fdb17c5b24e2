import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.conf import settings
from django.db import migrations


class PostgresOnlyAddIndex(migrations.AddIndex):
    """A GIN index exists only on PostgreSQL; SQLite keeps the (unused, always NULL) column alone."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def fill_search_heads(apps, schema_editor):
    """Existing articles get their head vector in one UPDATE (later ones with every save): the
    title and summary words, weighted as in the full vector, in the one configuration of the time
    (articles had no language yet). Written out here, not imported, so the migration stays as it ran."""
    if schema_editor.connection.vendor != "postgresql":
        return
    SearchVector = django.contrib.postgres.search.SearchVector
    config = settings.ARCHIVE_SEARCH_CONFIG
    Article = apps.get_model("articles", "Article")
    Article.objects.update(
        search_head=SearchVector("title", weight="A", config=config) + SearchVector("summary", weight="B", config=config)
    )


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0006_related_posts'),
    ]

    operations = [
        migrations.AddField(
            model_name='article',
            name='search_head',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        PostgresOnlyAddIndex(
            model_name='article',
            index=django.contrib.postgres.indexes.GinIndex(fields=['search_head'], name='article_search_head_idx'),
        ),
        migrations.RunPython(fill_search_heads, migrations.RunPython.noop),
    ]
