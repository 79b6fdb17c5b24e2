from django.db import migrations, models


class Migration(migrations.Migration):
    """Slugs and source keys may hold Perso-Arabic letters (a Dari title's slug): validation only, so the
    state changes and the database does not (SQLite would otherwise rebuild four tables for nothing)."""

    dependencies = [
        ("articles", "0020_source_calendar"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="article",
                    name="slug",
                    field=models.SlugField(allow_unicode=True, max_length=255, unique=True),
                ),
                migrations.AlterField(
                    model_name="historicalarticle",
                    name="slug",
                    field=models.SlugField(allow_unicode=True, max_length=255),
                ),
                migrations.AlterField(
                    model_name="author",
                    name="slug",
                    field=models.SlugField(allow_unicode=True, max_length=200, unique=True),
                ),
                migrations.AlterField(
                    model_name="category",
                    name="slug",
                    field=models.SlugField(allow_unicode=True, max_length=200),
                ),
                migrations.AlterField(
                    model_name="source",
                    name="key",
                    field=models.SlugField(allow_unicode=True, max_length=255, unique=True),
                ),
            ]
        ),
    ]
