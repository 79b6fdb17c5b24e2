"""`make run`'s admin account (issue 21): the generated password is kept in a file only its owner can
read, shown again beside the address at the end, and not once it was changed."""

import io
import stat

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command("ensure_admin", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def password_file(settings, tmp_path, monkeypatch):
    monkeypatch.delenv("ARCHIVE_ADMIN_PASSWORD", raising=False)
    settings.ARCHIVE_ADMIN_PASSWORD_FILE = tmp_path / ".admin-password"
    return settings.ARCHIVE_ADMIN_PASSWORD_FILE


def test_the_generated_password_is_kept_owner_only_and_shown_again_beside_the_address(password_file):
    created = run()
    password = password_file.read_text().strip()
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert f"with password: {password}" in created
    assert get_user_model().objects.get(username="admin").check_password(password)
    assert run("--show", "http://127.0.0.1:8000") == (
        f"== admin: http://127.0.0.1:8000/admin/  user admin, password {password}\n"
        "   to set a new password: .venv/bin/python manage.py changepassword admin\n"
    )
    assert run() == "Admin account 'admin' exists.\n"
    assert password_file.read_text().strip() == password  # generated once


def test_a_password_changed_since_is_not_shown(password_file):
    run()
    user = get_user_model().objects.get(username="admin")
    user.set_password("chosen-by-the-owner-42")
    user.save()
    shown = run("--show", "http://127.0.0.1:8000")
    assert shown.splitlines()[0] == "== admin: http://127.0.0.1:8000/admin/  user admin, the password you set"
    assert "chosen-by-the-owner-42" not in shown


def test_a_password_from_the_environment_is_not_written_anywhere(password_file, monkeypatch):
    monkeypatch.setenv("ARCHIVE_ADMIN_PASSWORD", "from-the-env-123")
    run()
    assert not password_file.exists()
    assert "the password in ARCHIVE_ADMIN_PASSWORD" in run("--show", "http://127.0.0.1:8000")
