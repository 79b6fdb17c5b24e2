"""The admin index's overview: each figure is right, and links to a list of exactly those rows."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Comment, Footnote, ImportRecord, Link, LinkCitation, Media
from articles.related.tasks import update_related_posts
from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive_state(db, task_queue):
    for status, n in (("published", 3), ("draft", 2), ("scheduled", 1), ("pending", 1)):
        for _ in range(n):
            make_article(status=status)
    make_article(status="draft").move_to_trash()
    article = Article.objects.filter(status="published").first()
    now = timezone.now()
    for n, status in enumerate(("pending", "pending", "approved", "spam")):
        Comment.objects.create(article=article, name=f"R{n}", body="Hi.", status=status, submitted_at=now)
    Footnote.objects.create(article=article, number=1, text="Lost.", url_missing=True)
    Footnote.objects.create(article=article, number=2, text="Fine.")
    # Lost, then found again by an editor: no longer in the queue.
    Footnote.objects.create(article=article, number=3, text="Found.", url_missing=True,
                            found_url="https://example.org/found", found_where="the author's site")
    dead = Link.objects.create(key="a", url="https://example.org/gone", host="example.org", dead=True)
    LinkCitation.objects.create(link=dead, article=article)
    Link.objects.create(key="b", url="https://example.org/fine", host="example.org")
    for warnings in (["note [3] is not referenced in the text"], [], ["x"]):
        ImportRecord.objects.create(article=article, file_name="f.txt", format="seedtext", sha256="0" * 64,
                                    importer_version="1", outcome="created", warnings=warnings)
    update_related_posts.enqueue([article.pk])  # waits for a worker
    Media.objects.create(original_url="https://old.example/lost.jpg", status="missing", problem="HTTP 404")
    Media.objects.create(original_url="https://old.example/a.jpg", status="stored", sha256="a" * 64, fixity_ok=True)
    Media.objects.create(original_url="https://old.example/b.jpg", status="stored", sha256="b" * 64, fixity_ok=False)
    Media.objects.create(original_url="https://old.example/c.jpg")  # pending
    return article


def figures(html):
    """{label: (count, href)} from the overview's tables."""
    found = {}
    for label, href, count in re.findall(
        r'<th scope="row">([^<]+)</th>\s*<td><a href="([^"]+)">(\d+)</a></td>', html
    ):
        found[label] = (int(count), href.replace("&amp;", "&"))
    return found


def test_overview_figures_are_exact(staff_client, archive_state):
    html = staff_client.get(reverse("admin:index")).content.decode()
    shown = {label: count for label, (count, _) in figures(html).items()}
    assert shown == {
        "Draft": 2,
        "Pending review": 1,
        "Scheduled": 1,
        "Private": 0,
        "Published": 3,
        "In the trash": 1,
        "Comments awaiting moderation": 2,
        "Notes with lost links": 1,
        "Links dead": 1,
        "Import records with warnings": 2,
        "Background tasks waiting (search, related posts, pages)": 1,
        "Media files missing (not fetched)": 1,
        "Media files failing the fixity check": 1,
        "Scheduled to publish": 1,
    }
    assert "The archive today" in html


def test_each_figure_links_to_a_list_of_exactly_those_rows(staff_client, archive_state):
    html = staff_client.get(reverse("admin:index")).content.decode()
    for label, (count, href) in figures(html).items():
        response = staff_client.get(href)
        assert response.status_code == 200, (label, href)
        assert response.context["cl"].result_count == count, (label, href)


def test_overview_links_name_the_expected_filters(staff_client, archive_state):
    html = staff_client.get(reverse("admin:index")).content.decode()
    links = {label: href for label, (_, href) in figures(html).items()}
    assert links["Notes with lost links"] == reverse("admin:articles_lostlinknote_changelist") + "?found=no"
    assert links["Links dead"] == reverse("admin:articles_link_changelist") + "?dead__exact=1"
    assert links["Import records with warnings"] == (
        reverse("admin:articles_importrecord_changelist") + "?has_warnings__exact=1"
    )
    assert links["Comments awaiting moderation"] == (
        reverse("admin:articles_comment_changelist") + "?status__exact=pending"
    )
    assert links["Background tasks waiting (search, related posts, pages)"] == (
        reverse("admin:django_tasks_database_dbtaskresult_changelist") + "?status__exact=READY"
    )
    assert links["Media files missing (not fetched)"] == (
        reverse("admin:articles_media_changelist") + "?status__exact=missing"
    )
    assert links["Media files failing the fixity check"] == (
        reverse("admin:articles_media_changelist") + "?fixity_ok__exact=0"
    )
    assert links["Scheduled to publish"] == reverse("admin:articles_article_changelist") + "?status__exact=scheduled"


def test_overview_costs_a_few_queries(staff_client, archive_state):
    staff_client.get(reverse("admin:index"))  # warm the session and content types
    with CaptureQueriesContext(connection) as with_overview:
        staff_client.get(reverse("admin:index"))
    tables = ("articles_", "django_tasks")
    overview_queries = [q for q in with_overview.captured_queries if any(t in q["sql"] for t in tables)]
    assert len(overview_queries) == 7


def test_figures_without_view_permission_are_not_shown(db, django_user_model, archive_state):
    user = django_user_model.objects.create_user("clerk", password="pw-clerk-123", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_article"))
    client = Client()
    client.force_login(user)
    html = client.get(reverse("admin:index")).content.decode()
    assert set(figures(html)) == {"Draft", "Pending review", "Scheduled", "Private", "Published",
                                  "In the trash", "Scheduled to publish"}
    assert "Notes with lost links" not in html
    assert "Links dead" not in html
    assert "Import articles</a>" not in html


def test_scheduled_articles_are_counted_whatever_their_date(staff_client, db):
    make_article(status="scheduled", published=timezone.now() + dt.timedelta(days=3))
    html = staff_client.get(reverse("admin:index")).content.decode()
    assert figures(html)["Scheduled to publish"][0] == 1
