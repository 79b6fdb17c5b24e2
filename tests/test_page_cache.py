"""The page cache on the caches processes share, the real Redis and the database (the default without
Redis): every event that changes a page invalidates exactly that page."""

import socket
import uuid
from importlib import import_module

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.test import override_settings
from taggit.models import Tag

from articles.models import Article, Comment, Footnote
from articles.pages.cache import invalidate_article
from tests.factories import make_article, make_author, make_category

REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_answers():
    try:
        socket.create_connection(("127.0.0.1", 6379), 1).close()
        return True
    except OSError:
        return False


DATABASE_CACHE = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "archive_cache"}


@pytest.fixture(params=["redis", "database"])
def shared_cache(request):
    """Each test runs on Django's Redis backend (a key prefix of its own, removed afterwards: Redis is
    shared) and on its database cache (the settings' default without CACHE_URL; rolled back with the test)."""
    if request.param == "database":
        request.getfixturevalue("db")
        from django.core.management import call_command

        call_command("createcachetable", "archive_cache", verbosity=0)  # made already unless CACHE_URL is set
        with override_settings(CACHES={"default": DATABASE_CACHE}, ARCHIVE_PAGE_CACHE=True):
            yield caches["default"]
        return
    if not _redis_answers():
        pytest.skip("Redis does not answer on 127.0.0.1:6379: start it to test the shared page cache.")
    prefix = f"test-{uuid.uuid4().hex}"
    settings = {
        "default": {
            "BACKEND": "articles.cache_backends.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    with override_settings(CACHES=settings, ARCHIVE_PAGE_CACHE=True):
        yield caches["default"]
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def _comment(article, status=Comment.Status.APPROVED, **fields):
    from django.utils import timezone

    return Comment.objects.create(
        article=article, name="Reader", body="A comment.", status=status, submitted_at=timezone.now(), **fields
    )


def get(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code in (200, 304), response.status_code
    return response


def state(client, url):
    return get(client, url)["X-Archive-Cache"]


@pytest.fixture
def two_articles(db):
    category = make_category("Region", "Topic")
    first = make_article("First article", category=category, authors=[make_author("Ann Author")], tags=["water"])
    second = make_article("Second article", category=category)
    return first, second


@pytest.mark.django_db
def test_second_anonymous_request_is_served_from_the_shared_cache(shared_cache, client, two_articles):
    first, _ = two_articles
    assert state(client, first.get_absolute_url()) == "miss"
    response = get(client, first.get_absolute_url())
    assert response["X-Archive-Cache"] == "hit"
    assert "First article" in response.content.decode()
    assert state(client, "/") == "miss"
    assert state(client, "/") == "hit"


@pytest.mark.django_db
def test_editing_an_article_refreshes_its_page_and_lists_but_not_other_articles(shared_cache, client, two_articles):
    first, second = two_articles
    for url in (first.get_absolute_url(), second.get_absolute_url(), "/"):
        get(client, url)
    first.title = "First article, revised"
    first.save()
    page = get(client, first.get_absolute_url())
    assert page["X-Archive-Cache"] == "miss"
    assert "First article, revised" in page.content.decode()
    home = get(client, "/")
    assert home["X-Archive-Cache"] == "miss"
    assert "First article, revised" in home.content.decode()
    assert state(client, second.get_absolute_url()) == "hit"


@pytest.mark.django_db
def test_publishing_a_draft_shows_it_in_lists_at_once(shared_cache, client, two_articles):
    draft = make_article("Waiting draft", status=Article.Status.DRAFT)
    assert "Waiting draft" not in get(client, "/").content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 404
    draft.status = Article.Status.PUBLISHED
    draft.save()
    assert "Waiting draft" in get(client, "/").content.decode()
    assert get(client, draft.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_editing_a_draft_leaves_every_cached_page_alone(shared_cache, client, two_articles):
    first, _ = two_articles
    draft = make_article("Quiet draft", status=Article.Status.DRAFT)
    get(client, first.get_absolute_url())
    get(client, "/")
    draft.title = "Quiet draft, edited"
    draft.save()
    assert state(client, first.get_absolute_url()) == "hit"
    assert state(client, "/") == "hit"


@pytest.mark.django_db
def test_unpublishing_removes_the_page_and_its_listing_entry(shared_cache, client, two_articles):
    first, _ = two_articles
    get(client, first.get_absolute_url())
    assert "First article" in get(client, "/").content.decode()
    first.status = Article.Status.DRAFT
    first.save()
    assert client.get(first.get_absolute_url()).status_code == 404
    assert "First article" not in get(client, "/").content.decode()


@pytest.mark.django_db
def test_approving_and_removing_a_comment_refreshes_only_its_article(shared_cache, client, two_articles):
    first, second = two_articles
    pending = _comment(first, status=Comment.Status.PENDING)
    for url in (first.get_absolute_url(), second.get_absolute_url(), "/"):
        get(client, url)
    assert state(client, first.get_absolute_url()) == "hit"  # a pending comment changes no public page

    pending.status = Comment.Status.APPROVED
    pending.save()
    assert state(client, first.get_absolute_url()) == "miss"
    assert state(client, second.get_absolute_url()) == "hit"
    assert state(client, "/") == "hit"

    pending.status = Comment.Status.REMOVED
    pending.save()
    assert state(client, first.get_absolute_url()) == "miss"
    assert state(client, second.get_absolute_url()) == "hit"


@pytest.mark.django_db
def test_related_posts_change_through_invalidate_article(shared_cache, client, two_articles):
    first, second = two_articles
    get(client, first.get_absolute_url())
    get(client, second.get_absolute_url())
    invalidate_article(first)
    assert state(client, first.get_absolute_url()) == "miss"
    assert state(client, second.get_absolute_url()) == "hit"


@pytest.mark.django_db
def test_footnote_and_tag_changes_refresh_the_article_page(shared_cache, client, two_articles):
    first, second = two_articles
    get(client, first.get_absolute_url())
    get(client, second.get_absolute_url())
    Footnote.objects.create(article=first, number=1, text="A new note.")
    page = get(client, first.get_absolute_url())
    assert page["X-Archive-Cache"] == "miss"
    assert "A new note." in page.content.decode()

    first.tags.add("energy")
    page = get(client, first.get_absolute_url())
    assert page["X-Archive-Cache"] == "miss"
    assert "energy" in page.content.decode()
    assert state(client, second.get_absolute_url()) == "hit"

    Tag.objects.filter(name="energy").update(name="power")  # no signal: nothing may change
    Tag.objects.get(name="power").save()  # a rename through save() refreshes every page
    assert "power" in get(client, first.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_staff_and_pending_commenters_never_get_the_shared_page(shared_cache, client, staff_client, two_articles):
    first, _ = two_articles
    draft_banner = "Only staff can see this preview"
    draft = make_article("Preview me", status=Article.Status.DRAFT)
    get(client, first.get_absolute_url())
    staff_page = staff_client.get(first.get_absolute_url())
    assert "X-Archive-Cache" not in staff_page
    assert draft_banner in staff_client.get(draft.get_absolute_url()).content.decode()

    client.cookies[settings.ARCHIVE_PRIVATE_COOKIE] = "1"
    assert "X-Archive-Cache" not in client.get(first.get_absolute_url())


@pytest.mark.django_db
def test_unchanged_page_answers_304_and_a_changed_one_200(shared_cache, client, two_articles):
    first, _ = two_articles
    url = first.get_absolute_url()
    page = get(client, url)
    etag, modified = page["ETag"], page["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    first.summary = "New summary."
    first.save()
    fresh = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200
    assert fresh["ETag"] != etag


@pytest.mark.django_db
def test_cache_can_be_turned_off(shared_cache, client, two_articles):
    first, _ = two_articles
    with override_settings(ARCHIVE_PAGE_CACHE=False):
        assert "X-Archive-Cache" not in get(client, first.get_absolute_url())
        assert "X-Archive-Cache" not in get(client, first.get_absolute_url())


@pytest.mark.django_db
def test_an_evicted_version_key_never_brings_back_an_old_page(shared_cache, client, two_articles):
    first, _ = two_articles
    url = first.get_absolute_url()
    get(client, url)
    assert state(client, url) == "hit"
    shared_cache.delete(f"pagever:article:{first.slug}")  # as Redis's LRU eviction (or the database's cull) would
    assert state(client, url) == "miss"
    assert state(client, url) == "hit"


@pytest.mark.django_db
def test_without_redis_the_settings_default_database_cache_serves_and_invalidates(client, two_articles):
    from django.core.cache.backends.db import DatabaseCache

    if settings.CACHE_URL:
        pytest.skip("CACHE_URL is set: the default cache is not the database's")
    default = import_module("archive.settings").CACHES  # the project's, not the test suite's own
    with override_settings(CACHES=default):
        call_command("createcachetable")  # as `make run` does (the suite's own cache is in memory)
        assert isinstance(caches["default"], DatabaseCache)
        _serves_and_invalidates(client, two_articles)


def _serves_and_invalidates(client, two_articles):
    first, _ = two_articles
    url = first.get_absolute_url()
    assert state(client, url) == "miss"
    assert state(client, url) == "hit"
    first.title = "Renamed locally"
    first.save()
    page = get(client, url)
    assert page["X-Archive-Cache"] == "miss"
    assert "Renamed locally" in page.content.decode()


@pytest.mark.django_db
def test_article_page_with_the_comment_form_is_shared_yet_each_reader_can_post(shared_cache):
    import re

    from django.test import Client

    from articles.views.comments import CONFIRM

    article = make_article("Open for replies")
    first = Client(enforce_csrf_checks=True)
    assert first.get(article.get_absolute_url())["X-Archive-Cache"] == "miss"
    second = Client(enforce_csrf_checks=True)
    response = second.get(article.get_absolute_url())
    assert response["X-Archive-Cache"] == "hit"
    html = response.content.decode()
    # Alike for every reader (a front cache may keep it): no CSRF token, no cookie.
    assert 'name="csrfmiddlewaretoken"' not in html and not response.cookies
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    data = {"name": "Second Reader", "email": "second@example.org", "website": "", "body": "From the cache.",
            "parent": "", "homepage": "", "token": token}
    with override_settings(ARCHIVE_COMMENTS_MIN_SECONDS=0):
        # Sent from the shared page, the comment comes back to confirm, with this reader's token and cookie.
        confirm = second.post(f"{article.get_absolute_url()}comment/", data)
        assert confirm.status_code == 200 and CONFIRM in confirm.content.decode()
        assert not Comment.objects.exists()
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', confirm.content.decode()).group(1)
        assert settings.CSRF_COOKIE_NAME in confirm.cookies
        posted = second.post(f"{article.get_absolute_url()}comment/", {**data, "csrfmiddlewaretoken": csrf})
    assert posted.status_code == 302
    assert Comment.objects.get().name == "Second Reader"


@pytest.mark.django_db
def test_a_cached_comment_form_counts_its_minimum_time_from_each_readers_view(shared_cache):
    import re

    from django.core import signing
    from django.test import Client

    article = make_article("Timed form")
    Client().get(article.get_absolute_url())
    html = Client().get(article.get_absolute_url()).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    from articles.comments.forms import TOKEN_SALT

    shown = signing.loads(token, salt=TOKEN_SALT)
    assert shown["a"] == article.pk
    import time

    assert time.time() - shown["t"] < 5


def test_an_absurdly_long_slug_makes_a_short_cache_key():
    from articles.pages.cache import article_scope

    assert article_scope("a" * 5000) == "article:" + __import__("hashlib").sha256(b"a" * 5000).hexdigest()
    assert article_scope("kabul") == "article:kabul"


@pytest.mark.django_db
def test_renaming_an_article_refreshes_the_cached_pages_listing_it_as_related(
    shared_cache, client, two_articles, django_capture_on_commit_callbacks
):
    from articles.models import RelatedArticle

    first, second = two_articles
    RelatedArticle.objects.create(article=second, related=first, rank=1, score=1.0)
    assert first.title in get(client, second.get_absolute_url()).content.decode()
    assert state(client, second.get_absolute_url()) == "hit"

    first.title = "A renamed neighbour"
    with django_capture_on_commit_callbacks(execute=True):  # the related posts' task follows the commit
        first.save()
    page = get(client, second.get_absolute_url())
    assert page["X-Archive-Cache"] == "miss"
    assert "A renamed neighbour" in page.content.decode()


@pytest.mark.django_db
def test_recomputed_related_lists_refresh_the_cached_pages_showing_them(shared_cache, client, two_articles):
    from articles.related.lists import related_lists_changed

    first, second = two_articles
    get(client, first.get_absolute_url())
    get(client, second.get_absolute_url())
    related_lists_changed.send(sender=None, article_ids=[second.pk])
    assert state(client, second.get_absolute_url()) == "miss"
    assert state(client, first.get_absolute_url()) == "hit"


@pytest.mark.django_db
def test_a_hit_served_before_the_session_middleware_keeps_every_security_header(
    shared_cache, client, two_articles
):
    first, _ = two_articles
    miss = get(client, first.get_absolute_url())
    client.cookies.clear()
    hit = get(client, first.get_absolute_url())
    assert (miss["X-Archive-Cache"], hit["X-Archive-Cache"]) == ("miss", "hit")
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"):
        assert hit[header] == miss[header], header
    assert "Vary" not in hit and not hit.cookies  # alike for every reader: shared caches may keep it
    assert 'name="csrfmiddlewaretoken"' not in hit.content.decode()


WATER = "<p>Helmand water dams irrigation canals reservoirs drought farmers Kajaki harvest rivers.</p>"
ELECTIONS = "<p>Ballots voters turnout fraud commission candidates polling parliament recount.</p>"


@pytest.fixture
def related_pair(db, django_capture_on_commit_callbacks):
    """Two articles on water and one on elections, their related lists computed."""
    with django_capture_on_commit_callbacks(execute=True):
        water = make_article("Water in Helmand", body=WATER)
        dams = make_article("Dams of Helmand", body=WATER)
        ballots = make_article("Ballots counted", body=ELECTIONS)
    return water, dams, ballots


def _related(article):
    from articles.models import RelatedArticle

    return list(RelatedArticle.objects.filter(article=article).values_list("related_id", flat=True))


@pytest.mark.django_db
def test_an_article_merged_into_a_neighbours_related_list_refreshes_that_page(
    shared_cache, client, related_pair, django_capture_on_commit_callbacks
):
    water, dams, ballots = related_pair
    for article in related_pair:
        get(client, article.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        canals = make_article("Canals of Helmand", body=WATER)
    assert canals.pk in _related(water) and canals.pk in _related(dams)
    assert state(client, water.get_absolute_url()) == "miss"  # its list shows the new article now
    assert canals.title in get(client, dams.get_absolute_url()).content.decode()
    assert canals.pk not in _related(ballots)
    assert state(client, ballots.get_absolute_url()) == "hit"  # nothing it shows changed


@pytest.mark.django_db
def test_a_bulk_import_refreshes_the_pages_whose_related_lists_it_changes(
    shared_cache, client, related_pair, tmp_path, django_capture_on_commit_callbacks
):
    from articles.importers.pipeline import import_paths

    water, dams, ballots = related_pair
    for url in ("/", *(a.get_absolute_url() for a in related_pair)):
        get(client, url)
    files = []
    for n, title in enumerate(("Canals of Helmand", "Rivers of Helmand", "Reservoirs of Helmand", "Kajaki dam")):
        files.append(tmp_path / f"{n}.txt")
        text = f"Region\n\n{title}\n\nPublished Date: March {n + 1}, 2021\n\n{WATER[3:-4]}\n"
        files[-1].write_text(text, encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        outcomes = [item.outcome for _, result in import_paths(files) for item in result.items]
    assert outcomes == ["created"] * 4
    assert state(client, "/") == "miss"
    assert state(client, water.get_absolute_url()) == "miss"
    assert "Kajaki dam" in get(client, dams.get_absolute_url()).content.decode()
    assert not set(_related(ballots)) & {a.pk for a in Article.objects.filter(import_key__startswith="seed:")}
    assert state(client, ballots.get_absolute_url()) == "hit"


@pytest.mark.django_db
def test_many_scopes_are_bumped_in_one_cache_call_each_to_a_version_it_never_had(shared_cache, monkeypatch):
    from articles.pages import cache as page_cache
    from articles.pages.cache import _bump_now, current_versions

    before = current_versions(["article:a", "listings", "site"])
    shared_cache.delete("pagever:article:b")
    calls = []
    real_delete_many = shared_cache.delete_many
    monkeypatch.setattr(shared_cache, "delete_many", lambda keys: calls.append(keys) or real_delete_many(keys))
    _bump_now(["article:a", "article:b", "listings"])
    assert len(calls) == 1
    after = current_versions(["article:a", "article:b", "listings", "site"])
    assert after[0] != before[0] and after[2] != before[1]
    assert after[3] == before[2]  # a scope not bumped keeps its version
    seen = set(before + after)
    for _ in range(50):  # a bump never gives back a version the scope had
        _bump_now(["article:a"])
        version = current_versions(["article:a"])[0]
        assert version not in seen
        seen.add(version)
    calls.clear()
    _bump_now([f"article:{n}" for n in range(2 * page_cache.BUMP_CHUNK + 1)])  # an import's thousands
    assert [len(keys) for keys in calls] == [page_cache.BUMP_CHUNK, page_cache.BUMP_CHUNK, 1]


@pytest.mark.django_db
def test_a_hit_is_one_cache_call_for_the_versions_and_the_page(shared_cache, client, two_articles, monkeypatch):
    first, _ = two_articles
    url = first.get_absolute_url()
    get(client, url)
    calls = []
    for name in ("get", "get_many", "set", "set_many", "add", "incr"):
        real = getattr(shared_cache, name)
        monkeypatch.setattr(shared_cache, name, lambda *a, _n=name, _r=real, **kw: calls.append(_n) or _r(*a, **kw))
    client.cookies.clear()
    assert state(client, url) == "hit"
    assert calls == ["get_many"]


@pytest.mark.django_db
def test_a_page_stored_for_versions_bumped_since_is_never_served(shared_cache, rf, two_articles):
    """A slow request that read the versions before a write and stores its page after the bump:
    the entry (the only one for that URL) is outdated at once, and the next reader gets a fresh page."""
    from django.http import HttpResponse

    from articles.pages.cache import PublicPageCacheMiddleware, _resolved, current_versions, invalidate_listings

    stale = HttpResponse("<p>old list</p>")
    middleware = PublicPageCacheMiddleware(lambda request: HttpResponse("<p>new list</p>"))  # the views now

    slow = rf.get("/")
    assert middleware._lookup(slow, *_resolved(slow)) is None  # a miss: it renders
    before = current_versions(["site", "listings"])
    invalidate_listings()  # a write lands while the slow request renders
    assert current_versions(["site", "listings"]) != before
    response = middleware._store(slow, stale, *slow._archive_page_key)  # stored for the old versions
    assert response["X-Archive-Cache"] == "miss"
    response = middleware(rf.get("/"))
    assert response["X-Archive-Cache"] == "miss" and response.content == b"<p>new list</p>"
    response = middleware(rf.get("/"))
    assert response["X-Archive-Cache"] == "hit" and response.content == b"<p>new list</p>"


@pytest.mark.django_db
def test_a_derived_value_is_read_from_the_cache_once_a_version_in_each_process(shared_cache, monkeypatch):
    from articles.pages.cache import LISTINGS, _bump_now, versioned

    computed = []

    def compute():
        computed.append(len(computed) + 1)
        return f"value {computed[-1]}"

    assert versioned("test-derived", compute) == "value 1"
    gets = []
    real_get = shared_cache.get
    monkeypatch.setattr(shared_cache, "get", lambda *a, **kw: gets.append(a[0]) or real_get(*a, **kw))
    assert versioned("test-derived", compute) == "value 1"
    assert gets == []  # the versions were read (one get_many), the value was not
    _bump_now([LISTINGS])
    assert versioned("test-derived", compute) == "value 2"
    assert [key.split(":")[:2] for key in gets] == [["derived2", "test-derived"]]
    assert computed == [1, 2]
