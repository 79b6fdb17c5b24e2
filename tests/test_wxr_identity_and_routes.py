"""WordPress imports and the site's own addresses (issue 21): an old permalink equal to one of the
site's routes leaves the route alone and is reported; a post id reused with another GUID is another post."""

import pytest
from django.contrib.redirects.models import Redirect

from articles.importers.pipeline import import_path
from articles.models import Article, ImportRecord

pytestmark = pytest.mark.django_db

SITE = "https://old.example.org"


def wxr(*items):
    body = "".join(
        f"<item><title>{title}</title><link>{SITE}{path}</link><guid isPermaLink=\"false\">{guid}</guid>"
        f"<wp:post_id>{post_id}</wp:post_id><wp:post_date_gmt>2020-01-01 10:00:00</wp:post_date_gmt>"
        f"<wp:post_name>{slug}</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
        f"<content:encoded><![CDATA[<p>{title}.</p>]]></content:encoded></item>"
        for post_id, guid, title, slug, path in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Old</title>'
        f"<link>{SITE}</link><wp:wxr_version>1.2</wp:wxr_version>{body}</channel></rss>"
    ).encode()


def imported(tmp_path, name, *items):
    path = tmp_path / name
    path.write_bytes(wxr(*items))
    result = import_path(path)
    assert not result.error, result.error
    return result


def test_an_old_permalink_that_is_one_of_the_sites_pages_is_reported_and_the_site_keeps_it(client, tmp_path):
    result = imported(tmp_path, "search.xml", (7, f"{SITE}/?p=7", "Search", "search", "/search/"))
    [item] = result.items
    assert item.warnings == [
        "the old address /search/ is one of this site's own pages, which keeps it; the article is at /articles/search/"
    ]
    assert ImportRecord.objects.get().warnings == item.warnings
    assert sorted(Redirect.objects.values_list("old_path", flat=True)) == ["/2020/01/01/search/", "/?p=7"]
    page = client.get("/search/")
    assert page.status_code == 200 and page.resolver_match.view_name == "articles:search"
    assert client.get("/2020/01/01/search/")["Location"] == "/articles/search/"


def test_a_post_id_reused_with_another_guid_is_another_post_and_both_are_kept(tmp_path):
    first = imported(tmp_path, "2019.xml", (42, f"{SITE}/?p=42", "The first post", "first", "/first/"))
    assert first.items[0].warnings == []
    second = imported(tmp_path, "2024.xml", (42, f"{SITE}/?p=42-v2", "Another post", "another", "/another/"))
    [item] = second.items
    assert item.outcome == "created"
    assert item.warnings == [
        f"WordPress post 42 of this site was imported before with another GUID ({SITE}/?p=42); "
        f"this one ({SITE}/?p=42-v2) is a different post, kept beside it"
    ]
    assert sorted(Article.objects.values_list("title", "import_guid")) == [
        ("Another post", f"{SITE}/?p=42-v2"), ("The first post", f"{SITE}/?p=42")]

    again = imported(tmp_path, "2024-again.xml",
                     (42, f"{SITE}/?p=42-v2", "Another post, edited", "another", "/another/"))
    assert [i.outcome for i in again.items] == ["updated"]
    same = imported(tmp_path, "2019-again.xml", (42, f"{SITE}/?p=42", "The first post, edited", "first", "/first/"))
    assert [(i.outcome, i.warnings) for i in same.items] == [("updated", [])]
    assert sorted(Article.objects.values_list("title", flat=True)) == ["Another post, edited", "The first post, edited"]


def test_two_posts_with_one_id_and_two_guids_in_one_file_are_both_kept(tmp_path):
    result = imported(tmp_path, "both.xml", (5, "guid-a", "Post A", "a", "/a/"), (5, "guid-b", "Post B", "b", "/b/"),
                      (6, "guid-c", "Post C", "c", "/c/"))
    assert [i.outcome for i in result.items] == ["created", "created", "created"]
    assert sorted(Article.objects.values_list("title", flat=True)) == ["Post A", "Post B", "Post C"]
    assert result.items[1].warnings[0].startswith("WordPress post 5 of this site was imported before with another GUID")
