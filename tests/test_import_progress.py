"""Long imports show their progress: each article's line as soon as it is loaded, a bar counting
articles on a terminal, nothing but failures with -v 0, and a help text naming every format."""

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command

from articles.management.commands.import_articles import Command
from articles.models import Article
from articles.progress import ItemProgress
from tests.factories import SEED_FILE

pytestmark = pytest.mark.django_db

POSTS = 250


def _export(count):
    items = "".join(
        f"<item><title>Post {n}</title><link>https://old.example.org/?p={n}</link><wp:post_id>{n}</wp:post_id>"
        f"<wp:post_date_gmt>2020-01-01 10:00:00</wp:post_date_gmt><wp:post_name>post-{n}</wp:post_name>"
        "<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
        "<content:encoded><![CDATA[<p>Text.</p>]]></content:encoded></item>"
        for n in range(1, count + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Old</title>'
        f"<link>https://old.example.org</link><wp:wxr_version>1.2</wp:wxr_version>{items}</channel></rss>"
    ).encode()


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "export.xml"
    path.write_bytes(_export(POSTS))
    return path


class Recorder(io.StringIO):
    """A log that notes how many articles were loaded when each article's line was written."""

    def __init__(self):
        super().__init__()
        self.loaded_at_line = []

    def write(self, text):
        if ": created: " in text:
            self.loaded_at_line.append(Article.objects.count())
        return super().write(text)


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_each_article_s_line_is_written_as_it_is_loaded(export):
    out = Recorder()
    call_command("import_articles", str(export), stdout=out, stderr=io.StringIO())
    assert len(out.loaded_at_line) == POSTS
    # Written a batch (100) at a time while the file loads, not all at its end.
    assert out.loaded_at_line[0] == 100 < POSTS
    assert out.loaded_at_line[-1] == POSTS
    assert f"{export}: created: Post 1\n" in out.getvalue()
    assert f"1 file(s): {POSTS} created, 0 updated, 0 unchanged, 0 failed" in out.getvalue()


def test_on_a_terminal_a_bar_counts_articles_and_lines_stay_whole(export):
    out, terminal = io.StringIO(), Terminal()
    call_command("import_articles", str(export), stdout=out, stderr=terminal)
    assert "Importing: 0article [00:00, ?article/s]" in terminal.getvalue()
    assert out.getvalue().count(": created: Post ") == POSTS


def test_the_bar_counts_items():
    bar = ItemProgress(desc="Importing", unit="article", stream=Terminal(), out=io.StringIO())
    bar.update(100)
    bar.update(50)
    assert bar.bar.n == 150 and bar.bar.unit == "article"
    bar.close()
    assert ItemProgress(desc="Importing", unit="article", stream=io.StringIO(), out=io.StringIO()).bar is None


def test_verbosity_zero_is_quiet_but_for_failures(export, tmp_path):
    out, err = Recorder(), Terminal()
    call_command("import_articles", str(export), verbosity=0, stdout=out, stderr=err)
    assert (out.getvalue(), err.getvalue()) == ("", "")
    assert Article.objects.count() == POSTS
    broken = tmp_path / "broken.txt"
    broken.write_text("Not an article at all\n")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_articles", str(broken), verbosity=0, stdout=out, stderr=io.StringIO())
    assert out.getvalue().startswith(f"{broken}: failed")


def test_the_help_names_every_format():
    text = " ".join(Command().create_parser("manage.py", "import_articles").format_help().split())
    for extension in (".txt", ".xml", ".jsonl", ".zip"):
        assert extension in text


def test_a_zip_of_articles_is_imported_member_by_member(tmp_path):
    bundle = tmp_path / "bundle.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("a.txt", SEED_FILE.read_bytes())
        archive.writestr("folder/b.txt", SEED_FILE.read_bytes())
    out = io.StringIO()
    call_command("import_articles", str(tmp_path), stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert f"{bundle}: a.txt: created: The recent Taliban-Russia" in text
    assert f"{bundle}: folder/b.txt: created: The recent Taliban-Russia" in text
    assert "1 file(s): 2 created" in text
    assert Article.objects.count() == 2
