"""The admin's Import articles page: uploads of each kind, unsafe files refused, permissions.

A file that passes the page's checks is imported by a task (``tests/test_admin_import_task.py``);
the tests' immediate backend runs it before the answer, a redirect to the run's page, whose report
``imported`` reads.
"""

import io
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from articles.models import Article, Comment, ImportRecord
from articles.models.provenance import ImportRun
from tests.factories import SEED_FILE

pytestmark = pytest.mark.django_db

WXR = Path(__file__).parent / "fixtures" / "wxr"
URL = "/admin/articles/article/import/"


def upload(client, name, data, **options):
    payload = {"file": SimpleUploadedFile(name, data)}
    payload.update({key: "on" for key, value in options.items() if value})
    return client.post(URL, payload)


def imported(client, name, data, **options):
    """Upload a file the page accepts, and follow the redirect to its run's page."""
    response = upload(client, name, data, **options)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"].startswith(URL)
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page


def refused(client, name, data, **options):
    """Upload a file the page refuses: the form again, with the reason, and no run recorded."""
    runs = ImportRun.objects.count()
    response = upload(client, name, data, **options)
    assert response.status_code == 400
    assert ImportRun.objects.count() == runs
    return response


def zip_of(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def rows():
    return (Article.objects.count(), Comment.objects.count(), ImportRecord.objects.count())


def test_the_page_is_registered_and_linked_from_the_changelist_and_index(staff_client):
    assert reverse("admin:articles_article_import") == URL
    page = staff_client.get(URL)
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.content.decode()
    for source in (reverse("admin:articles_article_changelist"), reverse("admin:index")):
        assert f'href="{URL}"' in staff_client.get(source).content.decode()


def test_uploading_a_seed_text_file_creates_the_article_and_links_to_it(staff_client):
    response = imported(staff_client, "seed.txt", SEED_FILE.read_bytes())
    article = Article.objects.get()
    html = response.content.decode()
    assert "1 created, 0 updated, 0 unchanged, 0 failed" in html
    assert f'href="{reverse("admin:articles_article_change", args=[article.pk])}"' in html
    assert f'href="{article.get_absolute_url()}"' in html
    again = imported(staff_client, "seed.txt", SEED_FILE.read_bytes())
    assert "0 created, 0 updated, 1 unchanged, 0 failed" in again.content.decode()
    assert Article.objects.count() == 1


def test_a_file_is_recognised_by_its_content_not_its_name(staff_client):
    imported(staff_client, "export.txt", (WXR / "footnotes-wp63.xml").read_bytes())
    assert Article.objects.get().import_key == "wxr:https://notes.example.org#101"
    response = refused(staff_client, "article.txt", b"\x89PNG\r\n\x1a\n\x00\x00binary")
    assert "not a file the archive can import" in response.content.decode()
    assert Article.objects.count() == 1


def test_uploading_a_wxr_export_imports_posts_and_pages_on_request(staff_client):
    response = imported(staff_client, "theme.xml", (WXR / "themeunittestdata.wordpress.xml").read_bytes(),
                        include_pages=True)
    html = response.content.decode()
    assert "79 created, 0 updated, 0 unchanged, 0 failed; skipped 37 attachment, 70 nav_menu_item" in html
    assert "password-protected in WordPress; imported as a draft" in html
    assert Article.objects.count() == 79 and Comment.objects.count() == 33


def test_uploading_a_zip_of_seed_files_imports_each_member(staff_client):
    seed = SEED_FILE.read_bytes()
    other = seed.replace(b"The recent Taliban-Russia contacts", b"A second article on contacts")
    data = zip_of([("folder/one.txt", seed), ("folder/two.txt", other), ("__MACOSX/._one.txt", b"\x00\x05")])
    response = imported(staff_client, "articles.zip", data)
    html = response.content.decode()
    assert "articles.zip: folder/one.txt" in html and "articles.zip: folder/two.txt" in html
    assert Article.objects.count() == 2
    assert set(Article.objects.values_list("import_key", flat=True)) == {"seed:one.txt", "seed:two.txt"}


def test_a_bad_member_of_a_zip_fails_alone(staff_client):
    data = zip_of([("one.txt", SEED_FILE.read_bytes()), ("broken.txt", b"just words, no header at all\n")])
    html = imported(staff_client, "mixed.zip", data).content.decode()
    assert "mixed.zip: broken.txt" in html and "Not imported, nothing was written" in html
    assert Article.objects.count() == 1


@pytest.mark.parametrize("member", ["../evil.txt", "folder/../../evil.txt", "/etc/evil.txt", "C:\\evil.txt"])
def test_a_zip_with_a_path_outside_its_folder_is_refused_as_a_whole(staff_client, member):
    data = zip_of([("good.txt", SEED_FILE.read_bytes()), (member, SEED_FILE.read_bytes())])
    response = refused(staff_client, "traversal.zip", data)
    assert "a path outside the zip" in response.content.decode()
    assert rows() == (0, 0, 0)


@override_settings(ARCHIVE_IMPORT_ZIP_MAX_BYTES=1_000_000)
def test_a_zip_bomb_is_refused_before_it_is_unpacked(staff_client):
    data = zip_of([("bomb.txt", b"0" * 5_000_000)])
    assert len(data) < 10_000  # a tiny upload that would unpack to 5 MB
    response = refused(staff_client, "bomb.zip", data)
    assert "would unpack to 4.8\xa0MB, more than the 976.6\xa0KB allowed" in response.content.decode()
    assert rows() == (0, 0, 0)


def test_a_zip_member_lying_about_its_size_undoes_the_whole_zip(staff_client):
    seed = SEED_FILE.read_bytes()
    data = bytearray(zip_of([("one.txt", seed), ("two.txt", b"x" * 50_000)]))
    # Declare the second member as 10 bytes in the central directory: it unpacks to far more.
    central = bytes(data).rindex(b"PK\x01\x02")
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")
    # Found only while unpacking, by the task: the run's report says so, and nothing was written.
    response = imported(staff_client, "liar.zip", bytes(data))
    assert "liar.zip: two.txt could not be unpacked" in response.content.decode()
    assert rows() == (0, 0, 0)


@pytest.mark.parametrize("count", [4])
def test_a_zip_with_too_many_members_is_refused(staff_client, count):
    data = zip_of([(f"{n}.txt", b"x") for n in range(count)])
    with override_settings(ARCHIVE_IMPORT_ZIP_MAX_MEMBERS=3):
        response = refused(staff_client, "many.zip", data)
    assert "holds 4 files; at most 3" in response.content.decode()


@override_settings(ARCHIVE_IMPORT_MAX_BYTES=1000)
def test_a_file_larger_than_the_limit_is_refused(staff_client):
    response = refused(staff_client, "seed.txt", SEED_FILE.read_bytes())
    assert "larger than the 1000\xa0bytes an upload may be" in response.content.decode()
    assert rows() == (0, 0, 0)


def test_a_dry_run_writes_nothing_and_says_so(staff_client):
    response = imported(staff_client, "theme.xml", (WXR / "footnotes-wp63.xml").read_bytes(), dry_run=True)
    html = response.content.decode()
    assert "Dry run: nothing was written" in html and "1 created" in html
    assert rows() == (0, 0, 0)


@pytest.mark.parametrize("name", ["billion-laughs.xml", "xxe.xml"])
def test_hostile_xml_uploads_are_refused_and_write_nothing(staff_client, name):
    # Found by the parser, in the task: the run's report says so.
    response = imported(staff_client, name, (WXR / name).read_bytes())
    assert "Not imported, nothing was written: The file contains a DTD" in response.content.decode()
    assert rows() == (0, 0, 0)


def test_an_empty_upload_is_refused_at_once(staff_client):
    response = refused(staff_client, "empty.xml", (WXR / "empty.xml").read_bytes())
    assert "The submitted file is empty." in response.content.decode()
    assert rows() == (0, 0, 0)


def test_a_truncated_export_is_refused_and_writes_nothing(staff_client):
    data = (WXR / "themeunittestdata.wordpress.xml").read_bytes()
    response = imported(staff_client, "cut.xml", data[: len(data) // 2])
    assert "The XML ends early or is malformed" in response.content.decode()
    assert rows() == (0, 0, 0)


def test_staff_without_the_import_permission_are_refused(db, django_user_model):
    user = django_user_model.objects.create_user("clerk", password="pw-clerk-123", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_article"))
    client = Client()
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert upload(client, "seed.txt", SEED_FILE.read_bytes()).status_code == 403
    assert not ImportRun.objects.exists()
    assert f'href="{URL}"' not in client.get(reverse("admin:articles_article_changelist")).content.decode()
    user.user_permissions.add(Permission.objects.get(codename="import_articles"))
    client.force_login(django_user_model.objects.get(pk=user.pk))
    imported(client, "seed.txt", SEED_FILE.read_bytes())
    assert Article.objects.count() == 1


def test_anonymous_and_non_staff_users_are_sent_to_the_login(client, db, django_user_model):
    assert client.get(URL).status_code == 302
    user = django_user_model.objects.create_user("reader", password="pw-reader-123")
    user.user_permissions.add(Permission.objects.get(codename="import_articles"))
    client.force_login(user)
    response = upload(client, "seed.txt", SEED_FILE.read_bytes())
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert Article.objects.count() == 0 and not ImportRun.objects.exists()


@override_settings(FILE_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_an_upload_spooled_to_a_temporary_file_imports_the_same(staff_client):
    data = (WXR / "footnotes-wp63.xml").read_bytes()
    assert len(data) > 1000  # Django hands the view a TemporaryUploadedFile
    imported(staff_client, "notes.xml", data)
    assert Article.objects.get().import_key == "wxr:https://notes.example.org#101"
