"""The links each article cites, written after its import or save: a ``Link`` per URL (made on
first sight) and a ``LinkCitation`` per body or note citing it, the article's set replaced whole."""

from __future__ import annotations

from django.contrib.sites.models import Site
from django.db import transaction
from django.utils import timezone

from articles.models import Article, Footnote, Link, LinkCitation
from articles.models.links import link_citations_changed, link_key

from .extract import body_urls, host_of, note_urls

# Keys per ``IN (...)``: well inside every backend's limit on parameters.
CHUNK = 500


def own_hosts() -> frozenset[str]:
    """The site's own host names: links to them are not outgoing."""
    return frozenset(domain.split(":")[0].lower() for domain in Site.objects.values_list("domain", flat=True))


def cited_urls(article_ids, hosts: frozenset[str]) -> set[tuple[str, int, int | None]]:
    """(url, article id, note id or None for the body) for every outgoing URL these articles cite."""
    cited = set()
    for pk, body in Article.objects.filter(pk__in=article_ids).values_list("pk", "body").iterator(chunk_size=CHUNK):
        cited.update((url, pk, None) for url in body_urls(body, hosts))
    notes = Footnote.objects.filter(article_id__in=article_ids).values_list("pk", "article_id", "url", "text",
                                                                           "found_url")
    for pk, article_id, url, text, found_url in notes.iterator(chunk_size=CHUNK):
        cited.update((u, article_id, pk) for u in note_urls(url=url, text=text, found_url=found_url, own_hosts=hosts))
    return cited


def links_for(urls) -> dict[str, int]:
    """{url: Link id}, the links not seen before made now (due for their first check)."""
    urls = sorted(set(urls))
    now = timezone.now()
    ids = {}
    for start in range(0, len(urls), CHUNK):
        chunk = urls[start : start + CHUNK]
        # A concurrent recording of the same URL makes its row first: that one is kept.
        Link.objects.bulk_create(
            [Link(key=link_key(url), url=url, host=host_of(url)[:255], first_seen=now) for url in chunk],
            ignore_conflicts=True,
        )
        keys = {link_key(url): url for url in chunk}
        ids.update((keys[key], pk) for key, pk in Link.objects.filter(key__in=keys).values_list("key", "pk"))
    return ids


def record_links(article_ids) -> int:
    """Replace the citations of these articles (those that exist) by what they cite now; tells the
    pages of the articles whose notes now show a link differently. Returns the citations written."""
    article_ids = sorted(set(article_ids))
    cited = cited_urls(article_ids, own_hosts())
    with transaction.atomic():
        ids = links_for(url for url, _, _ in cited)
        wanted = {(ids[url], article_id, note_id) for url, article_id, note_id in cited}
        existing = {}
        for start in range(0, len(article_ids), CHUNK):
            rows = LinkCitation.objects.filter(article_id__in=article_ids[start : start + CHUNK])
            existing.update(((link, a, n), pk) for pk, link, a, n in rows.values_list("pk", "link_id", "article_id",
                                                                                       "footnote_id"))
        gone = [pk for key, pk in existing.items() if key not in wanted]
        added = [LinkCitation(link_id=link, article_id=a, footnote_id=n) for link, a, n in wanted - existing.keys()]
        for start in range(0, len(gone), CHUNK):
            LinkCitation.objects.filter(pk__in=gone[start : start + CHUNK]).delete()
        # A recording of the same article running beside this one may have written them first.
        LinkCitation.objects.bulk_create(added, batch_size=CHUNK, ignore_conflicts=True)
        _tell_pages(wanted ^ existing.keys())
    return len(added)


def _tell_pages(changed: set[tuple[int, int, int | None]]) -> None:
    """Articles whose notes gained or lost a citation of a link they show more of than its URL."""
    noted = {(link, article) for link, article, note in changed if note is not None}
    if not noted:
        return
    shown = set()
    link_ids = sorted({link for link, _ in noted})
    for start in range(0, len(link_ids), CHUNK):
        chunk = Link.objects.filter(pk__in=link_ids[start : start + CHUNK])
        shown.update(link.pk for link in chunk.only("dead", "replacement_url", "archived_url") if link.shown)
    articles = sorted({article for link, article in noted if link in shown})
    if articles:
        link_citations_changed.send(sender=LinkCitation, article_ids=articles)
