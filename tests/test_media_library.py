"""The media library: editors upload, replace and describe files in the admin; the weekly fixity
check finds files changed or gone; exports carry the files' metadata; the sanitizer keeps media safely."""

import datetime as dt
import json
import re
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from PIL import Image

from articles.media.library import link_body
from articles.media.store import store_bytes
from articles.media.tasks import check_fixity, schedule_fixity
from articles.models import Media
from articles.sanitize import clean_html, dropped_elements
from tests.backup import empty_archive, export_lines
from tests.factories import make_article
from tests.media_site import image_bytes, sha256

JPEG = image_bytes((1000, 500), (200, 10, 10), "JPEG")
OTHER = image_bytes((600, 300), (10, 200, 10), "JPEG")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.MEDIA_URL = "/media/"


def stored(url="https://old.example/wp-content/uploads/a.jpg", data=JPEG) -> Media:
    return store_bytes(Media.objects.create(original_url=url), data)


def test_an_uploaded_image_is_stored_by_its_digest_with_its_size_and_renditions(admin_client):
    response = admin_client.post(reverse("admin:articles_media_add"), {
        "file": SimpleUploadedFile("Red Square.jpg", JPEG), "alt_text": "A red square", "caption": "", "credit": "AP",
        "original_url": "",
    })
    assert response.status_code == 302
    media = Media.objects.get()
    digest = sha256(JPEG)
    assert (media.status, media.sha256, media.size, media.width, media.height, media.alt_text, media.credit) == (
        "stored", digest, len(JPEG), 1000, 500, "A red square", "AP")
    assert media.file.name == f"archive/{digest[:2]}/{digest[:16]}-Red-Square.jpg"
    assert sorted(media.renditions) == ["480", "960"]
    with default_storage.open(media.renditions["480"], "rb") as stream:
        assert Image.open(stream).size == (480, 240)


def test_an_upload_that_is_not_media_or_is_already_stored_is_refused_with_a_reason(admin_client):
    url = reverse("admin:articles_media_add")
    page = admin_client.post(url, {"file": SimpleUploadedFile("x.jpg", b"<html></html>"), "original_url": ""})
    assert "This is not an image, audio or video file the archive keeps" in page.content.decode()
    first = stored()
    page = admin_client.post(url, {"file": SimpleUploadedFile("again.jpg", JPEG), "original_url": ""})
    assert f"This file is already in the library as “{first}” (#{first.pk})." in page.content.decode()
    assert Media.objects.count() == 1


def test_replacing_a_file_points_the_articles_showing_it_at_the_new_one(admin_client):
    media = stored()
    article = make_article(body='<p><img src="https://old.example/wp-content/uploads/a.jpg" alt="A"></p>')
    link_body(article)
    article.refresh_from_db()
    assert f'src="/media/{media.file.name}"' in article.body
    response = admin_client.post(reverse("admin:articles_media_change", args=[media.pk]), {
        "file": SimpleUploadedFile("new.jpg", OTHER), "alt_text": "A", "caption": "", "credit": "",
        "original_url": media.original_url,
    })
    assert response.status_code == 302
    media.refresh_from_db()
    article.refresh_from_db()
    assert (media.sha256, media.width) == (sha256(OTHER), 600)
    assert f'<img src="/media/{media.file.name}" alt="A" srcset="/media/{media.renditions["480"]} 480w, ' \
           f'/media/{media.file.name} 600w"' in article.body
    assert article.history.first().history_change_reason == "Media file replaced"


def test_alt_text_is_edited_in_the_admin(admin_client):
    media = stored()
    admin_client.post(reverse("admin:articles_media_change", args=[media.pk]), {
        "alt_text": "Now described", "caption": "A caption", "credit": "", "original_url": media.original_url})
    media.refresh_from_db()
    assert (media.alt_text, media.caption, media.sha256) == ("Now described", "A caption", sha256(JPEG))


def test_fixity_finds_files_changed_and_files_gone_and_the_overview_counts_them(admin_client):
    intact, changed, gone = stored(), stored("https://old.example/b.jpg", OTHER), stored(
        "https://old.example/c.png", image_bytes((30, 30), (0, 0, 0), "PNG"))
    with default_storage.open(changed.file.name, "wb") as stream:
        stream.write(b"\xff\xd8\xff corrupted")
    default_storage.delete(gone.file.name)
    assert check_fixity.call(reschedule=False) == {"checked": 3, "changed": 1, "missing": 1}
    assert dict(Media.objects.values_list("pk", "fixity_ok")) == {intact.pk: True, changed.pk: False, gone.pk: False}
    overview = admin_client.get(reverse("admin:index")).content.decode()
    link = reverse("admin:articles_media_changelist") + "?fixity_ok__exact=0"
    assert re.search(rf'Media files failing the fixity check</th>\s*<td><a href="{re.escape(link)}">2</a>', overview)


@pytest.mark.django_db
def test_the_fixity_check_is_scheduled_weekly_through_the_task_queue(task_queue):
    assert check_fixity.call() == {"checked": 0, "changed": 0, "missing": 0}
    assert schedule_fixity() is False  # one check waits at a time
    waiting = DBTaskResult.objects.filter(task_path="articles.media.tasks.check_fixity", status="READY")
    later = [row.run_after - timezone.now() for row in waiting if row.run_after]
    assert len(later) == 1 and dt.timedelta(days=6, hours=23) < later[0] <= dt.timedelta(days=7)
    out = StringIO()
    call_command("schedule_maintenance", stdout=out)
    assert "Weekly fixity check" not in out.getvalue()  # already waiting


