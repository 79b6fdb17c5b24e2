"""Readers' comments: posting, moderation, threads, defences, closed comments and privacy."""

import datetime as dt
import json

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.template.loader import get_template
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import timezone

from articles.comments.forms import CommentForm
from articles.models import Comment
from articles.pages import rendering
from articles.templatetags.comment_tags import blank_comment_fields
from tests.factories import comment_form_data, make_article, make_comment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate-limit counters and the mail throttle live in the cache: each test starts clean."""
    cache.clear()
    yield
    cache.clear()


def post_url(article):
    return reverse("articles:comment_post", args=[article.slug])


def test_whole_path_post_pending_hidden_approve_in_admin_then_visible_with_reply_thread(client, staff_client):
    article = make_article(title="On Water Rights")
    page = article.get_absolute_url()

    response = client.post(post_url(article), comment_form_data(article, body="First thought on water."))
    assert response.status_code == 302
    assert response["Location"] == page + "#respond"
    assert response.cookies["archive_private"].value == "1"
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.ip_hash and "127.0.0.1" not in comment.ip_hash and len(comment.ip_hash) == 64

    followed = client.get(page)
    html = followed.content.decode()
    # The confirmation is where the reader is: in the reply form's block the redirect leads to.
    respond = html[html.index('id="respond"'):html.index("</form>", html.index('id="respond"'))]
    assert '<div class="messages comment-messages" role="status">' in respond
    assert "Your comment awaits moderation and will appear once a moderator approves it." in respond
    assert html.count("Your comment awaits moderation") == 1
    assert "First thought on water." not in html
    assert "First thought on water." not in Client().get(page).content.decode()

    changelist = reverse("admin:articles_comment_changelist")
    assert "1 awaiting moderation" in staff_client.get(changelist).content.decode()
    response = staff_client.post(changelist, {"action": "approve", "_selected_action": [comment.pk]})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED

    html = Client().get(page).content.decode()
    assert "First thought on water." in html
    assert f'href="?replyto={comment.pk}#respond"' in html

    reply_form = Client().get(page + f"?replyto={comment.pk}").content.decode()
    assert f"Reply to {comment.name}" in reply_form
    assert f'name="parent" value="{comment.pk}"' in reply_form
    response = client.post(post_url(article), comment_form_data(
        article, parent=str(comment.pk), name="Bo Replier", email="bo@example.org", body="A reply on rights."))
    assert response.status_code == 302
    reply = Comment.objects.get(name="Bo Replier")
    assert reply.parent == comment and reply.status == Comment.Status.PENDING
    staff_client.post(changelist, {"action": "approve", "_selected_action": [reply.pk]})

    html = Client().get(page).content.decode()
    thread = html[html.index(f'id="comment-{comment.pk}"'):]
    replies = thread[thread.index('class="comment-replies"'):]
    assert f'id="comment-{reply.pk}"' in replies and "A reply on rights." in replies
    assert "2 comments" in html


def test_comments_show_oldest_first_and_replies_nest_no_deeper_than_the_setting(client, settings):
    settings.ARCHIVE_COMMENTS_MAX_DEPTH = 2
    article = make_article()
    first = make_comment(article, body="first-top")
    second = make_comment(article, body="second-top")
    child = make_comment(article, parent=first, body="child-reply")
    grandchild = make_comment(article, parent=child, body="grandchild-reply")
    make_comment(article, parent=first, body="hidden-pending", status="pending")
    roots = article.comments.public().thread(max_depth=2)
    assert [c.pk for c in roots] == [first.pk, second.pk]
    assert [c.pk for c in roots[0].replies_shown] == [child.pk, grandchild.pk]  # flattened at depth 2
    assert [c.depth for c in roots[0].replies_shown] == [2, 2]
    html = client.get(article.get_absolute_url()).content.decode()
    assert html.index("first-top") < html.index("second-top")
    assert "hidden-pending" not in html
    assert f"?replyto={first.pk}#" in html
    assert f"?replyto={child.pk}#" not in html  # at the depth limit: no reply link
    assert f"?replyto={grandchild.pk}#" not in html


def test_a_depth_limit_of_one_shows_replies_flat_in_time_order():
    article = make_article()
    first = make_comment(article)
    second = make_comment(article)
    reply = make_comment(article, parent=first)
    roots = article.comments.public().thread(max_depth=1)
    assert [c.pk for c in roots] == [first.pk, second.pk, reply.pk]
    assert all(c.depth == 1 and c.replies_shown == [] for c in roots)


def test_the_form_marks_required_fields_and_promises_the_email_is_private(client):
    article = make_article()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Leave a Reply" in html
    assert "Your email address will not be published. Required fields are marked" in html
    for field in ("name", "email", "body"):
        label = html[html.index(f'<label for="id_{field}">'):]
        assert label.index('class="required-mark"') < label.index("</label>")
        assert f'name="{field}"' in html
    website = html[html.index('<label for="id_website">'):]
    assert website.index("</label>") < website.index("required-mark")
    # A fresh form is alike for every reader (shared caches keep the page): no CSRF token in it.
    assert 'name="csrfmiddlewaretoken"' not in html


def test_a_post_without_a_csrf_token_writes_nothing_and_comes_back_to_confirm():
    article = make_article()
    client = Client(enforce_csrf_checks=True)
    response = client.post(post_url(article), comment_form_data(article))
    assert response.status_code == 200
    assert "Please check your comment below, then press Post Comment to send it." in response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()
    assert Comment.objects.count() == 0


def test_bad_input_gets_errors_that_say_what_to_fix_and_keeps_the_input(client):
    article = make_article()
    data = comment_form_data(article, name="", email="not-an-address", website="javascript:alert(1)",
                             body="My careful words")
    response = client.post(post_url(article), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please give your name." in html
    assert "Please enter a whole email address" in html
    assert "Please enter a web address starting with http:// or https://." in html
    assert "My careful words" in html and 'value="not-an-address"' in html
    assert 'aria-describedby="id_name_error"' in html and '<span class="field-error" id="id_name_error">' in html
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("website", ["ftp://example.org/file", "javascript:alert(1)", "data:text/html,x"])
def test_the_website_must_be_http_or_https(client, website):
    article = make_article()
    response = client.post(post_url(article), comment_form_data(article, website=website))
    assert response.status_code == 400
    assert Comment.objects.count() == 0


def test_lengths_are_limited(client):
    article = make_article()
    response = client.post(post_url(article), comment_form_data(article, name="n" * 101, body="b" * 5001))
    html = response.content.decode()
    assert response.status_code == 400
    assert "at most 100 characters" in html and "at most 5000 characters" in html
    assert Comment.objects.count() == 0


def test_html_in_a_comment_is_shown_as_text(client):
    article = make_article()
    make_comment(article, body='<script>alert("x")</script><b>bold</b>')
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html


def test_a_damaged_or_expired_form_token_is_refused_with_a_request_to_send_again(client, settings):
    article = make_article()
    response = client.post(post_url(article), comment_form_data(article, token="forged"))
    assert response.status_code == 400
    assert "The form was incomplete; please check your comment and send it again." in response.content.decode()
    settings.ARCHIVE_COMMENTS_MAX_FORM_AGE = 30
    response = client.post(post_url(article), comment_form_data(article, seconds_ago=31))
    assert "This form was open for too long" in response.content.decode()
    assert Comment.objects.count() == 0


@pytest.mark.parametrize(
    "overrides, reason",
    [
        ({"homepage": "http://spam.example"}, "honeypot"),
        ({"seconds_ago": 0}, "too fast"),
        ({"body": "Cheap http://a.example www.b.example https://www.c.example"}, "links"),
        ({"body": "Buy CASINO chips"}, "blocked word"),
    ],
)
def test_suspected_spam_is_stored_as_spam_and_told_calmly_to_send_again(client, settings, overrides, reason):
    settings.ARCHIVE_COMMENTS_BLOCKED_WORDS = ["casino"]
    article = make_article()
    data = comment_form_data(article, **overrides)
    response = client.post(post_url(article), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "awaits moderation" not in html
    assert ("Your comment could not be accepted just now. Nothing is lost: your text is below. Please wait a "
            "moment and send it again.") in html
    assert f"{data['body']}</textarea>" in html
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.SPAM, reason


def test_a_comment_taken_for_spam_can_be_sent_again_after_a_moment(client):
    article = make_article()
    too_fast = comment_form_data(article, seconds_ago=0)
    assert client.post(post_url(article), too_fast).status_code == 400
    again = {**too_fast, "token": comment_form_data(article, seconds_ago=30)["token"]}
    response = client.post(post_url(article), again)
    assert response.status_code == 302 and response["Location"] == article.get_absolute_url() + "#respond"
    assert sorted(Comment.objects.values_list("status", flat=True)) == ["pending", "spam"]


def test_the_form_sends_the_reader_back_to_itself(client):
    article = make_article()
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'action="{post_url(article)}#respond"' in html


def test_two_links_are_not_spam_by_default(client):
    article = make_article()
    client.post(post_url(article), comment_form_data(article, body="See http://www.a.example and www.b.example"))
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_the_rate_limit_refuses_the_sixth_comment_within_the_window_and_keeps_the_text(client, settings):
    settings.ARCHIVE_COMMENTS_RATE_LIMIT = 5
    article = make_article()
    for n in range(5):
        assert client.post(post_url(article), comment_form_data(article, body=f"Comment {n}")).status_code == 302
    response = client.post(post_url(article), comment_form_data(article, body="One too many"))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "Please wait about" in html and "One too many" in html
    assert Comment.objects.count() == 5
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert other.post(post_url(article), comment_form_data(article, body="Another reader")).status_code == 302


def test_a_duplicate_comment_is_refused(client):
    article = make_article()
    assert client.post(post_url(article), comment_form_data(article, body="Same words.")).status_code == 302
    response = client.post(post_url(article), comment_form_data(article, body="  same   WORDS. "))
    assert response.status_code == 409
    assert "You have already sent this comment." in response.content.decode()
    assert Comment.objects.count() == 1


def test_the_database_refuses_the_same_comment_twice_even_when_two_posts_race():
    article = make_article()
    fingerprint = Comment.fingerprint_for("a@example.org", None, "Same")
    make_comment(article, email="a@example.org", body="Same", fingerprint=fingerprint)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_comment(article, email="a@example.org", body="Same", fingerprint=fingerprint)
    make_comment(make_article(), email="a@example.org", body="Same", fingerprint=fingerprint)  # another article
    make_comment(article, import_id="7")
    make_comment(article, import_id="8")  # imported comments carry no fingerprint
    assert Comment.objects.count() == 4


def test_a_reply_to_a_comment_that_is_not_approved_is_refused(client):
    article = make_article()
    pending = make_comment(article, status="pending")
    response = client.post(post_url(article), comment_form_data(article, parent=str(pending.pk)))
    assert response.status_code == 400
    assert "The comment you are replying to is not available any more" in response.content.decode()
    assert Comment.objects.count() == 1


def test_a_returning_approved_email_is_published_at_once_when_the_setting_allows(client, settings):
    article = make_article()
    make_comment(article, email="known@example.org", status="approved")
    client.post(post_url(article), comment_form_data(article, email="Known@Example.org", body="Again, me."))
    assert Comment.objects.get(body="Again, me.").status == Comment.Status.PENDING
    settings.ARCHIVE_COMMENTS_AUTO_APPROVE_KNOWN = True
    response = client.post(post_url(article), comment_form_data(article, email="known@example.org", body="Me 3."))
    comment = Comment.objects.get(body="Me 3.")
    assert comment.status == Comment.Status.APPROVED
    assert response["Location"] == comment.get_absolute_url()


def test_closed_comments_show_a_notice_and_refuse_posts_with_an_error(client):
    article = make_article(comments_open=False)
    make_comment(article, body="An old approved comment.")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Comments on this article are closed." in html
    assert "An old approved comment." in html
    assert 'name="token"' not in html and "?replyto=" not in html
    response = client.post(post_url(article), comment_form_data(article, body="Too late?"))
    assert response.status_code == 403
    assert "Comments on this article are closed. Your comment was not sent." in response.content.decode()
    assert Comment.objects.count() == 1


def test_comments_close_automatically_after_the_set_number_of_days(client, settings):
    settings.ARCHIVE_COMMENTS_CLOSE_AFTER_DAYS = 30
    old = make_article(published=timezone.now() - dt.timedelta(days=31))
    recent = make_article(published=timezone.now() - dt.timedelta(days=29))
    assert "Comments on this article are closed." in client.get(old.get_absolute_url()).content.decode()
    assert client.post(post_url(old), comment_form_data(old)).status_code == 403
    assert "Leave a Reply" in client.get(recent.get_absolute_url()).content.decode()
    assert client.post(post_url(recent), comment_form_data(recent)).status_code == 302
    assert list(Comment.objects.values_list("article_id", flat=True)) == [recent.pk]


def test_unpublished_articles_take_no_comments(client):
    draft = make_article(status="draft")
    assert client.post(post_url(draft), comment_form_data(draft)).status_code == 404


def test_new_pending_comments_mail_the_moderators_once_per_window(
    client, settings, mailoutbox, django_user_model, django_capture_on_commit_callbacks
):
    moderator = django_user_model.objects.create_user("mod", "mod@example.org", "pw", is_staff=True)
    moderator.groups.add(Group.objects.get_or_create(name="Moderators")[0])
    article = make_article(title="Flooded")
    for n in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(post_url(article), comment_form_data(article, body=f"Flood {n}"))
    assert Comment.objects.pending().count() == 4
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["mod@example.org"]
    assert "1 comment(s) await moderation" in mailoutbox[0].subject
    assert "?status__exact=pending" in mailoutbox[0].body
    cache.delete("comments:moderators-notified")  # the window has passed
    with django_capture_on_commit_callbacks(execute=True):
        client.post(post_url(article), comment_form_data(article, body="Flood 5"))
    assert len(mailoutbox) == 2 and "5 comment(s) await moderation" in mailoutbox[1].subject


def test_without_moderators_the_mail_goes_to_the_managers_and_spam_sends_none(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.MANAGERS = [("Desk", "desk@example.org")]
    article = make_article()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(post_url(article), comment_form_data(article, homepage="robot"))
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        client.post(post_url(article), comment_form_data(article, body="A real one"))
    assert [m.to for m in mailoutbox] == [["desk@example.org"]]


PUBLIC_PATHS = ["/", "/feed/", "/feeds/", "/rss/", "/sitemap.xml", "/search/"]


def test_the_commenters_email_appears_in_no_public_output(client, tmp_path):
    article = make_article(title="Private Addresses")
    make_comment(article, email="secret-approved@example.org", website="https://site.example", body="Approved.")
    make_comment(article, email="secret-pending@example.org", status="pending")
    make_comment(article, email="secret-spam@example.org", status="spam")
    pages = [article.get_absolute_url(), article.get_absolute_url() + "?replyto=1"]
    for path in PUBLIC_PATHS:  # feeds, sitemaps and search where the project has them
        try:
            resolve(path)
        except Resolver404:
            continue
        pages.append(path)
    for name in ("articles:feed", "articles:sitemap", "sitemap", "feed"):
        try:
            pages.append(reverse(name))
        except NoReverseMatch:
            pass
    for page in pages:
        body = client.get(page).content.decode()
        assert "secret-" not in body, page
        assert "@example.org" not in body, page
    assert "Approved." in client.get(article.get_absolute_url()).content.decode()

    out = tmp_path / "public.jsonl"
    call_command("export_articles", "-o", str(out))
    assert "secret-" not in out.read_text()
    private = tmp_path / "private.jsonl"
    call_command("export_articles", "-o", str(private), "--include-private")
    text = private.read_text()
    assert all(f"secret-{s}@example.org" in text for s in ("approved", "pending", "spam"))


def test_export_gives_approved_comments_and_with_the_flag_all_with_status_and_email(tmp_path):
    article = make_article()
    top = make_comment(article, name="Top", website="https://top.example", body="Top body")
    reply = make_comment(article, parent=top, name="Reply", body="Reply body")
    pending = make_comment(article, name="Waiting", status="pending")
    out = tmp_path / "e.jsonl"
    call_command("export_articles", "-o", str(out))
    data = json.loads(out.read_text())
    assert data["comments"] == [
        {"id": top.pk, "parent": None, "name": "Top", "website": "https://top.example",
         "submitted": top.submitted_at.isoformat(), "body": "Top body"},
        {"id": reply.pk, "parent": top.pk, "name": "Reply", "website": "",
         "submitted": reply.submitted_at.isoformat(), "body": "Reply body"},
    ]
    call_command("export_articles", "-o", str(out), "--include-private")
    data = json.loads(out.read_text())
    assert [(c["id"], c["status"], c["email"]) for c in data["comments"]] == [
        (top.pk, "approved", "reader@example.org"),
        (reply.pk, "approved", "reader@example.org"),
        (pending.pk, "pending", "reader@example.org"),
    ]


@override_settings(ARCHIVE_PAGE_CACHE=False)  # count the rendering, not a cache hit
def test_the_article_page_reads_comments_in_a_constant_number_of_queries(client, django_assert_max_num_queries):
    article = make_article()
    client.get(article.get_absolute_url())  # warm up (site, content types)

    # Measured as rendered live (the stored rendering is read in one query whatever it holds).
    rendering.invalidate([article.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(article.get_absolute_url())
    parent = None
    for n in range(12):
        parent = make_comment(article, parent=parent if n % 3 else None, body=f"c{n}")
    rendering.invalidate([article.pk])
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(article.get_absolute_url()).content.decode()
    assert "12 comments" in html


def test_opening_the_comment_address_directly_leads_back_to_the_form(client):
    article = make_article("Open thread")
    response = client.get(reverse("articles:comment_post", kwargs={"slug": article.slug}))
    assert response.status_code == 301
    assert response["Location"] == f"{article.get_absolute_url()}#respond"


def test_the_reply_form_fields_rendered_once_are_those_of_a_fresh_form():
    article = make_article()
    fresh = get_template("includes/comment_form_fields.html").render({"form": CommentForm(article=article)})
    assert blank_comment_fields() == fresh
    assert 'name="name"' in fresh and 'name="homepage"' in fresh
