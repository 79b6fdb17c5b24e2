"""The link check, run against a local HTTP server of the test's own (never the internet): what
each answer is recorded as, dead after two failures in a row, robots.txt, HEAD then GET, a pause
between requests to a host, no private addresses unless allowed, and its place on the task queue."""

import datetime as dt
from itertools import pairwise

import pytest
from django.contrib.sites.models import Site
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles.links.checking import check_due_links, claim_due
from articles.links.record import record_links
from articles.links.tasks import check_links, schedule_link_checks
from articles.models import Footnote, Link, LinkCheck
from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def server(link_server):
    return link_server


def cite(*urls, published=None):
    """An article whose notes cite ``urls``, one a note, its links recorded as after its commit."""
    article = make_article(published=published)
    for number, url in enumerate(urls, start=1):
        Footnote.objects.create(article=article, number=number, text=f"See {url}", url=url)
    record_links([article.pk])
    return article


def due_again():
    Link.objects.update(next_check=timezone.now() - dt.timedelta(seconds=1))


def test_each_answer_is_recorded_as_the_checker_found_it(server):
    paths = ["/ok", "/a", "/missing", "/gone", "/error", "/slow", "/loop-1", "/no-head", "/private/page"]
    cite(*(server.url(path) for path in paths))
    report = check_due_links()
    assert report == {"ok": 3, "failed": 5, "skipped": 1, "dead_now": 0}
    checks = {c.link.url.rsplit(":", 1)[1].split("/", 1)[1]: (c.outcome, c.method, c.status, c.redirect_target, c.error)
              for c in LinkCheck.objects.select_related("link")}
    assert checks == {
        "ok": ("ok", "HEAD", 200, "", ""),
        "a": ("ok", "HEAD", 200, server.url("/ok"), ""),  # a chain of three 301s, to its end
        "missing": ("failed", "HEAD", 404, "", ""),
        "gone": ("failed", "HEAD", 410, "", ""),
        "error": ("failed", "HEAD", 500, "", ""),
        "slow": ("failed", "HEAD", None, "", "no answer within 0.5 s"),
        "loop-1": ("failed", "HEAD", None, "", "redirect loop"),
        "no-head": ("ok", "GET", 200, "", ""),  # HEAD refused (405): asked again with GET
        "private/page": ("skipped", "", None, "", "robots.txt asks not to check it"),
    }
    asked = server.asked()
    assert asked.count(("GET", "/robots.txt")) == 1  # once per site and run
    assert ("HEAD", "/private/page") not in asked and ("GET", "/private/page") not in asked
    assert [path for method, path in asked if method == "GET"] == ["/robots.txt", "/no-head"]
    domain = Site.objects.get_current().domain
    assert {agent for *_, agent, _ in server.requests} == {f"The Archive link checker (+https://{domain}/)"}


def test_a_link_that_answered_is_checked_again_in_a_month_a_failing_one_the_next_day(server):
    cite(server.url("/ok"), server.url("/missing"))
    before = timezone.now()
    check_due_links()
    ok, missing = Link.objects.get(url=server.url("/ok")), Link.objects.get(url=server.url("/missing"))
    assert (ok.last_status, ok.failures_in_row, ok.dead) == (200, 0, False)
    assert (missing.last_status, missing.failures_in_row, missing.dead) == (404, 1, False)
    assert dt.timedelta(days=30) <= ok.next_check - before < dt.timedelta(days=30, minutes=1)
    assert dt.timedelta(days=1) <= missing.next_check - before < dt.timedelta(days=1, minutes=1)
    assert check_due_links() == {"ok": 0, "failed": 0, "skipped": 0, "dead_now": 0}  # nothing due yet


def test_a_link_is_dead_after_two_failed_checks_in_a_row_and_alive_again_once_it_answers(server):
    cite(server.url("/ok"))
    server.broken.add("/ok")
    check_due_links()
    link = Link.objects.get()
    assert (link.failures_in_row, link.dead, link.dead_since) == (1, False, None)
    due_again()
    assert check_due_links()["dead_now"] == 1
    link.refresh_from_db()
    assert (link.failures_in_row, link.dead, link.dead_since) == (2, True, link.last_checked)
    server.broken.clear()
    due_again()
    check_due_links()
    link.refresh_from_db()
    assert (link.last_status, link.failures_in_row, link.dead, link.dead_since) == (200, 0, False, None)
    assert list(LinkCheck.objects.filter(link=link).order_by("checked_at").values_list("outcome", "status")) == [
        ("failed", 404), ("failed", 404), ("ok", 200)]


def test_failures_that_are_not_in_a_row_leave_a_link_alive(server):
    cite(server.url("/ok"))
    for broken in (True, False, True):
        if broken:
            server.broken.add("/ok")
        else:
            server.broken.clear()
        due_again()
        check_due_links()
    link = Link.objects.get()
    assert (link.failures_in_row, link.dead) == (1, False)


def test_private_and_loopback_addresses_are_never_asked_unless_a_setting_allows_it(server, settings):
    settings.ARCHIVE_LINK_CHECK_ALLOW_PRIVATE = False
    cite(server.url("/ok"))
    assert check_due_links() == {"ok": 0, "failed": 0, "skipped": 1, "dead_now": 0}
    check = LinkCheck.objects.get()
    assert (check.outcome, check.error) == (
        "skipped", "127.0.0.1 is a private or local address (127.0.0.1): not checked")
    assert server.requests == []
    link = Link.objects.get()
    assert (link.last_status, link.failures_in_row, link.dead) == (None, 0, False)


