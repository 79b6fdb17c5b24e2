"""The content export carries author and category profiles, related pins and exclusions and
redirects, and `import_articles --format jsonl` brings them back; older backups still restore."""

import io
import json

import pytest
from django.contrib.redirects.models import Redirect
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.importers import restore_file
from articles.importers.restore_file import restore_stream
from articles.models import Author, Category, RelatedExclusion, RelatedPin
from tests.backup import empty_archive, export_lines
from tests.factories import make_article, make_author, make_category

pytestmark = pytest.mark.django_db

OLD_KEYS = ("author_profiles", "category_profiles", "related_pins", "related_exclusions", "redirects")


@pytest.fixture
def archive():
    region = make_category("Afghanistan")
    region.description, region.slug = "The country.", "afg"
    region.save()
    politics = Category.objects.create(parent=region, name="Politics", slug="pol", description="Who governs.")
    writer = make_author("Thomas Ruttig", bio="Co-director.", orcid="0000-0002-1825-0097", wikidata="Q42",
                         slug="ruttig")
    other = make_author("Kate Clark", login="kclark")
    first = make_article("First", category=politics, authors=[writer, other])
    second = make_article("Second", category=region, authors=[other])
    third = make_article("Third", category=politics)
    # A pin to an article later in the file, and one to an earlier one: both come back, in order.
    RelatedPin.objects.create(article=first, related=third, position=0)
    RelatedPin.objects.create(article=first, related=second, position=1)
    RelatedExclusion.objects.create(article=second, related=first)
    Redirect.objects.create(site_id=1, old_path="/old/first/", new_path=first.get_absolute_url())
    Redirect.objects.create(site_id=1, old_path="/?p=7", new_path=first.get_absolute_url())
    return first


def restore(path):
    call_command("import_articles", "--format", "jsonl", str(path), stdout=io.StringIO(), stderr=io.StringIO())


def empty_everything():
    empty_archive()
    Redirect.objects.all().delete()


def test_export_lists_profiles_pins_exclusions_and_redirects(archive, tmp_path):
    lines = [json.loads(line) for line in export_lines(tmp_path / "x.jsonl").splitlines()]
    first = next(line for line in lines if line["slug"] == archive.slug)
    assert first["author_profiles"] == [
        {"name": "Thomas Ruttig", "slug": "ruttig", "bio": "Co-director.", "login": "",
         "orcid": "0000-0002-1825-0097", "wikidata": "Q42"},
        {"name": "Kate Clark", "slug": "kate-clark", "bio": "", "login": "kclark", "orcid": "", "wikidata": ""},
    ]
    assert first["category_profiles"] == [
        {"path": ["Afghanistan"], "slug": "afg", "description": "The country."},
        {"path": ["Afghanistan", "Politics"], "slug": "pol", "description": "Who governs."},
    ]
    assert first["related_pins"] == ["third", "second"]
    assert first["redirects"] == ["/?p=7", "/old/first/"]
    second = next(line for line in lines if line["slug"] == "second")
    assert second["related_exclusions"] == ["first"]


def test_restore_into_an_empty_database_exports_byte_identical(archive, tmp_path):
    first = export_lines(tmp_path / "first.jsonl")
    empty_everything()
    restore(tmp_path / "first.jsonl")
    assert export_lines(tmp_path / "second.jsonl") == first
    assert Author.objects.get(slug="ruttig").bio == "Co-director."
    assert Category.objects.get(path="afg/pol").description == "Who governs."
    assert list(RelatedPin.objects.filter(article__slug="first").values_list("related__slug", flat=True)) == [
        "third", "second"]
    assert Redirect.objects.filter(new_path=archive.get_absolute_url()).count() == 2


def test_an_older_backup_without_the_new_keys_still_restores(archive, tmp_path):
    lines = [json.loads(line) for line in export_lines(tmp_path / "first.jsonl").splitlines()]
    older = tmp_path / "older.jsonl"
    older.write_text("".join(
        json.dumps({k: v for k, v in line.items() if k not in OLD_KEYS}, ensure_ascii=False) + "\n" for line in lines
    ), encoding="utf-8")
    empty_everything()
    restore(older)
    assert sorted(Author.objects.values_list("name", flat=True)) == ["Kate Clark", "Thomas Ruttig"]
    assert Category.objects.get(path="afghanistan/politics").full_name == "Afghanistan » Politics"
    assert RelatedPin.objects.count() == 0


def test_a_damaged_profile_is_refused_with_its_line_and_writes_nothing(archive, tmp_path):
    data = export_lines(tmp_path / "first.jsonl").decode().splitlines()
    line = json.loads(data[0])
    line["related_pins"] = ["not a slug!"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(line) + "\n", encoding="utf-8")
    empty_everything()
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_articles", "--format", "jsonl", str(bad), stdout=out, stderr=out)
    assert "line 1: 'related_pins' must be a list of article slugs" in out.getvalue()
    assert Author.objects.count() == 0


def test_pins_to_articles_of_later_batches_are_restored_when_those_are(archive, tmp_path, monkeypatch):
    first = export_lines(tmp_path / "first.jsonl")
    empty_everything()
    monkeypatch.setattr(restore_file, "RESTORE_BATCH", 1)  # each article a batch (and a transaction) of its own
    result = restore_stream(io.BytesIO(first), "first.jsonl")
    assert [item.outcome for item in result.items] == ["created"] * 3
    assert list(RelatedPin.objects.filter(article__slug="first").values_list("related__slug", flat=True)) == [
        "third", "second"]
    assert list(RelatedExclusion.objects.values_list("article__slug", "related__slug")) == [("second", "first")]
    assert export_lines(tmp_path / "second.jsonl") == first
