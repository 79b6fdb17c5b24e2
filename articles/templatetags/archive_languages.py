import datetime as dt

from django import template
from django.utils import timezone

from articles import languages

register = template.Library()


@register.filter
def solar_hijri(value):
    """A date or datetime as its Solar Hijri day with the Afghan month and Persian digits: "۱۲ جدی ۱۳۹۴"."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return languages.solar_hijri_date(value)
