import pytest

from articles.importers.base import ParsedSource
from articles.importers.loader import sources_for
from articles.models import Source


@pytest.mark.django_db
def test_sources_for_creates_missing_reuses_existing_and_fills_empty_fields(django_assert_max_num_queries):
    Source.objects.create(key="ruttig-2014", title="From Point Zero")
    parsed = [
        ParsedSource(key="ruttig-2014", publisher="Afghanistan Analysts Network", year=2014),
        ParsedSource(key="muzhdah-2003", title="Afghanistan: in the five year", year=2003),
        ParsedSource(key="muzhdah-2003", title="A later, different title"),
    ]
    # select, insert, select, one fill-in update, and the articles citing the filled-in source (their pages show it)
    with django_assert_max_num_queries(5):
        found = sources_for(parsed)
    assert sorted(found) == ["muzhdah-2003", "ruttig-2014"]
    assert Source.objects.count() == 2
    ruttig = Source.objects.get(key="ruttig-2014")
    assert (ruttig.title, ruttig.publisher, ruttig.year) == ("From Point Zero", "Afghanistan Analysts Network", 2014)
    assert found["muzhdah-2003"].title == "Afghanistan: in the five year"
    assert found["muzhdah-2003"].pk == Source.objects.get(key="muzhdah-2003").pk
    assert sources_for([]) == {}
