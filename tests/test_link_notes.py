"""What a note shows of a dead or pinned link on the public page: the original URL, an archived
copy (the Wayback Machine's address for the article's date, the closest snapshot when the settings
allow asking, or the editor's pin) and the date checked, rendered into the stored page."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import dateformat, timezone

from articles.links.checking import check_due_links
from articles.links.record import record_links
from articles.models import ArticleRendering, Footnote, Link
from articles.pages import rendering
from tests.adminform import form_data
from tests.browser import tools
from tests.factories import make_article

pytestmark = pytest.mark.django_db
PUBLISHED = dt.datetime(2020, 3, 4, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.ARCHIVE_PAGE_CACHE = False  # the page as the view makes it, from the stored rendering


def cited(url):
    article = make_article("Water in Kabul", published=PUBLISHED)
    Footnote.objects.create(article=article, number=1, text=f"The ministry's report, {url}.", url=url)
    record_links([article.pk])
    rendering.refresh([article.pk])
    return article


def check_twice():
    check_due_links()
    Link.objects.update(next_check=timezone.now() - dt.timedelta(seconds=1))
    check_due_links()


def note_html(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    return html[html.index('<li id="fn-1"'):html.index("</li>", html.index('<li id="fn-1"'))]


def test_a_dead_link_offers_the_wayback_copy_of_the_articles_date_and_says_when_it_was_checked(
    client, link_server
):
    url = link_server.url("/gone")
    article = cited(url)
    assert "archived copy" not in note_html(client, article)  # failed once: not dead yet
    check_twice()
    link = Link.objects.get()
    assert link.dead
    # The check made the stored page stale: the next reader gets it rendered anew (and stored).
    assert ArticleRendering.objects.get(article=article).page_html == ""
    note = note_html(client, article)
    checked = dateformat.format(timezone.localtime(link.dead_since), "j F Y")
    assert f'The link <span class="link-original">{url}</span> was dead when checked on' in note
    assert f'<time datetime="{link.dead_since:%Y-%m-%d}">{checked}</time>' in note
    wayback = f"https://web.archive.org/web/20200304/{url}"
    assert f'<a class="archived-copy" href="{wayback}" rel="nofollow noopener">' in note
    assert link_server.wayback_asked == []  # built without a request


def test_reading_a_page_with_a_dead_link_costs_the_queries_of_any_other(client, link_server):
    dead = cited(link_server.url("/gone"))
    plain = cited(link_server.url("/ok"))
    check_twice()
    rendering.refresh([dead.pk, plain.pk])
    counts = []
    for article in (dead, plain):
        client.get(article.get_absolute_url())
        with CaptureQueriesContext(connection) as queries:
            assert client.get(article.get_absolute_url()).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == 1


def test_the_closest_snapshot_is_asked_of_the_availability_api_when_allowed(client, link_server, settings):
    settings.ARCHIVE_WAYBACK_LOOKUP = True
    settings.ARCHIVE_WAYBACK_API_URL = link_server.url("/wayback/available")
    url = link_server.url("/missing")
    article = cited(url)
    check_twice()
    snapshot = f"http://web.archive.org/web/20200304120000/{url}"
    assert link_server.wayback_asked == [(url, "20200304")]  # once, when it was found dead
    assert Link.objects.get().snapshot_url == snapshot
    assert f'<a class="archived-copy" href="{snapshot}"' in note_html(client, article)


def test_an_editor_pins_a_replacement_and_an_archived_copy_and_the_note_shows_both_with_the_original(
    client, staff_client, link_server, django_capture_on_commit_callbacks
):
    url = link_server.url("/gone")
    article = cited(url)
    link = Link.objects.get()
    change = reverse("admin:articles_link_change", args=[link.pk])
    data = form_data(staff_client.get(change).content.decode(), "link_form")
    data.update(replacement_url="https://example.org/moved", archived_url="https://archive.example/copy")
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_client.post(change, data).status_code == 302
    assert ArticleRendering.objects.get(article=article).page_html != ""  # rendered again at the commit
    note = note_html(client, article)
    assert 'Now at <a class="footnote-url" href="https://example.org/moved" rel="nofollow noopener">' in note
    assert f'Original: <span class="link-original">{url}</span>.' in note
    assert '<a class="archived-copy" href="https://archive.example/copy" rel="nofollow noopener">' in note


def test_the_dead_links_list_shows_exactly_the_dead_ones_with_their_checks(staff_client, link_server):
    cited(link_server.url("/gone"))
    cited(link_server.url("/ok"))
    check_twice()
    listing = staff_client.get(reverse("admin:articles_link_changelist") + "?dead__exact=1")
    assert [link.url for link in listing.context["cl"].result_list] == [link_server.url("/gone")]
    page = staff_client.get(reverse("admin:articles_link_change", args=[Link.objects.get(dead=True).pk]))
    statuses = re.findall(r'<td class="field-status">\s*<p>([^<]*)</p>', page.content.decode())
    assert statuses == ["410", "410"]  # the two checks in its history


def test_notes_with_dead_pinned_and_found_links_are_valid_html(client, link_server, tmp_path):
    tools.need_tool(tools.java_problem())
    article = make_article("Water in Kabul", published=PUBLISHED)
    Footnote.objects.create(article=article, number=1, text="Report.", url=link_server.url("/gone"))
    Footnote.objects.create(article=article, number=2, text="Moved.", url=link_server.url("/ok"))
    Footnote.objects.create(article=article, number=3, text="See online:", url_missing=True,
                            found_url=link_server.url("/missing"), found_where="the author's site")
    record_links([article.pk])
    check_twice()
    Link.objects.filter(url=link_server.url("/ok")).update(
        replacement_url="https://example.org/moved", archived_url="https://archive.example/copy")
    rendering.refresh([article.pk])
    html = client.get(article.get_absolute_url()).content.decode()
    assert html.count('class="link-status"') == 3  # two dead, one pinned
    assert html.count('class="found-link"') == 1
    path = tmp_path / "article.html"
    path.write_text(html, encoding="utf-8")
    assert tools.run_vnu([path]) == {path.resolve(): []}
