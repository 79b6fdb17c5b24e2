"""The admin index's overview: the state of the archive, each figure a link to exactly its rows."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django_tasks_db.models import DBTaskResult

from articles.models import Article, Comment, ImportRecord, Link, LostLinkNote, Media


@dataclass
class Figure:
    label: str
    count: int
    url: str  # the admin list filtered to exactly these rows


def _link(user, model, **filters) -> str:
    opts = model._meta
    if not user.has_perm(f"{opts.app_label}.view_{opts.model_name}") and not user.has_perm(
        f"{opts.app_label}.change_{opts.model_name}"
    ):
        return ""
    try:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode(filters)}" if filters else url


def archive_overview(user) -> dict[str, list[Figure]]:
    """Seven queries: articles by status, pending comments, notes with lost links, dead links,
    imports with warnings, background tasks waiting, and media missing or failing their fixity check."""
    media = Media.objects.aggregate(
        missing=Count("id", filter=Q(status=Media.Status.MISSING)),
        fixity=Count("id", filter=Q(status=Media.Status.STORED, fixity_ok=False)),
    )
    by_status = dict(Article.objects.order_by().values_list("status").annotate(n=Count("id")))
    articles = [
        Figure(label, by_status.get(value, 0), _link(user, Article, status__exact=value))
        for value, label in Article.Status.choices
    ]
    attention = [
        Figure(
            "Comments awaiting moderation",
            Comment.objects.pending().count(),
            _link(user, Comment, status__exact=Comment.Status.PENDING),
        ),
        Figure(
            "Notes with lost links",
            LostLinkNote.objects.still_lost().count(),
            _link(user, LostLinkNote, found="no"),
        ),
        Figure("Links dead", Link.objects.dead().count(), _link(user, Link, dead__exact=1)),
        Figure(
            "Import records with warnings",
            ImportRecord.objects.with_warnings().count(),
            _link(user, ImportRecord, has_warnings__exact=1),
        ),
        Figure(
            "Background tasks waiting (search, related posts, pages)",
            DBTaskResult.objects.filter(status="READY").count(),
            _link(user, DBTaskResult, status__exact="READY"),
        ),
        Figure("Media files missing (not fetched)", media["missing"], _link(user, Media, status__exact="missing")),
        Figure("Media files failing the fixity check", media["fixity"], _link(user, Media, fixity_ok__exact=0)),
        Figure(
            "Scheduled to publish",
            by_status.get(Article.Status.SCHEDULED, 0),
            _link(user, Article, status__exact=Article.Status.SCHEDULED),
        ),
    ]
    # Least privilege: a figure about rows the user may not view is not shown at all.
    return {"articles": [f for f in articles if f.url], "attention": [f for f in attention if f.url]}
