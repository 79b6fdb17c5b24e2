import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles import seo

register = template.Library()

# As django's json_script: the JSON cannot close the script element or open a comment. Replaced
# one by one: ``str.translate`` looks each character of the text up in the table, some 50 times slower.
_SCRIPT_ESCAPES = ((">", "\\u003E"), ("<", "\\u003C"), ("&", "\\u0026"))


def json_ld_script(data):
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    for character, escaped in _SCRIPT_ESCAPES:
        text = text.replace(character, escaped)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.simple_tag(takes_context=True)
def article_json_ld(context, article):
    """A JSON-LD data block (not executed, so the CSP allows it) describing the article."""
    return json_ld_script(seo.article_json_ld(article, context["request"]))


@register.simple_tag(takes_context=True)
def canonical_url(context):
    request = context.get("request")
    return seo.canonical_url(request) if request is not None else ""
