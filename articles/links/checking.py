"""A run of the link check: the links that are due, checked host by host in turn, each check
recorded and the link's state moved on (dead after two failures in a row)."""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from datetime import timedelta
from itertools import chain

from django.contrib.sites.models import Site
from django.db.models import F, Min, Q
from django.utils import timezone

from articles.models import Article, Link, LinkCheck

from .checker import FAILED, SKIPPED, LinkChecker
from .fetch import Fetcher, HostPacer
from .policy import LinkCheckPolicy, Result, get_policy
from .wayback import closest_snapshot

CLAIM_FOR = timedelta(hours=1)


def checker_for(policy: LinkCheckPolicy) -> LinkChecker:
    fetcher = Fetcher(
        user_agent=policy.user_agent(Site.objects.get_current().domain),
        timeout=policy.timeout,
        pacer=HostPacer(policy.host_interval),
        allow_private=policy.allow_private,
    )
    return LinkChecker(policy, fetcher)


def host_by_host(links: list[Link]) -> list[Link]:
    """One link of each host in turn: the pause between two requests to a host is spent on others."""
    queues = defaultdict(deque)
    for link in links:
        queues[link.host].append(link)
    rounds = []
    while queues:
        rounds.append([queue.popleft() for queue in queues.values()])
        queues = defaultdict(deque, {host: queue for host, queue in queues.items() if queue})
    return list(chain.from_iterable(rounds))


def check_due_links(limit: int | None = None, *, policy: LinkCheckPolicy | None = None) -> dict:
    """Check the links that are due (never checked first), at most ``limit`` (the policy's batch).
    Returns counts by outcome and how many links this run found dead."""
    policy = policy or get_policy()
    links = claim_due(limit or policy.batch)
    checker = checker_for(policy)
    counts = Counter({outcome: 0 for outcome in LinkCheck.Outcome.values} | {"dead_now": 0})
    checked = [(link, checker.check(link.url)) for link in host_by_host(links)]
    if policy.network_seems_down([(link.host, result) for link, result in checked]):
        checked = [(link, _not_counted(result)) for link, result in checked]
    for link, result in checked:
        was_dead = link.dead
        record_check(link, result, policy)
        counts[result.outcome] += 1
        counts["dead_now"] += link.dead and not was_dead
        if link.dead and not link.snapshot_url and policy.wayback_lookup:
            # None found (or no answer): asked again at the link's next check.
            link.snapshot_url = closest_snapshot(checker.fetcher, policy.wayback_api, link.url, _cited_on(link))
            if link.snapshot_url:
                link.save(update_fields=["snapshot_url"])
    return dict(counts)


def _not_counted(result: Result) -> Result:
    """A failure of a run in which no site answered: our network's, not the link's."""
    if result.outcome != FAILED:
        return result
    error = f"no site answered this run; the network here seemed down ({result.error})"
    return Result(SKIPPED, result.method, None, "", error[:300])


def claim_due(limit: int) -> list[Link]:
    """Up to ``limit`` due links, never-checked first, taken for this run: their next check is moved
    an hour on, so a run started meanwhile checks others (and a run stopped midway leaves them due
    again an hour later)."""
    now = timezone.now()
    lease = now + CLAIM_FOR
    due = Link.objects.due(now).order_by(F("next_check").asc(nulls_first=True), "pk")
    ids = list(due.values_list("pk", flat=True)[:limit])
    Link.objects.filter(pk__in=ids).filter(Q(next_check__isnull=True) | Q(next_check__lte=now)).update(
        next_check=lease)
    return list(Link.objects.filter(pk__in=ids, next_check=lease).order_by("pk"))


def record_check(link: Link, result: Result, policy: LinkCheckPolicy) -> None:
    """The check in the link's history, and the link's state after it (a skipped check changes
    nothing but when it is asked again)."""
    now = timezone.now()
    LinkCheck.objects.create(link=link, checked_at=now, outcome=result.outcome, method=result.method,
                             status=result.status, redirect_target=result.final_url, error=result.error)
    link.last_checked = now
    if result.outcome != SKIPPED:
        link.last_status, link.last_error, link.redirect_target = result.status, result.error, result.final_url
        if result.outcome == FAILED:
            link.failures_in_row += 1
            if link.failures_in_row >= policy.dead_after and not link.dead:
                link.dead, link.dead_since = True, now
        else:
            link.failures_in_row, link.dead, link.dead_since = 0, False, None
    link.next_check = now + policy.next_check_after(link.failures_in_row)
    link.save()


def _cited_on(link: Link):
    """The date the link was cited as of: its earliest citing article's publication, else first seen."""
    published = Article.objects.filter(link_citations__link=link).aggregate(first=Min("published_at"))["first"]
    return timezone.localdate(published or link.first_seen)
