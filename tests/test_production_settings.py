"""The production settings path: deploy checks pass with zero warnings, headers and cookies are strict."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.inline_code import inline_code
from tests.public_urls import public_urls

ROOT = Path(__file__).resolve().parent.parent


def run_django(code_or_args, *, env_overrides, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "CACHE_URL"))}
    env.update({"DJANGO_SETTINGS_MODULE": "archive.settings", "DATABASE_URL": f"sqlite:///{tmp_path}/deploy.sqlite3"})
    env.update(env_overrides)
    args = code_or_args if isinstance(code_or_args, list) else ["-c", code_or_args]
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    "DJANGO_ALLOWED_HOSTS": "archive.example.org",
}


def test_check_deploy_passes_with_zero_warnings_when_debug_is_off(tmp_path):
    result = run_django(["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                        env_overrides=PRODUCTION_ENV, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert "WARNING" not in result.stderr


def test_settings_refuse_to_start_without_a_secret_key_when_debug_is_off_saying_what_to_set(tmp_path):
    result = run_django(["manage.py", "check"], env_overrides={"DJANGO_ALLOWED_HOSTS": "archive.example.org"},
                        tmp_path=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (
        1, "", "DJANGO_SECRET_KEY is not set. Set it to a long random string in production, or set "
        "DJANGO_DEBUG=1 for local development.\n",
    )


def test_the_admin_lives_where_DJANGO_ADMIN_URL_says(tmp_path):
    code = "import django; django.setup(); from django.urls import reverse; print(reverse('admin:index'))"
    result = run_django(code, env_overrides={**PRODUCTION_ENV, "DJANGO_ADMIN_URL": "/backstage-7f3a/"},
                        tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "/backstage-7f3a/"
    code = (
        "import django; django.setup(); from django.urls import resolve, Resolver404\n"
        "try:\n    resolve('/admin/'); print('found')\nexcept Resolver404:\n    print('not found')"
    )
    result = run_django(code, env_overrides={**PRODUCTION_ENV, "DJANGO_ADMIN_URL": "backstage-7f3a"},
                        tmp_path=tmp_path)
    assert result.stdout.strip() == "not found", result.stderr


@pytest.mark.django_db
def test_a_public_page_sends_every_security_header(client, seed_article):
    response = client.get(seed_article.get_absolute_url(), secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_public_pages_carry_no_inline_script_or_style(client, seed_article):
    seed_article.tags.add("kabul")
    urls = [url for _, url in public_urls(seed_article)] + ["/nowhere/"]
    assert len(urls) >= 5
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404)
        if "html" in response["Content-Type"]:
            assert inline_code(response.content.decode()) == [], url


@pytest.mark.django_db
def test_admin_pages_work_under_the_policy_without_inline_code(staff_client, seed_article):
    record = seed_article.history.first()
    urls = [
        reverse("admin:index"),
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_add"),
        reverse("admin:articles_article_change", args=[seed_article.pk]),
        reverse("admin:articles_article_history", args=[seed_article.pk]),
        reverse("admin:articles_article_simple_history", args=[seed_article.pk, record.history_id]),
        reverse("admin:articles_source_changelist"),
        reverse("admin:articles_importrecord_changelist"),
    ]
    for url in urls:
        response = staff_client.get(url)
        assert response.status_code == 200, url
        assert "Content-Security-Policy" in response
        assert inline_code(response.content.decode()) == [], url


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_secure_httponly_and_samesite(client, django_user_model):
    django_user_model.objects.create_superuser("boss", "boss@example.org", "pw-boss-123456")
    login = reverse("admin:login")
    page = client.get(login, secure=True)
    assert inline_code(page.content.decode()) == []
    csrf = page.cookies["csrftoken"]
    response = client.post(login, {"username": "boss", "password": "pw-boss-123456", "next": "/admin/"},
                           secure=True)
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    for cookie in (csrf, session):
        assert cookie["secure"] is True
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"


def test_code_only_commands_run_without_a_secret_key(tmp_path):
    result = run_django(["manage.py", "makemigrations", "--check", "--dry-run"],
                        env_overrides={"DJANGO_ALLOWED_HOSTS": "archive.example.org"}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "No changes detected"


LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DUMMY = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
DATABASE = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "archive_cache"}}
REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/0"}}


def _cache_warnings(**overrides):
    from django.core.checks import Tags, run_checks
    from django.test import override_settings

    with override_settings(**overrides):
        return [message for message in run_checks(tags=[Tags.caches]) if message.id == "articles.W001"]


@pytest.mark.parametrize("caches", [LOCMEM, DUMMY], ids=["locmem", "dummy"])
def test_check_warns_of_a_page_cache_local_to_one_process_when_debug_is_off(caches):
    warnings = _cache_warnings(DEBUG=False, CACHES=caches, ARCHIVE_PAGE_CACHE=True)
    assert len(warnings) == 1
    assert caches["default"]["BACKEND"] in warnings[0].msg
    assert "CACHE_URL" in warnings[0].hint and "createcachetable" in warnings[0].hint


@pytest.mark.parametrize("caches", [DATABASE, REDIS], ids=["database", "redis"])
def test_check_is_quiet_for_a_cache_every_process_shares(caches):
    assert _cache_warnings(DEBUG=False, CACHES=caches, ARCHIVE_PAGE_CACHE=True) == []


def test_check_is_quiet_in_debug_or_with_the_page_cache_off():
    assert _cache_warnings(DEBUG=True, CACHES=LOCMEM, ARCHIVE_PAGE_CACHE=True) == []
    assert _cache_warnings(DEBUG=False, CACHES=LOCMEM, ARCHIVE_PAGE_CACHE=False) == []


def test_manage_py_check_says_what_to_set_for_a_process_local_cache(tmp_path):
    """The warning as an operator sees it: `manage.py check` with DEBUG off and a local-memory cache."""
    (tmp_path / "localmem_settings.py").write_text(
        "from archive.settings import *  # noqa: F403\n"
        "CACHES = {'default': {'BACKEND': 'django.core.cache.backends.locmem.LocMemCache'}}\n"
    )
    result = run_django(["manage.py", "check", "--fail-level", "WARNING"],
                        env_overrides={**PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "localmem_settings",
                                       "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"},
                        tmp_path=tmp_path)
    assert result.returncode != 0
    assert "articles.W001" in result.stderr
    assert "Set CACHE_URL" in result.stderr
