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
