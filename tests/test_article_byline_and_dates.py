"""The article page names its authors and its last editorial change (issue 21): a byline linking to
each author's page, ``author`` in the JSON-LD, and ``dateModified`` that moves when an editor or an
import changes the content, not when an import finds nothing new or derived data is recomputed."""

import datetime as dt
import json
import re

import pytest
from django.core.management import call_command

from articles.models import Article
from tests.factories import SEED_FILE, make_author

pytestmark = pytest.mark.django_db


def json_ld(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    return html, json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))


def test_the_page_has_a_byline_linking_each_author_and_the_json_ld_names_them(client, seed_article):
    seed_article.set_authors([make_author("Ada Analyst"), make_author("Bo Writer"), make_author("Cy Editor")])
    seed_article.save()
    html, data = json_ld(client, seed_article)
    assert ('<span class="byline"> · by <a href="/authors/ada-analyst/">Ada Analyst</a>, '
            '<a href="/authors/bo-writer/">Bo Writer</a> and '
            '<a href="/authors/cy-editor/">Cy Editor</a></span>') in html
    assert [a["url"] for a in data["author"]] == [
        "http://testserver/authors/ada-analyst/", "http://testserver/authors/bo-writer/",
        "http://testserver/authors/cy-editor/"]


def test_date_modified_of_an_import_is_its_publication_then_the_change_of_its_text(client, tmp_path):
    call_command("import_articles", str(SEED_FILE), verbosity=0)
    article = Article.objects.get()
    _, data = json_ld(client, article)
    assert data["dateModified"] == data["datePublished"] == "2016-01-02T00:00:00+00:00"

    call_command("import_articles", str(SEED_FILE), verbosity=0)  # the same text: nothing edited
    article.refresh_from_db()
    assert article.edited_at == dt.datetime(2016, 1, 2, tzinfo=dt.UTC)

    changed = tmp_path / SEED_FILE.name
    changed.write_text(SEED_FILE.read_text(encoding="utf-8").replace("Taliban", "Taleban", 1), encoding="utf-8")
    before = dt.datetime.now(dt.UTC)
    call_command("import_articles", str(changed), verbosity=0)
    article.refresh_from_db()
    assert article.edited_at >= before
    _, data = json_ld(client, article)
    assert data["dateModified"] == article.edited_at.isoformat()


def test_an_editors_change_moves_date_modified_and_a_derived_write_does_not(client, staff_client, seed_article):
    page = staff_client.get(f"/admin/articles/article/{seed_article.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"categories": [c.pk for c in seed_article.categories.all()], "tags": "", "title": "A new title"})
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({f"{management.prefix}-{k}": v for k, v in management.initial.items()})
        for inline_form in formset.formset.forms:
            data.update({f"{inline_form.prefix}-{k}": v if v is not None else ""
                         for k, v in ((n, inline_form[n].value()) for n in inline_form.fields)})
    data = {k: v for k, v in data.items() if v is not False}
    before = dt.datetime.now(dt.UTC)
    response = staff_client.post(f"/admin/articles/article/{seed_article.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    seed_article.refresh_from_db()
    assert seed_article.title == "A new title" and seed_article.edited_at >= before
    edited = seed_article.edited_at

    Article.objects.filter(pk=seed_article.pk).update(updated_at=dt.datetime.now(dt.UTC))  # a derived write
    _, ld = json_ld(client, seed_article)
    assert ld["dateModified"] == edited.isoformat()


def test_a_wordpress_post_is_dated_by_its_own_last_modification(client, tmp_path):
    export = tmp_path / "old.xml"
    export.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Old</title>'
        "<link>https://old.example.org</link><wp:wxr_version>1.2</wp:wxr_version>"
        "<item><title>Water</title><link>https://old.example.org/water/</link><wp:post_id>3</wp:post_id>"
        "<wp:post_date_gmt>2019-03-01 08:00:00</wp:post_date_gmt>"
        "<wp:post_modified_gmt>2021-06-30 17:45:10</wp:post_modified_gmt>"
        "<wp:post_name>water</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
        "<content:encoded><![CDATA[<p>Scarce.</p>]]></content:encoded></item></channel></rss>",
        encoding="utf-8",
    )
    call_command("import_articles", str(export), verbosity=0)
    _, data = json_ld(client, Article.objects.get())
    assert (data["datePublished"], data["dateModified"]) == ("2019-03-01T08:00:00+00:00", "2021-06-30T17:45:10+00:00")
