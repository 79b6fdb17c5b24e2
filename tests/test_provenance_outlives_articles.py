"""Deleting an article never deletes its provenance (issue 21): its import records stay, naming
the article's import key, and a later import of the same file adds to them."""

import pytest
from django.core.management import call_command

from articles.models import Article, ImportRecord
from tests.factories import SEED_FILE

pytestmark = pytest.mark.django_db


def test_import_records_stay_when_the_article_is_deleted_in_the_admin(staff_client, seed_article):
    # Deleted once: in the trash; deleted from the trash: gone for good.
    staff_client.post(f"/admin/articles/article/{seed_article.pk}/delete/", {"post": "yes"})
    response = staff_client.post(f"/admin/articles/article/{seed_article.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Article.objects.exists()
    record = ImportRecord.objects.get()
    assert (record.article, record.import_key, record.file_name) == (None, "seed:seed.txt", "seed.txt")

    listing = staff_client.get("/admin/articles/importrecord/", {"q": "seed:seed.txt"})
    assert listing.context["cl"].result_count == 1

    call_command("import_articles", str(SEED_FILE), verbosity=0)
    article = Article.objects.get()
    assert list(ImportRecord.objects.filter(import_key="seed:seed.txt").order_by("pk")
                .values_list("article", "outcome")) == [(None, "created"), (article.pk, "created")]


def test_every_way_of_importing_names_the_import_key(staff_client, tmp_path):
    call_command("import_articles", str(SEED_FILE), verbosity=0)  # alone
    (tmp_path / "a.txt").write_text("A\nPublished Date: March 3, 2020\n\nText.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("B\nPublished Date: March 3, 2020\n\nText.\n", encoding="utf-8")
    call_command("import_articles", str(tmp_path), verbosity=0)  # small files, loaded in a batch
    keys = sorted(ImportRecord.objects.values_list("import_key", flat=True))
    assert keys == ["seed:a.txt", "seed:b.txt", "seed:seed.txt"]
