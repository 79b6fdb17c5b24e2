from django.db import migrations, models


class Migration(migrations.Migration):
    """The term index read heaviest first: text candidates come from each term's heaviest postings."""

    dependencies = [("articles", "0027_stored_cards")]

    operations = [
        migrations.RemoveIndex(model_name="articleterm", name="article_term_lookup_idx"),
        migrations.AddIndex(
            model_name="articleterm",
            index=models.Index(fields=["term", "-weight", "-article"], name="article_term_heads_idx"),
        ),
    ]
