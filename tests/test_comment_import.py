"""Comments carried by an import are upserted by the loader hook, threaded by the source's ids."""

import datetime as dt

import pytest
from django.db import transaction

from articles.importers.base import ParsedArticle, ParsedComment
from articles.importers.loader import file_cache, load_article
from articles.models import Comment

pytestmark = pytest.mark.django_db

WHEN = dt.datetime(2015, 5, 1, 12, 0, tzinfo=dt.UTC)


def parsed_with(comments, title="Imported With Comments"):
    return ParsedArticle(
        identity="wxr:https://old.example/#7", title=title, published_at=WHEN, body_html="<p>Body</p>",
        comments=comments,
    )


def parsed_comment(source_id, parent_id=None, **fields):
    values = dict(name=f"Person {source_id}", email=f"p{source_id}@example.org", website="https://p.example",
                  submitted=WHEN + dt.timedelta(hours=int(source_id)), body=f"Comment {source_id}", status="1")
    values.update(fields)
    return ParsedComment(source_id=str(source_id), parent_id=parent_id, **values)


def load(parsed):
    return load_article(parsed, file_name="export.xml", fmt="wxr", sha256="0" * 64)


def test_imported_comments_are_threaded_by_source_ids_and_reimport_is_idempotent():
    comments = [
        parsed_comment(3, parent_id="2", body="<p>Reply &amp; <b>more</b></p>"),  # a reply listed before its parent
        parsed_comment(2, parent_id="0"),
        parsed_comment(4, status="0", website="javascript:alert(1)"),
        parsed_comment(5, status="spam"),
        parsed_comment(6, status="trash"),
    ]
    item = load(parsed_with(comments))
    assert item.outcome == "created"
    rows = {c.import_id: c for c in Comment.objects.all()}
    assert sorted(rows) == ["2", "3", "4", "5", "6"]
    assert rows["3"].parent_id == rows["2"].pk and rows["2"].parent_id is None
    assert rows["3"].body == "Reply & more"
    assert [rows[k].status for k in "23456"] == ["approved", "approved", "pending", "spam", "removed"]
    assert rows["4"].website == ""
    assert rows["2"].ip_hash == "" and rows["2"].fingerprint == ""

    before = sorted(Comment.objects.values_list("pk", "import_id", "parent_id", "status", "body"))
    assert load(parsed_with(comments)).outcome == "unchanged"
    load(parsed_with(comments, title="Retitled"))  # the hook runs again on an updated article
    assert sorted(Comment.objects.values_list("pk", "import_id", "parent_id", "status", "body")) == before


def test_reimport_updates_text_but_keeps_the_moderators_decision():
    load(parsed_with([parsed_comment(2), parsed_comment(3, parent_id="2")]))
    Comment.objects.filter(import_id="2").update(status=Comment.Status.SPAM)
    load(parsed_with([parsed_comment(2, body="Edited at the source"), parsed_comment(3)], title="Changed"))
    first = Comment.objects.get(import_id="2")
    assert first.body == "Edited at the source" and first.status == Comment.Status.SPAM
    assert Comment.objects.get(import_id="3").parent_id is None
    assert Comment.objects.count() == 2


def test_a_source_time_without_a_zone_is_taken_as_utc():
    load(parsed_with([parsed_comment(2, submitted=dt.datetime(2015, 5, 1, 9, 30))]))
    assert Comment.objects.get().submitted_at == dt.datetime(2015, 5, 1, 9, 30, tzinfo=dt.UTC)


LOOPED = [
    parsed_comment(1, parent_id="2"), parsed_comment(2, parent_id="1"),  # a loop of replies
    parsed_comment(3, parent_id="1"),  # a reply under the loop
    parsed_comment(4), parsed_comment(5, parent_id="4"),  # a sound thread
    parsed_comment(6, parent_id="6"),  # its own parent
    parsed_comment(7, parent_id="99"),  # a reply to a comment the export does not have
]


def _threads():
    return {c.import_id: c.parent.import_id if c.parent_id else None for c in Comment.objects.select_related("parent")}


@pytest.mark.parametrize("batched", [False, True], ids=["one-at-a-time", "with-the-files-batched-rows"])
def test_reply_loops_in_an_export_start_threads_of_their_own(batched):
    if batched:  # as the pipeline loads: the comments are written with the file's other rows
        with transaction.atomic(), file_cache() as cache:
            assert load(parsed_with(LOOPED)).outcome == "created"
            cache.flush()
    else:
        assert load(parsed_with(LOOPED)).outcome == "created"
    assert _threads() == {"1": None, "2": None, "3": None, "4": None, "5": "4", "6": None, "7": None}
