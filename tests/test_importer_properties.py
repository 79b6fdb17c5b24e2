"""Property-based: whatever bytes arrive, an importer imports or says what is wrong, and never half-writes."""

import io
import json

import pytest
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from articles.importers.pipeline import import_stream
from articles.models import Article, Author, Category, Footnote, ImportRecord, Source
from tests.factories import SEED_FILE
from tests.fuzz import FUZZ, HUNT

pytestmark = pytest.mark.django_db

SEED = SEED_FILE.read_bytes()
OUTCOMES = {"created", "updated", "unchanged"}


def counts():
    return tuple(m.objects.count() for m in (Article, Footnote, Source, Author, Category, ImportRecord))


def check_import(data: bytes, file_name: str, format_name: str):
    """Import inside a savepoint that is rolled back afterwards, so every example starts from the same rows."""
    with transaction.atomic():
        before = counts()
        result = import_stream(io.BytesIO(data), file_name, format_name=format_name)
        if result.error:
            assert result.error.startswith(f"{file_name}: "), result.error
            assert len(result.error) > len(file_name) + 10
            assert result.items == []
            assert counts() == before, "a refused file wrote rows"
        else:
            assert result.items, "neither an article nor an error"
            for item in result.items:  # an item may fail alone, with the reason (its savepoint wrote nothing)
                assert item.outcome in OUTCOMES or (item.outcome == "failed" and item.message), item
            created = sum(1 for item in result.items if item.outcome == "created")
            assert Article.objects.count() == before[0] + created
            for item in result.items:
                if item.outcome == "failed":
                    continue
                article = Article.objects.get(pk=item.article_id)
                assert article.title.strip()
                assert article.import_records.exists() or format_name == "jsonl"
        transaction.set_rollback(True)
    return result


def mutations(valid: bytes):
    """A valid file with a few bytes deleted, inserted, duplicated or replaced, or lines shuffled."""

    @st.composite
    def mutate(draw):
        data = bytearray(valid)
        for _ in range(draw(st.integers(1, 4))):
            if not data:
                break
            at = draw(st.integers(0, len(data) - 1))
            op = draw(st.sampled_from(["delete", "insert", "duplicate", "replace", "truncate", "swap-lines"]))
            span = draw(st.integers(1, 200))
            if op == "delete":
                del data[at:at + span]
            elif op == "insert":
                data[at:at] = draw(st.binary(min_size=1, max_size=40))
            elif op == "duplicate":
                data[at:at] = data[at:at + span]
            elif op == "replace":
                data[at:at + 1] = draw(st.sampled_from([b"\x00", b"\xff", b"[", b"]", b"\n", b"{", b'"', b"\\"]))
            elif op == "truncate":
                del data[at:]
            else:
                lines = bytes(data).split(b"\n")
                i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
                lines[i], lines[j] = lines[j], lines[i]
                data = bytearray(b"\n".join(lines))
        return bytes(data)

    return mutate()


# --- seed format -------------------------------------------------------------------------------

@FUZZ
@given(data=st.binary(max_size=3000))
def test_seedtext_arbitrary_bytes_import_or_fail_cleanly(data):
    check_import(data, "fuzz.txt", "seedtext")


@FUZZ
@given(data=mutations(SEED))
def test_seedtext_mutated_seed_imports_or_fails_cleanly(data):
    check_import(data, "seed.txt", "seedtext")


def test_a_utf16_bom_with_broken_utf16_is_refused_with_a_message():
    """Found by the property tests: the decoder's own UnicodeDecodeError escaped the importer."""
    result = check_import(b"\xfe\xff" + SEED, "seed.txt", "seedtext")
    assert result.error.startswith("seed.txt: the file starts like UTF-16 text but byte")


def test_a_paragraph_read_as_the_breadcrumb_is_cut_to_the_column_length():
    """Found by the property tests on PostgreSQL: a category name over 200 characters failed the insert."""
    paragraph = "A very long first line " * 20
    result = check_import(f"{paragraph}\n\nTitle\n\nPublished Date: January 2, 2016\n\nBody.\n".encode(),
                          "long.txt", "seedtext")
    assert [item.outcome for item in result.items] == ["created"], result.items


