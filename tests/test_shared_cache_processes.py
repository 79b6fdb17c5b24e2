"""Two gunicorn processes sharing one database and one Redis serve the same fresh pages and count
the same comment rate limit.

This is what lets an operator add web machines: an edit made through one process invalidates
the cached pages every other process serves, and a reader cannot dodge the comment limit by
landing on another process, because the versions and the counts live in Redis, not in memory.
"""

import http.client
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"

SETUP = """
from django.contrib.auth import get_user_model
from articles.models import Article
get_user_model().objects.create_superuser("editor", "editor@example.org", "pw-editor-123")
Article(title="Shared article", slug="shared-article", status="published", body="<p>Hello.</p>").save()
"""


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(host, port):
    try:
        socket.create_connection((host, port), 1).close()
        return True
    except OSError:
        return False


@contextmanager
def two_gunicorns(env, tmp_path):
    """Two gunicorn processes (one worker each) with ``env``; a ``Browser`` for each."""
    ports, servers = [_free_port(), _free_port()], []
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115  (closed in finally)
    try:
        for port in ports:
            servers.append(subprocess.Popen(
                [str(GUNICORN), "archive.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "1",
                 "--log-level", "warning"],
                env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log,
            ))
        deadline = time.monotonic() + 30
        while not all(_answers("127.0.0.1", p) for p in ports):
            assert time.monotonic() < deadline, "gunicorn did not start within 30 s"
            assert all(s.poll() is None for s in servers), (tmp_path / "gunicorn.log").read_text()
            time.sleep(0.1)
        yield [Browser(p) for p in ports]
    finally:
        for server in servers:
            server.terminate()
            server.wait(10)
        log.close()


class Browser:
    """Just enough of a browser for one server: cookies and form posts."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, form=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        content = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        conn.close()
        return response, content

    def get(self, path):
        return self.request("GET", path)

    def csrf_token(self, page):
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


@pytest.fixture
def two_servers(request, tmp_path):
    """Two gunicorn processes (one worker each) on one SQLite file and one Redis key prefix.

    Parametrize it indirectly with a dict of extra environment for both servers.
    """
    if not _answers("127.0.0.1", 6379):
        pytest.skip("Redis does not answer on 127.0.0.1:6379: start it to test processes sharing the cache.")
    prefix = f"test-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        "CACHE_URL": "redis://127.0.0.1:6379/0",
        "CACHE_KEY_PREFIX": prefix,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "two-servers-test-secret-key-0123456789abcdefghijklmnop",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "ARCHIVE_PLAIN_STATIC": "1",
        "DJANGO_SETTINGS_MODULE": "archive.settings",
        **getattr(request, "param", {}),
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    subprocess.run([*manage, "shell", "-c", SETUP], env=env, cwd=ROOT, check=True)
    try:
        with two_gunicorns(env, tmp_path) as browsers:
            yield browsers
    finally:
        client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)


def test_unpublishing_through_one_process_refreshes_the_other(two_servers):
    editor_side, reader_side = two_servers
    article_url = "/articles/shared-article/"
    for browser in (editor_side, reader_side):
        browser.get(article_url)
        response, _ = browser.get(article_url)
        assert response.getheader("X-Archive-Cache") == "hit"
    response, home = reader_side.get("/")
    response, home = reader_side.get("/")
    assert response.getheader("X-Archive-Cache") == "hit"
    assert "Shared article" in home

    # The editor logs in on the first process and unpublishes with the admin's action.
    _, login = editor_side.get("/admin/login/")
    response, _ = editor_side.request(
        "POST", "/admin/login/",
        {"username": "editor", "password": "pw-editor-123", "csrfmiddlewaretoken": editor_side.csrf_token(login),
         "next": "/admin/"},
    )
    assert response.status == 302, "login failed"
    _, changelist = editor_side.get("/admin/articles/article/")
    article_id = re.search(r'name="_selected_action" value="(\d+)"', changelist).group(1)
    response, _ = editor_side.request(
        "POST", "/admin/articles/article/",
        {"action": "unpublish", "_selected_action": article_id, "index": "0",
         "csrfmiddlewaretoken": editor_side.csrf_token(changelist)},
    )
    assert response.status == 302

    # The second process, which had both pages cached, serves the change at once.
    response, _ = reader_side.get(article_url)
    assert response.status == 404
    response, home = reader_side.get("/")
    assert response.status == 200
    assert "Shared article" not in home


def _post_comment(browser, article_url, body):
    """Comment through the form as a reader does: the shared page's form (no CSRF token) sent, the
    form it comes back in to confirm (this reader's CSRF token and cookie) sent again."""
    _, page = browser.get(article_url)
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    action = re.search(r'<form class="comment-form" method="post" action="([^"#]+)', page).group(1)  # no fragment
    form = {"token": token, "name": "Rana", "email": "rana@example.org", "website": "", "body": body,
            "parent": "", "homepage": ""}
    _, confirm = browser.request("POST", action, form)
    return browser.request("POST", action, {**form, "csrfmiddlewaretoken": browser.csrf_token(confirm)})


# A day-long window: the count cannot roll over to a fresh window during the test (but at midnight UTC).
RATE_LIMIT_ENV = {"ARCHIVE_COMMENTS_RATE_LIMIT": "2", "ARCHIVE_COMMENTS_RATE_WINDOW": "86400",
                  "ARCHIVE_COMMENTS_MIN_SECONDS": "0"}


@pytest.mark.parametrize("two_servers", [RATE_LIMIT_ENV], indirect=True)
@pytest.mark.parametrize("third_post_goes_to", [0, 1], ids=["first-server", "second-server"])
def test_the_comment_rate_limit_counts_posts_to_both_processes(two_servers, third_post_goes_to):
    article_url = "/articles/shared-article/"
    first, second = two_servers

    response, _ = _post_comment(first, article_url, "First thought, sent to the first process.")
    assert response.status == 302
    response, _ = _post_comment(second, article_url, "Second thought, sent to the second process.")
    assert response.status == 302

    # Each process has seen one post; only a count shared through Redis reaches the limit of 2.
    response, page = _post_comment(two_servers[third_post_goes_to], article_url, "Third thought, one too many.")
    assert response.status == 429
    assert "You have sent several comments in a short time." in page
    assert "Third thought, one too many." in page  # the reader's text is kept to send again later
    assert 0 < int(response.getheader("Retry-After")) <= 86401
