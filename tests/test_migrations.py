"""Migrations are complete (makemigrations --check) and run forward over a database holding the seed."""

import datetime as dt
import io
from importlib import import_module

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils.text import slugify
from taggit.models import Tag, TaggedItem

from articles.importers import seedtext
from articles.models import Article, ArticleAuthor, TaggedArticle
from tests.factories import SEED_FILE

# The foundation's schema (articles and comments), before any branch's migrations.
FOUNDATION = [("articles", "0002_comments")]


@pytest.mark.django_db
def test_makemigrations_check_finds_nothing_to_write():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:  # raised with status 1 when a model change has no migration
        pytest.fail(f"models and migrations differ (exit {exc.code}):\n{out.getvalue()}")
    assert "No changes detected" in out.getvalue()


def write_seed_with(apps):
    """The seed article written with the models as they were at FOUNDATION (today's code may not run there)."""
    parsed = seedtext.parse(SEED_FILE.read_bytes(), "seed.txt")
    Category = apps.get_model("articles", "Category")
    parent = None
    for depth, name in enumerate(parsed.category_paths[0]):
        path = f"{parent.path}/{slugify(name)}" if parent else slugify(name)
        full = f"{parent.full_name} » {name}" if parent else name
        parent = Category.objects.create(parent=parent, name=name, slug=slugify(name), path=path, depth=depth,
                                         full_name=full)
    FoundationArticle = apps.get_model("articles", "Article")
    article = FoundationArticle.objects.create(
        title=parsed.title, slug=slugify(parsed.title)[:240], status=parsed.status,
        published_at=parsed.published_at, body=parsed.body_html, primary_category=parent, import_key=parsed.identity,
    )
    article.categories.add(parent)
    Source = apps.get_model("articles", "Source")
    Footnote = apps.get_model("articles", "Footnote")
    for note in parsed.footnotes:
        source = None
        if note.source:
            source, _ = Source.objects.get_or_create(key=note.source.key, defaults={"title": note.source.title})
        Footnote.objects.create(article=article, number=note.number, text=note.text, kind=note.kind,
                                source=source, url_missing=note.url_missing)
    apps.get_model("articles", "ImportRecord").objects.create(
        article=article, file_name="seed.txt", format="seedtext", sha256="0" * 64, importer_version="1",
        outcome="created")
    return article.pk


@pytest.mark.django_db(transaction=True)
def test_migrations_run_forward_over_a_database_holding_the_seed(client, tmp_path):
    executor = MigrationExecutor(connection)
    executor.migrate(FOUNDATION)
    pk = write_seed_with(executor.loader.project_state(FOUNDATION).apps)

    executor = MigrationExecutor(connection)  # reload: the graph's applied state changed
    executor.migrate(executor.loader.graph.leaf_nodes())
    fresh = MigrationExecutor(connection)
    assert fresh.migration_plan(fresh.loader.graph.leaf_nodes()) == []

    article = Article.objects.get(pk=pk)
    assert article.footnotes.count() == 9
    if connection.vendor == "postgresql":  # the search vectors were filled for the rows already there
        vectors = Article.objects.values_list("search_vector", "search_head").get(pk=pk)
        assert "'muzhdah'" in vectors[0] and "'muzhdah'" not in vectors[1]  # a footnote's word
        assert "'taliban':4A" in vectors[1]
    assert article.import_records.get().file_name == "seed.txt"
    # The tables later migrations added work with the old rows: a revision, the page, the export.
    article.title = "Edited after the migration"
    article.save()
    assert article.history.get().related["footnotes"][0]["number"] == 1
    assert client.get(article.get_absolute_url()).status_code == 200
    call_command("export_articles", "-o", str(tmp_path / "out.jsonl"), stderr=io.StringIO())
    assert '"title": "Edited after the migration"' in (tmp_path / "out.jsonl").read_text()


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="column compression is PostgreSQL's")
def test_large_text_columns_are_compressed_with_lz4():
    columns = import_module("articles.migrations.0011_lz4_compression").COLUMNS
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, a.attname, a.attcompression FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "WHERE c.relname = ANY(%s) AND a.attnum > 0 AND NOT a.attisdropped AND a.attcompression <> ''",
            [list(columns)],
        )
        found = {(table, column): method for table, column, method in cursor.fetchall()}
    assert found == {(table, column): "l" for table, names in columns.items() for column in names}


