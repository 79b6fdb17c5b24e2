"""The sitemap index and a sitemap per section (django.contrib.sitemaps' views over ``SITEMAPS``),
with the domain ``set_site_domain`` last set, in whichever process renders them."""

from io import StringIO

from django.contrib.sitemaps import views
from django.utils import timezone
from django.utils.xmlutils import SimplerXMLGenerator

from articles.pages.sites import fresh_site_cache
from articles.sitemaps import SITEMAPS, sections

URLSET = {"xmlns": "http://www.sitemaps.org/schemas/sitemap/0.9", "xmlns:xhtml": "http://www.w3.org/1999/xhtml"}


def index(request):
    fresh_site_cache()
    return views.index(request, sections(), sitemap_url_name="articles:sitemap_section")


def section(request, section):
    """Django's sitemap view (the section, the page, the 404s, ``Last-Modified``); its urlset written
    as Django's feeds write theirs (``urlset_xml``): its template cost ~40 µs a URL, 40 ms a page."""
    fresh_site_cache()
    response = views.sitemap(request, SITEMAPS, section=section)
    response.content = urlset_xml(response.context_data["urlset"])  # marks the response rendered
    return response


def urlset_xml(urls) -> str:
    """The sitemap protocol's urlset of ``urls`` (``Sitemap.get_urls``), as ``sitemap.xml`` writes it."""
    out = StringIO()
    xml = SimplerXMLGenerator(out, "utf-8", short_empty_elements=True)
    xml.startDocument()
    xml.startElement("urlset", URLSET)
    for url in urls:
        xml.startElement("url", {})
        xml.addQuickElement("loc", url["location"])
        if url["lastmod"]:  # the day, in the site's time zone, as the template's |date:"Y-m-d"
            xml.addQuickElement("lastmod", timezone.localtime(url["lastmod"]).date().isoformat())
        if url["changefreq"]:
            xml.addQuickElement("changefreq", url["changefreq"])
        if url["priority"]:
            xml.addQuickElement("priority", url["priority"])
        for alternate in url["alternates"]:
            link = {"rel": "alternate", "hreflang": alternate["lang_code"], "href": alternate["location"]}
            xml.addQuickElement("xhtml:link", None, link)
        xml.endElement("url")
    xml.endElement("urlset")
    xml.endDocument()
    return out.getvalue()

