"""Without Redis, two server processes and a command-line import share one cache: the database's.

The settings' default cache without ``CACHE_URL`` is Django's ``DatabaseCache``, so a page cached by
one process is seen by the other, and an article imported by ``manage.py import_articles`` (a third
process) is on every process's home, category, tag and feed pages at once, for anonymous readers
(served from the cache until then) and for logged-in staff alike. With a cache in each process's
memory this fails: each server keeps serving the pages it cached before the import.

The two gunicorn processes run on a database of their own, on the backend the suite runs on: a file
for SQLite, a scratch database on the same server for PostgreSQL.
"""

import json
import os
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings

from tests.test_shared_cache_processes import GUNICORN, ROOT, Browser, _answers, _free_port

pytestmark = pytest.mark.slow

STAFF = ("editor", "pw-editor-123")
SETUP = """
import json
from django.contrib.auth import get_user_model
from django.urls import reverse
from articles.models import Article
get_user_model().objects.create_superuser("editor", "editor@example.org", "pw-editor-123")
article = Article.objects.get()
print(json.dumps({"category": article.categories.get().get_absolute_url(),
                  "tag": reverse("articles:tag", args=[article.tags.get().slug])}))
"""

FIRST = """Afghanistan » Water

Dams on the Helmand river

Published Date: March 1, 2021
Tags: water

Dams, canals and reservoirs on the Helmand: who gets the water in a dry year.
"""
NEW_TITLE = "Canals of the Kajaki reservoir"
NEW = f"""Afghanistan » Water

{NEW_TITLE}

Published Date: March 2, 2021
Tags: water

The canals that carry the Kajaki reservoir's water to the farms of the valley.
"""


def _database(tmp_path):
    """(DATABASE_URL for the servers, drop function): a scratch database on the suite's backend."""
    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        return f"sqlite:///{tmp_path / 'shared.sqlite3'}", lambda: None
    import psycopg

    name = f"test_procs_{uuid.uuid4().hex[:12]}"
    server = f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"

    def admin(sql):
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(sql)

    admin(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}", lambda: admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def two_servers_one_database_cache(tmp_path):
    """Two gunicorn processes (one worker each), no CACHE_URL: the default cache, in the database."""
    url, drop = _database(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("CACHE_URL", "CACHE_KEY_PREFIX", "TEST_DB_NAME")}
    env.update({
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "shared-pages-test-secret-key-0123456789abcdefghijklmnop",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "ARCHIVE_PLAIN_STATIC": "1",
        "DJANGO_SETTINGS_MODULE": "archive.settings",
    })
    manage = [sys.executable, str(ROOT / "manage.py")]
    servers = []
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115  (closed in finally)
    try:
        subprocess.run([*manage, "migrate", "-v0"], env=env, cwd=ROOT, check=True)
        subprocess.run([*manage, "createcachetable"], env=env, cwd=ROOT, check=True)
        (tmp_path / "first.txt").write_text(FIRST, encoding="utf-8")
        subprocess.run([*manage, "import_articles", str(tmp_path / "first.txt")], env=env, cwd=ROOT, check=True,
                       capture_output=True)
        out = subprocess.run([*manage, "shell", "-c", SETUP], env=env, cwd=ROOT, check=True, capture_output=True,
                             text=True).stdout
        urls = json.loads(out.strip().splitlines()[-1])
        ports = [_free_port(), _free_port()]
        for port in ports:
            servers.append(subprocess.Popen(
                [str(GUNICORN), "archive.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "1",
                 "--log-level", "warning"],
                env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log,
            ))
        deadline = time.monotonic() + 20
        while not all(_answers("127.0.0.1", p) for p in ports):
            assert time.monotonic() < deadline, "gunicorn did not start within 20 s"
            assert all(s.poll() is None for s in servers), (tmp_path / "gunicorn.log").read_text()
            time.sleep(0.1)
        import_new = [*manage, "import_articles"]
        yield [Browser(p) for p in ports], urls, lambda *args: subprocess.run(
            [*import_new, *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    finally:
        for server in servers:
            server.terminate()
            server.wait(10)
        log.close()
        drop()


def _log_in(browser):
    _, login = browser.get("/admin/login/")
    response, _ = browser.request(
        "POST", "/admin/login/",
        {"username": STAFF[0], "password": STAFF[1], "csrfmiddlewaretoken": browser.csrf_token(login),
         "next": "/admin/"},
    )
    assert response.status == 302, "login failed"


def test_an_import_from_the_command_line_is_on_every_processs_pages_at_once(two_servers_one_database_cache, tmp_path):
    anonymous, urls, run_import = two_servers_one_database_cache
    staff = [Browser(b.port) for b in anonymous]
    for browser in staff:
        _log_in(browser)
    pages = {"home": "/", "category": urls["category"], "tag": urls["tag"], "feed": "/feeds/rss/"}

    for browser in anonymous:
        for name, path in pages.items():
            browser.get(path)
            response, body = browser.get(path)
            assert response.status == 200, (name, response.status)
            # Cached, by this process or by the other one, and without the new article.
            assert response.getheader("X-Archive-Cache") == "hit", name
            assert "Dams on the Helmand river" in body and NEW_TITLE not in body, name
    for browser in staff:
        for name, path in pages.items():
            response, body = browser.get(path)
            assert response.status == 200 and response.getheader("X-Archive-Cache") is None, name
            assert NEW_TITLE not in body, name

    (tmp_path / "new.txt").write_text(NEW, encoding="utf-8")
    result = run_import(str(tmp_path / "new.txt"))
    assert "1 created" in result.stdout, result.stdout + result.stderr

    for side, browsers in (("anonymous", anonymous), ("staff", staff)):
        for n, browser in enumerate(browsers):
            for name, path in pages.items():
                response, body = browser.get(path)
                assert response.status == 200, (side, n, name, response.status)
                assert NEW_TITLE in body, f"server {n} serves the {name} page without the import to {side}"
                assert "Dams on the Helmand river" in body, (side, n, name)
    # Both processes cache the new pages again, and share them.
    response, _ = anonymous[0].get("/")
    assert response.getheader("X-Archive-Cache") == "hit"
