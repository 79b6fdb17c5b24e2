"""Parsing ahead in a forked process (``articles.importers.ahead``) imports exactly what parsing in
the loading process does: the same rows, outcomes, warnings and failures, in the same order."""

import io
import multiprocessing

import pytest
from django.core.management import call_command
from django.db import transaction

from articles import prefill
from articles.importers import ahead, pipeline
from articles.importers.pipeline import import_paths
from articles.related.policy import term_counts
from articles.sanitize import clean_html
from articles.workers import can_fork
from tests.benchmarks.datasets import write_seed_files, write_wxr
from tests.factories import FIXTURES
from tests.test_batch_import import outcomes, rows

pytestmark = [pytest.mark.django_db, pytest.mark.skipif(not can_fork(), reason="no fork on this platform")]

THEME = FIXTURES / "wxr" / "themeunittestdata.wordpress.xml"
FOOTNOTES = FIXTURES / "wxr" / "footnotes-wp63.xml"


def _report(result):
    return (result.file_name, result.format, result.error, outcomes(result), result.warnings, result.skipped,
            [item.warnings for item in result.items])


def ahead_and_here(paths, **options):
    """(rows, reports) after importing ``paths`` parsed ahead, then parsed here, from the same start."""
    runs = []
    for parse_ahead in (True, False):
        start = transaction.savepoint()
        reports = [_report(result) for _, result in import_paths(paths, ahead=parse_ahead, **options)]
        runs.append((rows(), reports))
        transaction.savepoint_rollback(start)
    return runs


def test_wordpress_exports_parsed_ahead_import_what_parsing_here_imports(tmp_path, monkeypatch):
    monkeypatch.setattr(ahead, "BATCH", 3)  # many messages, the last one short
    generated = write_wxr(tmp_path / "export.xml", 20, seed=4)
    parsed_ahead, here = ahead_and_here([THEME, FOOTNOTES, generated], include_pages=True)
    assert parsed_ahead == here
    written, reports = parsed_ahead
    assert written["comments"] and written["footnotes"] and reports[0][5]  # skipped attachments, counted
    assert {outcome for report in reports for _, outcome, _ in report[3]} == {"created"}


def test_seed_files_parsed_ahead_import_what_parsing_here_imports(tmp_path, monkeypatch):
    monkeypatch.setattr(ahead, "FILES_BATCH", 4)
    monkeypatch.setattr(pipeline, "GROUP_ITEMS", 5)  # several groups
    paths = write_seed_files(tmp_path / "seed", 12, seed=9)
    paths[5].write_text("not an article at all\n", encoding="utf-8")  # a file that fails alone
    paths.insert(7, THEME)  # a large file between small ones: its own transaction
    parsed_ahead, here = ahead_and_here(paths)
    assert parsed_ahead == here
    reports = parsed_ahead[1]
    assert [report[0] for report in reports] == [p.name for p in paths]
    assert reports[5][2] and not reports[4][2]


def test_a_file_broken_half_way_fails_whole_with_the_same_message(tmp_path):
    broken = tmp_path / "broken.xml"
    text = write_wxr(tmp_path / "export.xml", 8, seed=3).read_text()
    cut = text.index("<item>", text.index("<item>") + 1000)
    broken.write_text(text[:cut] + "<item><title>Cut off</wrong></item>")
    parsed_ahead, here = ahead_and_here([broken])
    assert parsed_ahead == here
    written, [report] = parsed_ahead
    assert report[2] and not written["articles"]


def test_a_loader_that_stops_reading_stops_the_parsing_process(tmp_path, monkeypatch):
    monkeypatch.setattr(ahead, "BATCH", 1)  # the child waits on a full pipe, well before the end
    path = write_wxr(tmp_path / "export.xml", 30, seed=2)
    from articles.importers.formats import FORMATS

    before = set(multiprocessing.active_children())
    with open(path, "rb") as stream:
        parsed = ahead.parse(FORMATS["wxr"], stream, path.name)
        articles = iter(parsed.articles)
        first = next(articles)
        children = set(multiprocessing.active_children()) - before
        assert len(children) == 1
        articles.close()  # as a failed load leaves it
    assert first.title and not any(child.is_alive() for child in children)


def test_results_worked_out_ahead_are_taken_only_for_their_own_input():
    body = "<p>Glaciers <script>x()</script>retreat.</p>"
    with prefill.prefilled():
        prefill.give([(clean_html.worked_out(body)[0], "handed in")])
        assert clean_html("<p>Another body.</p>") == "<p>Another body.</p>"
        assert clean_html(body) == "handed in"  # taken once
        assert clean_html(body) == "<p>Glaciers retreat.</p>"
    prefill.give([(clean_html.worked_out(body)[0], "handed in")])  # outside a block: ignored
    assert clean_html(body) == "<p>Glaciers retreat.</p>"
    key, counts = term_counts.worked_out("Glaciers", "<p>Ice</p>", title_boost=3)
    with prefill.prefilled():
        prefill.give([(key, counts)])
        assert term_counts("Glaciers", "<p>Ice</p>", title_boost=2) != counts  # other arguments
        assert term_counts("Glaciers", "<p>Ice</p>", title_boost=3) is counts


def test_at_most_limit_results_wait(monkeypatch):
    monkeypatch.setattr(prefill, "LIMIT", 2)
    with prefill.prefilled():
        prefill.give([(clean_html.worked_out(f"<p>{n}</p>")[0], f"given {n}") for n in range(3)])
        assert [clean_html(f"<p>{n}</p>") for n in range(3)] == ["<p>0</p>", "given 1", "given 2"]


def test_the_command_parses_ahead(tmp_path, monkeypatch):
    used = []
    real = ahead.parse_files
    monkeypatch.setattr(pipeline, "parse_files_ahead", lambda *args: used.append(1) or real(*args))
    write_seed_files(tmp_path / "seed", 3, seed=1)
    out = io.StringIO()
    call_command("import_articles", str(tmp_path / "seed"), stdout=out)
    assert used == [1]
    assert out.getvalue().strip().splitlines()[-1] == "3 file(s): 3 created, 0 updated, 0 unchanged, 0 failed"


def test_a_dry_run_has_no_term_counts_worked_out_to_wait_unasked(tmp_path, monkeypatch):
    # A dry run never indexes terms: counts handed in for it would wait in memory until evicted
    # (2,000 of them, ~90 MB, in a 20,000-item export's dry run).
    given = []
    monkeypatch.setattr(ahead, "give", lambda results: given.extend(key[0] for key, _ in results))
    path = write_wxr(tmp_path / "export.xml", 5, seed=2)
    for dry_run in (True, False):
        given.clear()
        with transaction.atomic():
            result = pipeline.import_path(path, dry_run=dry_run, ahead=True)
            transaction.set_rollback(True)
        assert [item.outcome for item in result.items] == ["created"] * 5
        names = {name.rsplit(".", 1)[-1] for name in given}
        assert names == ({"clean_html"} if dry_run else {"clean_html", "term_counts"})
