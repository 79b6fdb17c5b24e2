"""A reader on the public site, in Chromium: the seed article, its notes, its breadcrumb, the search box."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser import tools

pytestmark = pytest.mark.browser

SEED_TITLE = "The recent Taliban-Russia contacts and its impacts on Kabul-Moscow ties"


def is_target(page, selector):
    return page.evaluate("(s) => document.querySelector(s).matches(':target')", selector)


def test_reader_reads_the_seed_article_with_its_notes_and_styles(page, seed):
    page.goto(seed.get_absolute_url())

    expect(page).to_have_title(re.compile(re.escape(SEED_TITLE)))
    expect(page.get_by_role("heading", level=1)).to_have_text(SEED_TITLE)
    expect(page.locator("main time").filter(has_text="January 2, 2016").first).to_be_visible()
    expect(page.locator(".article-body h2")).to_have_count(5)
    expect(page.locator("sup.footnote-ref")).not_to_have_count(0)
    expect(page.locator(".footnote-list > li")).to_have_count(9)
    expect(page.locator(".article-body")).not_to_contain_text("Leave a Reply")
    # The stylesheet was served (DEBUG is off here): the page has the archive's paper colour, not white.
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(253, 252, 249)"


def test_footnote_4_jumps_to_its_note_and_the_back_link_returns_to_the_reference(page, seed):
    page.goto(seed.get_absolute_url())
    reference = page.locator("#fnref-4")
    note = page.locator("#fn-4")
    expect(note).not_to_be_in_viewport()

    reference.get_by_role("link", name="4", exact=True).click()
    expect(page).to_have_url(re.compile(r"#fn-4$"))
    expect(note).to_be_in_viewport()
    assert is_target(page, "#fn-4")
    expect(reference).not_to_be_in_viewport()

    note.get_by_role("link", name="Back to reference 4").click()
    expect(page).to_have_url(re.compile(r"#fnref-4$"))
    expect(reference).to_be_in_viewport()
    assert is_target(page, "#fnref-4")
    expect(note).not_to_be_in_viewport()


def test_category_breadcrumb_leads_to_the_category_page(page, seed):
    page.goto(seed.get_absolute_url())
    breadcrumb = page.get_by_role("navigation", name="Breadcrumb")
    expect(breadcrumb.get_by_role("link")).to_have_text(["Home", "Afghanistan", "Politics"])

    breadcrumb.get_by_role("link", name="Politics").click()
    expect(page).to_have_url(re.compile(r"/category/afghanistan/politics/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Politics")
    expect(page.get_by_role("link", name=SEED_TITLE).first).to_be_visible()

    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Afghanistan").click()
    expect(page).to_have_url(re.compile(r"/category/afghanistan/$"))
    expect(page.get_by_role("link", name=SEED_TITLE).first).to_be_visible()


def test_the_search_box_in_the_header_finds_the_seed(page, seed):
    search = tools.route_or_skip("the search page (site branch)", [("articles:search", (), {})])
    page.goto("/")
    box = page.locator("header input[name='q']")
    expect(box).to_be_visible()

    box.fill("Kabulov")
    box.press("Enter")
    page.wait_for_load_state()
    url = urlsplit(page.url)
    assert url.path == search
    assert parse_qs(url.query)["q"] == ["Kabulov"]
    page.get_by_role("link", name=SEED_TITLE).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SEED_TITLE)


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_content(page, seed):
    page.goto(seed.get_absolute_url())
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # shown when focused, not left off-screen
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    expect(page.locator("main")).to_be_focused()


def test_printed_article_keeps_title_body_and_notes_without_navigation(page, seed):
    page.goto(seed.get_absolute_url())
    page.emulate_media(media="print")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator(".article-body")).to_be_visible()
    expect(page.locator(".footnote-list > li")).to_have_count(9)
    expect(page.locator("#fn-4")).to_be_visible()
    for chrome in ("header.site-header", "footer.site-footer", "nav.breadcrumb", "#fn-4 .footnote-back"):
        expect(page.locator(chrome)).to_be_hidden()
