"""The interface in Dari and Pashto: the URL's prefix picks the language (/fa/, /ps/, English
unprefixed), every old address still answers, an article lives under its own language's prefix,
the page cache keeps each language apart, and Dari and Pashto pages write numbers in Persian digits."""

import datetime as dt
import re
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone, translation
from taggit.models import Tag

from articles import i18n
from articles.importers.pipeline import import_path
from articles.links.record import record_links
from articles.models import Article, Comment, Footnote, Link
from articles.pages import rendering
from articles.search import refresh_search_vectors
from tests.factories import (
    FIXTURES,
    comment_form_data,
    make_article,
    make_author,
    make_category,
    make_source,
)

pytestmark = pytest.mark.django_db

DARI_FILE = FIXTURES / "seedtext" / "dari_article.txt"
POLYLANG = FIXTURES / "wxr" / "polylang.xml"
REFERENCE = ('<sup class="footnote-ref" id="fnref-{n}">'
             '<a href="#fn-{n}" aria-describedby="footnotes-label">{n}</a></sup>')


def dari_article(**fields):
    body = f"<p>متن مقاله{REFERENCE.format(n=1)} و ادامهٔ آن{REFERENCE.format(n=2)}.</p>"
    return make_article("مقالهٔ آزمایشی", language="fa", body=body, footnotes=2,
                        published=timezone.make_aware(dt.datetime(2016, 1, 2, 9, 30)), **fields)


def test_the_prefix_chooses_the_interface_language(client):
    english = client.get("/").content.decode()
    dari = client.get("/fa/").content.decode()
    pashto = client.get("/ps/").content.decode()
    assert '<html lang="en" dir="ltr">' in english and "<h1>Latest articles</h1>" in english
    assert '<html lang="fa" dir="rtl">' in dari and "<h1>تازه‌ترین مقاله‌ها</h1>" in dari
    assert '<html lang="ps" dir="rtl">' in pashto and "<h1>وروستۍ لیکنې</h1>" in pashto
    assert '<a href="/fa/archive/">همهٔ مقاله‌ها به ترتیب تاریخ</a>' in dari
    assert '<button type="submit">لټون</button>' in pashto
    assert '<a class="skip-link" href="#main">رفتن به محتوا</a>' in dari


def test_every_unprefixed_address_still_answers_in_english(client):
    article = make_article("Water and farming", category=make_category("Afghanistan"))
    Redirect.objects.create(site=Site.objects.get_current(), old_path="/2016/01/water/",
                            new_path=article.get_absolute_url())
    assert article.get_absolute_url() == "/articles/water-and-farming/"
    for path in ("/", "/archive/", "/search/?q=water", "/feeds/rss/", "/feeds/atom/", "/sitemap.xml",
                 "/sitemap-articles.xml", "/category/afghanistan/", "/robots.txt", "/oai/?verb=Identify",
                 article.get_absolute_url()):
        assert client.get(path).status_code == 200, path
    response = client.get("/2016/01/water/")
    assert (response.status_code, response["Location"]) == (301, "/articles/water-and-farming/")
    assert client.get("/fa/feeds/rss/").status_code == 200


def test_a_dari_article_lives_under_fa_and_its_other_addresses_move_there(client):
    article = dari_article()
    url = article.get_absolute_url()
    assert url == f"/fa/articles/{quote(article.slug)}/"
    for other in (f"/articles/{quote(article.slug)}/", f"/ps/articles/{quote(article.slug)}/"):
        response = client.get(other + "?replyto=3")
        assert (response.status_code, response["Location"]) == (301, url + "?replyto=3")
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="fa" dir="rtl">' in html
    assert '<h2 id="footnotes-label">پاورقی‌ها</h2>' in html
    assert '<button type="submit">فرستادن نظر</button>' in html
    assert f'action="{url}comment/#respond"' in html


def test_an_english_article_under_a_prefix_moves_to_its_unprefixed_address(client):
    article = make_article("Water and farming")
    response = client.get(f"/fa/articles/{article.slug}/")
    assert (response.status_code, response["Location"]) == (301, "/articles/water-and-farming/")


def test_an_old_redirect_to_a_dari_article_leads_to_its_prefixed_page(client):
    article = dari_article()
    site = Site.objects.get_current()
    Redirect.objects.create(site=site, old_path="/fa/blog/2016/01/test/", new_path=article.get_absolute_url())
    # Stored before the prefixes: it reaches the page through the unprefixed address's own redirect.
    Redirect.objects.create(site=site, old_path="/?p=77", new_path=f"/articles/{quote(article.slug)}/")
    response = client.get("/fa/blog/2016/01/test/")
    assert (response.status_code, response["Location"]) == (301, article.get_absolute_url())
    response = client.get("/?p=77", follow=True)
    assert response.redirect_chain == [(f"/articles/{quote(article.slug)}/", 301), (article.get_absolute_url(), 301)]
    assert response.status_code == 200


