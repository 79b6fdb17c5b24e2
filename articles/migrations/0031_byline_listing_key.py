"""Each byline (``ArticleAuthor``) with its article's listing key (status, publication date) and an
index an author's page reads in order, as 0030 gave the taggings (docs/performance.md).

The keys of the existing bylines are copied in one UPDATE (any archive's size) into the new index.
Reversible: back, the columns go.
"""

from django.db import migrations, models

COPY_KEYS = """
UPDATE articles_articleauthor SET
    status = (SELECT article.status FROM articles_article article WHERE article.id = articles_articleauthor.article_id),
    published_at = (SELECT article.published_at FROM articles_article article
                    WHERE article.id = articles_articleauthor.article_id)
"""


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0030_tagged_article_listing_key'),
    ]

    operations = [
        migrations.AddField(
            model_name='articleauthor',
            name='published_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='articleauthor',
            name='status',
            field=models.CharField(blank=True, editable=False, max_length=20, null=True),
        ),
        # The index before the copy: built over columns still empty, it is usable at once. Built after
        # the UPDATE, over its HOT-updated rows, PostgreSQL keeps it from the planner
        # (pg_index.indcheckxmin) until every transaction older than the migration has ended.
        migrations.AddIndex(
            model_name='articleauthor',
            index=models.Index(condition=models.Q(('status', 'published')), fields=['author', '-published_at', '-article'], name='articleauthor_listing_idx'),
        ),
        migrations.RunSQL(COPY_KEYS, migrations.RunSQL.noop),
    ]
