import django.db.models.deletion
from django.db import migrations, models

import articles.languages


class Migration(migrations.Migration):
    """Each article's language (existing rows: English) and the groups linking its translations."""

    dependencies = [
        ("articles", "0015_import_runs"),
    ]

    operations = [
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
    ]
