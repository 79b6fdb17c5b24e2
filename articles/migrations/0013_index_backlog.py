# The related-posts backlog becomes the backlog of every index an import can leave for later
# (search vectors and term index too): renamed, so entries already queued are kept.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0012_related_backlog'),
    ]

    operations = [
        migrations.RemoveConstraint(model_name='relatedbacklog', name='related_backlog_article_unique'),
        migrations.RenameModel(old_name='RelatedBacklog', new_name='IndexBacklog'),
        migrations.AddField(model_name='indexbacklog', name='search', field=models.BooleanField(default=False)),
        migrations.AddField(model_name='indexbacklog', name='terms', field=models.BooleanField(default=False)),
        migrations.AddField(model_name='indexbacklog', name='related', field=models.BooleanField(default=True)),
        migrations.AlterModelOptions(
            name='indexbacklog',
            options={'ordering': ['id'], 'verbose_name': 'index work to do', 'verbose_name_plural': 'index work to do'},
        ),
        migrations.AddConstraint(
            model_name='indexbacklog',
            constraint=models.UniqueConstraint(fields=('article',), name='index_backlog_article_unique'),
        ),
    ]
