"""Article.tags through a model of our own (``TaggedArticle``), each tagging with the article's listing
key (status, publication date) and an index a tag's page reads in order (docs/performance.md).

The article taggings move from taggit's generic table, ids of the tags kept, in one statement each
way (any archive's size); the generic rows of articles are then removed. Reversible: back, the
taggings are copied into the generic table again.
"""

import django.db.models.deletion
import taggit.managers
from django.db import migrations, models

# The content type of articles, as the generic table refers to them (none on a fresh database).
ARTICLE_TYPE = "SELECT id FROM django_content_type WHERE app_label = 'articles' AND model = 'article'"

COPY_OUT = f"""
INSERT INTO articles_taggedarticle (tag_id, content_object_id, status, published_at)
SELECT item.tag_id, article.id, article.status, article.published_at
FROM taggit_taggeditem item JOIN articles_article article ON article.id = item.object_id
WHERE item.content_type_id = ({ARTICLE_TYPE})
"""
REMOVE_GENERIC = f"DELETE FROM taggit_taggeditem WHERE content_type_id = ({ARTICLE_TYPE})"
COPY_BACK = f"""
INSERT INTO taggit_taggeditem (tag_id, object_id, content_type_id)
SELECT tagged.tag_id, tagged.content_object_id, ({ARTICLE_TYPE})
FROM articles_taggedarticle tagged
WHERE EXISTS ({ARTICLE_TYPE})
"""


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0029_footnote_article_source_idx'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('taggit', '0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx'),
    ]

    operations = [
        migrations.CreateModel(
            name='TaggedArticle',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(blank=True, editable=False, max_length=20, null=True)),
                ('published_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('content_object', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='taggings', to='articles.article')),
                ('tag', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='%(app_label)s_%(class)s_items', to='taggit.tag')),
            ],
            options={
                'verbose_name': 'tagged article',
            },
        ),
        # Rows first, indexes after: built once over the copied rows rather than entry by entry.
        migrations.RunSQL(COPY_OUT, COPY_BACK),
        migrations.RunSQL(REMOVE_GENERIC, migrations.RunSQL.noop),
        # Both sides are through models: no column changes, only the field's state.
        migrations.AlterField(
            model_name='article',
            name='tags',
            field=taggit.managers.TaggableManager(blank=True, help_text='A comma-separated list of tags.', through='articles.TaggedArticle', to='taggit.Tag', verbose_name='Tags'),
        ),
        migrations.AddIndex(
            model_name='taggedarticle',
            index=models.Index(condition=models.Q(('status', 'published')), fields=['tag', '-published_at', '-content_object'], name='tagged_article_listing_idx'),
        ),
        migrations.AddConstraint(
            model_name='taggedarticle',
            constraint=models.UniqueConstraint(fields=('content_object', 'tag'), name='tagged_article_unique'),
        ),
    ]
