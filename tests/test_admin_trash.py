"""The articles' trash (issue 21): deleting an article in the admin moves it to the trash, where the
public site treats it as gone; from the trash it is restored whole, or deleted for good when emptied."""

import json

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client

from articles.models import Article, Comment, DeletedRecord, Footnote, ImportRecord
from tests.factories import SEED_FILE, make_article, make_author, make_category, make_comment
from tests.oai import NS, REPOSITORY, identifier, parsed, texts
from tests.test_public_feeds import sitemap_locations

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/articles/article/"


@pytest.fixture(autouse=True)
def repository(settings):
    settings.ARCHIVE_OAI_REPOSITORY_ID = REPOSITORY
    settings.ARCHIVE_OAI_ADMIN_EMAIL = "archive@archive.example.org"


@pytest.fixture
def article(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # its search vector written, as a worker would
        article = make_article(
            "Water in Kabul", category=make_category("Economy"), authors=[make_author("Ada Analyst")],
            tags=["water"], body='<p>Scarce<sup id="fnref-1"><a href="#fn-1">1</a></sup>.</p>', footnotes=1,
        )
        make_comment(article, body="Well argued.")
    return article


def public_addresses(client, article):
    """Where a reader could meet the article: which of these name it."""
    pages = {
        "home": "/", "category": "/category/economy/", "tag": "/tags/water/", "author": "/authors/ada-analyst/",
        "search": "/search/?q=water", "rss": "/feeds/rss/", "atom": "/feeds/atom/",
    }
    found = {name for name, url in pages.items() if article.title in client.get(url).content.decode()}
    if any(article.slug in location for location in sitemap_locations(client)):
        found.add("sitemap")
    return found


def test_deleting_in_the_admin_moves_the_article_to_the_trash_and_the_site_treats_it_as_gone(
        client, staff_client, article):
    assert public_addresses(client, article) == {"home", "category", "tag", "author", "search", "rss", "atom",
                                                 "sitemap"}
    page = staff_client.get(f"{CHANGELIST}{article.pk}/delete/")
    assert "Move the article “Water in Kabul” to the trash?" in page.content.decode()

    response = staff_client.post(f"{CHANGELIST}{article.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and response["Location"] == f"{CHANGELIST}?status__exact=trashed"
    article.refresh_from_db()
    assert (article.status, article.status_before_trash) == ("trashed", "published")
    assert article.trashed_at is not None
    assert [e.get_change_message() for e in LogEntry.objects.filter(object_id=str(article.pk))] == [
        "Moved to the trash."]
    assert client.get(article.get_absolute_url()).status_code == 404
    assert staff_client.get(article.get_absolute_url()).status_code == 404  # no preview of the trash either
    assert client.get(f"{article.get_absolute_url()}cite.bib").status_code == 404
    assert public_addresses(client, article) == set()

    tree = parsed(client.get("/oai/", {"verb": "GetRecord", "identifier": identifier(article.pk),
                                       "metadataPrefix": "oai_dc"}))
    assert texts(tree, "//o:header[@status='deleted']/o:identifier") == [identifier(article.pk)]
    assert not tree.xpath("//o:metadata", namespaces=NS)


def test_the_trash_lists_trashed_articles_and_the_default_list_does_not(staff_client, article):
    kept = make_article("Still here")
    article.move_to_trash()
    default = staff_client.get(CHANGELIST)
    assert [a.title for a in default.context["cl"].result_list] == ["Still here"]
    assert f'href="{CHANGELIST}?status__exact=trashed"' in default.content.decode()
    trash = staff_client.get(CHANGELIST, {"status__exact": "trashed"})
    assert [a.title for a in trash.context["cl"].result_list] == ["Water in Kabul"]
    assert list(trash.context["action_form"].fields["action"].choices)[1:] == [
        ("delete_selected", "Delete selected articles"),
        ("restore_from_trash", "Restore the selected articles from the trash"),
    ]
    assert 'href="/admin/articles/article/trash/empty/"' in trash.content.decode()
    assert kept.status == "published"


def test_restoring_brings_back_the_article_with_its_notes_tags_authors_comments_and_status(
        client, staff_client, article):
    draft = make_article("A draft", status="draft")
    Article.objects.filter(pk__in=[article.pk, draft.pk]).move_to_trash()
    response = staff_client.post(f"{CHANGELIST}?status__exact=trashed", {
        "action": "restore_from_trash", "_selected_action": [article.pk, draft.pk]})
    assert response.status_code == 302
    article.refresh_from_db()
    draft.refresh_from_db()
    assert (article.status, article.trashed_at, article.status_before_trash) == ("published", None, "")
    assert [e.get_change_message() for e in LogEntry.objects.filter(object_id=str(article.pk))] == [
        "Restored from the trash."]
    assert draft.status == "draft"
    assert [f.number for f in Footnote.objects.filter(article=article)] == [1]
    assert list(article.tags.names()) == ["water"]
    assert [a.name for a in article.ordered_authors()] == ["Ada Analyst"]
    assert list(Comment.objects.filter(article=article).values_list("body", flat=True)) == ["Well argued."]
    page = client.get(article.get_absolute_url())
    assert page.status_code == 200 and "Well argued." in page.content.decode()
    assert not DeletedRecord.objects.filter(article_id=article.pk).exists()
    assert public_addresses(client, article) == {"home", "category", "tag", "author", "search", "rss", "atom",
                                                 "sitemap"}


def test_a_trashed_article_is_read_only_and_its_status_cannot_be_chosen(staff_client, article):
    add = staff_client.get(f"{CHANGELIST}add/")
    assert [value for value, _ in add.context["adminform"].form.fields["status"].choices] == [
        "draft", "pending", "scheduled", "private", "published"]
    article.move_to_trash()
    change = staff_client.get(f"{CHANGELIST}{article.pk}/change/")
    assert change.status_code == 200 and not change.context["has_change_permission"]


def test_emptying_the_trash_deletes_for_good_and_import_records_stay(client, staff_client, seed_article):
    other = make_article("Not trashed")
    staff_client.post(f"{CHANGELIST}{seed_article.pk}/delete/", {"post": "yes"})
    confirm = staff_client.get("/admin/articles/article/trash/empty/")
    assert "Delete these 1 article(s) for good" in confirm.content.decode()
    response = staff_client.post("/admin/articles/article/trash/empty/")
    assert response.status_code == 302
    assert list(Article.objects.values_list("title", flat=True)) == [other.title]
    record = ImportRecord.objects.get()
    assert (record.article, record.import_key) == (None, "seed:seed.txt")
    tree = parsed(client.get("/oai/", {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}))
    assert texts(tree, "//o:header[@status='deleted']/o:identifier") == [identifier(seed_article.pk)]


def test_deleting_from_the_trash_deletes_that_article_for_good(staff_client, article):
    article.move_to_trash()
    page = staff_client.get(f"{CHANGELIST}{article.pk}/delete/")
    assert "this deletes it for good" in page.content.decode()
    staff_client.post(f"{CHANGELIST}{article.pk}/delete/", {"post": "yes"})
    assert not Article.objects.exists()


def test_a_reimport_of_a_trashed_article_leaves_it_in_the_trash(client, seed_article):
    seed_article.move_to_trash()
    Article.objects.filter(pk=seed_article.pk).update(import_hash="")  # the file counts as changed
    call_command("import_articles", str(SEED_FILE), verbosity=0)
    seed_article.refresh_from_db()
    assert (seed_article.status, seed_article.status_before_trash) == ("trashed", "published")
    assert client.get(seed_article.get_absolute_url()).status_code == 404


def test_trashing_needs_the_delete_permission(db, django_user_model, article):
    user = django_user_model.objects.create_user("writer", password="pw-writer-123", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_article", "change_article"]))
    writer = Client()
    writer.force_login(user)
    assert writer.post(f"{CHANGELIST}{article.pk}/delete/", {"post": "yes"}).status_code == 403
    assert writer.get("/admin/articles/article/trash/empty/").status_code == 403
    article.refresh_from_db()
    assert article.status == "published"


def test_an_export_leaves_the_trash_out(tmp_path, article):
    kept = make_article("Kept")
    article.move_to_trash()
    target = tmp_path / "export.jsonl"
    call_command("export_articles", output=str(target), verbosity=0)
    assert [json.loads(line)["title"] for line in target.read_text().splitlines()] == [kept.title]


def test_the_list_actions_trash_and_delete_for_good_only_the_selected(staff_client):
    first, second = make_article("First"), make_article("Second")
    make_article("Third")
    response = staff_client.post(CHANGELIST, {"action": "move_to_trash", "_selected_action": [first.pk, second.pk]})
    assert response.status_code == 302
    assert sorted(Article.objects.in_trash().values_list("title", flat=True)) == ["First", "Second"]
    staff_client.post(f"{CHANGELIST}?status__exact=trashed",
                      {"action": "delete_selected", "_selected_action": [first.pk], "post": "yes"})
    assert sorted(Article.objects.values_list("title", "status")) == [("Second", "trashed"), ("Third", "published")]
