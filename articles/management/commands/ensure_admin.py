import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Make sure a local superuser exists (password from ARCHIVE_ADMIN_PASSWORD, else generated once)."

    def add_arguments(self, parser):
        parser.add_argument("--username", default=os.environ.get("ARCHIVE_ADMIN_USER", "admin"))

    def handle(self, *args, **options):
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
            self.stdout.write(self.style.WARNING(
                f"Created admin account '{username}' with password: {password}  (shown once; "
                "set ARCHIVE_ADMIN_PASSWORD to choose it)"
            ))
        else:
            self.stdout.write(f"Created admin account '{username}' (password from ARCHIVE_ADMIN_PASSWORD).")
