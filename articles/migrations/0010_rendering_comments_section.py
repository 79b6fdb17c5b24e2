from django.db import migrations, models


class Migration(migrations.Migration):
    """The comments section as most readers get it, stored too (``articles.pages.rendering``)."""

    dependencies = [
        ("articles", "0009_article_page_rendering"),
    ]

    operations = [
        migrations.AddField(model_name="articlerendering", name="section_html", field=models.TextField(blank=True)),
    ]
