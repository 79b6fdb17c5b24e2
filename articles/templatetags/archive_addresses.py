"""``{% address %}``: ``{% url %}`` for the archive's pages addressed by at most one argument, from
``articles.addresses`` (reversed once per language, not through the resolver for each link)."""

from django import template

from articles import addresses

register = template.Library()


@register.simple_tag
def address(view_name, **argument):
    """``{% address "articles:home" %}``, ``{% address "articles:tag" slug=tag.slug %}``: what
    ``{% url %}`` gives for the same view and argument, escaped as it is."""
    if not argument:
        return addresses.fixed_address(view_name)
    ((name, value),) = argument.items()
    return addresses.address(view_name, name, value)
