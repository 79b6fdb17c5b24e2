# Indexes for "is there a published article filed here / signed by this author": read from the
# category's or author's own entries in article order, the probe stops at its first match, and a
# category with no entry of its own costs one index lookup, not a scan of every filing.
from django.db import migrations

INDEXES = {
    "article_categories_category_article_idx": ("articles_article_categories", "category_id, article_id"),
    "articleauthor_author_article_idx": ("articles_articleauthor", "author_id, article_id"),
}


class Migration(migrations.Migration):
    dependencies = [("articles", "0025_media")]

    operations = [
        migrations.RunSQL(f"CREATE INDEX {name} ON {table} ({columns})", f"DROP INDEX {name}")
        for name, (table, columns) in INDEXES.items()
    ]
