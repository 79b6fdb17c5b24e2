"""Every outgoing URL of a body or a note is a Link, recorded after the write that put it there (an
editor's save, an import), with the body or note citing it; a lost link an editor finds is one too."""

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from articles.importers.pipeline import import_path
from articles.models import Article, Footnote, Link, LinkCitation
from tests.factories import make_article

pytestmark = pytest.mark.django_db

BODY = (
    '<p>See <a href="https://example.org/a#top">the report</a>, <a href="/2020/01/other/">another article</a>, '
    '<a href="https://example.com/own">this site</a>, <a href="mailto:desk@example.org">the desk</a> and '
    '<a href="https://example.org/a">the report again</a>.</p>'
)
SEED = """Afghanistan » Politics

Water and the Kabul river

Published Date: March 4, 2020

The river is low this year[1], and the report on it is lost[2].

[1] See online: https://example.org/report.

[2] See online:
"""


def citations(article):
    """{(url, note number or None for the body)} the article cites."""
    rows = LinkCitation.objects.filter(article=article).select_related("link", "footnote")
    return {(c.link.url, c.footnote.number if c.footnote_id else None) for c in rows}


def test_an_article_saved_records_the_links_its_body_and_notes_cite(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(body=BODY)
        Footnote.objects.create(article=article, number=1, text="See https://example.org/report.",
                                url="https://example.org/report")
        Footnote.objects.create(article=article, number=2, kind="citation",
                                text="Ruttig, From Point Zero, 2014, https://aan.example/r (accessed 2015).")
    # The fragment dropped, each link once, the site's own (example.com) and mail left out.
    assert citations(article) == {
        ("https://example.org/a", None), ("https://example.org/report", 1), ("https://aan.example/r", 2),
    }
    link = Link.objects.get(url="https://example.org/a")
    assert (link.host, link.last_checked, link.next_check, link.dead) == ("example.org", None, None, False)
    assert set(Link.objects.due().values_list("url", flat=True)) == {
        "https://example.org/a", "https://example.org/report", "https://aan.example/r"}


def test_an_edit_replaces_the_citations_and_keeps_links_no_longer_cited_unchecked(
    django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(body=BODY)
        note = Footnote.objects.create(article=article, number=1, text="See https://aan.example/r", url="")
    first_seen = Link.objects.get(url="https://example.org/a").first_seen
    with django_capture_on_commit_callbacks(execute=True):
        article.body = '<p><a href="https://example.org/a">The report</a>, <a href="https://new.example/">new</a>.</p>'
        article.save()
        note.delete()
    assert citations(article) == {("https://example.org/a", None), ("https://new.example/", None)}
    assert Link.objects.get(url="https://example.org/a").first_seen == first_seen  # the same link
    assert list(Link.objects.filter(url="https://aan.example/r").cited()) == []
    assert "https://aan.example/r" not in set(Link.objects.due().values_list("url", flat=True))


def test_two_articles_citing_one_url_share_its_link(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, second = make_article(body=BODY), make_article(body='<p><a href="https://example.org/a">A</a></p>')
    assert Link.objects.filter(url="https://example.org/a").count() == 1
    assert set(Link.objects.get(url="https://example.org/a").citations.values_list("article_id", flat=True)) == {
        first.pk, second.pk}


def test_an_import_records_the_links_its_notes_cite_and_queues_the_lost_ones(
    tmp_path, staff_client, django_capture_on_commit_callbacks
):
    path = tmp_path / "water.txt"
    path.write_text(SEED, encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        article = Article.objects.get(pk=import_path(path).items[0].article_id)
    assert citations(article) == {("https://example.org/report", 1)}
    queue = staff_client.get(reverse("admin:articles_lostlinknote_changelist") + "?found=no")
    assert [note.number for note in queue.context["cl"].result_list] == [2]


def test_a_lost_link_found_by_an_editor_in_the_queue_is_recorded_and_survives_a_new_import(
    tmp_path, staff_client, django_capture_on_commit_callbacks
):
    path = tmp_path / "water.txt"
    path.write_text(SEED, encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        article = Article.objects.get(pk=import_path(path).items[0].article_id)
    note = article.footnotes.get(number=2)
    queue = reverse("admin:articles_lostlinknote_changelist") + "?found=no"
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(queue, {
            "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000", "form-0-id": str(note.pk),
            "form-0-found_url": "https://example.org/kabul-river-report",
            "form-0-found_where": "the ministry's list of reports", "_save": "Save",
        })
    assert response.status_code == 302
    note.refresh_from_db()
    assert (note.url_missing, note.found_url, note.found_where) == (
        True, "https://example.org/kabul-river-report", "the ministry's list of reports")
    assert note.history.count() == 2  # the import's row, and the editor's
    revision = article.history.order_by("-history_date", "-history_id").first()
    assert revision.related["footnotes"][1]["found_url"] == "https://example.org/kabul-river-report"
    assert citations(article) == {("https://example.org/report", 1), ("https://example.org/kabul-river-report", 2)}
    assert staff_client.get(queue).context["cl"].result_count == 0
    assert ('<span class="found-link">Found again in the ministry&#x27;s list of reports: <a class="footnote-url" '
            'href="https://example.org/kabul-river-report" rel="nofollow noopener">') in (
        staff_client.get(article.get_absolute_url()).content.decode())

    path.write_text(SEED.replace("The river is low", "The river is very low"), encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        assert import_path(path).items[0].outcome == "updated"
    again = Article.objects.get(pk=article.pk).footnotes.get(number=2)
    assert (again.found_url, again.found_where) == (
        "https://example.org/kabul-river-report", "the ministry's list of reports")
    assert citations(article) == {("https://example.org/report", 1), ("https://example.org/kabul-river-report", 2)}


def test_the_queue_refuses_an_address_that_is_not_a_url_and_saves_nothing(staff_client, db):
    article = make_article(published=dt.datetime(2020, 3, 4, tzinfo=dt.UTC))
    note = Footnote.objects.create(article=article, number=1, text="See online:", url_missing=True)
    queue = reverse("admin:articles_lostlinknote_changelist") + "?found=no"
    response = staff_client.post(queue, {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "1000",
        "form-0-id": str(note.pk), "form-0-found_url": "not an address", "form-0-found_where": "", "_save": "Save",
    })
    assert response.status_code == 200
    assert "Enter a valid URL." in response.content.decode()
    note.refresh_from_db()
    assert note.found_url == ""


def test_an_editor_sees_the_link_figures_and_works_the_queue_and_the_links(db, django_user_model):
    call_command("setup_roles", stdout=io.StringIO())
    editor = django_user_model.objects.create_user("ed", "ed@example.org", "pw", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(editor)
    article = make_article()
    Footnote.objects.create(article=article, number=1, text="See online:", url_missing=True)
    html = client.get(reverse("admin:index")).content.decode()
    assert "Notes with lost links" in html and "Links dead" in html
    queue = client.get(reverse("admin:articles_lostlinknote_changelist") + "?found=no")
    assert queue.status_code == 200 and queue.context["cl"].result_count == 1
    assert 'name="form-0-found_url"' in queue.content.decode()  # editable in the list
    assert client.get(reverse("admin:articles_link_changelist") + "?dead__exact=1").status_code == 200
