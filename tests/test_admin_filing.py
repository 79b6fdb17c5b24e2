"""The admin files an article as an import does, and carries the site's name (issue 21)."""

import pytest

from articles.models import Article
from tests.adminform import article_form
from tests.factories import make_article, make_category

pytestmark = pytest.mark.django_db


def test_an_article_filed_only_in_primary_category_is_listed_on_that_categorys_page(client, staff_client):
    category = make_category("Afghanistan", "Water")
    article = make_article("Dams on the Helmand")
    url, data = article_form(staff_client, article)
    data["primary_category"] = str(category.pk)
    data.pop("categories", None)
    assert staff_client.post(url, data).status_code == 302

    assert list(Article.objects.get(pk=article.pk).categories.all()) == [category]
    page = client.get("/category/afghanistan/water/")
    assert page.status_code == 200
    assert "Dams on the Helmand" in page.content.decode()


def test_the_admin_carries_the_sites_name(staff_client, settings):
    page = staff_client.get("/admin/").content.decode()
    assert f"<title>Site administration | {settings.SITE_NAME}</title>" in page
    assert "Django administration" not in page
