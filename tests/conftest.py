import pytest
from django.test import Client

from tests.factories import import_seed


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


@pytest.fixture(autouse=True)
def fresh_page_cache():
    """Each test starts with an empty cache: the database rolls back between tests, the cache does not."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    for cache in caches.all(initialized_only=True):
        if isinstance(cache, LocMemCache):  # never FLUSHDB a Redis that others share
            cache.clear()
    yield
