from django.conf import settings


def site(request):
    """Site name and description for every template (no queries)."""
    return {"site_name": settings.SITE_NAME, "site_description": settings.SITE_DESCRIPTION}
