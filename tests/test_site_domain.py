import pytest
from django.contrib.sites.models import Site
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_set_site_domain_changes_the_domain_feeds_use(client, seed_article):
    call_command("set_site_domain", "https://archive.example.org/")
    assert Site.objects.get_current().domain == "archive.example.org"
    assert "http://archive.example.org/articles/" in client.get("/feeds/rss/").content.decode()


def test_set_site_domain_refuses_an_empty_domain(monkeypatch):
    monkeypatch.delenv("ARCHIVE_SITE_DOMAIN", raising=False)
    with pytest.raises(CommandError, match="Give the site's domain"):
        call_command("set_site_domain")
