import django.db.models.deletion
from django.db import migrations, models

import articles.languages


def drop_sqlite_copies_of_gin_indexes(apps, schema_editor):
    """Adding a NOT NULL column makes SQLite rebuild the table, and the rebuild creates every index of
    the model state, the GIN ones included (as plain indexes). 0004 and 0007 create those only on
    PostgreSQL; without this, unapplying 0007 on SQLite could not drop its column."""
    if schema_editor.connection.vendor == "sqlite":
        for name in ("article_search_idx", "article_search_head_idx"):
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    """Each article's language (existing rows: English) and the groups linking its translations."""

    dependencies = [
        ("articles", "0018_import_records_outlive_their_article"),
    ]

    operations = [
        # Unapplied last: after the rebuilds that removing the columns causes.
        migrations.RunPython(migrations.RunPython.noop, drop_sqlite_copies_of_gin_indexes),
        migrations.CreateModel(
            name="TranslationGroup",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=300, unique=True)),
            ],
        ),
        migrations.AddField(
            model_name="article",
            name="language",
            field=models.CharField(
                choices=articles.languages.language_choices,
                default="en",
                help_text="The language the article is written in; Dari and Pashto pages read right to left.",
                max_length=12,
            ),
        ),
        migrations.AddField(
            model_name="historicalarticle",
            name="language",
            field=models.CharField(
                choices=articles.languages.language_choices,
                default="en",
                help_text="The language the article is written in; Dari and Pashto pages read right to left.",
                max_length=12,
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="translation_group",
            field=models.ForeignKey(
                blank=True,
                help_text="Articles in the same group are translations of each other.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="articles",
                to="articles.translationgroup",
            ),
        ),
        migrations.RunPython(drop_sqlite_copies_of_gin_indexes, migrations.RunPython.noop),
    ]
