from django.db import migrations, models


class Migration(migrations.Migration):
    """The calendar of a Source's year: a Solar Hijri year is kept as written (existing rows: Gregorian)."""

    dependencies = [
        ("articles", "0019_article_language_translations"),
    ]

    operations = [
        migrations.AddField(
            model_name="source",
            name="calendar",
            field=models.CharField(
                choices=[("gregorian", "Gregorian"), ("solar_hijri", "Solar Hijri"), ("lunar_hijri", "Lunar Hijri")],
                default="gregorian",
                help_text="The calendar of the year.",
                max_length=20,
            ),
        ),
    ]
