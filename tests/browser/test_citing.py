"""A researcher cites the seed article in Chromium: copies the rendered reference, reads it without
JavaScript, prints the article with its reference, permalink and the date printed."""

import datetime as dt

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CHICAGO = "#cite-chicago-author-date"


def test_copy_button_copies_the_rendered_reference(page, seed, site_server):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_server.url)
    page.goto(seed.get_absolute_url())
    button = page.locator('button[data-copy="cite-chicago-author-date"]')
    expect(button).to_be_visible()
    button.click()
    expect(page.locator(".cite-status")).to_have_text("Reference copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    shown = " ".join(page.locator(CHICAGO).text_content().split())
    assert copied == shown
    assert copied.startswith("The Archive. 2016.")


def test_without_javascript_the_reference_is_text_to_select_and_no_button_shows(browser, site_server, seed):
    context = browser.new_context(base_url=site_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(seed.get_absolute_url())
        expect(page.locator(CHICAGO)).to_be_visible()
        expect(page.locator(".cite-copy")).to_have_count(2)
        for button in page.locator(".cite-copy").all():
            expect(button).to_be_hidden()
        page.locator(CHICAGO).select_text()
        selected = page.evaluate("window.getSelection().toString()")
        assert " ".join(selected.split()) == " ".join(page.locator(CHICAGO).text_content().split())
    finally:
        context.close()


def test_printed_article_ends_with_its_reference_permalink_and_print_date(page, seed):
    page.goto(seed.get_absolute_url())
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.emulate_media(media="print")
    expect(page.locator(CHICAGO)).to_be_visible()
    expect(page.locator("#cite-apa")).to_be_hidden()
    expect(page.locator(".cite-copy").first).to_be_hidden()
    expect(page.locator(".cite-downloads").first).to_be_hidden()
    expect(page.locator(".cite .print-only").first).to_have_text(
        f"Permalink: {page.url.split('#')[0]}"
    )
    printed = page.locator("[data-print-date] time")
    expect(printed).to_be_visible()
    assert printed.get_attribute("datetime") == dt.date.today().isoformat()
