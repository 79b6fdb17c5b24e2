"""Old URLs of articles that are not published answer exactly as unknown ones: no redirect that
would tell an anonymous reader the new address (and so the title) of unpublished work."""

import pytest
from django.contrib.redirects.models import Redirect

from articles.importers.pipeline import import_path
from articles.models import Article

pytestmark = pytest.mark.django_db

SITE = "https://old.example.org"
# post id, slug, WordPress status, password
POSTS = [
    (101, "public-post", "publish", ""),
    (102, "draft-secret", "draft", ""),
    (103, "scheduled-secret", "future", ""),
    (104, "private-secret", "private", ""),
    (105, "protected-secret", "publish", "hunter2"),
]
UNPUBLISHED = [post for post in POSTS if post[1] != "public-post"]


def _item(post_id, slug, status, password):
    return (
        f"<item><title>{slug.replace('-', ' ').title()}</title><link>{SITE}/2020/01/01/{slug}/</link>"
        f"<wp:post_id>{post_id}</wp:post_id><wp:post_date_gmt>2020-01-01 10:00:00</wp:post_date_gmt>"
        f"<wp:post_name>{slug}</wp:post_name><wp:status>{status}</wp:status><wp:post_type>post</wp:post_type>"
        f"<wp:post_password>{password}</wp:post_password>"
        "<content:encoded><![CDATA[<p>Text.</p>]]></content:encoded></item>"
    )


@pytest.fixture
def imported(tmp_path):
    path = tmp_path / "old.xml"
    path.write_bytes((
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Old</title>'
        f"<link>{SITE}</link><wp:wxr_version>1.2</wp:wxr_version>{''.join(_item(*p) for p in POSTS)}</channel></rss>"
    ).encode())
    result = import_path(path)
    assert result.count("created") == 5, result.summary()
    assert Article.objects.published().count() == 1


def _old_urls(post_id, slug):
    """Every old address the importer recorded for the post: /?p=ID, the dated permalink, /slug/."""
    return sorted(Redirect.objects.filter(new_path=f"/articles/{slug}/").values_list("old_path", flat=True))


def test_the_published_post_keeps_every_old_url(client, imported):
    urls = _old_urls(101, "public-post")
    assert urls == ["/2020/01/01/public-post/", "/?p=101", "/public-post/"]
    for url in urls:
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (301, "/articles/public-post/")


@pytest.mark.parametrize(("post_id", "slug", "status", "password"), UNPUBLISHED)
def test_old_urls_of_unpublished_posts_answer_exactly_as_unknown_ones(client, imported, post_id, slug, status,
                                                                      password):
    urls = _old_urls(post_id, slug)
    assert urls == [f"/2020/01/01/{slug}/", f"/?p={post_id}", f"/{slug}/"]
    answers = {url: client.get(url) for url in urls}
    Redirect.objects.all().delete()  # now every one of them is an address nobody ever had
    for url, answer in answers.items():
        unknown = client.get(url)
        assert answer.status_code == unknown.status_code == 404
        assert answer.content == unknown.content
        assert not answer.has_header("Location")
        assert slug.encode() not in answer.content.replace(url.encode(), b"")


def test_an_unknown_post_id_is_a_404_and_other_queries_still_get_the_home_page(client, imported):
    assert client.get("/?p=999999").status_code == 404
    assert client.get("/?page_id=999999").status_code == 404
    assert client.get("/?p=abc").status_code == 200


def test_the_old_urls_redirect_once_the_article_is_published(client, imported):
    Article.objects.filter(slug="draft-secret").set_status(Article.Status.PUBLISHED)
    response = client.get("/?p=102")
    assert (response.status_code, response["Location"]) == (301, "/articles/draft-secret/")
    assert client.get("/2020/01/01/draft-secret/")["Location"] == "/articles/draft-secret/"
