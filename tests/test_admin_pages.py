import pytest
from django.urls import reverse

from articles.models import Article, Footnote, ImportRecord, Source
from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name",
    [
        "admin:index",
        "admin:articles_article_changelist",
        "admin:articles_article_add",
        "admin:articles_source_changelist",
        "admin:articles_category_changelist",
        "admin:articles_author_changelist",
        "admin:articles_importrecord_changelist",
        "admin:django_tasks_database_dbtaskresult_changelist",
    ],
)
def test_admin_list_pages_render_for_a_superuser(staff_client, seed_article, name):
    assert staff_client.get(reverse(name)).status_code == 200


def test_admin_change_pages_render_for_the_seed(staff_client, seed_article):
    source = Source.objects.filter(footnotes__article=seed_article).first()
    for url in (
        reverse("admin:articles_article_change", args=[seed_article.pk]),
        reverse("admin:articles_source_change", args=[source.pk]),
        reverse("admin:articles_category_change", args=[seed_article.primary_category_id]),
        reverse("admin:articles_importrecord_change", args=[ImportRecord.objects.get().pk]),
    ):
        response = staff_client.get(url)
        assert response.status_code == 200, url
    html = staff_client.get(reverse("admin:articles_source_change", args=[source.pk])).content.decode()
    assert seed_article.title in html


def test_admin_autocomplete_finds_sources(staff_client, seed_article):
    url = reverse("admin:autocomplete") + "?app_label=articles&model_name=footnote&field_name=source&term=Ruttig"
    response = staff_client.get(url)
    assert response.status_code == 200
    assert Footnote.objects.filter(source__title__icontains="Point Zero").exists()


def test_admin_search_and_filters(staff_client, seed_article):
    url = reverse("admin:articles_article_changelist")
    assert seed_article.title in staff_client.get(url + "?q=Kabul-Moscow").content.decode()
    assert seed_article.title in staff_client.get(url + "?status__exact=published").content.decode()
    assert seed_article.title not in staff_client.get(url + "?status__exact=draft").content.decode()


def test_publish_and_unpublish_actions_change_only_what_they_must(staff_client):
    draft, live = make_article("A draft", status="draft"), make_article("Live one")
    url = reverse("admin:articles_article_changelist")
    response = staff_client.post(url, {"action": "publish", "_selected_action": [draft.pk, live.pk]}, follow=True)
    assert "Published 1 article(s)." in response.content.decode()
    assert set(Article.objects.values_list("status", flat=True)) == {"published"}
    response = staff_client.post(url, {"action": "unpublish", "_selected_action": [draft.pk]}, follow=True)
    assert "Unpublished 1 article(s)." in response.content.decode()
    assert Article.objects.get(pk=draft.pk).status == "draft"
    assert Article.objects.get(pk=live.pk).status == "published"
