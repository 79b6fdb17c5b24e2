"""Imported comments are moderated: comments approved in an export arrive approved only when the
importing user may moderate comments (or on the command line); otherwise pending, and the report
says so."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from articles.importers.pipeline import import_path
from articles.models import Article, Comment
from articles.models.provenance import ImportRecord

pytestmark = pytest.mark.django_db

URL = "/admin/articles/article/import/"
NOTE = ("2 comment(s) approved in the export arrived pending: you may not moderate comments, so a moderator "
        "approves them in the moderation queue.")


def _comment(cid, approved, name):
    return (f"<wp:comment><wp:comment_id>{cid}</wp:comment_id><wp:comment_author>{name}</wp:comment_author>"
            f"<wp:comment_author_email>{name.lower()}@example.org</wp:comment_author_email>"
            "<wp:comment_date_gmt>2020-01-02 10:00:00</wp:comment_date_gmt>"
            f"<wp:comment_content>Comment by {name}.</wp:comment_content>"
            f"<wp:comment_approved>{approved}</wp:comment_approved><wp:comment_parent>0</wp:comment_parent>"
            "</wp:comment>")


EXPORT = (
    '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Old</title>'
    "<link>https://old.example.org</link><wp:wxr_version>1.2</wp:wxr_version>"
    "<item><title>Commented post</title><link>https://old.example.org/?p=1</link><wp:post_id>1</wp:post_id>"
    "<wp:post_date_gmt>2020-01-01 10:00:00</wp:post_date_gmt><wp:post_name>commented-post</wp:post_name>"
    "<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
    "<content:encoded><![CDATA[<p>Text.</p>]]></content:encoded>"
    + _comment(1, "1", "Approved") + _comment(2, "1", "Also") + _comment(3, "0", "Waiting")
    + _comment(4, "spam", "Spammer")
    + "</item></channel></rss>"
).encode()


def statuses():
    return dict(Comment.objects.values_list("name", "status"))


def client_of(django_user_model, *groups, superuser=False):
    call_command("setup_roles", stdout=io.StringIO())
    if superuser:
        user = django_user_model.objects.create_superuser("boss", "boss@example.org", "pw")
    else:
        user = django_user_model.objects.create_user("-".join(groups), f"{len(groups)}@example.org", "pw",
                                                     is_staff=True)
        user.groups.add(*Group.objects.filter(name__in=groups))
    client = Client()
    client.force_login(user)
    return client


def upload(client, **options):
    response = client.post(URL, {"file": SimpleUploadedFile("export.xml", EXPORT),
                                 **{key: "on" for key in options}})
    assert response.status_code == 302, response.content.decode()[:1000]
    return client.get(response["Location"]).content.decode()


def test_an_editor_s_upload_brings_approved_comments_in_pending_and_says_so(django_user_model):
    page = upload(client_of(django_user_model, "Editors"))
    assert statuses() == {"Approved": "pending", "Also": "pending", "Waiting": "pending", "Spammer": "spam"}
    assert NOTE in page
    assert ImportRecord.objects.get().warnings == [NOTE]
    assert not Comment.objects.public().exists()


def test_an_editor_s_dry_run_says_so_too(django_user_model):
    page = upload(client_of(django_user_model, "Editors"), dry_run=True)
    assert NOTE in page
    assert not Comment.objects.exists()


@pytest.mark.parametrize("who", ["superuser", "editor and moderator"])
def test_an_upload_by_someone_who_may_moderate_keeps_the_export_s_statuses(django_user_model, who):
    client = (client_of(django_user_model, superuser=True) if who == "superuser"
              else client_of(django_user_model, "Editors", "Moderators"))
    page = upload(client)
    assert statuses() == {"Approved": "approved", "Also": "approved", "Waiting": "pending", "Spammer": "spam"}
    assert "arrived pending" not in page


def test_the_command_line_keeps_the_export_s_statuses(tmp_path):
    path = tmp_path / "export.xml"
    path.write_bytes(EXPORT)
    result = import_path(path)
    assert statuses() == {"Approved": "approved", "Also": "approved", "Waiting": "pending", "Spammer": "spam"}
    assert result.items[0].warnings == []


def test_a_moderator_s_later_approval_is_kept_by_an_editor_s_re_import(django_user_model):
    editor = client_of(django_user_model, "Editors")
    upload(editor)
    Comment.objects.filter(name="Approved").update(status="approved")
    ImportRecord.objects.all().delete()
    Article.objects.update(import_hash="")  # the next upload loads the article again
    upload(editor)
    assert statuses()["Approved"] == "approved"
