"""Large text columns compressed with LZ4 on PostgreSQL (the default, pglz, is several times slower
to compress: an import of 2,000 articles spent most of a second of the server's time on it, and a
stored page is read back more quickly too). Values already stored keep their compression until
rewritten. A no-op elsewhere, and on a server built without LZ4."""

from django.db import migrations

COLUMNS = {
    "articles_article": ["body", "search_vector"],
    "articles_historicalarticle": ["body", "related"],
    "articles_articlerendering": ["page_html", "section_html", "comments_html"],
}


def _set(compression):
    def run(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            if compression == "lz4":
                cursor.execute("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
                               "AND 'lz4' = ANY(enumvals)")
                if cursor.fetchone() is None:
                    return  # built without LZ4: pglz stays
            for table, columns in COLUMNS.items():
                changes = ", ".join(f"ALTER COLUMN {connection.ops.quote_name(c)} SET COMPRESSION {compression}"
                                    for c in columns)
                cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} {changes}")

    return run


class Migration(migrations.Migration):
    dependencies = [("articles", "0010_rendering_comments_section")]

    operations = [migrations.RunPython(_set("lz4"), _set("pglz"))]
