import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

KEYS = [
    "slug", "title", "url", "status", "published", "category", "categories", "authors", "tags", "summary",
    "body_html", "footnotes", "sources", "provenance",
]


def test_export_writes_one_json_line_per_article_with_the_documented_keys(seed_article, tmp_path):
    out = tmp_path / "export.jsonl"
    call_command("export_articles", "-o", str(out))
    lines = out.read_text().splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    assert [k for k in KEYS if k not in data] == []
    assert data["url"] == seed_article.get_absolute_url()
    assert data["published"] == "2016-01-02"
    assert data["category"] == ["Afghanistan", "Politics"]
    assert data["categories"] == [["Afghanistan", "Politics"]]
    assert len(data["footnotes"]) == 9
    assert data["footnotes"][1]["kind"] == "ibid"
    assert data["footnotes"][1]["source"] == data["footnotes"][0]["source"]
    assert data["footnotes"][5]["refers_to"] == 3
    assert data["footnotes"][2]["url_missing"] is True
    assert sorted(s["key"] for s in data["sources"]) == sorted({n["source"] for n in data["footnotes"] if n["source"]})
    assert data["provenance"][0]["format"] == "seedtext"
    assert data["provenance"][0]["file"] == "seed.txt"
