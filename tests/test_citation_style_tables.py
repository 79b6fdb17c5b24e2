"""References are rendered with each style's macros, terms and variable callers in tables and each
item's reference found once (``articles.citations.elements``): the same references, byte for byte, as
citeproc-py renders with its own classes, in the stored pages too; and citeproc-py's classes stay its
own for every other style."""

import json
from io import StringIO

import pytest
from citeproc import CitationItem, CitationStylesStyle
from citeproc.model import CitationStylesElement, Macro, Text
from django.core.management import call_command

from articles.citations import elements, records, styles
from articles.models import Article, ArticleRendering, Source
from articles.pages import rendering
from articles.pages.tasks import render_article_pages
from tests.factories import make_article, make_author, make_source
from tests.test_citations import SOURCES

pytestmark = pytest.mark.django_db
STYLES = ("apa", "chicago-author-date")
NAMESPACES = CitationStylesElement.nsmap


@pytest.fixture
def articles(seed_article):
    """The seed, generated articles (and their sources), articles with two authors, none, one in Perso-Arabic."""
    call_command("generate_articles", "12", "--seed", "7", stdout=StringIO(), stderr=StringIO())
    make_article("Kabul and Moscow", authors=[make_author("Thomas Ruttig"), make_author("Waheed Muzhdah")])
    make_article("Without an author")
    make_article("روسیه می‌خواهد با طالبان تماس داشته باشد", authors=[make_author("وحید مژده")])
    return list(Article.objects.published().for_page().order_by("pk"))


def items(articles):
    made = [styles.for_page(records.article_item(a, url=f"https://example.org{a.get_absolute_url()}"))
            for a in articles]
    made_sources = [make_source(key=f"{kind}-work", kind=kind, **fields) for kind, fields in SOURCES.items()]
    generated_sources = list(Source.objects.order_by("pk")[:10])
    return made + [records.source_item(source) for source in generated_sources + made_sources]


def test_references_are_those_citeproc_renders_with_its_own_classes(articles):
    every = items(articles)
    assert len(every) > 20
    for name in STYLES:
        own = styles.parse(name)
        for item in every:
            expected = styles.render(item, name, parsed=own)
            assert styles.render(item, name) == expected, json.dumps(item, ensure_ascii=False)
            assert expected.html


def test_stored_pages_are_byte_identical_to_those_rendered_with_citeprocs_own_classes(articles, monkeypatch):
    ids = [article.pk for article in articles]

    def stored():
        rendering.invalidate(ids)
        assert render_article_pages.call(ids) == len(ids)
        rows = ArticleRendering.objects.filter(article_id__in=ids).order_by("article_id")
        return list(rows.values_list("page_html", "comments_html", "section_html"))

    with_tables = stored()
    monkeypatch.setattr(styles, "style", styles.parse)  # each render parses the file, as citeproc gives it
    monkeypatch.setattr(elements, "CitedItem", CitationItem)  # and finds the item's reference each time
    assert stored() == with_tables
    assert all('<p class="cite-text" id="cite-apa">' in page for page, _, _ in with_tables)


def test_citeproc_keeps_its_own_classes_for_every_other_style(articles):
    direct_subclasses = set(CitationStylesElement.__subclasses__())
    styles.render(items(articles)[0], "apa")
    shared = styles.style("apa").root.find("cs:bibliography//cs:text", NAMESPACES)
    assert isinstance(shared, Text) and type(shared) is not Text  # the table's subclass
    other = CitationStylesStyle(str(styles.path("apa")), validate=False)
    assert type(other.root.find("cs:bibliography//cs:text", NAMESPACES)) is Text
    assert type(other.root.find("cs:macro", NAMESPACES)) is Macro
    assert set(CitationStylesElement.__subclasses__()) == direct_subclasses
