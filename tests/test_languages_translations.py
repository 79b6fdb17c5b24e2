"""Languages and translations through WordPress exports (Polylang, WPML) and backups (export, restore)."""

import datetime as dt
import io
import json
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse

from articles.importers import wxr
from articles.importers.pipeline import import_path
from articles.models import Article, TranslationGroup
from tests.backup import round_trip, sorted_lines
from tests.factories import FIXTURES

pytestmark = pytest.mark.django_db

POLYLANG = FIXTURES / "wxr" / "polylang.xml"
SITE = "https://centre.example.af"
DARI_SLUG = "آب-و-زراعت"


def by_post(post_id):
    return Article.objects.get(import_key=f"wxr:{SITE}#{post_id}")


def test_polylang_export_parses_each_posts_language_and_translation_group():
    with POLYLANG.open("rb") as stream:
        articles = list(wxr.parse(stream, POLYLANG.name).articles)
    assert [(a.title, a.language, a.translation_key) for a in articles] == [
        ("Water and the future of farming", "en", f"wxr:{SITE}#translations:pll_5f1a2b3c4d5e6"),
        ("آب و آینده زراعت", "fa", f"wxr:{SITE}#translations:pll_5f1a2b3c4d5e6"),
        ("د کابل سیند", "ps", ""),
    ]


def test_polylang_import_links_the_english_and_dari_versions_only():
    result = import_path(POLYLANG)
    assert result.count("created") == 3
    english, dari, pashto = by_post(101), by_post(102), by_post(103)
    assert (english.language, dari.language, pashto.language) == ("en", "fa", "ps")
    assert english.translation_group_id == dari.translation_group_id is not None
    assert pashto.translation_group_id is None
    assert TranslationGroup.objects.get().key == f"wxr:{SITE}#translations:pll_5f1a2b3c4d5e6"
    # The Dari post name (percent-encoded in the export) is its slug; the Pashto post has none: its title.
    assert (english.slug, dari.slug, pashto.slug) == ("water-and-farming", DARI_SLUG, "د-کابل-سیند")


def test_reimporting_the_polylang_export_changes_nothing():
    import_path(POLYLANG)
    again = import_path(POLYLANG)
    assert again.count("unchanged") == 3
    assert TranslationGroup.objects.count() == 1


def test_wpml_post_meta_gives_language_and_group(tmp_path):
    text = POLYLANG.read_text(encoding="utf-8")
    wpml = (
        text.replace('<category domain="language" nicename="en"><![CDATA[English]]></category>',
                     "<wp:postmeta><wp:meta_key>_wpml_import_language_code</wp:meta_key>"
                     "<wp:meta_value>en</wp:meta_value></wp:postmeta>"
                     "<wp:postmeta><wp:meta_key>_wpml_import_translation_group</wp:meta_key>"
                     "<wp:meta_value>77</wp:meta_value></wp:postmeta>")
        .replace('<category domain="post_translations" nicename="pll_5f1a2b3c4d5e6">'
                 "<![CDATA[pll_5f1a2b3c4d5e6]]></category>", "")
    )
    path = tmp_path / "wpml.xml"
    path.write_text(wpml, encoding="utf-8")
    with path.open("rb") as stream:
        english = next(iter(wxr.parse(stream, path.name).articles))
    assert (english.language, english.translation_key) == ("en", f"wxr:{SITE}#translations:77")


def test_an_unknown_polylang_language_is_detected_with_a_warning(tmp_path):
    path = tmp_path / "de.xml"
    path.write_text(POLYLANG.read_text(encoding="utf-8").replace(
        'nicename="ps"><![CDATA[پښتو]]>', 'nicename="de"><![CDATA[Deutsch]]>'), encoding="utf-8")
    with path.open("rb") as stream:
        pashto = list(wxr.parse(stream, path.name).articles)[2]
    assert pashto.language == ""  # detected when loaded
    assert pashto.warnings == [
        "The post's language 'Deutsch' is not one the archive publishes in; its language was detected from the text."
    ]
    import_path(path)
    assert by_post(103).language == "ps"


