"""Import records say they hold warnings whichever way they were written (issue 21: batched
inserts skipped the model's save, so the admin's filter and overview counted none)."""

import pytest
from django.core.management import call_command

from articles.models import ImportRecord
from tests.factories import SEED_FILE

pytestmark = pytest.mark.django_db

CLEAN = "A clean article\nPublished Date: March 3, 2020\n\nNothing to note.\n"
NOISY = "A noisy article\nPublished Date: March 3, 2020\n\nWater[1].\n\n[1] A note.\n\n[2] Unreferenced.\n"


def test_every_record_with_warnings_says_so_batch_imports_included(tmp_path, staff_client):
    (tmp_path / "clean.txt").write_text(CLEAN, encoding="utf-8")
    (tmp_path / "noisy.txt").write_text(NOISY, encoding="utf-8")
    call_command("import_articles", str(tmp_path), verbosity=0)  # small files: loaded together

    records = {r.file_name: r for r in ImportRecord.objects.all()}
    assert records["noisy.txt"].warnings == ["note [2] is not referenced in the text"]
    assert records["noisy.txt"].has_warnings is True
    assert records["clean.txt"].has_warnings is False
    assert list(ImportRecord.objects.with_warnings().values_list("file_name", flat=True)) == ["noisy.txt"]

    page = staff_client.get("/admin/articles/importrecord/?has_warnings__exact=1").content.decode()
    assert "noisy.txt" in page and "clean.txt" not in page


def test_a_file_imported_alone_with_warnings_says_so(tmp_path):
    call_command("import_articles", str(SEED_FILE), verbosity=0)
    record = ImportRecord.objects.get()
    assert record.has_warnings is bool(record.warnings)


def test_the_change_page_lists_import_records_without_the_wide_sha256_linked_to_the_record(staff_client, seed_article):
    record = ImportRecord.objects.get()
    page = staff_client.get(f"/admin/articles/article/{seed_article.pk}/change/").content.decode()
    assert record.sha256 not in page
    assert f"/admin/articles/importrecord/{record.pk}/change/" in page
    assert record.sha256 in staff_client.get(f"/admin/articles/importrecord/{record.pk}/change/").content.decode()
