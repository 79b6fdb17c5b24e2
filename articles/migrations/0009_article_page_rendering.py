from django.db import migrations, models


class Migration(migrations.Migration):
    """The stored rendering becomes the whole article page (with holes for the reader's messages
    and the comments section). Stored renderings are derived data: the old ones are dropped, and
    the pages are rendered again by ``manage.py render_articles`` or by their first readers."""

    dependencies = [
        ("articles", "0008_article_rendering"),
    ]

    operations = [
        migrations.RemoveField(model_name="articlerendering", name="main_html"),
        migrations.RemoveField(model_name="articlerendering", name="head_html"),
        migrations.AddField(model_name="articlerendering", name="page_html", field=models.TextField(blank=True)),
    ]
