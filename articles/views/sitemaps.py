"""The sitemap index and a sitemap per section (django.contrib.sitemaps' views over ``SITEMAPS``),
with the domain ``set_site_domain`` last set, in whichever process renders them."""

from django.contrib.sitemaps import views

from articles.pages.sites import fresh_site_cache
from articles.sitemaps import SITEMAPS


def index(request):
    fresh_site_cache()
    return views.index(request, SITEMAPS, sitemap_url_name="articles:sitemap_section")


def section(request, section):
    fresh_site_cache()
    return views.sitemap(request, SITEMAPS, section=section)
