from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from articles.sitemaps import SITEMAPS
from articles.views.robots import RobotsView

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", RobotsView.as_view(), name="robots"),
    path("oai/", include("articles.oai.urls")),
    path("", include("articles.urls")),
]

handler404 = "articles.views.errors.page_not_found"
handler500 = "articles.views.errors.server_error"

