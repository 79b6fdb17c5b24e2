"""An article edited in the admin stays as consistent as an imported one (issue 21): markers typed
in the body become references, notes typed in the inline are classified by the importer's rules,
"refers to" is a note number within the article, and what is inconsistent is shown as a warning."""

import pytest

from articles.models import Footnote, Source
from tests.adminform import article_form
from tests.factories import make_article

pytestmark = pytest.mark.django_db

# As the seed importer renders note 1's first marker, once sanitized on save.
REF_1 = ('<sup class="footnote-ref" id="fnref-1"><a href="#fn-1" aria-describedby="footnotes-label" '
         'rel="nofollow noopener noreferrer">1</a></sup>')


def add_notes(data, texts, start=0):
    for i, text in enumerate(texts, start=start):
        data.update({f"footnotes-{i}-number": str(i + 1), f"footnotes-{i}-text": text, f"footnotes-{i}-article": ""})
    data["footnotes-TOTAL_FORMS"] = str(start + len(texts))


def save(client, url, data):
    response = client.post(url, data, follow=True)
    assert response.status_code == 200 and response.redirect_chain, response.content.decode()[:3000]
    return response.content.decode()


def test_markers_typed_in_the_body_become_references_and_notes_are_classified(staff_client):
    article = make_article("Water")
    url, data = article_form(staff_client, article)
    data["body"] = "<p>Water is scarce in Kabul[1], and in Herat[2][3].</p>"
    add_notes(data, [
        "Thomas Ruttig, From Point Zero to ‘New Warmth’: Russian-Afghan relations since 1989, "
        "Afghanistan Analysts Network, 2014.",
        "Ibid, p. 12.",
        "See the first note.",
    ])
    page = save(staff_client, url, data)

    article.refresh_from_db()
    assert REF_1 in article.body
    assert 'id="fnref-3"' in article.body and "[1]" not in article.body
    notes = {n.number: n for n in article.footnotes.select_related("source", "refers_to")}
    assert notes[1].kind == Footnote.Kind.CITATION and notes[1].source.year == 2014
    assert notes[2].kind == Footnote.Kind.IBID and notes[2].source == notes[1].source and notes[2].locator == "p. 12"
    assert notes[3].kind == Footnote.Kind.CROSS_REFERENCE and notes[3].refers_to == notes[1]
    assert "Note check" not in page
    # The revision the save wrote holds the body as saved.
    assert article.history.order_by("-history_date", "-history_id").first().body == article.body


def test_the_notes_are_what_the_importer_makes_of_the_same_text(staff_client, seed_article):
    """Saving the imported seed article unchanged changes none of its notes."""
    before = list(seed_article.footnotes.order_by("number").values_list(
        "number", "kind", "prefix", "source", "locator", "url", "url_missing", "refers_to__number"))
    url, data = article_form(staff_client, seed_article)
    page = save(staff_client, url, data)
    after = list(seed_article.footnotes.order_by("number").values_list(
        "number", "kind", "prefix", "source", "locator", "url", "url_missing", "refers_to__number"))
    assert after == before
    assert "Note check" not in page


def test_a_marker_without_note_and_a_note_without_marker_are_warned_not_silently_saved(staff_client):
    article = make_article("Water")
    url, data = article_form(staff_client, article)
    data["body"] = "<p>Water is scarce in Kabul[1] and Herat[4].</p>"
    add_notes(data, ["A note.", "Another note."])
    page = save(staff_client, url, data)
    assert "Note check: the text has a marker [4] but there is no note 4" in page
    assert "Note check: note [2] is not referenced in the text" in page
    article.refresh_from_db()
    assert "Herat[4]" in article.body and REF_1 in article.body


def test_refers_to_is_chosen_by_note_number_within_the_article(staff_client, seed_article):
    """Typing 1 on the second article points at its own note 1, not at the seed's."""
    article = make_article("Second", body="<p>One[1] two[2].</p>")
    url, data = article_form(staff_client, article)
    add_notes(data, ["A note.", "Compare the other one."])
    data["footnotes-1-refers_to_number"] = "1"
    save(staff_client, url, data)
    notes = {n.number: n for n in article.footnotes.select_related("refers_to")}
    assert notes[2].refers_to == notes[1]
    assert notes[2].refers_to.article == article

    url, data = article_form(staff_client, article)
    assert data["footnotes-1-refers_to_number"] == "1"  # shown as the number
    save(staff_client, url, data)
    assert Footnote.objects.get(article=article, number=2).refers_to.number == 1  # kept

    data["footnotes-1-refers_to_number"] = "7"
    page = save(staff_client, url, data)
    assert "Note check: note [2] refers to note [7], which does not exist" in page
    assert Footnote.objects.get(article=article, number=2).refers_to is None


def test_a_note_text_changed_is_classified_again(staff_client):
    article = make_article("Water", body="<p>One[1] two[2] three[3].</p>", footnotes=3)
    url, data = article_form(staff_client, article)
    data["footnotes-2-text"] = "See the first note."
    save(staff_client, url, data)
    url, data = article_form(staff_client, article)
    data["footnotes-2-text"] = "See the second note."
    save(staff_client, url, data)
    note = Footnote.objects.select_related("refers_to").get(article=article, number=3)
    assert note.kind == Footnote.Kind.CROSS_REFERENCE and note.refers_to.number == 2
    assert Source.objects.count() == 0


def test_the_body_field_says_how_to_write_a_reference(staff_client):
    page = staff_client.get("/admin/articles/article/add/").content.decode()
    assert "Type [1] where note 1 is referred to" in page


def test_notes_are_edited_on_their_articles_page_not_one_by_one(staff_client, seed_article):
    note = seed_article.footnotes.get(number=6)
    listing = staff_client.get("/admin/articles/footnote/?url_missing__exact=1").content.decode()
    assert f'href="/admin/articles/article/{seed_article.pk}/change/#footnotes-group"' in listing
    assert staff_client.post(f"/admin/articles/footnote/{note.pk}/change/", {"refers_to": "1"}).status_code == 403
    assert staff_client.get("/admin/articles/footnote/add/").status_code == 403
    note.refresh_from_db()
    assert note.refers_to.number == 3
