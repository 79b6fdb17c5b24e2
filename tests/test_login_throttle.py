"""The admin's sign-in form locks a username out from an address after repeated wrong passwords."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "pw-right-123456"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("editor2", "e2@example.org", PASSWORD)


def sign_in(client, username, password, address="203.0.113.7"):
    return client.post(reverse("admin:login"), {"username": username, "password": password, "next": "/"},
                       REMOTE_ADDR=address)


def test_wrong_passwords_lock_the_account_out_with_a_clear_message(client, editor):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, "editor2", "wrong")
        assert response.status_code == 200  # the form again, with Django's "enter a correct username" note
        assert "Please enter the correct username and password" in response.content.decode()
    response = sign_in(client, "editor2", "wrong")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed sign-in attempts" in html
    assert "locked after 5 wrong passwords" in html
    # Locked: even the right password is refused, and nobody is signed in.
    response = sign_in(client, "editor2", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_username_and_address(client, editor, django_user_model):
    django_user_model.objects.create_superuser("colleague", "c@example.org", PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "editor2", "wrong")
    assert sign_in(client, "colleague", PASSWORD).status_code == 302
    assert sign_in(client, "editor2", PASSWORD, address="198.51.100.2").status_code == 302


def test_a_success_before_the_limit_resets_the_count(client, editor):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "editor2", "wrong")
    assert sign_in(client, "editor2", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "editor2", "wrong").status_code == 200
    assert sign_in(client, "editor2", PASSWORD).status_code == 302


def test_programmatic_login_without_a_request_still_works(client, editor):
    assert client.login(username="editor2", password=PASSWORD)
