"""Writing an article in the seed format in the admin (issue 21): the text field on the Import
articles page and the add page gives exactly what ``import_articles`` gives for the same text; the
preview shows the parsed article and its warnings and writes nothing."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client

from articles.models import Article, Footnote, ImportRecord, Source
from tests.factories import SEED_FILE

pytestmark = pytest.mark.django_db

URL = "/admin/articles/article/import/text/"
FOLLOWUP = SEED_FILE.parent / "taliban_moscow_followup.txt"


def snapshot(article):
    """Everything an import writes for an article, but its identity and slug, as plain values."""
    notes = article.footnotes.select_related("source", "refers_to").order_by("number")
    return {
        "title": article.title,
        "status": article.status,
        "published_at": article.published_at,
        "summary": article.summary,
        "body": article.body,
        "primary_category": article.primary_category.path if article.primary_category else None,
        "categories": sorted(article.categories.values_list("path", flat=True)),
        "authors": [author.name for author in article.ordered_authors()],
        "tags": sorted(article.tags.names()),
        "notes": [
            (n.number, n.kind, n.text, n.prefix, n.locator, n.source.key if n.source else None,
             n.refers_to.number if n.refers_to else None, n.url, n.url_missing)
            for n in notes
        ],
        "warnings": article.import_records.get().warnings,
    }


def counts():
    return (Article.objects.count(), Footnote.objects.count(), Source.objects.count(), ImportRecord.objects.count())


def paste(client, text, name="", button="_save"):
    return client.post(URL, {"text": text, "name": name, button: "1"})


@pytest.mark.parametrize("path", [SEED_FILE, FOLLOWUP], ids=["seed", "followup"])
def test_pasted_text_gives_what_import_articles_gives_field_by_field(staff_client, path):
    call_command("import_articles", str(path), verbosity=0)
    imported = Article.objects.get(import_key=f"seed:{path.name}")
    sources = Source.objects.count()

    response = paste(staff_client, path.read_text(encoding="utf-8"), name="pasted-copy.txt")

    pasted = Article.objects.get(import_key="seed:pasted-copy.txt")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/articles/article/{pasted.pk}/change/"
    assert snapshot(pasted) == snapshot(imported)
    assert Source.objects.count() == sources  # the same shared Sources, none made twice


def test_seed_pasted_keeps_kinds_sources_ibid_cross_reference_and_lost_links(staff_client):
    paste(staff_client, SEED_FILE.read_text(encoding="utf-8"), name="seed-copy.txt")
    notes = {n.number: n for n in Article.objects.get().footnotes.select_related("source", "refers_to")}
    assert notes[1].kind == Footnote.Kind.CITATION and notes[1].source.year == 2003
    assert notes[2].kind == Footnote.Kind.IBID and notes[2].source == notes[1].source
    assert notes[6].kind == Footnote.Kind.CROSS_REFERENCE and notes[6].refers_to == notes[3]
    assert notes[3].url_missing is True


def test_preview_shows_the_parsed_article_and_its_warnings_and_writes_nothing(staff_client):
    before = counts()
    response = paste(staff_client, SEED_FILE.read_text(encoding="utf-8"), button="_preview")
    page = response.content.decode()
    assert response.status_code == 200
    assert counts() == before
    assert "Preview: nothing is saved yet" in page
    assert "Saving would leave the article <strong>created</strong>" in page
    assert "The recent Taliban-Russia contacts and its impacts on Kabul-Moscow ties" in page
    assert '<td>cross_reference</td>' in page and "<td>lost link</td>" in page
    assert 'href="#fn-1"' in page  # the body as it will be saved, markers made references
    assert "Afghanistan » Politics" in page


def test_preview_lists_a_marker_without_note_and_a_note_nothing_refers_to(staff_client):
    text = "A title\nPublished Date: March 3, 2020\n\nWater is scarce[1] in Kabul[3].\n\n[1] Ibid\n\n[2] A note.\n"
    response = paste(staff_client, text, button="_preview")
    page = response.content.decode()
    assert "note [2] is not referenced in the text" in page
    assert "[3]" in page
    assert Article.objects.count() == 0


def test_save_without_a_name_takes_it_from_the_title_and_pasting_again_updates(staff_client):
    text = "A title\nPublished Date: March 3, 2020\n\nWater is scarce in Kabul[1].\n\n[1] See online:\n"
    first = paste(staff_client, text)
    article = Article.objects.get()
    assert article.import_key == "seed:a-title.txt"
    assert first["Location"] == f"/admin/articles/article/{article.pk}/change/"
    paste(staff_client, text.replace("Kabul", "Herat"))
    article.refresh_from_db()
    assert Article.objects.count() == 1
    assert "Herat" in article.body
    assert list(article.import_records.values_list("outcome", flat=True).order_by("pk")) == ["created", "updated"]
    assert [(e.user.username, e.get_change_message()) for e in LogEntry.objects.order_by("pk")] == [
        ("editor", "Saved from seed-format text (a-title.txt): created."),
        ("editor", "Saved from seed-format text (a-title.txt): updated."),
    ]


def test_warnings_of_a_saved_text_are_shown_as_messages(staff_client):
    text = "A title\nPublished Date: March 3, 2020\n\nWater is scarce.\n\n[1] A note.\n"
    page = staff_client.get(paste(staff_client, text)["Location"]).content.decode()
    assert "note [1] is not referenced in the text" in page
    assert "“A title” created from the text (a-title.txt)." in page


def test_text_that_is_not_an_article_is_refused_with_the_parsers_message_and_nothing_written(staff_client):
    before = counts()
    response = paste(staff_client, "Just a line of text, no title or date.\n")
    assert response.status_code == 400
    assert "Nothing was saved." in response.content.decode()
    assert "Published Date" in response.content.decode()
    assert counts() == before


def test_the_text_field_is_on_the_import_page_and_the_add_page(staff_client):
    for url in ("/admin/articles/article/import/", "/admin/articles/article/add/"):
        page = staff_client.get(url).content.decode()
        assert f'action="{URL}"' in page and 'name="_preview"' in page, url


def test_writing_from_text_needs_the_import_permission(django_user_model):
    user = django_user_model.objects.create_user("writer", password="pw-writer-123", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="add_article"))
    client = Client()
    client.force_login(user)
    assert paste(client, SEED_FILE.read_text(encoding="utf-8")).status_code == 403
    assert 'name="_preview"' not in client.get("/admin/articles/article/add/").content.decode()
    assert Article.objects.count() == 0
