import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.management import CommandError, call_command
from django.test import Client

from articles.aftercommit import discard_pending
from tests.factories import import_seed
from tests.link_server import LinkServer


def pytest_sessionstart(session):
    """The interface's Dari and Pashto catalogues (locale/*.po) compiled, as `make test` and `make run` do:
    without them /fa/ and /ps/ pages would be English, or not found."""
    try:
        call_command("compilemessages", ignore_patterns=[".venv", "node_modules", ".git", "staticfiles"], verbosity=0)
    except CommandError as error:
        raise pytest.UsageError(f"{error} Install GNU gettext (apt-get install gettext).") from None


@pytest.fixture
def seed_article(db):
    return import_seed()


@pytest.fixture
def staff_client(db, django_user_model):
    """A logged-in superuser's client, separate from the anonymous ``client``."""
    user = django_user_model.objects.create_superuser("editor", "editor@example.org", "pw-editor-123")
    staff = Client()
    staff.force_login(user)
    return staff


@pytest.fixture
def task_queue(settings):
    """Tasks are stored in the database as in production, not run: the test reads the queue, or
    runs what is queued (``run_queued_tasks``)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def nothing_pending_at_commit():
    """Each test's transaction is rolled back: what it left pending for a commit goes with it."""
    yield
    discard_pending()


@pytest.fixture(autouse=True)
def fresh_page_cache():
    """Each test starts with an empty cache: the database rolls back between tests, the cache does not."""
    for cache in caches.all(initialized_only=True):
        if isinstance(cache, LocMemCache):  # never FLUSHDB a Redis that others share
            cache.clear()
    yield


@pytest.fixture
def link_server(settings):
    """A local HTTP server for link checks (tests/link_server.py), which the checker may ask: it is
    on the loopback, and requests to it are not spaced out."""
    settings.ARCHIVE_LINK_CHECK_ALLOW_PRIVATE = True
    settings.ARCHIVE_LINK_CHECK_HOST_INTERVAL = 0
    settings.ARCHIVE_LINK_CHECK_TIMEOUT = 0.5
    with LinkServer() as running:
        yield running
