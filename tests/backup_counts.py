"""What a whole-site restore must bring back, counted; run in the test process and in the restored
site's (`manage.py shell -c "from tests.backup_counts import report; report()"`)."""

import json

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.redirects.models import Redirect
from django.test import Client

from articles.models import (
    Article,
    Author,
    Category,
    Comment,
    Footnote,
    ImportRecord,
    RelatedExclusion,
    RelatedPin,
    Source,
)

USERS = {"editor": "editor-pass-1!", "moderator": "moderator-pass-1!"}


def counts() -> dict:
    models = (Article, Article.history.model, Footnote, Source, Author, Category, Comment, ImportRecord,
              RelatedPin, RelatedExclusion, Redirect, get_user_model(), Group, Permission)
    found = {m.__name__: m.objects.count() for m in models}
    found["groups"] = sorted(
        [u.username, sorted(u.groups.values_list("name", flat=True))] for u in get_user_model().objects.all()
    )
    found["group_permissions"] = {g.name: g.permissions.count() for g in Group.objects.all()}
    return found


def logins() -> dict:
    return {name: Client().login(username=name, password=password) for name, password in USERS.items()}


def report():
    print(json.dumps({"counts": counts(), "logins": logins()}, sort_keys=True))
