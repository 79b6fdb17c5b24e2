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


# --- behind the reverse proxy: every request comes from the proxy's address ----------------------
PROXY = "10.0.0.2"


def sign_in_through_proxy(client, username, password, forwarded_for):
    return client.post(reverse("admin:login"), {"username": username, "password": password, "next": "/"},
                       REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


def test_behind_the_proxy_failures_from_one_client_do_not_lock_out_another(client, editor, settings):
    settings.ARCHIVE_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    # The attacker writes a different X-Forwarded-For each time; the proxy appends the address it saw.
    for i in range(settings.AXES_FAILURE_LIMIT):
        sign_in_through_proxy(client, "editor2", "wrong", f"198.18.0.{i}, 203.0.113.66")
    # The attacker is locked out whatever they claim, even with the right password ...
    assert sign_in_through_proxy(client, "editor2", PASSWORD, "198.18.0.99, 203.0.113.66").status_code == 429
    # ... and the real editor, behind the same proxy, signs in.
    editor_client = client.__class__()
    response = sign_in_through_proxy(editor_client, "editor2", PASSWORD, "198.51.100.9")
    assert response.status_code == 302
    assert "_auth_user_id" in editor_client.session


def test_the_lockout_and_the_comments_rate_limit_see_the_same_address(rf, settings):
    from axes.helpers import get_client_ip_address

    from articles.comments.moderation import moderator

    settings.ARCHIVE_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.18.0.1, 203.0.113.66")
    assert get_client_ip_address(request) == moderator.client_address(request) == "203.0.113.66"
    # A header that holds no address (a proxy that did not set it, or junk) counts the connection's.
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="not-an-address")
    assert get_client_ip_address(request) == moderator.client_address(request) == PROXY


def test_without_a_proxy_setting_a_client_cannot_choose_its_address(client, editor, settings):
    settings.ARCHIVE_CLIENT_IP_HEADER = ""
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("admin:login"), {"username": "editor2", "password": "wrong", "next": "/"},
                    REMOTE_ADDR="203.0.113.66", HTTP_X_FORWARDED_FOR=f"198.18.0.{i}")
    response = client.post(reverse("admin:login"), {"username": "editor2", "password": PASSWORD, "next": "/"},
                           REMOTE_ADDR="203.0.113.66", HTTP_X_FORWARDED_FOR="198.18.0.200")
    assert response.status_code == 429
