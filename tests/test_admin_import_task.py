"""The admin's imports run as tasks: the upload answers at once with a run's page, a task imports
the stored file, the page follows its progress and then shows its report."""

import io
import threading
import time
import zipfile
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from articles.admin.imports import ImportRunAdmin
from articles.importers import tasks
from articles.importers.tasks import import_upload_task
from articles.models import Article, Comment, ImportRecord
from articles.models.provenance import ImportRun, ImportUploadChunk
from tests.factories import SEED_FILE
from tests.inline_code import inline_code
from tests.worker import run_db_worker

ROOT = Path(__file__).resolve().parent.parent
WXR = Path(__file__).parent / "fixtures" / "wxr"
URL = "/admin/articles/article/import/"
TASK = "articles.importers.tasks.import_upload_task"
REFRESH = '<meta http-equiv="refresh" content="2">'


def upload(client, name, data, **options):
    payload = {"file": SimpleUploadedFile(name, data)}
    payload.update({key: "on" for key, value in options.items() if value})
    return client.post(URL, payload)


def queued_run(client, name, data, **options):
    """Upload with the tasks stored, not run: the run waiting for a worker."""
    response = upload(client, name, data, **options)
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert response["Location"] == reverse("admin:articles_article_import_run", args=[run.pk])
    return run


