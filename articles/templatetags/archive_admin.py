"""Template tags for the admin's own templates."""

from django import template

from articles.admin.overview import archive_overview as build_overview

register = template.Library()


@register.simple_tag(takes_context=True)
def archive_overview(context):
    """``{% archive_overview as overview %}``: the figures of the admin index's overview."""
    return build_overview(context["request"].user)
