"""The seed article imports to exactly what it says, through the real load step."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from articles.importers.pipeline import import_path, import_stream
from articles.models import Article, Category, Footnote, ImportRecord, Source
from tests.factories import SEED_FILE

pytestmark = pytest.mark.django_db


def test_seed_imports_title_category_path_and_date(seed_article):
    assert seed_article.title == "The recent Taliban-Russia contacts and its impacts on Kabul-Moscow ties"
    assert seed_article.status == Article.Status.PUBLISHED
    assert seed_article.published_at.date() == dt.date(2016, 1, 2)
    assert seed_article.primary_category.path_names() == ["Afghanistan", "Politics"]
    assert [c.name for c in seed_article.breadcrumb()] == ["Afghanistan", "Politics"]
    assert list(seed_article.categories.values_list("path", flat=True)) == ["afghanistan/politics"]
    assert seed_article.authors.count() == 0


def test_seed_body_has_five_headings_and_no_chrome(seed_article):
    assert seed_article.body.count("<h2>") == 5
    assert "<h2>ISIS: the common threat</h2>" in seed_article.body
    for chrome in ("The End", "Related Post", "Leave a Reply", "Your email address"):
        assert chrome not in seed_article.body


def test_seed_footnotes_are_linked_data(seed_article):
    notes = {n.number: n for n in seed_article.footnotes.select_related("source", "refers_to")}
    assert sorted(notes) == list(range(1, 10))
    assert notes[1].kind == Footnote.Kind.CITATION
    assert notes[1].prefix == "For further information read:"
    assert notes[1].source.year == 2003
    assert notes[1].source.authors[0].startswith("Muzhdah")
    assert notes[2].kind == Footnote.Kind.IBID
    assert notes[2].source_id == notes[1].source_id
    assert notes[4].kind == Footnote.Kind.CITATION
    assert notes[4].source.authors == ["Thomas Ruttig"]
    assert notes[4].source.publisher == "Afghanistan Analysts Network"
    assert notes[4].source.year == 2014
    assert notes[6].kind == Footnote.Kind.CROSS_REFERENCE
    assert notes[6].refers_to == notes[3]
    assert sorted(n for n, note in notes.items() if note.url_missing) == [3, 5, 7, 8, 9]
    assert Source.objects.count() == 2


def test_seed_body_links_every_marker_to_its_note(seed_article):
    for number in range(1, 10):
        assert f'id="fnref-{number}"' in seed_article.body
        assert f'href="#fn-{number}"' in seed_article.body


def test_import_records_provenance(seed_article):
    record = ImportRecord.objects.get()
    assert record.article == seed_article
    assert record.file_name == "seed.txt"
    assert record.format == "seedtext"
    assert len(record.sha256) == 64
    assert record.outcome == "created"
    assert record.warnings == []


def test_reimport_of_unchanged_file_changes_nothing(seed_article):
    before = Article.objects.get().updated_at
    result = import_path(SEED_FILE)
    assert [item.outcome for item in result.items] == ["unchanged"]
    assert Article.objects.count() == 1
    assert ImportRecord.objects.count() == 1
    assert Article.objects.get().updated_at == before


def test_changed_file_updates_the_same_article_in_place(seed_article, tmp_path):
    changed = SEED_FILE.read_bytes().replace(b"In the last two weeks", b"In the past fortnight")
    result = import_stream(_stream(changed), "seed.txt")
    assert [item.outcome for item in result.items] == ["updated"]
    article = Article.objects.get()
    assert article.pk == seed_article.pk
    assert article.slug == seed_article.slug
    assert "In the past fortnight" in article.body
    assert Footnote.objects.count() == 9
    assert ImportRecord.objects.filter(outcome="updated").count() == 1


def test_two_articles_citing_the_same_book_share_one_source(seed_article):
    other = SEED_FILE.read_bytes().replace(b"The recent Taliban-Russia", b"Another look at Taliban-Russia")
    import_stream(_stream(other), "other.txt")
    assert Article.objects.count() == 2
    assert Source.objects.count() == 2


def test_dangling_marker_is_imported_with_a_warning():
    text = (
        "Region » Topic\n\nA title\n\nPublished Date: March 3, 2020\n\n"
        "A paragraph with a marker[1] and a dangling one[4].\n\n[1] A note.\n\n[2] Nobody points here.\n"
    ).encode()
    result = import_stream(_stream(text), "dangling.txt")
    assert [item.outcome for item in result.items] == ["created"]
    warnings = ImportRecord.objects.get().warnings
    assert any("[4]" in w for w in warnings)
    assert any("[2]" in w for w in warnings)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02\x03binary\x00\xff\xfe" * 20, "binary"),
        (b"Region \xc2\xbb Topic\n\nPublished Date: March 3, 2020\n", "title"),
        (b"Region \xc2\xbb Topic\n\nA title\n\nNo date here.\n\nBody.\n", "date"),
        (b"Region \xc2\xbb Topic\n\nA title\n\nPublished Date: February 30, 2016\n\nBody.\n", "February 30, 2016"),
    ],
    ids=["empty", "binary", "no-title", "no-date", "bad-date"],
)
def test_bad_input_is_refused_and_writes_nothing(content, expected, tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    result = import_path(path)
    assert result.error
    assert "bad.txt" in result.error
    assert expected.lower() in result.error.lower()
    assert Article.objects.count() == 0
    assert Category.objects.count() == 0
    assert ImportRecord.objects.count() == 0


def test_command_prints_one_line_per_file_and_a_summary(tmp_path, capsys):
    (tmp_path / "a.txt").write_bytes(SEED_FILE.read_bytes())
    call_command("import_articles", str(tmp_path))
    out = capsys.readouterr().out
    assert "a.txt: created: The recent Taliban-Russia" in out
    assert "1 file(s): 1 created, 0 updated, 0 unchanged, 0 failed" in out
    call_command("import_articles", str(tmp_path / "a.txt"))
    assert "1 unchanged" in capsys.readouterr().out


def test_command_fails_with_a_clear_message_on_a_bad_file(tmp_path, capsys):
    (tmp_path / "good.txt").write_bytes(SEED_FILE.read_bytes())
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(CommandError) as refused:
        call_command("import_articles", str(tmp_path))
    # Said once: the file not read, then what the others held (not "0 failed" then "1 failed").
    assert str(refused.value) == (
        "2 file(s), 1 not read (nothing of them written); articles in the others: 1 created, 0 updated, "
        "0 unchanged, 0 failed"
    )
    out = capsys.readouterr().out
    assert "empty.txt: failed:" in out
    assert Article.objects.count() == 1  # the good file, in its own transaction


def test_command_dry_run_writes_nothing(tmp_path, capsys):
    call_command("import_articles", str(SEED_FILE), "--dry-run")
    assert "Dry run, nothing written" in capsys.readouterr().out
    assert Article.objects.count() == 0


def test_command_refuses_a_missing_path():
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_articles", "/nonexistent/file.txt")


def _stream(data):
    return io.BytesIO(data)
