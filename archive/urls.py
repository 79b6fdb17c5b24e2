from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from articles.views.favicon import FaviconView
from articles.views.health import healthz
from articles.views.robots import RobotsView

# The media library's files in development (static() adds nothing with DEBUG off: production serves
# MEDIA_URL from the web server or the storage, docs/operations.md).
urlpatterns = static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + [
    path(settings.ADMIN_URL, admin.site.urls),
    path("robots.txt", RobotsView.as_view(), name="robots"),
    path("favicon.ico", FaviconView.as_view()),  # unnamed: a redirect, not one of the site's pages
    path("healthz", healthz, name="healthz"),
    path("oai/", include("articles.oai.urls")),
]
# The public pages in each language: /fa/… Dari, /ps/… Pashto, unprefixed English (the default
# language takes no prefix, so every address of the English-only site still answers).
urlpatterns += i18n_patterns(path("", include("articles.urls")), prefix_default_language=False)

handler400 = "articles.views.errors.bad_request"
handler404 = "articles.views.errors.page_not_found"
handler500 = "articles.views.errors.server_error"

