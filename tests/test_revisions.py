"""Every change to an article keeps a revision with who and when; any revision can be restored whole."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from articles.models import Article, Footnote
from articles.revisions import record_related
from tests.adminform import article_form, form_data
from tests.factories import make_article, make_author, make_category

pytestmark = pytest.mark.django_db


def latest(article):
    return article.history.order_by("-history_date", "-history_id").first()


def test_an_import_records_a_revision_with_its_footnotes_and_each_footnote_its_history(seed_article):
    record = latest(seed_article)
    assert seed_article.history.count() == 1
    assert record.history_change_reason == "Imported (seed:seed.txt)"
    assert [n["number"] for n in record.related["footnotes"]] == list(range(1, 10))
    assert record.related["footnotes"][5]["refers_to"] == 3
    # bulk-created notes still got their history rows (bulk_create_with_history)
    assert Footnote.history.filter(article_id=seed_article.pk, history_type="+").count() == 9
    assert Footnote.history.filter(article_id=seed_article.pk, history_type="~").count() == 1  # refers_to link


def test_an_admin_edit_records_who_and_when_with_tags_authors_and_footnotes(staff_client, seed_article):
    url, data = article_form(staff_client, seed_article)
    writer = make_author("New Writer")
    data.update({
        "title": "Edited title",
        "tags": "alpha, beta",
        "articleauthor_set-TOTAL_FORMS": "1",
        "articleauthor_set-0-author": str(writer.pk),
        "articleauthor_set-0-position": "0",
        "footnotes-0-text": "Rewritten first note.",
    })
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    record = latest(seed_article)
    assert record.history_user.username == "editor"
    assert record.title == "Edited title"
    assert record.related["tags"] == ["alpha", "beta"]
    assert record.related["authors"] == [writer.pk]
    assert record.related["footnotes"][0]["text"] == "Rewritten first note."

    history = staff_client.get(reverse("admin:articles_article_history", args=[seed_article.pk]))
    html = history.content.decode()
    assert history.status_code == 200
    assert "editor" in html and "Imported (seed:seed.txt)" in html
    assert "9 notes, 1 authors, 2 tags" in html


def test_admin_revert_restores_fields_footnotes_tags_authors_and_categories(staff_client):
    first_author, second_author = make_author("First"), make_author("Second")
    article = make_article("Original title", category=make_category("Region", "Old"),
                           authors=[first_author, second_author], tags=["old-tag"], body="<p>Original body.</p>",
                           footnotes=3)
    record_related(article)  # what the admin and the importer do once relations are written
    original = latest(article)
    notes_before = list(article.footnotes.values_list("number", "text"))

    url, data = article_form(staff_client, article)
    data.update({"title": "Changed title", "body": "<p>Changed body.</p>", "tags": "new-tag",
                 "footnotes-0-DELETE": "on", "footnotes-1-text": "Changed note."})
    assert staff_client.post(url, data).status_code == 302
    article.refresh_from_db()
    article.categories.set([make_category("Region", "New")])
    article.set_authors([second_author])
    assert article.title == "Changed title" and article.footnotes.count() == 2

    revert = reverse("admin:articles_article_simple_history", args=[article.pk, original.history_id])
    page = staff_client.get(revert)
    html = page.content.decode()
    assert page.status_code == 200
    assert "This revision also holds" in html
    assert "Region » Old" in html and "First, Second" in html and "old-tag" in html and "[1] Note 1." in html
    assert 'name="categories"' not in html  # today's filing is not offered as the revision's
    data = form_data(html, "historicalarticle_form")
    assert data["title"] == "Original title"
    response = staff_client.post(revert, data, follow=True)
    assert response.status_code == 200
    assert "Restored" in response.content.decode()

    article = Article.objects.get(pk=article.pk)
    assert article.title == "Original title"
    assert article.body == "<p>Original body.</p>"
    assert list(article.tags.names()) == ["old-tag"]
    assert [a.name for a in article.ordered_authors()] == ["First", "Second"]
    assert [c.full_name for c in article.categories.all()] == ["Region » Old"]
    assert list(article.footnotes.order_by("number").values_list("number", "text")) == notes_before
    restore = latest(article)
    assert restore.history_user.username == "editor"
    assert restore.history_change_reason.startswith("Restored the revision of")


def test_a_user_who_may_only_view_cannot_revert(client, django_user_model, seed_article):
    viewer = django_user_model.objects.create_user("viewer", password="pw-viewer-123", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(viewer)
    record = latest(seed_article)
    revert = reverse("admin:articles_article_simple_history", args=[seed_article.pk, record.history_id])
    assert client.post(revert, {}).status_code == 403
    assert Article.objects.get().history.count() == 1


def test_a_save_outside_the_admin_snapshots_what_the_article_holds_then(seed_article):
    seed_article.tags.add("later-tag")
    seed_article.title = "Saved from the shell"
    seed_article.save()
    assert latest(seed_article).related["tags"] == ["later-tag"]
    assert len(latest(seed_article).related["footnotes"]) == 9


def test_a_revert_applies_edits_made_on_the_revision_page_and_refuses_invalid_ones(staff_client, seed_article):
    record = latest(seed_article)
    seed_article.title = "Later title"
    seed_article.save()
    revert = reverse("admin:articles_article_simple_history", args=[seed_article.pk, record.history_id])
    data = form_data(staff_client.get(revert).content.decode(), "historicalarticle_form")
    invalid = {**data, "status": "nonsense"}
    response = staff_client.post(revert, invalid)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert Article.objects.get().title == "Later title"
    assert staff_client.post(revert, {**data, "summary": "Edited while reverting"}).status_code == 302
    article = Article.objects.get()
    assert (article.title, article.summary) == (record.title, "Edited while reverting")
    assert article.footnotes.count() == 9
