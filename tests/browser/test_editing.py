"""An editor at work in the admin, in Chromium: tagging an article, uploading a WordPress export."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser import tools
from tests.browser.conftest import admin_login, make_staff

pytestmark = pytest.mark.browser

UPLOAD = Path(__file__).resolve().parents[1] / "fixtures" / "browser" / "upload.wxr.xml"
UPLOADED_TITLE = "Water rights along the Helmand"
EDITOR_MODELS = [
    "articles.article", "articles.footnote", "articles.articleauthor", "articles.category", "articles.author",
    "articles.source", "articles.importrecord", "taggit.tag", "articles.taggedarticle",
]


@pytest.fixture
def editor(site):
    make_staff("editor", "pw-editor-123", models=EDITOR_MODELS)
    return ("editor", "pw-editor-123")


def test_editor_adds_a_tag_in_the_admin_and_the_tag_page_lists_the_article(page, seed, editor):
    admin_login(page, *editor)
    # Debug is off, so the session cookie is Secure; Chromium keeps it on http://localhost (a secure context).
    assert [c["secure"] for c in page.context.cookies() if c["name"] == "sessionid"] == [True]
    page.goto(reverse("admin:articles_article_change", args=[seed.pk]))
    page.get_by_label("Tags").fill("Diplomacy, Russia policy")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    seed.refresh_from_db()
    assert sorted(seed.tags.names()) == ["Diplomacy", "Russia policy"]
    page.goto(reverse("articles:tag", kwargs={"slug": "russia-policy"}))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Russia policy")
    page.get_by_role("link", name=re.compile("Taliban-Russia contacts")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Taliban-Russia contacts")


def test_editor_uploads_a_wordpress_export_in_the_admin_and_opens_the_imported_article(page, site, editor):
    upload_page = tools.admin_import_path()
    if upload_page is None:
        pytest.skip(f"{tools.FEATURE_SKIP} the admin import page (imports branch): no admin route named *import*")
    make_staff("importer", "pw-importer-123", superuser=True)  # the import permission's name is the branch's
    admin_login(page, "importer", "pw-importer-123")
    page.goto(upload_page)
    page.locator("input[type='file']").set_input_files(UPLOAD)
    dry_run = page.get_by_label(re.compile(r"dry run", re.IGNORECASE))
    if dry_run.count() and dry_run.is_checked():
        dry_run.uncheck()
    page.get_by_role("button", name=re.compile(r"import|upload", re.IGNORECASE)).click()
    page.wait_for_load_state()
    expect(page.get_by_text(re.compile(r"\bcreated\b", re.IGNORECASE)).first).to_be_visible()

    page.get_by_role("link", name=UPLOADED_TITLE).first.click()
    page.wait_for_load_state()
    if "/" + reverse("admin:index").strip("/") + "/" in page.url:  # the result linked the admin's change page
        page.get_by_role("link", name=re.compile(r"view on site", re.IGNORECASE)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(UPLOADED_TITLE)
    expect(page.locator(".article-body")).to_contain_text("The treaty of 1973")
    expect(page.locator("#fn-1")).to_contain_text("Helmand River Water Treaty")
