"""``articles.bulk``: rows written with COPY are the rows ``bulk_create`` and simple-history write."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import bulk
from articles.models import Article, Footnote, ImportRecord, TranslationGroup
from tests.factories import make_article, make_source

pytestmark = pytest.mark.django_db

FOOTNOTE_COLUMNS = ("article_id", "text", "kind", "prefix", "source_id", "locator", "url", "url_missing",
                    "refers_to_id")  # all but the id and number


def _notes(article, source, start):
    return [
        Footnote(article=article, number=start, text="Ruttig, T. (2014). Kabul.", kind="book", source=source),
        Footnote(article=article, number=start + 1, text="Ibid., 12.", locator="12", url="https://example.org/a"),
    ]


def test_inserted_rows_and_ids_are_those_bulk_create_gives():
    article, source = make_article("Glaciers"), make_source("ruttig-2014")
    created = Footnote.objects.bulk_create(_notes(article, source, 1))
    inserted = bulk.insert(Footnote, _notes(article, source, 3), ids=True)

    assert not any(note._state.adding for note in inserted)
    assert [n.pk for n in inserted] == list(
        Footnote.objects.filter(number__in=(3, 4)).order_by("number").values_list("pk", flat=True)
    )
    assert min(n.pk for n in inserted) > max(n.pk for n in created)
    rows = {number: row for number, *row in Footnote.objects.values_list("number", *FOOTNOTE_COLUMNS)}
    # The same values, but the number, as bulk_create wrote them.
    assert [rows[3], rows[4]] == [rows[1], rows[2]]


def test_new_articles_inserted_are_the_rows_bulk_create_writes():
    group = TranslationGroup.objects.create(key="rivers")
    category = make_article("Elsewhere").primary_category
    when = timezone.now().replace(microsecond=0)

    def articles(prefix):
        return [Article(slug=f"{prefix}-{n}", title=f"Water {n}", body="<p>Rivers.</p>", summary="Short.",
                        status=Article.Status.PUBLISHED, published_at=when, edited_at=when, language="fa",
                        translation_group=group, primary_category=category, sticky=n == 1,
                        original_url="https://old.example/water", import_key=f"{prefix}:{n}",
                        import_guid=f"guid-{n}", import_hash="h" * 64) for n in (1, 2)]

    created = Article.objects.bulk_create(articles("created"))
    inserted = bulk.insert(Article, articles("inserted"), ids=True)
    assert not any(article._state.adding for article in inserted)
    assert min(a.pk for a in inserted) > max(a.pk for a in created)
    columns = [f.attname for f in Article._meta.concrete_fields
               if f.attname not in ("id", "slug", "import_key", "created_at", "updated_at")]
    def rows(ids):
        return list(Article.objects.filter(pk__in=ids).order_by("pk").values_list(*columns))

    assert rows([a.pk for a in inserted]) == rows([a.pk for a in created])
    assert Article.objects.filter(pk__in=[a.pk for a in inserted], created_at__isnull=False).count() == 2


def test_auto_dates_and_json_are_prepared_as_a_save_prepares_them():
    article = make_article("Rivers")
    before = timezone.now()
    record = ImportRecord(article=article, file_name="rivers.txt", format="seed", sha256="0" * 64,
                          importer_version="1", outcome="created", warnings=["a warning", {"line": 3}])
    bulk.insert(ImportRecord, [record])
    stored = ImportRecord.objects.get(file_name="rivers.txt")
    assert stored.warnings == ["a warning", {"line": 3}]
    assert stored.imported_at >= before - datetime.timedelta(seconds=1)


def test_revisions_are_the_ones_bulk_history_create_writes():
    article, source = make_article("Moraines"), make_source("ruttig-2014")
    single = Footnote.objects.bulk_create(_notes(article, source, 1))
    batched = Footnote.objects.bulk_create(_notes(article, source, 3))
    when = timezone.now()
    for note in single + batched:
        note._history_date = when
    Footnote.history.bulk_history_create(single, default_change_reason=None)
    bulk.insert_history(Footnote, batched)
    Footnote.history.bulk_history_create(single[1:], update=True, default_change_reason=None)
    bulk.insert_history(Footnote, batched[1:], update=True)

    columns = ("text", "kind", "locator", "url", "source_id", "history_date", "history_type", "history_user_id",
               "history_change_reason")
    def revisions(numbers):
        return list(Footnote.history.filter(number__in=numbers).order_by("history_id").values_list(*columns))

    assert revisions((3, 4)) == revisions((1, 2))
    assert [r[6] for r in revisions((3, 4))] == ["+", "+", "~"]
    assert revisions((3,))[0][5] == when


def test_article_revisions_take_the_history_models_own_fields_default():
    article = make_article("Lakes")
    Article.history.all().delete()
    bulk.insert_history(Article, [article])
    revision = Article.history.get()
    assert (revision.title, revision.history_type, revision.related) == ("Lakes", "+", {})


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_a_copy_is_counted_as_the_statement_it_is():
    article = make_article("Deltas")
    with CaptureQueriesContext(connection) as queries:
        bulk.insert(Footnote, [Footnote(article=article, number=1, text="A note.")])
    assert [q["sql"].split(" (")[0] for q in queries.captured_queries] == ['COPY "articles_footnote"']
