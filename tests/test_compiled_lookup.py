"""The article page's query compiled once (articles.models.compiled): the same rows, instances and
answers as the ORM's own ``get()``, for every reader, on every thread."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connections

from articles.models import Article, ArticleRendering
from articles.models.compiled import _NOT_COMPILABLE, CompiledLookup
from articles.pages import rendering
from tests.factories import make_article

pytestmark = pytest.mark.django_db

READ_FIELDS = ("id", "slug", "title", "status", "published_at", "comments_open")
RENDERING_FIELDS = ("article_id", "page_html", "section_html", "comments_open", "digest", "generation")


def staff_user():
    return get_user_model().objects.create_user("editor", password="x" * 12, is_staff=True)


def as_orm_reads(slug, user=None):
    return Article.objects.for_reading().visible_to(user).get(slug=slug)


def same_instance(compiled, orm):
    assert [getattr(compiled, name) for name in READ_FIELDS] == [getattr(orm, name) for name in READ_FIELDS]
    assert compiled.get_deferred_fields() == orm.get_deferred_fields()
    assert compiled._state.db == orm._state.db
    assert compiled._state.adding is False


def test_a_compiled_read_gives_the_instance_and_stored_page_the_orm_gives():
    article = make_article("Water rights in Helmand")
    rendering.refresh([article.pk])
    compiled = Article.objects.get_for_reading(article.slug, AnonymousUser())
    orm = as_orm_reads(article.slug)
    same_instance(compiled, orm)
    assert [getattr(compiled.rendering, name) for name in RENDERING_FIELDS] == [
        getattr(orm.rendering, name) for name in RENDERING_FIELDS
    ]
    assert compiled.rendering.page_html.startswith("<!DOCTYPE html>")


def test_a_compiled_read_of_an_article_without_a_stored_page_has_none(django_assert_num_queries):
    article = make_article("Not yet rendered")
    ArticleRendering.objects.filter(article=article).delete()
    Article.objects.get_for_reading(article.slug)  # compiled on this connection
    with django_assert_num_queries(1):
        compiled = Article.objects.get_for_reading(article.slug)
    assert not hasattr(compiled, "rendering")
    assert compiled.title == "Not yet rendered"


def test_each_compiled_read_is_one_query_with_that_reader_s_slug(django_assert_num_queries):
    first, second = make_article("First of two"), make_article("Second of two")
    Article.objects.get_for_reading(first.slug)
    with django_assert_num_queries(2) as queries:
        assert Article.objects.get_for_reading(second.slug).pk == second.pk
        assert Article.objects.get_for_reading(first.slug).pk == first.pk
    assert [query["sql"].count(first.slug) for query in queries.captured_queries] == [0, 1]


def test_a_draft_is_read_by_staff_and_missing_for_everyone_else():
    draft = make_article("Unfinished draft", status=Article.Status.DRAFT)
    with pytest.raises(Article.DoesNotExist):
        Article.objects.get_for_reading(draft.slug)
    with pytest.raises(Article.DoesNotExist):
        Article.objects.get_for_reading(draft.slug, AnonymousUser())
    assert Article.objects.get_for_reading(draft.slug, staff_user()).pk == draft.pk


def test_an_unknown_slug_or_a_marker_like_value_is_missing():
    make_article("Only article")
    for slug in ("no-such-article", "\x1farchive-compiled:slug\x1f", "' OR 1=1 --"):
        with pytest.raises(Article.DoesNotExist):
            Article.objects.get_for_reading(slug)


def test_two_rows_raise_multiple_objects_returned_as_get_does():
    make_article("Twin", slug="twin-a")
    make_article("Twin", slug="twin-b")
    lookup = CompiledLookup(lambda title: Article.objects.filter(title=title), "title")
    with pytest.raises(Article.MultipleObjectsReturned):
        lookup.get(title="Twin")


def test_a_value_transformed_on_its_way_is_not_compiled_and_still_answers():
    article = make_article("Transformed lookups")
    lookup = CompiledLookup(lambda word: Article.objects.filter(title__icontains=word), "word")
    assert lookup.get(word="lookups").pk == article.pk
    assert lookup._local.compiled is _NOT_COMPILABLE
    with pytest.raises(Article.DoesNotExist):
        lookup.get(word="absent")


@pytest.mark.django_db(transaction=True)
def test_another_thread_compiles_for_its_own_connection():
    article = make_article("Read from a thread")
    Article.objects.get_for_reading(article.slug)
    main_connection = connections["default"]
    found, used = [], []

    def read():
        try:
            found.append(Article.objects.get_for_reading(article.slug).pk)
            used.append(connections["default"] is not main_connection)
        finally:
            connections.close_all()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    assert found == [article.pk]
    assert used == [True]
