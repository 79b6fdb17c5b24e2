"""Articles imported from a WordPress export show their media from the archive's own storage, in Chromium:
every image loads from the site's own host (the old site is a local server of the test's own)."""

from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from tests.media_site import UPLOADS, export_for, make_uploads, serving

pytestmark = pytest.mark.browser


@pytest.fixture
def imported(site, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.ARCHIVE_MEDIA_FETCH = True
    settings.ARCHIVE_MEDIA_ALLOW_PRIVATE = True
    make_uploads(tmp_path / "old-site")
    with serving(tmp_path / "old-site") as old_site:
        call_command("import_articles", str(export_for(old_site, tmp_path)), stdout=StringIO(), stderr=StringIO())
        yield site, old_site


def loaded_images(page):
    """[(URL the image was loaded from, its natural width)] once the page and its images have loaded."""
    page.wait_for_load_state("load")
    return page.evaluate("[...document.images].map(i => [i.currentSrc, i.complete ? i.naturalWidth : 0])")


def test_every_image_of_an_imported_article_loads_from_the_sites_own_host(page, imported):
    from articles.models import Article

    site, _ = imported
    page.goto(Article.objects.get(title="Block media").get_absolute_url())
    images = loaded_images(page)
    assert len(images) == 3  # the image block, the gallery's image, the cover
    own = urlsplit(site.url).netloc
    assert [(urlsplit(src).netloc, urlsplit(src).path.startswith("/media/archive/")) for src, _ in images] == [
        (own, True)] * 3
    assert all(width > 0 for _, width in images), images
    videos = page.evaluate("[...document.querySelectorAll('video')].map(v => v.src)")
    assert [urlsplit(src).netloc for src in videos] == [own, own]


def test_only_the_file_that_could_not_be_fetched_still_points_to_the_old_site(page, imported):
    from articles.models import Article

    site, old_site = imported
    page.goto(Article.objects.get(title="Classic media").get_absolute_url())
    images = loaded_images(page)
    own = urlsplit(site.url).netloc
    elsewhere = [src for src, _ in images if urlsplit(src).netloc != own]
    assert elsewhere == [f"{old_site}/{UPLOADS}/lost.jpg"]
    assert all(width > 0 for src, width in images if src not in elsewhere), images
    assert len(images) == 5  # the photograph, the captioned river, the gallery's two, the lost one