HEAD = "Region » Topic\n\nA title\n\nPublished Date: January 2, 2016\n\n"


@FUZZ
@given(body=st.text(alphabet=st.characters(codec="utf-8"), max_size=1500))
def test_seedtext_valid_header_with_arbitrary_text_imports_or_fails_cleanly(body):
    check_import((HEAD + body).encode("utf-8"), "text.txt", "seedtext")


# --- backups (jsonl) ---------------------------------------------------------------------------

VALID_LINE = {
    "slug": "an-article", "title": "An article", "url": "/articles/an-article/", "status": "published",
    "published": "2020-01-02", "published_at": "2020-01-02T10:00:00+00:00", "comments_open": True, "sticky": False,
    "original_url": "https://old.example.org/?p=1", "import_key": "seed:a.txt", "category": ["Region", "Topic"],
    "categories": [["Region", "Topic"], ["Other"]], "authors": ["A. Writer", "B. Writer"], "tags": ["one", "two"],
    "summary": "S.", "body_html": "<p>Body<sup class=\"footnote-ref\" id=\"fnref-1\"><a href=\"#fn-1\">1</a></sup></p>",
    "footnotes": [
        {"number": 1, "text": "Ruttig, How it began, 2014.", "kind": "citation", "prefix": "", "source": "ruttig-2014",
         "locator": "p. 4", "refers_to": None, "url": "", "url_missing": False},
        {"number": 2, "text": "Ibid.", "kind": "ibid", "prefix": "", "source": "ruttig-2014", "locator": "",
         "refers_to": 1, "url": "", "url_missing": True},
    ],
    "sources": [{"key": "ruttig-2014", "kind": "book", "authors": ["Ruttig, Thomas"], "title": "How it began",
                 "container": "", "publisher": "AAN", "place": "Kabul", "year": 2014, "url": ""}],
    "provenance": [{"file": "a.txt", "format": "seedtext", "sha256": "ab" * 32,
                    "imported_at": "2024-01-01T12:00:00.123456+00:00", "importer_version": "1", "outcome": "created",
                    "warnings": []}],
    "comments": [
        {"id": 7, "parent": None, "name": "R", "website": "", "submitted": "2021-01-01T00:00:00+00:00", "body": "Hi",
         "status": "approved", "email": "r@example.org"},
        {"id": 8, "parent": 7, "name": "S", "website": "https://s.example", "submitted": "2021-01-02T00:00:00+00:00",
         "body": "Re", "status": "pending", "email": ""},
    ],
}
VALID = (json.dumps(VALID_LINE) + "\n" + json.dumps({**VALID_LINE, "slug": "second", "import_key": None}) + "\n")


def test_the_valid_backup_used_below_restores():
    result = check_import(VALID.encode(), "backup.jsonl", "jsonl")
    assert [item.outcome for item in result.items] == ["created", "created"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=10,
)


@st.composite
def json_mutations(draw):
    """The valid line with values somewhere in it replaced by arbitrary JSON, or keys removed."""
    line = json.loads(json.dumps(VALID_LINE))
    for _ in range(draw(st.integers(1, 3))):
        node = line
        while True:
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            if not keys:
                break
            key = draw(st.sampled_from(keys))
            if isinstance(node[key], (dict, list)) and node[key] and draw(st.booleans()):
                node = node[key]
                continue
            if isinstance(node, dict) and draw(st.integers(0, 4)) == 0:
                del node[key]
            else:
                node[key] = draw(json_values)
            break
    return (json.dumps(line) + "\n").encode()


@FUZZ
@given(data=st.binary(max_size=2000))
def test_jsonl_arbitrary_bytes_restore_or_fail_cleanly(data):
    check_import(data, "fuzz.jsonl", "jsonl")


@FUZZ
@given(data=mutations(VALID.encode()))
def test_jsonl_mutated_bytes_restore_or_fail_cleanly(data):
    check_import(data, "backup.jsonl", "jsonl")


@settings(FUZZ, max_examples=HUNT or 80)
@given(data=json_mutations())
def test_jsonl_mutated_values_restore_or_fail_cleanly(data):
    check_import(data, "backup.jsonl", "jsonl")
