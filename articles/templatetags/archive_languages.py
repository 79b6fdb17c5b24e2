import datetime as dt
import re

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from articles import i18n, languages

register = template.Library()


@register.filter
def solar_hijri(value):
    """A date or datetime as its Solar Hijri day with the Afghan month and Persian digits: "۱۲ جدی ۱۳۹۴"."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return languages.solar_hijri_date(value)


@register.filter
def digits(value):
    """A number, date or text shown to readers with the page's digits: Persian (۱۲۳) on a Dari or
    Pashto page, as given elsewhere. Never for an id, an anchor or an address."""
    if value is None or value == "":
        return value
    shown = i18n.local_digits(value)
    return mark_safe(shown) if isinstance(value, SafeString) else shown


# The number a footnote reference shows (the importers' markup, articles/importers/*/footnotes):
# only the link's text, never its href or id.
_REFERENCE_TEXT = re.compile(r'(<sup class="footnote-ref" id="[^"]+"><a href="#fn-\d+"[^>]*>)([0-9]+)(</a></sup>)')


@register.filter
def reference_digits(body):
    """An article body with its footnote references' numbers in the page's digits (ids stay ASCII)."""
    if not i18n.uses_persian_digits():
        return body
    return mark_safe(_REFERENCE_TEXT.sub(lambda m: m[1] + languages.persian_digits(m[2]) + m[3], str(body)))


@register.simple_tag(takes_context=True)
def language_links(context):
    """The language switcher's links for this page (``articles.i18n.language_links``)."""
    request = context.get("request")
    return i18n.language_links(getattr(request, "path", None), context.get("article_page"),
                               getattr(request, "resolver_match", None))
