"""Staff roles: Moderators moderate comments only, Editors keep articles only, non-staff get nothing."""

import io
import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from articles.models import Article, Comment
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def roles(db):
    call_command("setup_roles", stdout=io.StringIO())


def member(django_user_model, group, *, staff=True):
    user = django_user_model.objects.create_user(f"{group.lower()}-{staff}", f"{group}@example.org", "pw",
                                                 is_staff=staff)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return user, client


def test_setup_roles_is_idempotent_and_resets_extra_permissions(roles, capsys):
    moderators = Group.objects.get(name="Moderators")
    assert sorted(moderators.permissions.values_list("codename", flat=True)) == [
        "change_comment", "delete_comment", "view_article", "view_comment",
    ]
    editors = sorted(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    assert "import_articles" in editors and "change_article" in editors and "add_tag" in editors
    assert not [c for c in editors if c.endswith("_comment")]
    moderators.permissions.add(Permission.objects.get(codename="delete_article"))
    call_command("setup_roles")
    assert "Moderators: updated, 4 permission(s)." in capsys.readouterr().out
    call_command("setup_roles")
    assert "Moderators: unchanged, 4 permission(s)." in capsys.readouterr().out
    assert Group.objects.count() == 2
    assert not moderators.permissions.filter(codename="delete_article").exists()


def test_a_moderator_works_the_queue_but_cannot_edit_articles(roles, django_user_model):
    user, client = member(django_user_model, "Moderators")
    article = make_article(title="Moderated Article")
    comment = make_comment(article, status="pending", body="Please approve me")
    changelist = reverse("admin:articles_comment_changelist")
    html = client.get(changelist).content.decode()
    assert "Please approve me" in html and "1 awaiting moderation" in html
    assert "Approve the selected comments" in html
    assert client.post(changelist, {"action": "mark_spam", "_selected_action": [comment.pk]}).status_code == 302
    assert Comment.objects.get().status == Comment.Status.SPAM
    change = reverse("admin:articles_comment_change", args=[comment.pk])
    assert "Moderated Article" in client.get(change).content.decode()
    index = client.get(reverse("admin:index")).content.decode()
    assert re.search(r'Comments awaiting moderation</th>\s*<td><a href="[^"]+">0</a>', index)
    assert "Import records with warnings" not in index

    article_change = reverse("admin:articles_article_change", args=[article.pk])
    assert client.get(article_change).status_code == 200  # to read the context
    response = client.post(article_change, {"title": "Hijacked", "slug": article.slug, "status": "published"})
    assert response.status_code == 403
    assert Article.objects.get().title == "Moderated Article"
    for name in ("admin:articles_article_add", "admin:articles_source_changelist", "admin:articles_author_changelist",
                 "admin:articles_importrecord_changelist", "admin:auth_user_changelist"):
        assert client.get(reverse(name)).status_code == 403, name
    assert not user.has_perm("articles.import_articles")


def test_an_editor_keeps_articles_but_cannot_see_comments(roles, django_user_model):
    user, client = member(django_user_model, "Editors")
    article = make_article(title="Edited Article")
    comment = make_comment(article, status="pending")
    for name in ("admin:articles_article_changelist", "admin:articles_article_add", "admin:articles_source_changelist",
                 "admin:articles_category_changelist", "admin:articles_author_changelist",
                 "admin:articles_importrecord_changelist", "admin:taggit_tag_changelist"):
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get(reverse("admin:articles_article_change", args=[article.pk])).status_code == 200
    assert user.has_perm("articles.import_articles")
    assert client.get(reverse("admin:articles_comment_changelist")).status_code == 403
    assert client.get(reverse("admin:articles_comment_change", args=[comment.pk])).status_code == 403
    assert "awaiting moderation" not in client.get(reverse("admin:index")).content.decode()
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


@pytest.mark.parametrize("group", ["Moderators", "Editors"])
def test_group_members_who_are_not_staff_get_nothing_from_the_admin(roles, django_user_model, group):
    _user, client = member(django_user_model, group, staff=False)
    for name in ("admin:index", "admin:articles_comment_changelist", "admin:articles_article_changelist"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/login/" in response["Location"], name


def test_the_queue_lists_pending_first_and_filters_and_searches(staff_client):
    article = make_article(title="Queue Article")
    other = make_article(title="Other Article")
    approved = make_comment(article, status="approved", name="Old Approved", body="apple")
    pending = make_comment(article, status="pending", name="Waiting Walter", email="walter@example.org")
    reply = make_comment(other, status="pending", parent=None, name="Other Pending", body="banana")
    changelist = reverse("admin:articles_comment_changelist")
    html = staff_client.get(changelist).content.decode()
    assert html.index("Other Pending") < html.index("Waiting Walter") < html.index("Old Approved")
    assert "2 awaiting moderation" in html
    assert "Old Approved" not in staff_client.get(changelist + "?status__exact=pending").content.decode()
    by_article = staff_client.get(changelist + f"?article__id__exact={other.pk}").content.decode()
    assert "Other Pending" in by_article and "Waiting Walter" not in by_article
    assert "Waiting Walter" in staff_client.get(changelist + "?q=walter@example").content.decode()
    assert "Other Pending" in staff_client.get(changelist + "?q=banana").content.decode()
    staff_client.post(changelist, {"action": "remove", "_selected_action": [pending.pk, reply.pk]})
    assert set(Comment.objects.values_list("status", flat=True)) == {"approved", "removed"}
    threaded = make_comment(article, parent=approved, name="Replier")
    page = staff_client.get(reverse("admin:articles_comment_change", args=[threaded.pk])).content.decode()
    assert reverse("admin:articles_comment_change", args=[approved.pk]) in page
    assert reverse("admin:articles_article_change", args=[article.pk]) in page
    assert staff_client.get(reverse("admin:articles_comment_add")).status_code == 403
