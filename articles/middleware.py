"""Old URLs keep working: requests the archive cannot answer are looked up in the redirects."""

from django.contrib.redirects.middleware import RedirectFallbackMiddleware
from django.contrib.redirects.models import Redirect
from django.contrib.sites.shortcuts import get_current_site

# WordPress's query-string permalinks: /?p=ID for posts, /?page_id=ID for pages.
_ID_PARAMETERS = ("p", "page_id")


class OldUrlRedirectMiddleware(RedirectFallbackMiddleware):
    """django.contrib.redirects' fallback (consulted only on a 404), plus ``/?p=ID``.

    ``/`` is the home page, so ``/?p=ID`` never 404s: that one form is looked up before the
    view runs, and only when the query string carries a numeric ``p`` or ``page_id``.
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
                if redirect is not None and redirect.new_path:
                    return self.response_redirect_class(redirect.new_path)
        return None
