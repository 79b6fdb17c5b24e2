"""Imports bring media into the archive: a WordPress export whose files are served by a local HTTP
server, fetched by a task per file, stored once per SHA-256, and shown from the archive's storage."""

import re
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse

from articles.models import Article, Media
from tests.media_site import UPLOADS, export_for, make_uploads, serving, sha256


@pytest.fixture
def media_settings(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.MEDIA_URL = "/media/"
    settings.ARCHIVE_MEDIA_FETCH = True
    settings.ARCHIVE_MEDIA_ALLOW_PRIVATE = True  # the old site is this test's server on 127.0.0.1
    return settings


@pytest.fixture
def old_site(tmp_path):
    root = tmp_path / "old-site"
    files = make_uploads(root)
    with serving(root) as base_url:
        yield base_url, files


@pytest.fixture
def imported(transactional_db, media_settings, old_site, tmp_path):
    """The export imported as from a terminal: committed, the fetch tasks run before the report."""
    base_url, files = old_site
    out = StringIO()
    call_command("import_articles", str(export_for(base_url, tmp_path)), stdout=out, stderr=StringIO())
    return base_url, files, out.getvalue()


def media_named(name: str) -> Media:
    """The row holding the file of ``name`` (another name's, for a file stored under two)."""
    media = Media.objects.get(original_url__endswith=f"/{UPLOADS}/{name}")
    return media.duplicate_of or media


def test_every_file_a_body_shows_or_the_export_attaches_is_stored_once_by_sha256(imported):
    _, files, _ = imported
    rows = {m.original_url.rsplit("/", 1)[1]: m for m in Media.objects.all()}
    assert sorted(rows) == ["clip.mp4", "hills.png", "interview.mp3", "lost.jpg", "map.gif", "river.png",
                            "valley-copy.jpg", "valley.jpg"]
    for name, data in files.items():
        holder = rows[name].duplicate_of or rows[name]
        assert holder.sha256 == sha256(data), name
        with default_storage.open(holder.file.name, "rb") as stream:
            assert stream.read() == data, name
    # Same bytes, two URLs: whichever was fetched first holds the file, the other points to it.
    copies = {rows["valley.jpg"].duplicate_of, rows["valley-copy.jpg"].duplicate_of}
    assert copies in ({None, rows["valley.jpg"]}, {None, rows["valley-copy.jpg"]})
    assert Media.objects.exclude(sha256=None).count() == 6
    valley = media_named("valley.jpg")
    assert (valley.content_type, valley.width, valley.height, valley.size) == (
        "image/jpeg", 1200, 800, len(files["valley.jpg"]))
    assert sorted(valley.renditions) == ["480", "960"]
    assert [rows[n].content_type for n in ("interview.mp3", "clip.mp4", "map.gif")] == [
        "audio/mpeg", "video/mp4", "image/gif"]


def test_attachment_metadata_and_the_articles_using_each_file_are_kept(imported):
    river = media_named("river.png")
    assert (river.alt_text, river.caption) == ("The river", "The river in spring")
    assert sorted(river.articles.values_list("title", flat=True)) == ["Block media", "Classic media"]
    # Attached to the classic post in WordPress without its body showing it: linked all the same.
    assert list(media_named("map.gif").articles.values_list("title", flat=True)) == ["Classic media"]
    assert media_named("valley.jpg").articles.count() == 2  # the block post's cover shows the same bytes


def test_a_file_that_cannot_be_fetched_keeps_its_url_and_is_reported(imported, admin_client):
    base_url, _, output = imported
    lost = media_named("lost.jpg")
    assert (lost.status, lost.problem) == (Media.Status.MISSING, "the server answered HTTP 404")
    assert f"media missing: {base_url}/{UPLOADS}/lost.jpg (the server answered HTTP 404)" in output
    body = Article.objects.get(title="Classic media").body
    assert f'<img src="{base_url}/{UPLOADS}/lost.jpg" alt="Lost">' in body
    listed = admin_client.get(reverse("admin:articles_media_changelist") + "?status__exact=missing")
    assert listed.context["cl"].result_count == 1
    overview = admin_client.get(reverse("admin:index")).content.decode()
    assert re.search(r"Media files missing \(not fetched\)</th>\s*<td><a href=\"[^\"]+\">1</a>", overview)


def test_the_sanitizer_s_removals_are_counted_in_the_import_report(imported):
    _, _, output = imported
    assert "warning: The sanitizer removed elements the archive does not keep: 1 <iframe>." in output


def test_bodies_show_the_archives_copies_with_srcset_figures_audio_and_video(imported, client):
    base_url, _, _ = imported
    valley, river = media_named("valley.jpg"), media_named("river.png")
    mp3, mp4 = media_named("interview.mp3"), media_named("clip.mp4")
    article = Article.objects.get(title="Classic media")
    page = client.get(article.get_absolute_url()).content.decode()
    small, medium = (f"/media/{valley.renditions[w]}" for w in ("480", "960"))
    assert (
        f'<img src="/media/{valley.file.name}" alt="The valley" '
        f'srcset="{small} 480w, {medium} 960w, /media/{valley.file.name} 1200w" '
        f'sizes="(max-width: 50rem) 100vw, 50rem" width="1200" height="800">'
    ) in page
    assert (f'<li>\n<figure><img src="/media/{river.file.name}" alt="The river" width="300" height="200">\n'
            "<figcaption>The river in spring</figcaption>\n</figure>\n</li>") in page
    assert (f'<audio controls="" preload="metadata"><source src="/media/{mp3.file.name}" type="audio/mpeg">'
            in page)
    assert (f'<video controls="" preload="metadata" width="640" height="360"><source src="/media/{mp4.file.name}"'
            ' type="video/mp4">') in page
    assert ('<a href="https://www.youtube.com/watch?v=abc123" rel="nofollow noopener noreferrer">'
            "YouTube: https://www.youtube.com/watch?v=abc123</a>") in page
    assert "<iframe" not in page
    # Only the lost file is still on the old site.
    assert re.findall(r'(?:src|href)="(http://127\.0\.0\.1[^"]*)"', page) == [f"{base_url}/{UPLOADS}/lost.jpg"]


def test_block_posts_show_galleries_as_lists_of_figures_covers_media_text_and_embeds_as_links(imported, client):
    base_url, _, _ = imported
    valley, hills, mp4 = media_named("valley.jpg"), media_named("hills.png"), media_named("clip.mp4")
    page = client.get(Article.objects.get(title="Block media").get_absolute_url()).content.decode()
    assert (f'<ul><li><figure><img src="/media/{hills.file.name}" alt="The hills" width="200" height="100">'
            "</figure></li></ul>") in page
    assert f'<img alt="" src="/media/{valley.file.name}" srcset="' in page  # the cover, the same bytes
    assert page.count(f'<video controls="" src="/media/{mp4.file.name}"></video>') == 2  # video, media-text
    assert ('<a href="https://vimeo.com/76979871" rel="nofollow noopener noreferrer">'
            "The making of the valley film</a>") in page
    assert "onplay" not in page
    assert base_url not in page.split('<div class="article-body">', 1)[1].split("</article>", 1)[0]


def test_media_from_a_local_uploads_folder_needs_no_fetching(db, media_settings, tmp_path,
                                                             django_capture_on_commit_callbacks):
    media_settings.ARCHIVE_MEDIA_FETCH = False  # anything not in the folder would wait
    files = make_uploads(tmp_path / "copy")
    out = StringIO()
    export = export_for("https://old.example", tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_articles", str(export), "--media-from", str(tmp_path / "copy" / "wp-content" / "uploads"),
                     stdout=out, stderr=StringIO())
    assert dict(Media.objects.values_list("status").annotate(n=Count("id"))) == {
        "stored": 7, "pending": 1}
    assert Media.objects.exclude(sha256=None).count() == 6
    assert media_named("lost.jpg").status == Media.Status.PENDING
    assert media_named("valley.jpg").sha256 == sha256(files["valley.jpg"])
    body = Article.objects.get(title="Classic media").body
    assert "https://old.example/wp-content/uploads/2020/01/valley.jpg" not in body
    assert (f"warning: 1 media file(s) not found in {tmp_path / 'copy' / 'wp-content' / 'uploads'}; they are "
            "fetched from the old site: https://old.example/wp-content/uploads/2020/01/lost.jpg") in out.getvalue()


def test_media_from_a_folder_that_does_not_exist_is_refused_before_anything_is_written(db, tmp_path):
    export = export_for("https://old.example", tmp_path)
    with pytest.raises(Exception, match="--media-from .*: no such folder"):
        call_command("import_articles", str(export), "--media-from", str(tmp_path / "nowhere"), stdout=StringIO())
    assert Article.objects.count() == 0


def test_importing_the_same_export_again_fetches_nothing_new(imported, media_settings, tmp_path):
    base_url, _, _ = imported
    before = {m.pk: (m.status, m.sha256, m.file.name) for m in Media.objects.all()}
    call_command("import_articles", str(export_for(base_url, tmp_path)), stdout=StringIO(), stderr=StringIO())
    assert {m.pk: (m.status, m.sha256, m.file.name) for m in Media.objects.all()} == before
