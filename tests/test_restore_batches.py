"""A backup restores in batches: a constant number of queries a batch whatever its size, each
batch's items reported as it is written, a failed batch leaving nothing of itself and naming its
lines, and a second restore duplicating nothing."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from articles.importers import restore_batch, restore_file
from articles.importers.restore_file import restore_stream
from articles.models import Article, Comment, Footnote
from tests.test_import_progress import Recorder, Terminal

pytestmark = pytest.mark.django_db


@pytest.fixture
def backup(tmp_path):
    """60 generated articles exported, then deleted (their categories, authors, tags and sources stay)."""
    call_command("generate_articles", "60", "--seed", "5", stdout=io.StringIO(), stderr=io.StringIO())
    path = tmp_path / "backup.jsonl"
    call_command("export_articles", "--include-private", "-o", str(path), stderr=io.StringIO())
    Article.objects.all().delete()
    return path


def queries_to_restore(data: bytes, batch_size: int) -> int:
    Article.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        result = restore_stream(io.BytesIO(data), "backup.jsonl", batch_size=batch_size)
    assert [item.outcome for item in result.items] == ["created"] * 40
    return statements(queries)


def statements(queries) -> int:
    """Queries, an INSERT cut by Django into several (SQLite's limit on parameters) counted once."""
    inserts = [q["sql"].split("(", 1)[0] if q["sql"].startswith("INSERT") else None for q in queries]
    return sum(1 for i, into in enumerate(inserts) if into is None or i == 0 or inserts[i - 1] != into)



def fail_the_second_batch(monkeypatch):
    """The second batch's write fails as a full disk would; returns the sizes of the batches written."""
    real, calls = restore_batch.write_records, []

    def second_batch_fails(articles_records):
        calls.append(len(articles_records))
        if len(calls) == 2:
            raise DatabaseError("disk full")
        real(articles_records)

    monkeypatch.setattr(restore_batch, "write_records", second_batch_fails)
    return calls

def test_each_batch_costs_the_same_queries_whatever_its_size(backup):
    forty = b"".join(backup.read_bytes().splitlines(keepends=True)[:40])
    one_batch = queries_to_restore(forty, 40)
    assert queries_to_restore(forty, 20) == 2 * one_batch
    assert queries_to_restore(forty, 10) == 4 * one_batch
    assert one_batch < 40  # far fewer than one per article


def test_each_batch_s_articles_are_reported_as_it_is_written(backup, monkeypatch):
    monkeypatch.setattr(restore_file, "RESTORE_BATCH", 20)
    out, terminal = Recorder(), Terminal()
    call_command("import_articles", str(backup), stdout=out, stderr=terminal)
    assert len(out.loaded_at_line) == 60
    assert out.loaded_at_line[0] == 20 and out.loaded_at_line[20] == 40 and out.loaded_at_line[-1] == 60
    assert "Importing: 0article [00:00, ?article/s]" in terminal.getvalue()
    assert "1 file(s): 60 created, 0 updated, 0 unchanged, 0 failed" in out.getvalue()


def test_a_quiet_restore_writes_nothing_on_the_terminal(backup):
    out, terminal = io.StringIO(), Terminal()
    call_command("import_articles", str(backup), verbosity=0, stdout=out, stderr=terminal)
    assert (out.getvalue(), terminal.getvalue()) == ("", "")
    assert Article.objects.count() == 60


def test_a_failed_batch_writes_nothing_of_itself_and_a_second_restore_completes_without_duplicates(
    backup, monkeypatch
):
    monkeypatch.setattr(restore_file, "RESTORE_BATCH", 20)
    real = restore_batch.write_records
    fail_the_second_batch(monkeypatch)
    out = io.StringIO()
    with pytest.raises(CommandError, match="40 created, 0 updated, 0 unchanged, 20 failed"):
        call_command("import_articles", str(backup), stdout=out, stderr=io.StringIO())
    assert out.getvalue().count(
        "(lines 21–40 were not restored, nothing of them was written: disk full. Restore the file again once the "
        "cause is fixed: the lines already restored stay as they are.)\n") == 20
    slugs = sorted(Article.objects.values_list("slug", flat=True))
    lines = backup.read_bytes().splitlines()
    assert len(slugs) == 40 and not any(f'"slug": "{slug}"'.encode() in b"".join(lines[20:40]) for slug in slugs)

    monkeypatch.setattr(restore_batch, "write_records", real)
    counts = (Comment.objects.count(), Footnote.objects.count(), Article.history.count())
    result = restore_stream(io.BytesIO(backup.read_bytes()), "backup.jsonl", batch_size=20)
    assert [item.outcome for item in result.items] == ["unchanged"] * 20 + ["created"] * 20 + ["unchanged"] * 20
    assert Article.objects.count() == 60
    again = restore_stream(io.BytesIO(backup.read_bytes()), "backup.jsonl", batch_size=20)
    assert [item.outcome for item in again.items] == ["unchanged"] * 60
    per_article = (Comment.objects.count() - counts[0], Footnote.objects.count() - counts[1],
                   Article.history.count() - counts[2])
    assert per_article[1] == 20 * 9 and per_article[2] == 20  # one revision per restored article


def test_a_dry_run_restores_every_batch_and_writes_nothing(backup, monkeypatch):
    monkeypatch.setattr(restore_file, "RESTORE_BATCH", 20)
    out = io.StringIO()
    call_command("import_articles", "--dry-run", str(backup), stdout=out, stderr=io.StringIO())
    assert "Dry run, nothing written: 1 file(s): 60 created, 0 updated, 0 unchanged, 0 failed" in out.getvalue()
    assert Article.objects.count() == 0
