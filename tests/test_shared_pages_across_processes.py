"""With no Redis (the `make run` default) every process shares the page cache through the database:
an import from the command line is served at once by every server process, to readers and staff.

And the system check that warns when a production setup keeps its pages in one process's memory.
"""

import subprocess
import sys

import pytest
from django.core.checks import Warning as CheckWarning
from django.test import override_settings

from articles.checks import page_cache_is_shared
from tests.test_shared_cache_processes import ROOT, Browser, two_gunicorns

pytestmark = pytest.mark.slow

ARTICLE = """Afghanistan » Water

{title}

Published Date: March {day}, 2024
Tags: irrigation

{body}
"""
SETUP = """
from django.contrib.auth import get_user_model
get_user_model().objects.create_superuser("editor", "editor@example.org", "pw-editor-123")
"""
PAGES = ("/", "/category/afghanistan/water/", "/tags/irrigation/", "/feeds/rss/")


def _manage(env, *args):
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True,
                   capture_output=True, text=True, timeout=120)


@pytest.fixture
def two_servers_sharing_the_database_cache(tmp_path):
    """Two gunicorn processes on one SQLite file, with the settings' default cache (no CACHE_URL)."""
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "shared-pages-test-secret-key-0123456789abcdefghijklmnop",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "ARCHIVE_PLAIN_STATIC": "1",
        "DJANGO_SETTINGS_MODULE": "archive.settings",
    }
    _manage(env, "migrate", "-v0")
    _manage(env, "createcachetable")
    _manage(env, "shell", "-c", SETUP)
    first = tmp_path / "first.txt"
    first.write_text(ARTICLE.format(title="Canals of the Helmand valley", day=1, body="On canals."), encoding="utf-8")
    _manage(env, "import_articles", str(first))
    with two_gunicorns(env, tmp_path) as browsers:
        yield env, tmp_path, browsers


def _log_in(browser):
    _, login = browser.get("/admin/login/")
    response, _ = browser.request("POST", "/admin/login/", {
        "username": "editor", "password": "pw-editor-123", "csrfmiddlewaretoken": browser.csrf_token(login),
        "next": "/admin/",
    })
    assert response.status == 302, "login failed"


def test_a_command_line_import_is_served_at_once_by_every_process_to_readers_and_staff(
    two_servers_sharing_the_database_cache,
):
    env, tmp_path, readers = two_servers_sharing_the_database_cache
    staff = [Browser(reader.port) for reader in readers]
    for browser in staff:
        _log_in(browser)
    for browser in (*readers, *staff):
        for path in PAGES:
            response, page = browser.get(path)
            assert response.status == 200, (path, page[:300])
            assert "Canals of the Helmand valley" in page
    for reader in readers:
        for path in PAGES:
            response, _ = reader.get(path)
            assert response.getheader("X-Archive-Cache") == "hit", path  # each process holds it cached

    second = tmp_path / "second.txt"
    second.write_text(ARTICLE.format(title="Wells of Kandahar", day=2, body="On wells."), encoding="utf-8")
    _manage(env, "import_articles", str(second))

    for browser in (*readers, *staff):
        for path in PAGES:
            response, page = browser.get(path)
            assert response.status == 200, path
            assert "Wells of Kandahar" in page, (browser.port, path)


@override_settings(DEBUG=False, ARCHIVE_PAGE_CACHE=True,
                   CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
def test_a_production_page_cache_local_to_one_process_is_warned_about():
    (warning,) = page_cache_is_shared()
    assert isinstance(warning, CheckWarning) and warning.id == "articles.W001"


@pytest.mark.parametrize("overrides", [
    {"DEBUG": True},
    {"ARCHIVE_PAGE_CACHE": False},
    {"CACHES": {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "archive_cache"}}},
])
def test_a_shared_cache_no_page_cache_or_debug_is_not_warned_about(overrides):
    settings = {"DEBUG": False, "ARCHIVE_PAGE_CACHE": True,
                "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}, **overrides}
    with override_settings(**settings):
        assert page_cache_is_shared() == []