def test_the_export_carries_each_articles_media_metadata(db, tmp_path):
    media = stored()
    Media.objects.filter(pk=media.pk).update(alt_text="Alt", caption="Cap", credit="Cred")
    article = make_article(slug="with-media", body='<img src="https://old.example/wp-content/uploads/a.jpg">')
    link_body(article)
    call_command("export_articles", "-o", str(tmp_path / "out.jsonl"), stderr=StringIO())
    exported = json.loads((tmp_path / "out.jsonl").read_text().splitlines()[0])
    assert exported["media"] == [{
        "file": media.file.name, "original_url": "https://old.example/wp-content/uploads/a.jpg", "status": "stored",
        "sha256": sha256(JPEG), "size": len(JPEG), "content_type": "image/jpeg", "width": 1000, "height": 500,
        "alt_text": "Alt", "caption": "Cap", "credit": "Cred", "renditions": media.renditions,
    }]
    assert sorted(media.renditions) == ["480", "960"]


@pytest.mark.parametrize(("dirty", "clean"), [
    ('<audio src="javascript:alert(1)" onplay="alert(1)" autoplay controls></audio>', '<audio controls=""></audio>'),
    ('<video poster="javascript:alert(1)" controls><source src="data:video/mp4;base64,AAAA" type="video/mp4">'
     "</video>", '<video controls=""><source type="video/mp4"></video>'),
    ('<img src="/media/a.jpg" srcset="javascript:alert(1) 1x, /media/b.jpg 2x" alt="">',
     '<img src="/media/a.jpg" alt="">'),
    ('<img src="/media/a.jpg" srcset="data:image/png;base64,AA 480w">', '<img src="/media/a.jpg">'),
    ('<img src="/media/a.jpg" srcset="//evil.example/a.jpg 480w">', '<img src="/media/a.jpg">'),
    ('<img src="/m/a.jpg" srcset="/m/a-480w.jpg 480w, https://cdn.example/a.jpg 960w" sizes="50vw">',
     '<img src="/m/a.jpg" srcset="/m/a-480w.jpg 480w, https://cdn.example/a.jpg 960w" sizes="50vw">'),
])
def test_the_sanitizer_keeps_media_but_no_script_urls_or_handlers(dirty, clean):
    assert clean_html(dirty) == clean


def test_the_sanitizer_counts_what_it_removes():
    body = '<p>x</p><iframe src="https://a"></iframe><script>1</script><object></object><embed src="x"><div>y</div>'
    assert dict(dropped_elements(body)) == {"iframe": 1, "script": 1, "object": 1, "embed": 1, "div": 1}
    assert dict(dropped_elements(body, ignore=frozenset({"div", "script"}))) == {"iframe": 1, "object": 1, "embed": 1}


@pytest.mark.parametrize(("body", "dropped"), [
    ('<p>A <a href="/x">link</a>, <em>stress</em><br/></p><div><span>kept inside</span></div>', {}),
    ("<p>Not a tag: a &lt;script&gt; in text, 1 < 2 > 0</p>", {}),
    ("<!-- <iframe> in a comment --><p>x</p>", {}),
    ("<p<iframe src=x>x</p>", {"p<iframe": 1}),
    ("<P>upper case</P><IFRAME></IFRAME>", {"iframe": 1}),
])
def test_the_sanitizer_counts_only_real_tags_it_removes_not_wrappers_the_caller_ignores(body, dropped):
    assert dict(dropped_elements(body, ignore=frozenset({"div", "span"}))) == dropped


def test_a_restore_brings_back_the_media_rows_of_each_article(db, tmp_path):
    media = stored()
    Media.objects.filter(pk=media.pk).update(alt_text="Alt", credit="Cred")
    article = make_article(slug="with-media", body='<img src="https://old.example/wp-content/uploads/a.jpg">')
    link_body(article)
    first = export_lines(tmp_path / "first.jsonl")
    empty_archive()
    Media.objects.all().delete()
    call_command("import_articles", "--format", "jsonl", str(tmp_path / "first.jsonl"), stdout=StringIO())
    assert export_lines(tmp_path / "second.jsonl") == first
    restored = Media.objects.get()
    assert (restored.file.name, restored.sha256, restored.alt_text, restored.renditions) == (
        media.file.name, sha256(JPEG), "Alt", media.renditions)


def test_a_backup_naming_a_media_file_outside_the_media_folder_is_refused(db, tmp_path):
    make_article(slug="with-media")
    export_lines(tmp_path / "first.jsonl")
    line = json.loads((tmp_path / "first.jsonl").read_text())
    line["media"] = [{"file": "../../etc/passwd", "original_url": "", "status": "stored"}]
    (tmp_path / "bad.jsonl").write_text(json.dumps(line) + "\n")
    out = StringIO()
    with pytest.raises(CommandError, match="1 file.s., 1 not read"):
        call_command("import_articles", "--format", "jsonl", str(tmp_path / "bad.jsonl"), stdout=out)
    assert ("bad.jsonl: failed: bad.jsonl: line 1: media: the file name '../../etc/passwd' is not a path inside the "
            "media folder") in out.getvalue()
    assert Media.objects.count() == 0