def zip_of(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def seeds(count):
    seed = SEED_FILE.read_bytes()
    return [(f"{n}.txt", seed.replace(b"The recent Taliban-Russia contacts", f"Contacts, part {n}".encode()))
            for n in range(count)]


def rows():
    return (Article.objects.count(), Comment.objects.count(), ImportRecord.objects.count())


def stored_bytes(run):
    return b"".join(bytes(data) for data in run.upload_chunks.order_by("position").values_list("data", flat=True))


@pytest.mark.django_db
def test_the_upload_answers_at_once_with_a_redirect_and_enqueues_one_task(staff_client, task_queue):
    data = (WXR / "themeunittestdata.wordpress.xml").read_bytes()
    run = queued_run(staff_client, "theme.xml", data, include_pages=True)
    task = DBTaskResult.objects.get()
    assert (task.task_path, task.args_kwargs, task.status) == (TASK, {"args": [run.pk], "kwargs": {}}, "READY")
    assert (run.status, run.file_name, run.size, run.include_pages, run.dry_run) == ("queued", "theme.xml",
                                                                                     len(data), True, False)
    assert run.created_by.username == "editor"
    assert stored_bytes(run) == data  # for a worker anywhere: in the database
    assert rows() == (0, 0, 0)  # nothing imported yet
    page = staff_client.get(reverse("admin:articles_article_import_run", args=[run.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Waiting for a worker" in html and REFRESH in html
    assert "Import finished" not in html


@pytest.mark.django_db
def test_running_the_task_imports_the_file_stores_the_report_and_deletes_the_upload(staff_client, task_queue):
    run = queued_run(staff_client, "theme.xml", (WXR / "themeunittestdata.wordpress.xml").read_bytes(),
                     include_pages=True)
    assert import_upload_task.call(run.pk) == {"status": "finished", "files": 1, "items": 79}
    run.refresh_from_db()
    assert run.status == "finished" and run.started_at and run.finished_at
    assert (run.files_done, run.files_total, run.items_done, run.bytes_done) == (1, 1, 79, run.size)
    [report] = run.report
    assert report["file_name"] == "theme.xml" and report["error"] == ""
    assert report["skipped"] == {"attachment": 37, "nav_menu_item": 70}
    assert {item["outcome"] for item in report["items"]} == {"created"}
    assert Article.objects.count() == 79 and Comment.objects.count() == 33
    assert not ImportUploadChunk.objects.exists()
    assert import_upload_task.call(run.pk) == {"status": "skipped"}  # a second delivery does nothing
    assert Article.objects.count() == 79


@pytest.mark.django_db
def test_the_run_page_shows_the_progress_then_the_report(staff_client, task_queue):
    run = queued_run(staff_client, "articles.zip", zip_of(seeds(2)))
    url = reverse("admin:articles_article_import_run", args=[run.pk])
    ImportRun.objects.filter(pk=run.pk).update(status="running", files_done=1, files_total=2, items_done=1,
                                               bytes_done=300, bytes_total=1000)
    html = staff_client.get(url).content.decode()
    assert "Importing" in html and REFRESH in html
    assert '<progress max="100" value="30"' in html and "30% read" in html
    assert "1 of 2 files done, 1 item so far." in html
    ImportRun.objects.filter(pk=run.pk).update(status="queued")
    import_upload_task.call(run.pk)
    html = staff_client.get(url).content.decode()
    assert REFRESH not in html and "Importing" not in html
    assert "Import finished" in html
    assert "articles.zip: 0.txt" in html and "articles.zip: 1.txt" in html
    assert html.count("1 created, 0 updated, 0 unchanged, 0 failed") == 2
    for article in Article.objects.all():
        assert f'href="{reverse("admin:articles_article_change", args=[article.pk])}"' in html
        assert f'href="{article.get_absolute_url()}"' in html
    assert inline_code(html) == []  # the strict CSP: nothing inline, and no refresh once done


@pytest.mark.django_db
def test_the_task_counts_files_and_items_as_they_are_done_and_reads_through_a_big_export(
    staff_client, task_queue, monkeypatch
):
    written = []
    write = tasks._CounterWriter.write
    monkeypatch.setattr(tasks, "PROGRESS_EVERY", 0)
    monkeypatch.setattr(tasks._CounterWriter, "write", lambda self, **c: (written.append(c), write(self, **c)))
    run = queued_run(staff_client, "articles.zip", zip_of(seeds(3)))
    import_upload_task.call(run.pk)
    done = [(c["files_done"], c["items_done"]) for c in written]
    assert done[0] == (0, 0) and written[0]["files_total"] == 3
    assert (1, 1) in done and (2, 2) in done and done[-1] == (3, 3)
    assert done == sorted(done)

    ImportRun.objects.all().delete()
    written.clear()
    run = queued_run(staff_client, "theme.xml", (WXR / "themeunittestdata.wordpress.xml").read_bytes())
    import_upload_task.call(run.pk)
    within = [c["bytes_done"] for c in written if c["files_done"] == 0]
    # As the importer reads through the one file, a batch at a time: never back, never the checksum's pass.
    assert len([b for b in within if 0 < b < run.size]) >= 3
    assert within == sorted(within)
    assert written[-1]["files_done"] == 1 and written[-1]["bytes_done"] == run.size


@pytest.mark.django_db
def test_an_upload_is_stored_in_chunks_and_imported_whole(staff_client, task_queue, monkeypatch, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000  # a temporary file on both sides
    monkeypatch.setattr(tasks, "CHUNK_BYTES", 4096)
    data = (WXR / "footnotes-wp63.xml").read_bytes()
    run = queued_run(staff_client, "notes.xml", data)
    assert run.upload_chunks.count() == 2 and stored_bytes(run) == data
    import_upload_task.call(run.pk)
    assert Article.objects.get().import_key == "wxr:https://notes.example.org#101"


@pytest.mark.django_db
def test_a_run_that_failed_says_so_with_its_message_and_never_a_traceback(staff_client, task_queue, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the disk is on fire\n  File \"/srv/archive/x.py\", line 1")

    run = queued_run(staff_client, "seed.txt", SEED_FILE.read_bytes())
    monkeypatch.setattr(tasks, "import_upload", broken)
    assert import_upload_task.call(run.pk) == {"status": "failed"}
    run.refresh_from_db()
    assert run.status == "failed" and run.finished_at and run.report is None
    assert run.message == (
        "The import stopped on an unexpected error (RuntimeError: the disk is on fire); nothing was written."
    )
    assert not ImportUploadChunk.objects.exists()
    html = staff_client.get(reverse("admin:articles_article_import_run", args=[run.pk])).content.decode()
    assert "Import failed" in html and "RuntimeError: the disk is on fire" in html
    assert "Traceback" not in html and "x.py" not in html and REFRESH not in html


@pytest.mark.django_db
def test_a_run_whose_upload_is_gone_fails_with_a_clear_message(staff_client, task_queue):
    run = queued_run(staff_client, "seed.txt", SEED_FILE.read_bytes())
    run.upload_chunks.all().delete()
    import_upload_task.call(run.pk)
    run.refresh_from_db()
    assert run.status == "failed"
    assert run.message == "seed.txt: the uploaded file is no longer stored in full; upload it again."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("article.txt", b"\x89PNG\r\n\x1a\n\x00\x00binary", "not a file the archive can import"),
        ("page.html", b"<html><body>hello</body></html>", "an XML or HTML file, but not a WordPress export"),
        ("traversal.zip", zip_of([("../evil.txt", b"x")]), "a path outside the zip"),
        ("empty.zip", zip_of([("__MACOSX/._a", b"x")]), "the zip file contains no files"),
        ("empty.txt", b"", "The submitted file is empty."),
    ],
)
def test_bad_uploads_get_their_message_at_once_and_create_no_run(staff_client, task_queue, name, data, message):
    response = upload(staff_client, name, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportRun.objects.exists() and not ImportUploadChunk.objects.exists()
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_the_import_permission_is_required_for_the_upload_and_the_runs(staff_client, task_queue, django_user_model):
    run = queued_run(staff_client, "seed.txt", SEED_FILE.read_bytes())
    run_url = reverse("admin:articles_article_import_run", args=[run.pk])
    runs_url = reverse("admin:articles_importrun_changelist")
    user = django_user_model.objects.create_user("clerk", password="pw-clerk-123", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_article"))
    clerk = Client()
    clerk.force_login(user)
    assert upload(clerk, "seed.txt", SEED_FILE.read_bytes()).status_code == 403
    assert clerk.get(run_url).status_code == 403
    assert clerk.get(runs_url).status_code == 403
    assert ImportRun.objects.count() == 1 and DBTaskResult.objects.count() == 1
    user.user_permissions.add(Permission.objects.get(codename="import_articles"))
    clerk.force_login(django_user_model.objects.get(pk=user.pk))
    assert clerk.get(run_url).status_code == 200
    assert "seed.txt" in clerk.get(runs_url).content.decode()
    assert Client().get(run_url).status_code == 302  # anonymous: to the login


@pytest.mark.django_db
def test_a_dry_run_writes_nothing_and_says_so(staff_client, task_queue):
    run = queued_run(staff_client, "theme.xml", (WXR / "footnotes-wp63.xml").read_bytes(), dry_run=True)
    import_upload_task.call(run.pk)
    assert rows() == (0, 0, 0)
    assert not ImportUploadChunk.objects.exists()
    html = staff_client.get(reverse("admin:articles_article_import_run", args=[run.pk])).content.decode()
    assert "Dry run: nothing was written" in html and "1 created" in html
    assert reverse("admin:articles_article_change", args=[1]) not in html


@pytest.mark.django_db
def test_the_runs_are_listed_read_only_in_the_admin(staff_client, task_queue):
    run = queued_run(staff_client, "seed.txt", SEED_FILE.read_bytes())
    import_upload_task.call(run.pk)
    assert ImportRunAdmin(ImportRun, admin.site).check() == []
    changelist = staff_client.get(reverse("admin:articles_importrun_changelist")).content.decode()
    assert "seed.txt" in changelist
    assert f'href="{reverse("admin:articles_article_import_run", args=[run.pk])}"' in changelist
    change = staff_client.get(reverse("admin:articles_importrun_change", args=[run.pk]))
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    assert staff_client.get(reverse("admin:articles_importrun_delete", args=[run.pk])).status_code == 403
    form = staff_client.get(URL).content.decode()  # the upload page lists the latest runs
    assert f'href="{reverse("admin:articles_article_import_run", args=[run.pk])}"' in form


@pytest.mark.django_db
def test_a_missing_run_is_not_found_and_its_task_does_nothing(staff_client, task_queue):
    assert staff_client.get(reverse("admin:articles_article_import_run", args=[999])).status_code == 404
    assert import_upload_task.call(999) == {"status": "skipped"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_s_progress_is_seen_by_other_connections_while_the_import_s_transaction_is_open(
    staff_client, task_queue, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite writes one transaction at a time: the counters show at its commit")
    monkeypatch.setattr(tasks, "PROGRESS_EVERY", 0)
    seen = []

    def read_elsewhere():  # another connection (this thread's own), as the run's page in another process
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                files_done = ImportRun.objects.values_list("files_done", flat=True).get()
                if files_done:
                    return seen.append(files_done)
                time.sleep(0.02)
        finally:
            connection.close()

    file_done = tasks._RunProgress.file_done

    def file_done_then_look(self, result, size):
        file_done(self, result, size)
        if self.files_done == 1:  # the zip's transaction is open: its first member is done
            assert connection.in_atomic_block
            reader = threading.Thread(target=read_elsewhere)
            reader.start()
            reader.join()

    monkeypatch.setattr(tasks._RunProgress, "file_done", file_done_then_look)
    run = queued_run(staff_client, "articles.zip", zip_of(seeds(2)))
    assert not connection.in_atomic_block  # as in a worker
    import_upload_task.call(run.pk)
    assert seen == [1]
    run.refresh_from_db()
    assert (run.status, run.files_done, run.items_done) == ("finished", 2, 2)
    assert Article.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_db_worker_process_imports_an_upload(staff_client, task_queue):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process shares the test database on PostgreSQL")
    run = queued_run(staff_client, "theme.xml", (WXR / "themeunittestdata.wordpress.xml").read_bytes(),
                     include_pages=True)
    worker = run_db_worker()
    assert worker.returncode == 0, worker.stderr[-2000:]
    run.refresh_from_db()
    assert (run.status, run.files_done, run.items_done, run.bytes_done) == ("finished", 1, 79, run.size)
    assert Article.objects.count() == 79 and not ImportUploadChunk.objects.exists()
    html = staff_client.get(reverse("admin:articles_article_import_run", args=[run.pk])).content.decode()
    assert "79 created, 0 updated, 0 unchanged, 0 failed; skipped 37 attachment, 70 nav_menu_item" in html
