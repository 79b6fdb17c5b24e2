"""`manage.py backup DIR` and `manage.py restore DIR`: the whole site (database, media, manifest)
restored into an empty database and media folder, checked against the manifest first."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.redirects.models import Redirect
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from articles.models import RelatedExclusion, RelatedPin
from tests.backup_counts import USERS, counts
from tests.factories import import_seed, make_article, make_category, make_comment

ROOT = Path(django_settings.BASE_DIR)
pytestmark = pytest.mark.django_db(transaction=True)
MEDIA = {"uploads/2016/01/map.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "report.pdf": b"%PDF-1.4 tiny"}


@pytest.fixture
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    for name, data in MEDIA.items():
        (tmp_path / "media" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "media" / name).write_bytes(data)
    return tmp_path / "media"


def build_site():
    """An archive with comments, revisions, pins, exclusions, redirects and two staff users in roles."""
    seed = import_seed()
    region = make_category("Region")
    others = [make_article(f"Other {i}", category=region) for i in range(3)]
    for article in (seed, *others):
        make_comment(article)
        make_comment(article, status="pending", email="private@example.org")
    others[0].title = "Other 0, revised"
    others[0].save()  # a second revision
    RelatedPin.objects.create(article=seed, related=others[1], position=0)
    RelatedExclusion.objects.create(article=seed, related=others[2])
    Redirect.objects.create(site_id=1, old_path="/2016/01/02/old/", new_path=seed.get_absolute_url())
    call_command("setup_roles", stdout=io.StringIO())
    User = get_user_model()
    for (name, password), group in zip(USERS.items(), ("Editors", "Moderators"), strict=True):
        user = User.objects.create_user(name, f"{name}@example.org", password, is_staff=True)
        user.groups.add(Group.objects.get(name=group))


def export(path, env=None):
    command = ["export_articles", "--include-private", "-o", str(path)]
    if env is None:
        call_command(*command, stderr=io.StringIO())
    else:
        manage(env, *command)
    return path.read_bytes()


def manage(env, *args):
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def site_env(database_url, media):
    return {**os.environ, "DATABASE_URL": database_url, "ARCHIVE_MEDIA_ROOT": str(media)}


def restored_state(env):
    out = manage(env, "shell", "-c", "from tests.backup_counts import report; report()")
    return json.loads(out.strip().splitlines()[-1])


def back_up_and_restore(tmp_path, database_url):
    build_site()
    before = counts()
    first = export(tmp_path / "first.jsonl")
    out = io.StringIO()
    call_command("backup", str(tmp_path / "backup"), stdout=out)
    assert "Backed up into" in out.getvalue()
    env = site_env(database_url, tmp_path / "restored-media")
    restored = manage(env, "restore", str(tmp_path / "backup"))
    assert "Restored 2 media file(s)" in restored
    assert export(tmp_path / "second.jsonl", env) == first
    state = restored_state(env)
    assert state["counts"] == json.loads(json.dumps(before))
    assert state["logins"] == {"editor": True, "moderator": True}
    for name, data in MEDIA.items():
        assert (tmp_path / "restored-media" / name).read_bytes() == data
    return before


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite path (online backup API)")
def test_backup_restores_everything_into_a_new_sqlite_file(tmp_path, media_root):
    before = back_up_and_restore(tmp_path, f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    # What the restored site was compared with (every key, above) holds every kind of object:
    assert {k: before[k] for k in ("Article", "HistoricalArticle", "Footnote", "Comment", "RelatedPin",
                                   "RelatedExclusion", "Redirect", "User", "Group")} == {
        "Article": 4, "HistoricalArticle": 5, "Footnote": 9, "Comment": 8, "RelatedPin": 1,
        "RelatedExclusion": 1, "Redirect": 1, "User": 2, "Group": 2}
    assert sorted(before["group_permissions"]) == ["Editors", "Moderators"]  # each with its permissions:
    assert min(before["group_permissions"].values()) > 0  # their exact sets are articles/roles.py's
    assert before["groups"] == [["editor", ["Editors"]], ["moderator", ["Moderators"]]]
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert sorted(manifest["files"]) == ["database.sqlite3", "media/report.pdf", "media/uploads/2016/01/map.png"]
    assert manifest["files"]["media/report.pdf"]["size"] == len(MEDIA["report.pdf"])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL path (pg_dump, pg_restore)")
def test_backup_restores_everything_into_a_new_postgresql_database(tmp_path, media_root):
    name = f"{connection.settings_dict['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name}"
    try:
        back_up_and_restore(tmp_path, url)
        assert sorted(json.loads((tmp_path / "backup" / "manifest.json").read_text())["files"])[0] == "database.dump"
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_restore_refuses_a_database_that_is_not_empty(tmp_path, media_root):
    make_article("Already here")
    call_command("backup", str(tmp_path / "backup"), stdout=io.StringIO())
    with pytest.raises(CommandError, match="is not empty .* Restore only into a new, empty database"):
        call_command("restore", str(tmp_path / "backup"), stdout=io.StringIO())


def test_restore_refuses_a_backup_that_does_not_match_its_manifest_and_writes_nothing(tmp_path, media_root):
    make_article("Backed up")
    call_command("backup", str(tmp_path / "backup"), stdout=io.StringIO())
    (tmp_path / "backup" / "media" / "report.pdf").write_bytes(b"%PDF-1.4 tampered")
    (tmp_path / "backup" / "stray.txt").write_text("x")
    media = tmp_path / "restored-media"
    env = site_env(f"sqlite:///{tmp_path / 'new.sqlite3'}", media)
    done = subprocess.run([sys.executable, "manage.py", "restore", str(tmp_path / "backup")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert "media/report.pdf has changed (its size or SHA-256 differs from the manifest)" in done.stderr
    assert "stray.txt is not in the manifest" in done.stderr
    assert "Traceback" not in done.stderr
    assert not media.exists() and not (tmp_path / "new.sqlite3").exists()


def test_backup_refuses_a_folder_that_is_not_empty(tmp_path, media_root):
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "old.txt").write_text("x")
    with pytest.raises(CommandError, match="is not an empty folder; give a new folder for each backup"):
        call_command("backup", str(tmp_path / "backup"), stdout=io.StringIO())


def test_restore_of_a_folder_without_a_manifest_says_so(tmp_path):
    (tmp_path / "nothing").mkdir()
    with pytest.raises(CommandError, match="manifest.json is missing: .* is not a folder written by"):
        call_command("restore", str(tmp_path / "nothing"), stdout=io.StringIO())