def test_translations_and_the_sitemap_use_the_prefixed_addresses(client):
    import_path(POLYLANG)
    english = Article.objects.get(language="en")
    dari = Article.objects.get(language="fa")
    html = client.get(english.get_absolute_url()).content.decode()
    path = f"/fa/articles/{quote(dari.slug)}/"
    assert dari.get_absolute_url() == path
    assert f'<link rel="alternate" hreflang="fa" href="http://testserver{path}">' in html
    sitemap = client.get("/sitemap-articles.xml").content.decode()
    assert f"<loc>http://example.com{path}</loc>" in sitemap
    assert f'<xhtml:link href="http://example.com{path}" hreflang="fa" rel="alternate"/>' in sitemap


def test_the_language_switcher_links_the_same_page_or_the_articles_translations(client):
    html = client.get("/fa/archive/").content.decode()
    assert ('<ul><li><a href="/archive/" hreflang="en" lang="en" dir="ltr">English</a></li>'
            '<li><span aria-current="true" lang="fa" dir="rtl">دری</span></li>'
            '<li><a href="/ps/archive/" hreflang="ps" lang="ps" dir="rtl">پښتو</a></li></ul>') in html
    import_path(POLYLANG)
    dari = Article.objects.get(language="fa")
    english = Article.objects.get(language="en")
    html = client.get(dari.get_absolute_url()).content.decode()
    assert (f'<ul><li><a href="{english.get_absolute_url()}" hreflang="en" lang="en" dir="ltr">English</a></li>'
            '<li><span aria-current="true" lang="fa" dir="rtl">دری</span></li>'
            '<li><a href="/ps/" hreflang="ps" lang="ps" dir="rtl">پښتو</a></li></ul>') in html


def test_the_page_cache_keeps_each_language_apart(client):
    make_article("Water and farming")
    assert client.get("/")["X-Archive-Cache"] == "miss"
    first = client.get("/fa/")
    assert first["X-Archive-Cache"] == "miss"
    again = client.get("/fa/")
    assert again["X-Archive-Cache"] == "hit"
    assert "<h1>تازه‌ترین مقاله‌ها</h1>" in again.content.decode()
    english = client.get("/")
    assert english["X-Archive-Cache"] == "hit"
    assert "<h1>Latest articles</h1>" in english.content.decode()


def _footer(html):
    return re.search(r'<footer class="site-footer">.*?</footer>', html, re.S).group(0)


def test_the_layout_kept_in_each_process_is_each_languages_own(client, settings):
    """The head links, menu and footer alike on every page are kept in memory per language (base.html's
    {% cache %} blocks): a Dari page after an English one has the Dari ones, and back."""
    settings.ARCHIVE_PAGE_CACHE = False
    make_article("Water and farming")
    pages = {path: client.get(path).content.decode() for path in ("/", "/fa/", "/ps/", "/tags/")}
    assert '<li><a href="/archive/">All articles by date</a></li>' in _footer(pages["/"])
    assert '<li><a href="/fa/archive/">همهٔ مقاله‌ها به ترتیب تاریخ</a></li>' in _footer(pages["/fa/"])
    assert '<li><a href="/ps/archive/">ټولې لیکنې د نېټې له مخې</a></li>' in _footer(pages["/ps/"])
    assert _footer(pages["/tags/"]) == _footer(pages["/"])
    assert '<a class="site-name" href="/fa/">The Archive</a>' in pages["/fa/"]
    assert '<li><a href="/ps/archive/">' in pages["/ps/"].split("</nav>")[0]
    assert ('<link rel="alternate" type="application/rss+xml" title="The Archive (RSS)" href="/ps/feeds/rss/">'
            in pages["/ps/"])


def test_dari_pages_write_numbers_in_persian_digits_and_keep_anchors_ascii(client):
    article = dari_article()
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<bdi lang="fa">۱۲ جدی ۱۳۹۴</bdi> (۲ جنوری ۲۰۱۶)' in html
    references = re.findall(r'<sup class="footnote-ref" id="(fnref-\d+)"><a href="(#fn-\d+)"[^>]*>([^<]+)</a>', html)
    assert references == [("fnref-1", "#fn-1", "۱"), ("fnref-2", "#fn-2", "۲")]
    assert 'aria-label="بازگشت به ارجاع ۲"' in html and 'href="#fnref-2"' in html
    english = client.get("/").content.decode()  # the same article in an English list: English dates
    assert '<bdi lang="fa">۱۲ جدی ۱۳۹۴</bdi> (2 January 2016)' in english