def test_export_carries_language_translations_and_source_calendar(tmp_path):
    import_path(POLYLANG)
    import_path(FIXTURES / "seedtext" / "dari_article.txt")
    out = tmp_path / "out.jsonl"
    call_command("export_articles", "-o", str(out), stderr=io.StringIO())
    lines = {row["slug"]: row for row in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert (lines["water-and-farming"]["language"], lines["water-and-farming"]["translations"]) == ("en", [DARI_SLUG])
    assert (lines[DARI_SLUG]["language"], lines[DARI_SLUG]["translations"]) == ("fa", ["water-and-farming"])
    assert lines["د-کابل-سیند"]["translations"] == []
    dari_seed = next(row for row in lines.values() if row["footnotes"] and row["language"] == "fa")
    assert [(s["year"], s["calendar"]) for s in dari_seed["sources"]] == [(1382, "solar_hijri")]


def test_backup_round_trip_keeps_languages_translations_and_calendars(tmp_path):
    import_path(POLYLANG)
    import_path(FIXTURES / "seedtext" / "dari_article.txt")
    import_path(FIXTURES / "seedtext" / "pashto_article.txt")
    first, second = round_trip(tmp_path)
    assert sorted_lines(first) == sorted_lines(second)
    assert sorted(Article.objects.values_list("language", flat=True)) == ["en", "fa", "fa", "ps", "ps"]
    english, dari = Article.objects.get(slug="water-and-farming"), Article.objects.get(slug=DARI_SLUG)
    assert english.translation_group_id == dari.translation_group_id is not None


def test_a_backup_line_without_language_restores_as_english(tmp_path):
    line = {"slug": "old", "title": "Old", "status": "published", "published": "2016-01-02", "summary": "",
            "body_html": "<p>x</p>", "category": [], "categories": [], "authors": [], "tags": [],
            "footnotes": [], "sources": [], "provenance": []}
    path = tmp_path / "old.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    call_command("import_articles", "--format", "jsonl", str(path), stdout=io.StringIO())
    assert Article.objects.get(slug="old").language == "en"


def test_translations_link_each_other_with_hreflang_and_visible_links(client):
    import_path(POLYLANG)
    english, dari = by_post(101), by_post(102)
    html = client.get(english.get_absolute_url()).content.decode()
    assert f'<link rel="alternate" hreflang="en" href="http://testserver{english.get_absolute_url()}">' in html
    assert f'<link rel="alternate" hreflang="fa" href="http://testserver{dari.get_absolute_url()}">' in html
    assert (f'<a href="{dari.get_absolute_url()}" hreflang="fa" lang="fa" dir="rtl">دری: آب و آینده زراعت</a>'
            in html)
    dari_html = client.get(dari.get_absolute_url()).content.decode()
    assert '<html lang="fa" dir="rtl">' in dari_html
    assert 'lang="en" dir="ltr">English: Water and the future of farming</a>' in dari_html
    # No alternates for an article without translations (its language switcher leads to the home pages).
    assert '<link rel="alternate" hreflang' not in client.get(by_post(103).get_absolute_url()).content.decode()


def test_a_translation_renamed_or_unpublished_refreshes_the_other_page(client):
    import_path(POLYLANG)
    english, dari = by_post(101), by_post(102)
    client.get(english.get_absolute_url())  # stored and cached
    dari.title = "آب"
    dari.save()
    assert ">دری: آب</a>" in client.get(english.get_absolute_url()).content.decode()
    dari.status = Article.Status.DRAFT
    dari.save()
    assert '<link rel="alternate" hreflang' not in client.get(english.get_absolute_url()).content.decode()


def test_editors_see_and_pick_translation_groups_in_the_admin(staff_client):
    import_path(POLYLANG)
    english = by_post(101)
    html = staff_client.get(reverse("admin:articles_article_change", args=[english.pk])).content.decode()
    assert 'name="translation_group"' in html and 'name="language"' in html
    group = TranslationGroup.objects.get()
    html = staff_client.get(reverse("admin:articles_translationgroup_change", args=[group.pk])).content.decode()
    assert "Water and the future of farming" in html and "آب و آینده زراعت" in html


def test_the_sitemap_lists_each_translations_alternates(client):
    import_path(POLYLANG)
    english, dari = by_post(101), by_post(102)
    # The articles' section of the sitemap index.
    xml = client.get(reverse("articles:sitemap_section", kwargs={"section": "articles"})).content.decode()
    links = ET.fromstring(xml).iter("{http://www.w3.org/1999/xhtml}link")
    alternates = [(link.get("hreflang"), urlsplit(link.get("href")).path) for link in links]
    pair = [("en", english.get_absolute_url()), ("fa", dari.get_absolute_url())]
    assert alternates == pair + pair  # under each of the two versions; the Pashto article has none


def test_the_sitemap_page_of_translations_is_exactly_the_protocols_urlset(client):
    import_path(POLYLANG)
    Article.objects.update(updated_at=dt.datetime(2024, 5, 6, 7, 0, tzinfo=dt.UTC))
    xml = client.get(reverse("articles:sitemap_section", kwargs={"section": "articles"})).content.decode()
    english = "http://example.com/articles/water-and-farming/"
    dari = "http://example.com/fa/articles/%D8%A2%D8%A8-%D9%88-%D8%B2%D8%B1%D8%A7%D8%B9%D8%AA/"
    pashto = "http://example.com/ps/articles/%D8%AF-%DA%A9%D8%A7%D8%A8%D9%84-%D8%B3%DB%8C%D9%86%D8%AF/"
    pair = (f'<xhtml:link href="{english}" hreflang="en" rel="alternate"/>'
            f'<xhtml:link href="{dari}" hreflang="fa" rel="alternate"/>')
    tail = "<lastmod>2024-05-06</lastmod><changefreq>yearly</changefreq><priority>0.8</priority>"
    assert xml == (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">'
        f"<url><loc>{english}</loc>{tail}{pair}</url>"
        f"<url><loc>{dari}</loc>{tail}{pair}</url>"
        f"<url><loc>{pashto}</loc>{tail}</url>"
        "</urlset>"
    )
