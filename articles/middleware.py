"""Request guards: malformed URLs never reach views as errors, and old URLs keep working; every
response carries the security headers, and a staff member's is private."""

from urllib.parse import unquote

from csp.constants import HEADER as CSP_HEADER
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib.redirects.middleware import RedirectFallbackMiddleware
from django.contrib.redirects.models import Redirect
from django.contrib.sites.shortcuts import get_current_site
from django.http import QueryDict
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import Resolver404

from articles.i18n import resolve_path
from articles.models import Article
from articles.pages import http
from articles.views.errors import page_not_found, request_too_large


class SecurityHeadersMiddleware:
    """Outermost: the security headers on every response, those answered before the middleware that
    adds them ran too: whitenoise's static files (X-Frame-Options, the CSP) and the 400 for a Host
    not allowed (raised inside SecurityMiddleware itself, with SSL redirects on). Each adder leaves
    a header already set alone, so the usual responses are unchanged. The CSP adder is not even
    asked once the policy is set: django-csp builds it anew from settings on each call (45 µs)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.adders = [SecurityMiddleware(get_response), XFrameOptionsMiddleware(get_response)]
        self.csp = CSPMiddleware(get_response)

    def __call__(self, request):
        response = self.get_response(request)
        for adder in self.adders:
            response = adder.process_response(request, response)
        if CSP_HEADER not in response:
            response = self.csp.process_response(request, response)
        return response


class PrivateForStaffMiddleware:
    """A signed-in user's responses are ``Cache-Control: private, no-store``: a shared cache in front
    (a proxy, a CDN) must never keep a staff member's page, a draft's preview for one, for anyone
    else, nor a browser on a shared computer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Only a request with a session can be signed in: the rest cost no session read here.
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                http.policy.personal(response)
        return response


class RequestSizeLimitMiddleware:
    """A request whose body is declared larger than ``ARCHIVE_MAX_REQUEST_BYTES`` gets the site's
    "too large" page (413) at once, from its Content-Length: no byte of it is read, where Django
    (CSRF's check reads a form first) would take in a whole 100 MB upload before refusing it. The
    reverse proxy should refuse such bodies first (docs/operations.md)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0  # as Django reads it: no body
        if size > settings.ARCHIVE_MAX_REQUEST_BYTES:
            return request_too_large(request, size)
        return self.get_response(request)


class RefuseNulBytesMiddleware:
    """A NUL byte is never part of a real address, and PostgreSQL cannot even compare text holding one
    (a lookup would fail with a 500). A path holding one gets the ordinary 404 page; NUL bytes in the
    query are dropped, so a search for one gets the calm "no words" page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            return page_not_found(request)
        if _nul_in(request.GET):
            request.GET = _without_nul(request.GET)
        return self.get_response(request)


def _nul_in(query):
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists())


def _without_nul(query):
    cleaned = QueryDict(mutable=True)
    for key, values in query.lists():
        cleaned.setlist(key.replace("\x00", ""), [value.replace("\x00", "") for value in values])
    cleaned._mutable = False
    return cleaned

# WordPress's query-string permalinks: /?p=ID for posts, /?page_id=ID for pages.
_ID_PARAMETERS = ("p", "page_id")


class OldUrlRedirectMiddleware(RedirectFallbackMiddleware):
    """django.contrib.redirects' fallback (consulted only on a 404), plus ``/?p=ID``.

    ``/`` is the home page, so ``/?p=ID`` never 404s: that one form is looked up before the
    view runs, and only when the query string carries a numeric ``p`` or ``page_id``; an id with no
    redirect is a 404, as on the old site.

    An old URL of an article that is not published (draft, scheduled, private, a WordPress post with
    a password) answers exactly as an unknown one: its redirect would tell anyone its new address,
    and so its title, and which ids exist. Whether it is published is asked when the old URL is
    requested, so the redirect works from the day the article is published.
    """

    def process_request(self, request):
        if request.path != "/" or not request.GET:
            return None
        for name in _ID_PARAMETERS:
            value = request.GET.get(name, "")
            if value.isdigit():
                redirect = Redirect.objects.filter(
                    site=get_current_site(request), old_path=f"/?{name}={value}"
                ).first()
                if redirect is not None and redirect.new_path and leads_to_public_page(redirect.new_path):
                    return self.response_redirect_class(redirect.new_path)
                return page_not_found(request)
        return None

    def process_response(self, request, response):
        answer = super().process_response(request, response)
        if answer is not response and answer.has_header("Location") and not leads_to_public_page(answer["Location"]):
            return response  # the 404 an unknown address gets
        return answer


def leads_to_public_page(path: str) -> bool:
    """Whether a redirect's target is a page anyone may read: an article's page only while it is published."""
    try:
        # A stored path is a URI (a Dari slug percent-encoded); resolving reads the letters.
        match = resolve_path(unquote(path.split("?", 1)[0]))
    except Resolver404:
        return True  # not one of the archive's pages: the redirect is the operator's to answer for
    if match.view_name != "articles:article":
        return True
    return Article.objects.published().filter(slug=match.kwargs["slug"]).exists()