def test_pagination_and_dates_in_persian_digits(client):
    for n in range(21):  # a page is 20 articles
        make_article(f"Water {n}", published=timezone.make_aware(dt.datetime(2016, 1, 2 + n)))
    home = client.get("/ps/?page=2").content.decode()
    assert "<span>پاڼه ۲</span>" in home  # listings count nothing (issue 25): no "of N"
    assert "<title>وروستۍ لیکنې، پاڼه ۲ · The Archive</title>" in home
    month = client.get("/fa/archive/2016/01/").content.decode()
    assert "<h1>مقاله‌های جنوری ۲۰۱۶</h1>" in month
    assert "<h1>Articles of January 2016</h1>" in client.get("/archive/2016/01/").content.decode()


def test_search_page_in_pashto(client):
    article = make_article("Water and farming", body="<p>Kajaki water.</p>")
    refresh_search_vectors([article.pk])  # written by a task after the commit
    html = client.get("/ps/search/?q=kajaki").content.decode()
    assert "د «kajaki» لپاره ۱ لیکنه وموندل شوه." in html
    assert "<h1>لټون</h1>" in html


def test_the_comment_form_and_its_messages_speak_the_articles_language(client):
    article = dari_article()
    url = f"{article.get_absolute_url()}comment/"
    refused = client.post(url, comment_form_data(article, name=""))
    assert refused.status_code == 400
    assert "لطفاً نام خود را بنویسید." in refused.content.decode()
    response = client.post(url, comment_form_data(article), follow=True)
    assert Comment.objects.filter(article=article).count() == 1
    assert "سپاس. نظر شما در انتظار بررسی است و پس از تأیید مدیر نشان داده می‌شود." in response.content.decode()


def test_feed_titles_in_the_feeds_language(client):
    article = make_article("Water and farming")
    article.tags.add("water")
    rss = client.get("/fa/feeds/tags/water/rss/").content.decode()
    assert "<title>برچسب «water» · The Archive</title>" in rss
    assert "<description>مقاله‌های تازه با برچسب water.</description>" in rss
    assert "<title>Tagged “water” · The Archive</title>" in client.get("/feeds/tags/water/rss/").content.decode()


def test_error_pages_in_the_addresses_language(client):
    dari = client.get("/fa/no-such-page/")
    assert dari.status_code == 404
    assert '<html lang="fa" dir="rtl">' in dari.content.decode()
    assert "<h1>صفحه پیدا نشد</h1>" in dari.content.decode()
    pashto = client.get("/ps/no-such-page/").content.decode()
    assert "<h1>پاڼه ونه موندل شوه</h1>" in pashto
    assert "<h1>Page not found</h1>" in client.get("/no-such-page/").content.decode()


def test_the_sitemap_lists_listing_pages_in_every_language_with_their_alternates(client):
    make_article("Water and farming", category=make_category("Afghanistan"))
    xml = client.get("/sitemap-archive.xml").content.decode()
    homes = re.findall(r"<loc>http://example.com(/(?:fa/|ps/)?)</loc>", xml)
    assert homes == ["/", "/fa/", "/ps/"]
    assert '<xhtml:link href="http://example.com/ps/archive/" hreflang="ps" rel="alternate"/>' in xml
    assert '<xhtml:link href="http://example.com/" hreflang="x-default" rel="alternate"/>' in xml
    categories = client.get("/sitemap-categories.xml").content.decode()
    assert re.findall(r"<loc>http://example.com([^<]+)</loc>", categories) == [
        "/category/afghanistan/", "/fa/category/afghanistan/", "/ps/category/afghanistan/",
    ]


