"""/favicon.ico, which browsers ask for on every site (the admin's pages name no icon): the site's
icon among its static files."""

from django.templatetags.static import static
from django.views.generic import RedirectView


class FaviconView(RedirectView):
    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        # Resolved per request: the hashed name exists only once collectstatic has run.
        return static("favicon.svg")
