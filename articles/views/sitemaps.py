"""The sitemap index and a sitemap per section (django.contrib.sitemaps' views over ``SITEMAPS``),
with the domain ``set_site_domain`` last set, in whichever process renders them."""

from functools import cache
from xml.sax.saxutils import escape, quoteattr

from django.contrib.sitemaps import views
from django.utils import timezone

from articles.pages.sites import fresh_site_cache
from articles.sitemaps import SITEMAPS, sections

INDEX_START = '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
URLSET_START = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">'
)


def index(request):
    """Django's sitemap index view; its entries written as ``urlset_xml`` writes a section's (the
    template cost ~30 µs an entry: at 1,000,000 articles, 1,000 pages of articles, 30 ms)."""
    fresh_site_cache()
    response = views.index(request, sections(), sitemap_url_name="articles:sitemap_section")
    response.content = index_xml(response.context_data["sitemaps"])  # marks the response rendered
    return response


def index_xml(entries) -> str:
    """The sitemap protocol's index of ``entries`` (Django's ``SitemapIndexItem``), as Django's
    ``sitemap_index.xml`` writes it: lastmod in the site's time zone, as ``|date:"c"`` gives."""
    parts = [INDEX_START]
    # Every page of a section has the section's date: each date is written once, not once a page
    # (7 us each: 7 ms for the 1,000 pages of articles of a 1,000,000-article archive).
    written = {}
    for entry in entries:
        parts.append(f"<sitemap><loc>{escape(entry.location)}</loc>")
        if entry.last_mod:
            if entry.last_mod not in written:
                written[entry.last_mod] = f"<lastmod>{timezone.localtime(entry.last_mod).isoformat()}</lastmod>"
            parts.append(written[entry.last_mod])
        parts.append("</sitemap>")
    parts.append("\n</sitemapindex>\n")
    return "".join(parts)


def section(request, section):
    """Django's sitemap view (the section, the page, the 404s, ``Last-Modified``); its urlset written
    as Django's feeds write theirs (``urlset_xml``): its template cost ~40 µs a URL, 40 ms a page."""
    fresh_site_cache()
    response = views.sitemap(request, SITEMAPS, section=section)
    response.content = urlset_xml(response.context_data["urlset"])  # marks the response rendered
    return response


def urlset_xml(urls) -> str:
    """The sitemap protocol's urlset of ``urls`` (``Sitemap.get_urls``), as ``sitemap.xml`` writes it:
    joined strings escaped as ``xml.sax.saxutils`` escapes them (a SAX writer, even Django's
    ``SimplerXMLGenerator``, cost ~14 µs a URL, half a page of 1,000)."""
    zone = timezone.get_current_timezone()  # the day in the site's time zone, as |date:"Y-m-d" gives
    # Written once a page: a section's changefreq and priority are on each URL, an item's alternates
    # under each of its languages' URLs (three times each, quoteattr ~3 us each).
    escaped, link = cache(escape), cache(alternate_link)
    parts = [URLSET_START]
    for url in urls:
        parts.append(f"<url><loc>{escape(url['location'])}</loc>")
        if url["lastmod"]:
            parts.append(f"<lastmod>{url['lastmod'].astimezone(zone).date().isoformat()}</lastmod>")
        if url["changefreq"]:
            parts.append(f"<changefreq>{escaped(url['changefreq'])}</changefreq>")
        if url["priority"]:
            parts.append(f"<priority>{escaped(url['priority'])}</priority>")
        parts.extend(link(alternate["location"], alternate["lang_code"]) for alternate in url["alternates"])
        parts.append("</url>")
    parts.append("</urlset>")
    return "".join(parts)


def alternate_link(location, language):
    return f'<xhtml:link href={quoteattr(location)} hreflang={quoteattr(language)} rel="alternate"/>'
