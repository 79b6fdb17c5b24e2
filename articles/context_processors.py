from django.conf import settings
from django.urls import get_script_prefix


def site(request):
    """Site name and description for every template (no queries), and the script prefix, which the
    layout's kept parts (``{% cache %}`` in base.html) vary on as every address in them does."""
    return {"site_name": settings.SITE_NAME, "site_description": settings.SITE_DESCRIPTION,
            "script_prefix": get_script_prefix()}
