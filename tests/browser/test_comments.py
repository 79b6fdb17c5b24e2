"""A reader comments, a moderator approves in the admin, the reader sees the comment: all in Chromium."""

import re

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from tests.browser import tools
from tests.browser.conftest import DESKTOP, admin_login, make_staff, new_page

pytestmark = pytest.mark.browser

COMMENT = "Kabulov's visits deserve a note of their own; thank you for the sources."
AWAITING = re.compile(r"awaits? moderation|awaiting moderation", re.IGNORECASE)


@pytest.fixture
def comments(settings):
    """Skip until comments are built; let a browser that types instantly past the 'too fast' defence."""
    tools.route_or_skip("comments and their moderation (comments branch)", [
        ("admin:articles_comment_changelist", (), {}),
    ])
    for name in dir(django_settings):
        if "COMMENT" in name and re.search(r"MIN_?(SECONDS|DELAY|TIME|AGE)|DELAY", name):
            setattr(settings, name, 0)


def post_comment(page, article):
    page.goto(article.get_absolute_url())
    body = page.get_by_label(re.compile(r"^\s*Comment\b")).first
    form = page.locator("form").filter(has=body).last
    form.get_by_label(re.compile(r"^\s*Name\b")).fill("Farida Reader")
    form.get_by_label(re.compile(r"^\s*Email\b")).fill("farida@example.net")
    form.get_by_label(re.compile(r"^\s*Website\b")).fill("https://farida.example.net/")
    body.fill(COMMENT)
    form.get_by_role("button", name=re.compile(r"post|submit|send|publish|comment", re.IGNORECASE)).click()
    page.wait_for_load_state()
    # The shared page's form carries no CSRF token: it comes back once, filled in, to confirm.
    expect(page.get_by_text("Please check your comment below, then press Post Comment")).to_be_visible()
    page.locator("form.comment-form").get_by_role("button", name="Post Comment").click()
    page.wait_for_load_state()


def test_reader_posts_a_comment_and_is_told_it_awaits_moderation(page, seed, comments, browser, site):
    post_comment(page, seed)

    expect(page.get_by_text(AWAITING).first).to_be_visible()
    assert page.url.split("#")[0].endswith(seed.get_absolute_url())
    from articles.models import Comment

    stored = Comment.objects.get()
    assert (stored.name, stored.status, stored.body.strip()) == ("Farida Reader", "pending", COMMENT)
    # Another reader does not see it before a moderator approves it.
    stranger = new_page(browser, site, DESKTOP)
    stranger.goto(seed.get_absolute_url())
    expect(stranger.get_by_text(COMMENT)).to_have_count(0)
    stranger.context.close()


def test_the_confirmation_is_shown_where_the_reader_is_at_the_comment_form(page, seed, comments):
    post_comment(page, seed)
    assert page.url.endswith(seed.get_absolute_url() + "#respond")
    confirmation = page.locator("#respond .comment-messages")
    expect(confirmation).to_have_text(re.compile(r"Your comment awaits moderation"))
    expect(confirmation).to_be_in_viewport()
    expect(page.locator(".site-header")).not_to_be_in_viewport()


def test_moderator_approves_the_comment_in_the_admin_and_the_reader_then_sees_it(page, seed, comments, browser, site):
    post_comment(page, seed)
    expect(page.get_by_text(COMMENT)).to_have_count(0)

    make_staff("moderator", "pw-moderator-123", models=["articles.comment"])
    moderator = new_page(browser, site, DESKTOP)
    admin_login(moderator, "moderator", "pw-moderator-123")
    moderator.goto(tools.comment_admin_path())
    row = moderator.locator("#result_list tbody tr").filter(has_text="Farida Reader")
    expect(row).to_have_count(1)
    row.locator("input[name='_selected_action']").check()
    actions = moderator.locator("select[name='action']")
    approve = actions.locator("option").filter(has_text=re.compile(r"approve", re.IGNORECASE)).first
    actions.select_option(value=approve.get_attribute("value"))
    moderator.get_by_role("button", name="Go").click()
    expect(moderator.locator(".messagelist")).to_contain_text(re.compile(r"approved", re.IGNORECASE))
    moderator.context.close()

    from articles.models import Comment

    assert Comment.objects.get().status == "approved"
    page.goto(seed.get_absolute_url())
    expect(page.get_by_text(COMMENT)).to_be_visible()
    expect(page.get_by_text("Farida Reader").first).to_be_visible()
