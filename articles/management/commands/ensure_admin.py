import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


def _write_password_file(path: Path, password: str) -> None:
    """The generated password, readable by its owner alone (mode 600 from the start, never wider)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.chmod(path, 0o600)  # an older file keeps its mode through O_CREAT
    with os.fdopen(fd, "w", encoding="utf-8") as stream:
        stream.write(password + "\n")


def _stored_password(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


class Command(BaseCommand):
    help = (
        "Make sure a local superuser exists (password from ARCHIVE_ADMIN_PASSWORD, else generated once and "
        "kept in ARCHIVE_ADMIN_PASSWORD_FILE); with --show URL, say how to log in at the site at URL."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default=os.environ.get("ARCHIVE_ADMIN_USER", "admin"))
        parser.add_argument("--show", metavar="URL", help="Only print the admin's address and password for URL.")

    def handle(self, *args, **options):
        if options["show"]:
            return self.show(options["username"], options["show"].rstrip("/"))
        User = get_user_model()
        username = options["username"]
        password = os.environ.get("ARCHIVE_ADMIN_PASSWORD")
        user = User.objects.filter(username=username).first()
        if user is not None:
            if password:
                user.set_password(password)
                user.save(update_fields=["password"])
                self.stdout.write(f"Admin account '{username}' exists; password set from ARCHIVE_ADMIN_PASSWORD.")
            else:
                self.stdout.write(f"Admin account '{username}' exists.")
            return
        generated = not password
        password = password or secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        if generated:
            path = Path(settings.ARCHIVE_ADMIN_PASSWORD_FILE)
            _write_password_file(path, password)
            self.stdout.write(self.style.WARNING(
                f"Created admin account '{username}' with password: {password}  (kept in {path}; "
                "set ARCHIVE_ADMIN_PASSWORD to choose it)"
            ))
        else:
            self.stdout.write(f"Created admin account '{username}' (password from ARCHIVE_ADMIN_PASSWORD).")

    def show(self, username, url):
        """The admin's address, and its password while it is still the generated one (checked against
        the account: a password changed since is the owner's to know)."""
        user = get_user_model().objects.filter(username=username).first()
        admin_url = f"{url}/{settings.ADMIN_URL}"
        if user is None:
            self.stdout.write(f"== admin: {admin_url} (no account '{username}': run manage.py ensure_admin)")
            return
        stored = _stored_password(Path(settings.ARCHIVE_ADMIN_PASSWORD_FILE))
        if os.environ.get("ARCHIVE_ADMIN_PASSWORD"):
            said = "the password in ARCHIVE_ADMIN_PASSWORD"
        elif stored and user.check_password(stored):
            said = f"password {stored}"
        else:
            said = "the password you set"
        self.stdout.write(f"== admin: {admin_url}  user {username}, {said}")
        self.stdout.write(f"   to set a new password: .venv/bin/python manage.py changepassword {username}")
