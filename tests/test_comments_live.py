"""Comments posted concurrently to a live server: every one is stored, none twice, none lost."""

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from articles.models import Comment
from tests.factories import make_article

THREADS = 10
PER_THREAD = 5


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def reader(base, article_url, post_url, n):
    """One reader: opens the article page (the form token), sends the form once to confirm (their
    cookie and CSRF token come back), then posts PER_THREAD comments."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    page = opener.open(base + article_url, timeout=30).read().decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    first = urllib.parse.urlencode({"token": token, "name": f"Reader {n}", "email": f"reader{n}@example.org",
                                    "body": "To confirm."}).encode()
    confirm = opener.open(urllib.request.Request(base + post_url, data=first), timeout=30).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', confirm).group(1)
    statuses = []
    for i in range(PER_THREAD):
        data = urllib.parse.urlencode({
            "csrfmiddlewaretoken": csrf, "token": token, "name": f"Reader {n}", "email": f"reader{n}@example.org",
            "website": "", "body": f"Comment {i} from reader {n}.", "parent": "", "homepage": "",
        }).encode()
        try:
            response = opener.open(urllib.request.Request(base + post_url, data=data), timeout=30)
            statuses.append(response.status)
        except urllib.error.HTTPError as exc:
            statuses.append(exc.code)
    return statuses


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_fifty_comments_from_ten_threads_are_all_stored(live_server, settings):
    # The defences that would (rightly) stop one address posting 50 comments in a second are lifted.
    settings.ARCHIVE_COMMENTS_RATE_LIMIT = 0
    settings.ARCHIVE_COMMENTS_MIN_SECONDS = 0
    settings.CSRF_COOKIE_SECURE = False
    settings.SESSION_COOKIE_SECURE = False
    article = make_article(title="Busy Thread")
    post_url = f"/articles/{article.slug}/comment/"
    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(lambda n: reader(live_server.url, article.get_absolute_url(), post_url, n),
                                range(THREADS)))
    assert [s for statuses in results for s in statuses] == [302] * (THREADS * PER_THREAD)
    assert Comment.objects.filter(article=article).count() == THREADS * PER_THREAD
    assert Comment.objects.filter(status=Comment.Status.PENDING).count() == THREADS * PER_THREAD
    bodies = set(Comment.objects.values_list("body", flat=True))
    assert len(bodies) == THREADS * PER_THREAD