@pytest.mark.parametrize("language", ["fa", "ps"])
def test_every_interface_string_is_translated_and_none_is_fuzzy(language):
    po = Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"
    checked = subprocess.run(["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    assert re.fullmatch(r"\d+ translated messages\.\n", checked.stderr), checked.stderr


def test_a_cited_works_page_in_dari(client):
    article = dari_article()
    source = make_source("muzhdah-2003", authors=["مژده، وحید"], year=1382, title="افغانستان و پنج سال سلطه طالبان")
    article.footnotes.filter(number=1).update(source=source)
    html = client.get(f"/fa/sources/{source.key}/").content.decode()
    assert '<p class="kicker">اثر استنادشده</p>' in html
    assert "<dt>نویسندگان</dt>" in html
    assert "<h2>مقاله‌هایی که به این اثر استناد کرده‌اند</h2>" in html


def test_a_request_in_dari_leaves_the_thread_in_the_default_language(client):
    client.get("/fa/")
    assert translation.get_language() == "en"
    assert reverse("articles:home") == "/"


def test_the_index_pages_in_dari_and_pashto(client):
    ada = make_author("Ada Analyst")
    make_article("Water", authors=[ada], tags=["water"])
    make_article("Farming", authors=[ada])
    authors = client.get("/fa/authors/").content.decode()
    assert "<title>نویسندگان · The Archive</title>" in authors
    assert ('<meta name="description" content="همهٔ کسانی که برای آرشیف نوشته‌اند، '
            'همراه با مقاله‌های نشرشدهٔ خود.">') in authors
    assert "<h1>نویسندگان</h1>" in authors and '<p class="count">۱ نویسنده</p>' in authors
    assert '<a href="/fa/authors/ada-analyst/">Ada Analyst</a> <span class="count">(۲ مقاله)</span>' in authors
    tags = client.get("/ps/tags/").content.decode()
    assert "<h1>ټګونه</h1>" in tags and '<p class="count">۱ ټګ</p>' in tags
    assert "<h1>حواله شوې سرچینې</h1>" in client.get("/ps/sources/").content.decode()
    assert "<p>تر اوسه په دې لړلیک کې هېڅ خپره شوې لیکنه نشته.</p>" in client.get("/ps/sources/").content.decode()


def test_the_comment_confirmation_and_a_refused_token_in_dari():
    article = dari_article()
    url = f"{article.get_absolute_url()}comment/"
    reader = Client(enforce_csrf_checks=True)
    confirm = reader.post(url, comment_form_data(article))  # from the shared page: no CSRF token
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert ("<p>لطفاً نظر خود را در پایین بررسی کنید، سپس برای فرستادن آن دکمهٔ «فرستادن نظر» را فشار دهید.</p>"
            in html)
    assert "Please check" not in html and not Comment.objects.exists()
    refused = reader.post(url, {**comment_form_data(article), "csrfmiddlewaretoken": "x" * 64})
    assert refused.status_code == 403
    assert "<p>نظر شما فرستاده نشد. بررسی امنیتی صفحه ناکام شد: مرورگر شما" in refused.content.decode()
    assert "متن شما در پایین است: آن را دوباره بفرستید.</p>" in refused.content.decode()


def test_a_dari_notes_dead_and_found_links_in_dari(client, settings):
    settings.ARCHIVE_PAGE_CACHE = False
    article = dari_article()
    Footnote.objects.filter(article=article, number=1).update(url="https://example.org/gone")
    Footnote.objects.filter(article=article, number=2).update(
        url_missing=True, found_url="https://example.org/found", found_where="فهرست وزارت")
    record_links([article.pk])
    Link.objects.filter(url="https://example.org/gone").update(
        dead=True, dead_since=timezone.make_aware(dt.datetime(2024, 3, 5, 10)), archived_url="https://archive.example/c")
    rendering.refresh([article.pk])
    html = client.get(article.get_absolute_url()).content.decode()
    assert ('پیوند <span class="link-original">https://example.org/gone</span> هنگام بررسی در '
            '<time datetime="2024-03-05">۵ مارچ ۲۰۲۴</time> کار نمی‌کرد:') in html
    assert '<a class="archived-copy" href="https://archive.example/c" rel="nofollow noopener">نسخهٔ آرشیف‌شده</a>' in html
    assert '<span class="found-link">در فهرست وزارت دوباره پیدا شد: <a class="footnote-url"' in html


def test_the_language_switcher_of_a_page_with_a_perso_arabic_address_links_it_in_each_language(client):
    make_article("Water", tags=["آب"])
    tag = Tag.objects.get()
    html = client.get(f"/fa/tags/{tag.slug}/").content.decode()
    quoted = quote(tag.slug)
    assert (f'<ul><li><a href="/tags/{quoted}/" hreflang="en" lang="en" dir="ltr">English</a></li>'
            '<li><span aria-current="true" lang="fa" dir="rtl">دری</span></li>'
            f'<li><a href="/ps/tags/{quoted}/" hreflang="ps" lang="ps" dir="rtl">پښتو</a></li></ul>') in html


def test_the_language_links_of_an_address_without_a_name_fall_back_to_translating_the_path():
    match = resolve("/favicon.ico")  # an unnamed redirect: nothing to reverse it by
    assert match.url_name is None
    assert [link.url for link in i18n.language_links("/favicon.ico", match=match)] == ["/favicon.ico"] * 3