@pytest.mark.django_db(transaction=True)
def test_old_site_redirects_to_a_dari_article_follow_it_under_its_prefix(client):
    redirects = ("redirects", "0002_alter_redirect_new_path_help_text")
    before = [("articles", "0023_trash_guids_edited_at"), redirects]
    after = [("articles", "0024_language_prefixed_redirects"), redirects]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    dari = apps.get_model("articles", "Article").objects.create(
        title="آب و زراعت", slug="آب-و-زراعت", status="published", language="fa", body="<p>متن</p>"
    )
    english = apps.get_model("articles", "Article").objects.create(
        title="Water", slug="water", status="published", language="en", body="<p>Text</p>"
    )
    Redirect = apps.get_model("redirects", "Redirect")
    encoded = "/articles/%D8%A2%D8%A8-%D9%88-%D8%B2%D8%B1%D8%A7%D8%B9%D8%AA/"
    Redirect.objects.create(site_id=1, old_path="/fa/2016/01/water/", new_path=encoded)
    Redirect.objects.create(site_id=1, old_path="/2016/01/water/", new_path="/articles/water/")

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    assert sorted(Redirect.objects.values_list("old_path", "new_path")) == [
        ("/2016/01/water/", "/articles/water/"), ("/fa/2016/01/water/", "/fa" + encoded),
    ]
    assert Article.objects.get(pk=dari.pk).get_absolute_url() == "/fa" + encoded
    response = client.get("/fa/2016/01/water/")
    assert (response.status_code, response["Location"]) == (301, "/fa" + encoded)
    assert Article.objects.get(pk=english.pk).get_absolute_url() == "/articles/water/"

    executor = MigrationExecutor(connection)
    executor.migrate(before)  # and back
    assert Redirect.objects.get(old_path="/fa/2016/01/water/").new_path == encoded
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_article_taggings_and_bylines_get_each_articles_listing_key_and_back(client):
    before = [("articles", "0029_footnote_article_source_idx")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    OldArticle, OldTag = apps.get_model("articles", "Article"), apps.get_model("taggit", "Tag")
    ContentType, Generic = apps.get_model("contenttypes", "ContentType"), apps.get_model("taggit", "TaggedItem")
    article_type, _ = ContentType.objects.get_or_create(app_label="articles", model="article")
    category_type, _ = ContentType.objects.get_or_create(app_label="articles", model="category")
    published = dt.datetime(2016, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    live = OldArticle.objects.create(title="Live", slug="live", status="published", published_at=published)
    draft = OldArticle.objects.create(title="Draft", slug="draft", status="draft")
    water, dams = OldTag.objects.create(name="water", slug="water"), OldTag.objects.create(name="dams", slug="dams")
    for article, tag in ((live, water), (live, dams), (draft, water)):
        Generic.objects.create(content_type=article_type, object_id=article.pk, tag=tag)
    Generic.objects.create(content_type=category_type, object_id=7, tag=water)  # not an article's: left alone
    author = apps.get_model("articles", "Author").objects.create(name="Amina Rahimi", slug="amina-rahimi")
    for article in (live, draft):
        apps.get_model("articles", "ArticleAuthor").objects.create(article=article, author=author)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert sorted(TaggedArticle.objects.values_list("content_object_id", "tag__name", "status", "published_at")) == [
        (live.pk, "dams", "published", published), (live.pk, "water", "published", published),
        (draft.pk, "water", "draft", None),
    ]
    assert list(TaggedItem.objects.values_list("content_type_id", "object_id", "tag__name")) == [
        (category_type.pk, 7, "water")
    ]
    assert sorted(ArticleAuthor.objects.values_list("article_id", "status", "published_at")) == [
        (live.pk, "published", published), (draft.pk, "draft", None),
    ]
    assert [a.title for a in Article.objects.listed_under(Tag.objects.get(name="water"))] == ["Live"]
    assert sorted(Article.objects.get(pk=live.pk).tags.names()) == ["dams", "water"]

    executor = MigrationExecutor(connection)
    executor.migrate(before)  # and back: the generic rows again
    assert sorted(Generic.objects.values_list("content_type_id", "object_id", "tag__name")) == sorted([
        (article_type.pk, live.pk, "water"), (article_type.pk, live.pk, "dams"), (article_type.pk, draft.pk, "water"),
        (category_type.pk, 7, "water"),
    ])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db
def test_the_indexes_made_in_sql_outlive_the_columns_added_after_them():
    # A NOT NULL column added on SQLite rebuilds the table, and the rebuilt one had lost 0026's index.
    indexes = import_module("articles.migrations.0026_listing_probes").INDEXES
    with connection.cursor() as cursor:
        found = {
            name for table in {t for t, _ in indexes.values()}
            for name in connection.introspection.get_constraints(cursor, table)
        }
    assert set(indexes) <= found
