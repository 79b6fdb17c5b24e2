"""The README's pictures, taken by the tests that check what they show.

``make screenshots`` runs this module with ARCHIVE_SCREENSHOTS_DIR=docs/screenshots to refresh the committed
pictures; in ``make test`` they go to artifacts/browser/readme/ so a test run never edits tracked files.
"""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser import tools
from tests.browser.conftest import admin_login, make_staff, new_page

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("ARCHIVE_SCREENSHOTS_DIR") or tools.ARTIFACTS / "readme")
PHONE = {"width": 390, "height": 844}
SEED_TITLE = "The recent Taliban-Russia contacts and its impacts on Kabul-Moscow ties"


@pytest.fixture
def shots():
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


def test_article_page_at_desktop_width_keeps_a_readable_measure(page, seed, shots):
    page.goto(seed.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(SEED_TITLE)
    paragraph = page.locator(".article-body p").first.bounding_box()
    # About 70 characters a line: the text column is far narrower than the 1280-pixel window, and centred.
    assert 500 < paragraph["width"] < 800
    assert abs((paragraph["x"] + paragraph["width"] / 2) - 640) < 40
    page.screenshot(path=shots / "article-desktop.png")


def test_article_page_at_phone_width_fits_without_sideways_scrolling(browser, site, seed, shots):
    phone = new_page(browser, site, PHONE)
    try:
        phone.goto(seed.get_absolute_url())
        expect(phone.get_by_role("heading", level=1)).to_have_text(SEED_TITLE)
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        box = phone.locator(".article-body p").first.bounding_box()
        assert box["x"] >= 8 and box["x"] + box["width"] <= PHONE["width"] - 8
        phone.screenshot(path=shots / "article-phone.png")
    finally:
        phone.context.close()


@pytest.fixture
def dari(site):
    """A Dari article (tests/fixtures/seedtext/dari_article.txt), imported through the real importer."""
    from articles.importers.pipeline import import_path
    from articles.models import Article
    from tests.factories import FIXTURES

    result = import_path(FIXTURES / "seedtext" / "dari_article.txt")
    return Article.objects.get(pk=result.items[0].article_id)


def test_dari_article_reads_right_to_left_at_desktop_and_phone_width(browser, site, dari, shots):
    desktop = {"width": 1280, "height": 900}
    for name, viewport in (("article-dari-desktop.png", desktop), ("article-dari-phone.png", PHONE)):
        tab = new_page(browser, site, viewport)
        try:
            tab.goto(dari.get_absolute_url())
            expect(tab.get_by_role("heading", level=1)).to_have_text(dari.title)
            assert tab.evaluate("getComputedStyle(document.body).direction") == "rtl"
            assert tab.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            body_font = tab.evaluate("getComputedStyle(document.querySelector('.article-body')).fontFamily")
            assert "Noto Naskh Arabic" in body_font  # the Perso-Arabic font stack
            tab.screenshot(path=shots / name)
        finally:
            tab.context.close()


def test_moderation_queue_lists_pending_comments_first(page, seed, shots):
    queue = tools.route_or_skip("the comment moderation queue (comments branch)", [
        ("admin:articles_comment_changelist", (), {}),
    ])
    from articles.models import Comment

    bodies = {
        "Farida Reader": ("The 2015 meeting is worth a paper of its own.", Comment.Status.PENDING),
        "Omid K.": ("Which sources describe the Moscow talks?", Comment.Status.PENDING),
        "J. Smith": ("Thank you, a clear summary.", Comment.Status.APPROVED),
    }
    for minutes, (name, (body, status)) in enumerate(bodies.items()):
        Comment.objects.create(article=seed, name=name, email=f"{name.split()[0].lower()}@example.net", body=body,
                               status=status, submitted_at=timezone.now() - dt.timedelta(minutes=10 - minutes))
    make_staff("moderator", "pw-moderator-123", models=["articles.comment"])
    admin_login(page, "moderator", "pw-moderator-123")
    page.goto(queue)
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.last).to_contain_text("J. Smith")  # the approved one after both pending ones
    page.set_viewport_size({"width": 1280, "height": 560})  # the queue, without a screenful of blank admin
    page.screenshot(path=shots / "moderation-queue.png")


def test_cite_block_shows_the_seed_in_both_styles_with_copy_buttons(page, seed, shots):
    page.goto(seed.get_absolute_url())
    block = page.locator("section.cite")
    expect(block.get_by_role("heading", level=2)).to_have_text("Cite this article")
    expect(block.locator(".cite-text")).to_have_count(2)
    expect(block.get_by_role("button", name="Copy")).to_have_count(2)
    expect(block.get_by_role("link", name="BibTeX").first).to_be_visible()
    block.screenshot(path=shots / "cite-block.png")


def test_article_change_page_fits_1280_pixels_and_nine_notes_stay_compact(page, seed, shots):
    make_staff("editor", "pw-editor-123", superuser=True)
    admin_login(page, "editor", "pw-editor-123")
    page.goto(f"/admin/articles/article/{seed.pk}/change/")
    expect(page.locator("#footnotes-group")).to_contain_text("See the third footnote.")
    # No sideways scrolling at 1280 px (the import records' SHA-256 column did), and the nine
    # notes, one row each, are far from the 7,500 px they took as stacked forms.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert page.locator("#footnotes-group").bounding_box()["height"] < 2000
    page.locator("#footnotes-group").screenshot(path=shots / "admin-notes.png")


def test_seed_format_preview_shows_the_parsed_article_before_saving(page, site, shots):
    make_staff("writer", "pw-writer-123", superuser=True)
    admin_login(page, "writer", "pw-writer-123")
    page.goto("/admin/articles/article/import/")
    text = (Path(__file__).resolve().parents[1] / "fixtures" / "seedtext" / "seed.txt").read_text(encoding="utf-8")
    page.get_by_label("Article text").fill(text)
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".preview-notes")).to_contain_text("cross_reference")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.locator(".preview-notes").scroll_into_view_if_needed()
    page.screenshot(path=shots / "admin-preview.png")
