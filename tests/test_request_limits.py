"""Large uploads and requests: refused from their declared size before any byte is read, with the
site's page saying what to do; a very long search gets the calm search page; the documented
gunicorn command sets its timeouts and limits."""

import re
import shlex
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from gunicorn.config import Config

from articles.models.provenance import ImportRun
from articles.search import MAX_QUERY_CHARS
from tests.factories import SEED_FILE, make_article

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/admin/articles/article/import/"
OPERATIONS = Path(__file__).resolve().parent.parent / "docs" / "operations.md"


def test_an_upload_declared_larger_than_the_limit_is_refused_before_it_is_read(staff_client, settings):
    assert settings.ARCHIVE_MAX_REQUEST_BYTES == settings.ARCHIVE_IMPORT_MAX_BYTES + 1024 * 1024
    # The body is small, but says it is 100 MB: reading it would fail the test client's stream.
    response = staff_client.post(UPLOAD_URL, {"file": SimpleUploadedFile("seed.txt", SEED_FILE.read_bytes())},
                                 CONTENT_LENGTH=str(100 * 1024 * 1024))
    assert response.status_code == 413
    html = response.content.decode()
    assert "<h1>Too large to send</h1>" in html
    assert "What you sent is 100.0\xa0MB; the archive takes at most 51.0\xa0MB in one request" in html
    assert "An import file may be at most 50.0\xa0MB" in html
    assert "import_articles" in html
    assert ImportRun.objects.count() == 0
    assert response["X-Frame-Options"] == "DENY" and "Content-Security-Policy" in response


@override_settings(ARCHIVE_MAX_REQUEST_BYTES=10_000)
def test_any_request_declared_larger_than_the_limit_gets_the_page(client):
    article = make_article("Commented")
    response = client.post(f"{article.get_absolute_url()}comment/", {"body": "x" * 20_000})
    assert response.status_code == 413
    assert "<h1>Too large to send</h1>" in response.content.decode()


def test_an_upload_within_the_limit_still_goes_through(staff_client):
    response = staff_client.post(UPLOAD_URL, {"file": SimpleUploadedFile("seed.txt", SEED_FILE.read_bytes())})
    assert response.status_code == 302
    assert ImportRun.objects.count() == 1


def test_a_ten_kilobyte_search_gets_the_calm_search_page(client):
    make_article("Water rights")
    response = client.get("/search/", {"q": "water " + "x" * 10_240})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your search was long, so only its beginning was used" in html
    # The forms never send more than the search reads.
    assert html.count(f'name="q" value="water {"x" * (MAX_QUERY_CHARS - 6)}" maxlength="{MAX_QUERY_CHARS}"') == 2


def _documented_gunicorn_command():
    text = OPERATIONS.read_text()
    block = re.search(r"^gunicorn archive\.wsgi(?:[^\n\\]|\\\n)*", text, re.M).group(0)  # with its continued lines
    return shlex.split(block.replace("\\\n", " ").split("#", 1)[0].replace("$((2 * $(nproc)))", "4"))


def test_the_documented_gunicorn_command_sets_timeouts_and_request_limits():
    command = _documented_gunicorn_command()
    assert command[:2] == ["gunicorn", "archive.wsgi"]
    config = Config()
    args = config.parser().parse_args(command[1:])  # gunicorn's own parser: every option exists
    for name, value in vars(args).items():
        if value is not None and name in config.settings:
            config.set(name, value)
    assert config.timeout == 120 and config.graceful_timeout == 30
    assert config.limit_request_line == 8190  # gunicorn's largest: longer lines get its bare 414
    assert config.max_requests == 2000
