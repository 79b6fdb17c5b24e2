"""An import killed with SIGKILL (the command, or the task worker running an admin upload) leaves
nothing behind: within a few seconds no connection of it is open, no lock held, no row written, and
the next import and a schema change go ahead at once. Real processes, on PostgreSQL."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from articles.models import Article, ImportRecord
from articles.models.provenance import ImportRun
from tests.benchmarks.datasets import write_wxr
from tests.factories import SEED_FILE

ROOT = Path(__file__).resolve().parent.parent
ITEMS = 3000  # a few seconds of import: long enough to be killed in the middle

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("the processes share the test database on PostgreSQL")


def _env():
    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "archive.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }


def _manage(*args, **kwargs):
    return subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs)


def _pids(query):
    """The backends of the test database (ours left out) that ``query`` selects."""
    with connection.cursor() as cursor:
        cursor.execute(query, [connection.settings_dict["NAME"]])
        return {row[0] for row in cursor.fetchall()}


def _writing():
    return _pids(
        "SELECT a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE a.datname = %s AND a.pid <> pg_backend_pid() AND l.mode = 'RowExclusiveLock' "
        "AND l.relation = 'articles_article'::regclass"
    )


def _sessions():
    return _pids("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()")


def _locking():
    return _pids(
        "SELECT DISTINCT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE a.datname = %s AND a.pid <> pg_backend_pid()"
    )


def _wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def _kill_while_writing(start, *, seconds=120):
    """Start the process, kill it once it writes; seconds until none of its sessions or locks is left.

    Sessions other tests of the run left open (a live server's threads) are not the import's."""
    before = _sessions()
    process = start()
    _wait_for(lambda: _writing() - before or process.poll() is not None, seconds, "the import never wrote")
    assert process.poll() is None, "the import ended before it could be killed: " + process.stderr.read().decode()
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)
    killed_at = time.monotonic()
    _wait_for(lambda: not (_sessions() - before) and not (_locking() - before), 5,
              "a session or a lock of the import outlived the kill")
    return time.monotonic() - killed_at


def _nothing_blocks():
    """A schema change and a new import run at once (a lock left behind would make them wait)."""
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '2s'")
        cursor.execute("ALTER TABLE articles_article ADD COLUMN killed_import_probe integer")
        cursor.execute("ALTER TABLE articles_article DROP COLUMN killed_import_probe")
        cursor.execute("RESET lock_timeout")
    result = subprocess.run([sys.executable, "manage.py", "import_articles", str(SEED_FILE)], cwd=ROOT,
                            env=_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert Article.objects.count() == 1


@pytest.fixture
def big_export(tmp_path):
    subprocess.run([sys.executable, "manage.py", "createcachetable"], cwd=ROOT, env=_env(), check=True,
                   capture_output=True, timeout=60)
    return write_wxr(tmp_path / "big.xml", ITEMS, seed=7)


def test_a_killed_command_line_import_leaves_no_session_lock_or_row(big_export):
    assert _kill_while_writing(lambda: _manage("import_articles", str(big_export))) < 5
    assert (Article.objects.count(), ImportRecord.objects.count()) == (0, 0)
    _nothing_blocks()


def test_a_killed_worker_running_an_admin_import_leaves_no_session_lock_or_row(
    big_export, staff_client, task_queue
):
    response = staff_client.post("/admin/articles/article/import/",
                                 {"file": SimpleUploadedFile("big.xml", big_export.read_bytes())})
    assert response.status_code == 302
    assert _kill_while_writing(lambda: _manage("db_worker", "--no-startup-delay", "--no-reload")) < 5
    assert (Article.objects.count(), ImportRecord.objects.count()) == (0, 0)
    assert ImportRun.objects.get().status in ("queued", "running")  # closed later by daily maintenance
    _nothing_blocks()
