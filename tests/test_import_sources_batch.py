import pytest

from articles.importers.base import ParsedSource
from articles.importers.loader import FileCache, sources_for
from articles.models import Source


@pytest.mark.django_db
def test_sources_for_creates_missing_reuses_existing_and_fills_empty_fields(django_assert_max_num_queries):
    Source.objects.create(key="ruttig-2014", title="From Point Zero")
    parsed = [
        ParsedSource(key="ruttig-2014", publisher="Afghanistan Analysts Network", year=2014),
        ParsedSource(key="muzhdah-2003", title="Afghanistan: in the five year", year=2003),
        ParsedSource(key="muzhdah-2003", title="A later, different title"),
    ]
    # select, insert (returning the ids), one fill-in update, and the articles citing the filled-in
    # source (their pages show it)
    with django_assert_max_num_queries(4):
        found = sources_for(parsed)
    assert sorted(found) == ["muzhdah-2003", "ruttig-2014"]
    assert Source.objects.count() == 2
    ruttig = Source.objects.get(key="ruttig-2014")
    assert (ruttig.title, ruttig.publisher, ruttig.year) == ("From Point Zero", "Afghanistan Analysts Network", 2014)
    assert found["muzhdah-2003"].title == "Afghanistan: in the five year"
    assert found["muzhdah-2003"].pk == Source.objects.get(key="muzhdah-2003").pk
    assert sources_for([]) == {}


@pytest.mark.django_db
def test_sources_for_with_a_file_cache_asks_once_per_key_and_still_fills_fields(django_assert_num_queries):
    cache = FileCache()
    sources_for([ParsedSource(key="ruttig-2014", title="From Point Zero")], cache)
    with django_assert_num_queries(0):
        found = sources_for([ParsedSource(key="ruttig-2014", title="Another title")], cache)
    assert found["ruttig-2014"].title == "From Point Zero"
    # The year was missing: filled in, in the row too; the articles citing it are found (their pages
    # show its label).
    with django_assert_num_queries(2):
        sources_for([ParsedSource(key="ruttig-2014", year=2014)], cache)
    assert Source.objects.get(key="ruttig-2014").year == 2014
    mark = cache.mark()
    sources_for([ParsedSource(key="muzhdah-2003", title="Afghanistan")], cache)
    cache.rollback_to(mark)  # the item that made it failed: the row is gone, so is the cached one
    assert "muzhdah-2003" not in cache.sources and "ruttig-2014" in cache.sources
