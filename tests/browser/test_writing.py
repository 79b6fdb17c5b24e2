"""An editor writes an article in the seed format in the admin, in Chromium: paste, preview, save
(issue 21). The preview writes nothing; the save gives the article the importer gives."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser import tools
from tests.browser.conftest import admin_login, make_staff
from tests.factories import SEED_FILE

pytestmark = pytest.mark.browser

TITLE = "The recent Taliban-Russia contacts and its impacts on Kabul-Moscow ties"


def test_editor_pastes_the_seed_previews_it_then_saves_it_and_reads_it(page, site):
    from articles.models import Article, Footnote

    make_staff("writer", "pw-writer-123", superuser=True)
    admin_login(page, "writer", "pw-writer-123")
    page.goto(reverse("admin:articles_article_add"))
    page.get_by_text("Write the article in the seed format").click()
    page.get_by_label("Article text").fill(SEED_FILE.read_text(encoding="utf-8"))
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_role("heading", name="Preview: nothing is saved yet")).to_be_visible()
    expect(page.locator(".preview-outcome")).to_contain_text("created")
    expect(page.locator(".preview-notes")).to_contain_text("cross_reference")
    expect(page.locator(".preview-body sup.footnote-ref").first).to_have_text("1")
    tools.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=tools.ARTIFACTS / "writing-preview.png")
    assert Article.objects.count() == 0

    page.get_by_role("button", name="Save the article").click()
    expect(page.locator(".messagelist")).to_contain_text(f"“{TITLE}” created from the text")
    article = Article.objects.get()
    assert article.footnotes.get(number=6).kind == Footnote.Kind.CROSS_REFERENCE
    page.get_by_role("link", name="View on site").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator("#fn-2")).to_contain_text("Ibid")