def test_requests_to_one_host_are_spaced_and_other_hosts_are_asked_in_between(server, settings):
    settings.ARCHIVE_LINK_CHECK_HOST_INTERVAL = 0.3
    cite(server.url("/ok?1"), server.url("/ok?2"), server.url("/ok?3", host="localhost"))
    check_due_links()
    heads = [(host, path) for _, method, path, _, host in server.requests if method == "HEAD"]
    assert heads == [("127.0.0.1", "/ok?1"), ("localhost", "/ok?3"), ("127.0.0.1", "/ok?2")]
    for host in ("127.0.0.1", "localhost"):
        times = [when for when, *_, name in server.requests if name == host]
        assert all(later - earlier >= 0.3 for earlier, later in pairwise(times)), (host, times)


def test_links_no_longer_cited_are_not_checked(server):
    article = cite(server.url("/ok"))
    article.footnotes.all().delete()
    record_links([article.pk])
    assert Link.objects.count() == 1
    assert check_due_links() == {"ok": 0, "failed": 0, "skipped": 0, "dead_now": 0}
    assert server.requests == []


def test_the_check_task_checks_what_is_due_and_queues_its_next_run_for_the_next_day(task_queue, server):
    cite(server.url("/ok"))
    now = timezone.now()
    assert check_links.call() == {"ok": 1, "failed": 0, "skipped": 0, "dead_now": 0}
    following = DBTaskResult.objects.get(task_path="articles.links.tasks.check_links")
    assert dt.timedelta(hours=23) < following.run_after - now < dt.timedelta(hours=25)
    assert schedule_link_checks() is False  # one run waits at a time


def test_the_check_task_queues_its_next_run_at_once_while_more_links_are_due(task_queue, server, settings):
    settings.ARCHIVE_LINK_CHECK_BATCH = 1
    cite(server.url("/ok"), server.url("/gone"))  # links are made in their URLs' order: /gone first
    now = timezone.now()
    assert check_links.call() == {"ok": 0, "failed": 1, "skipped": 0, "dead_now": 0}
    following = DBTaskResult.objects.get(task_path="articles.links.tasks.check_links")
    assert following.run_after - now < dt.timedelta(minutes=1)


def test_schedule_maintenance_queues_the_link_check_once(task_queue, capsys):
    call_command("schedule_maintenance")
    call_command("schedule_maintenance")
    out = capsys.readouterr().out
    assert out.count("Link check queued") == 1
    assert out.count("The link check is already queued") == 1
    assert DBTaskResult.objects.filter(task_path="articles.links.tasks.check_links").count() == 1


def test_the_command_records_every_articles_links_then_checks_them(server, capsys):
    article = make_article(body=f'<p><a href="{server.url("/ok")}">A</a> <a href="{server.url("/gone")}">B</a></p>')
    assert Link.objects.count() == 0  # written without a commit: not recorded yet
    call_command("check_links", "--record")
    assert capsys.readouterr().out.splitlines() == [
        "Recorded the links of 1 article(s): 2 cited.",
        "Checked 2 link(s): 1 answered, 1 failed, 0 not checked (robots.txt or a private address); 0 found dead. "
        "Dead links now: 0.",
    ]
    assert set(Link.objects.values_list("citations__article", flat=True)) == {article.pk}


def test_the_command_refuses_a_negative_limit_and_checks_nothing(server):
    cite(server.url("/ok"))
    with pytest.raises(CommandError, match="--limit must be 0 or more"):
        call_command("check_links", "--limit", "-1")
    assert server.requests == []


def test_links_another_run_has_taken_are_left_to_it(server):
    cite(server.url("/ok"), server.url("/gone"))
    taken = timezone.now() + dt.timedelta(minutes=30)  # as a run started a moment ago leaves them
    Link.objects.filter(url=server.url("/gone")).update(next_check=taken)
    assert check_due_links() == {"ok": 1, "failed": 0, "skipped": 0, "dead_now": 0}
    assert Link.objects.get(url=server.url("/gone")).next_check == taken
    assert server.asked("HEAD") == [("HEAD", "/ok")]


def test_a_run_takes_its_links_so_a_run_started_meanwhile_checks_none_of_them(server):
    cite(server.url("/ok"), server.url("/gone"))
    first = claim_due(10)
    assert sorted(link.url for link in first) == [server.url("/gone"), server.url("/ok")]
    assert claim_due(10) == []
    assert check_due_links() == {"ok": 0, "failed": 0, "skipped": 0, "dead_now": 0}
    assert server.requests == []


def test_a_run_in_which_no_site_answers_counts_against_no_link(server, settings):
    """Offline (no resolver, a firewall): every host fails alike, and no link is one failure nearer
    being dead; it is asked again the next day."""
    settings.ARCHIVE_LINK_CHECK_HOST_INTERVAL = 0
    cite("https://one.invalid/a", "https://two.invalid/b", "https://three.invalid/c")
    for _ in range(2):
        due_again()
        assert check_due_links() == {"ok": 0, "failed": 0, "skipped": 3, "dead_now": 0}
    assert set(Link.objects.values_list("failures_in_row", "dead")) == {(0, False)}
    assert LinkCheck.objects.filter(error__startswith="no site answered this run").count() == 6


def test_hosts_that_do_not_resolve_fail_when_another_site_answers_in_the_same_run(server, settings):
    settings.ARCHIVE_LINK_CHECK_HOST_INTERVAL = 0
    cite(server.url("/ok"), "https://one.invalid/a", "https://two.invalid/b", "https://three.invalid/c")
    assert check_due_links() == {"ok": 1, "failed": 3, "skipped": 0, "dead_now": 0}
    assert Link.objects.filter(failures_in_row=1).count() == 3
