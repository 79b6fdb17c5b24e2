"""Articles', categories', authors' and sources' addresses and the citation downloads: reversed once per
language, the same as reverse() gives."""

import pytest
from django.template import Context, Template
from django.test.utils import override_settings
from django.urls import reverse, set_script_prefix
from django.utils import translation

from articles.addresses import addresser, fixed_address
from articles.models import Article, Author, Category, Source
from articles.templatetags.archive_cite import downloads
from tests.factories import make_article, make_author, make_category

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "fa", "ps"])
@pytest.mark.parametrize("slug", ["plain-slug", "طالبان-و-روسیه", "a:b@c~d!e$f&'()*+,;=", "100%-sure"])
def test_an_article_address_is_what_reverse_gives_in_its_language(language, slug):
    article = Article(slug=slug, language=language)
    with translation.override(language):
        expected = reverse("articles:article", kwargs={"slug": slug})
    with translation.override("en"):
        assert article.get_absolute_url() == expected


def test_a_dari_article_is_under_the_dari_prefix_on_every_page():
    article = make_article("An article", language="fa")
    for page_language in ("en", "fa", "ps"):
        with translation.override(page_language):
            assert article.get_absolute_url() == f"/fa/articles/{article.slug}/"


def test_category_and_author_addresses_follow_the_page_language():
    category = make_category("Region", "Politics")
    author = make_author("Ahmad Rahimi")
    with translation.override("en"):
        assert category.get_absolute_url() == "/category/region/politics/"
        assert author.get_absolute_url() == "/authors/ahmad-rahimi/"
    with translation.override("fa"):
        assert category.get_absolute_url() == "/fa/category/region/politics/"
        assert Category(path="شهر/کابل").get_absolute_url() == reverse("articles:category", kwargs={"path": "شهر/کابل"})
        assert Author(slug="احمد").get_absolute_url() == "/fa/authors/%D8%A7%D8%AD%D9%85%D8%AF/"


def test_addresses_keep_the_script_prefix_of_a_site_mounted_below_the_root():
    author = make_author("Ahmad Rahimi")
    set_script_prefix("/archive/")
    try:
        assert author.get_absolute_url() == "/archive/authors/ahmad-rahimi/"
    finally:
        set_script_prefix("/")
    assert author.get_absolute_url() == "/authors/ahmad-rahimi/"


def _home_page(client, script_prefix):
    set_script_prefix(script_prefix)  # as the WSGI handler sets it from SCRIPT_NAME
    try:
        return client.get("/").content.decode()
    finally:
        set_script_prefix("/")


@override_settings(ARCHIVE_PAGE_CACHE=False)
def test_the_layout_kept_in_each_process_keeps_the_script_prefix_of_each_site(client):
    """The layout's kept parts (base.html's {% cache %} blocks) vary on the script prefix, as their
    addresses do: a site mounted below the root after one at the root links below the root."""
    assert '<li><a href="/authors/">Authors</a></li>' in _home_page(client, "/")
    mounted = _home_page(client, "/archive-site/")
    assert '<li><a href="/archive-site/authors/">Authors</a></li>' in mounted
    assert '<a class="site-name" href="/archive-site/">The Archive</a>' in mounted
    assert 'type="application/atom+xml" title="The Archive (Atom)" href="/archive-site/feeds/atom/">' in mounted


@pytest.mark.parametrize("language", ["en", "fa", "ps"])
@pytest.mark.parametrize("key", ["ruttig-2014", "روتیگ-۲۰۱۴", "a:b@c~d!e$f&'()*+,;=", "100%-sure"])
def test_a_source_address_is_what_reverse_gives_in_the_page_language(language, key):
    with translation.override(language):
        assert Source(key=key).get_absolute_url() == reverse("articles:source", kwargs={"key": key})


@pytest.mark.parametrize("language", ["en", "fa"])
@pytest.mark.parametrize(("view", "argument"), [("article_cite", "slug"), ("article_sources", "slug"),
                                                ("source_cite", "key")])
def test_citation_downloads_are_where_reverse_sends_them(language, view, argument):
    value = "طالبان-و-روسیه-100%"
    with translation.override(language):
        links = downloads(view, argument, value)
        expected = [reverse(f"articles:{view}", kwargs={argument: value, "extension": extension})
                    for extension in ("bib", "ris", "json")]
    assert [link["url"] for link in links] == expected
    assert [link["label"] for link in links] == ["BibTeX", "RIS", "CSL-JSON"]


@pytest.mark.parametrize("prefix", ["/", "/archive/"])
def test_many_addresses_of_one_view_are_what_reverse_gives_in_each_language(prefix):
    values = ["plain-slug", "طالبان-و-روسیه", "a:b@c~d!e$f&'()*+,;=", "100%-sure"]
    set_script_prefix(prefix)
    try:
        address_of = addresser("articles:tag", "slug")
        made = [address_of(value, language) for value in values for language in ("en", "fa", "ps")]
        expected = []
        for value in values:
            for language in ("en", "fa", "ps"):
                with translation.override(language):
                    expected.append(reverse("articles:tag", kwargs={"slug": value}))
    finally:
        set_script_prefix("/")
    assert made == expected
    assert made[4] == f"{prefix}fa/tags/%D8%B7%D8%A7%D9%84%D8%A8%D8%A7%D9%86-%D9%88-%D8%B1%D9%88%D8%B3%DB%8C%D9%87/"


@pytest.mark.parametrize("view", ["articles:home", "articles:archive"])
def test_a_page_without_arguments_is_where_reverse_sends_it_in_each_language_in_turn(view):
    expected = {}
    for language in ("en", "fa", "ps"):
        with translation.override(language):
            expected[language] = reverse(view)
    assert expected["en"] != expected["fa"] != expected["ps"]
    for _ in range(2):  # the second time from the memo, each language its own
        for language in ("fa", "en", "ps"):
            assert fixed_address(view, language) == expected[language]
            with translation.override(language):
                assert fixed_address(view) == expected[language]


def test_a_page_without_arguments_keeps_the_script_prefix():
    assert fixed_address("articles:home", "fa") == "/fa/"
    set_script_prefix("/archive/")
    try:
        assert fixed_address("articles:home", "fa") == "/archive/fa/"
    finally:
        set_script_prefix("/")
    assert fixed_address("articles:home", "fa") == "/fa/"


@pytest.mark.parametrize("language", ["en", "fa"])
@pytest.mark.parametrize("slug", ["plain-slug", "طالبان-و-روسیه", "a:b@c~d!e$f&'()*+,;=", "100%-sure"])
def test_the_address_tag_writes_what_the_url_tag_writes(language, slug):
    def rendered(source):
        return Template("{% load archive_addresses %}" + source).render(Context({"slug": slug}))

    with translation.override(language):
        assert rendered("{% address 'articles:tag' slug=slug %}") == rendered("{% url 'articles:tag' slug %}")
        assert (rendered("{% address 'articles:comment_post' slug=slug %}")
                == rendered("{% url 'articles:comment_post' slug %}"))
        assert rendered("{% address 'articles:home' %}") == rendered("{% url 'articles:home' %}")
    assert "&amp;" in rendered("{% address 'articles:tag' slug='a&b' %}")
