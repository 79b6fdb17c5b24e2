from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError

from articles.roles import ROLES


class Command(BaseCommand):
    help = (
        "Create or update the staff groups (Moderators, Editors) with exactly their permissions. "
        "Safe to run again: permissions added to these groups by hand are taken away."
    )

    def handle(self, *args, **options):
        for name, wanted in ROLES.items():
            permissions = []
            for app_label, codename in wanted:
                permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
                if permission is None:
                    raise CommandError(
                        f"The permission {app_label}.{codename} does not exist; run `manage.py migrate` first."
                    )
                permissions.append(permission)
            group, created = Group.objects.get_or_create(name=name)
            before = set(group.permissions.values_list("pk", flat=True))
            group.permissions.set(permissions)
            after = {p.pk for p in permissions}
            state = "created" if created else ("updated" if before != after else "unchanged")
            self.stdout.write(f"{name}: {state}, {len(permissions)} permission(s).")
        self.stdout.write("Give a staff user a role by adding them to a group (admin: Users, Groups).")
