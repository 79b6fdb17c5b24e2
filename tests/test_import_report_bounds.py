"""An import's report costs the same memory whatever the file's size: every item is counted, but
only the first ``ARCHIVE_IMPORT_REPORT_ITEMS`` and, after them, as many that failed or warn are
kept; the command, the admin's run page and the summaries say what they said when all were kept."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from articles.importers import loader
from articles.importers.pipeline import import_path
from articles.importers.restore_file import restore_stream
from articles.importers.tasks import import_upload_task, report_results
from articles.models import Article
from articles.models.provenance import ImportRun
from tests.test_admin_import_task import queued_run
from tests.test_import_progress import _export
from tests.test_restore_batches import backup, fail_the_second_batch  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def _post(n, text="Text."):
    return (
        f"<item><title>Post {n}</title><link>https://old.example.org/?p={n}</link><wp:post_id>{n}</wp:post_id>"
        f"<wp:post_date_gmt>2020-01-01 10:00:00</wp:post_date_gmt><wp:post_name>post-{n}</wp:post_name>"
        "<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
        f"<content:encoded><![CDATA[<p>{text}</p>]]></content:encoded></item>"
    )


def _mixed_export(tmp_path):
    """Posts 1–6 imported; then a file of posts 1–9: 3 and 4 edited, 7–9 new (8 will fail)."""
    first = tmp_path / "first.xml"
    first.write_bytes(_export(6))
    assert import_path(first).summary() == "6 created, 0 updated, 0 unchanged, 0 failed"
    head, rest = _export(0).decode().split("</wp:wxr_version>")
    posts = "".join(_post(n, "Edited." if n in (3, 4) else "Text.") for n in range(1, 10))
    path = tmp_path / "second.xml"
    path.write_text(f"{head}</wp:wxr_version>{posts}{rest}")
    return path


@pytest.fixture
def post_8_fails(monkeypatch):
    real = loader.copy_article_fields

    def copy_or_fail(article, parsed):
        if parsed.title == "Post 8":
            raise ValueError("no room for this one")
        real(article, parsed)

    monkeypatch.setattr(loader, "copy_article_fields", copy_or_fail)
    monkeypatch.setattr("articles.importers.batch.copy_article_fields", copy_or_fail)


def test_a_mixed_import_counts_every_outcome_and_keeps_the_first_items_and_the_failed(
    tmp_path, settings, post_8_fails
):
    settings.ARCHIVE_IMPORT_REPORT_ITEMS = 2
    result = import_path(_mixed_export(tmp_path))
    assert result.summary() == "2 created, 2 updated, 4 unchanged, 1 failed"
    assert result.counts == {"unchanged": 4, "updated": 2, "created": 2, "failed": 1}
    assert (result.failed, result.total, result.not_listed) == (True, 9, 6)
    assert [(item.title, item.outcome, item.message) for item in result.items] == [
        ("Post 1", "unchanged", ""), ("Post 2", "unchanged", ""), ("Post 8", "failed", "no room for this one"),
    ]


def test_the_command_still_reports_every_item_and_the_totals(tmp_path, settings, post_8_fails):
    settings.ARCHIVE_IMPORT_REPORT_ITEMS = 2
    path = _mixed_export(tmp_path)
    out = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import_articles", str(path), stdout=out, stderr=io.StringIO())
    assert str(failed.value) == "1 file(s): 2 created, 2 updated, 4 unchanged, 1 failed"
    outcomes = ["unchanged", "unchanged", "updated", "updated", "unchanged", "unchanged", "created", "failed",
                "created"]
    assert out.getvalue().splitlines() == [
        f"{path}: {outcome}: Post {n}" + (" (no room for this one)" if outcome == "failed" else "")
        for n, outcome in enumerate(outcomes, start=1)
    ]


def test_a_restore_keeps_no_result_of_its_articles_beyond_the_first(backup, settings):  # noqa: F811
    settings.ARCHIVE_IMPORT_REPORT_ITEMS = 5
    result = restore_stream(io.BytesIO(backup.read_bytes()), "backup.jsonl", batch_size=20)
    assert result.summary() == "60 created, 0 updated, 0 unchanged, 0 failed"
    assert (len(result.items), result.not_listed) == (5, 55)
    assert [item.article_id for item in result.items] == list(
        Article.objects.order_by("pk").values_list("pk", flat=True)[:5]
    )
    again = restore_stream(io.BytesIO(backup.read_bytes()), "backup.jsonl", batch_size=20)
    assert again.summary() == "0 created, 0 updated, 60 unchanged, 0 failed"
    assert len(again.items) == 5


def test_a_failed_batch_s_items_are_kept_up_to_the_bound(backup, settings, monkeypatch):  # noqa: F811
    settings.ARCHIVE_IMPORT_REPORT_ITEMS = 5
    fail_the_second_batch(monkeypatch)
    result = restore_stream(io.BytesIO(backup.read_bytes()), "backup.jsonl", batch_size=20)
    assert result.summary() == "40 created, 0 updated, 0 unchanged, 20 failed"
    assert [item.outcome for item in result.items] == ["created"] * 5 + ["failed"] * 5
    assert result.items[5].message.startswith("lines 21–40 were not restored, nothing of them was written: disk full.")


def test_the_run_page_lists_the_kept_items_and_says_how_many_more(staff_client, task_queue, settings):
    settings.ARCHIVE_IMPORT_REPORT_ITEMS = 3
    run = queued_run(staff_client, "export.xml", _export(8))
    assert import_upload_task.call(run.pk) == {"status": "finished", "files": 1, "items": 8}
    run.refresh_from_db()
    assert run.items_done == 8
    html = staff_client.get(reverse("admin:articles_article_import_run", args=[run.pk])).content.decode()
    assert "8 created, 0 updated, 0 unchanged, 0 failed" in html
    assert html.count('<tr class="import-created">') == 3
    assert "<p>5 more item(s) not listed here; the counts above include them.</p>" in html


def test_a_report_stored_before_the_counts_reads_as_it_did(tmp_path):
    report = {"file_name": "old.xml", "format": "wxr", "warnings": [], "skipped": {}, "error": "",
              "items": [{"identity": "a", "title": "A", "outcome": "created"},
                        {"identity": "b", "title": "B", "outcome": "failed", "message": "bad"}]}
    run = ImportRun.objects.create(file_name="old.xml", size=1, report=[report])
    [result] = report_results(run)
    assert result.summary() == "1 created, 0 updated, 0 unchanged, 1 failed"
    assert (result.failed, result.not_listed) == (True, 0)
