"""Parsing a step ahead: a forked process parses (bytes in, plain data out) while this one loads.

A format's parse step touches no database, and neither do the pure steps the load then takes for
each article: sanitizing the body, counting its terms for related posts, the import digest. Here
a forked process does all of that for the articles ahead of the one being loaded and sends them,
a hundred at a time, through a pipe; this process loads each batch while the next is prepared.
The results of the pure steps travel with the articles and are taken by the functions that would
have computed them (``articles.prefill``), only for exactly the input they were computed from.

Two shapes: ``parse`` for one file whose articles stream (a WordPress export), ``parse_files``
for many small files parsed whole (seed-format articles). Both give what the in-process step
gives, in the same order, with the same warnings and the same ``ImportFailed`` at the same place;
without ``fork`` on the platform they simply parse here.

The child never touches the database connection it inherits and exits as soon as its work is
sent or the pipe is closed (this process stopped reading: a failed load, a Ctrl-C).
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import traceback

from articles.prefill import give
from articles.related.policy import get_policy, term_counts
from articles.sanitize import clean_html
from articles.workers import can_fork

from .base import ImportFailed

logger = logging.getLogger(__name__)

BATCH = 100  # articles a message (and how far the child runs ahead: one batch, plus the pipe's buffer)
FILES_BATCH = 50


def worked_out(article, title_boost, index_terms=True) -> list:
    """What loading ``article`` will ask of pure functions, computed here: sets its import digest
    and returns the (key, result) pairs for ``articles.prefill.give``. ``index_terms``: whether the
    load will count its terms (a dry run does not, nor an import that leaves the term index of its
    new articles for later: unasked, the counts would wait in memory)."""
    from .loader import import_digest

    article.digest_ahead = import_digest(article)
    results = [clean_html.worked_out(article.body_html)]
    if index_terms and article.status == "published":
        # As the term index counts a saved article: its title as stored, its body as sanitized.
        results.append(term_counts.worked_out(article.title[:500], results[0][1], title_boost=title_boost))
    return results


# -- one streaming file ------------------------------------------------------------------------------
def parse(fmt, stream, file_name, *, index_terms=True, **options):
    """``fmt.parse(stream, file_name, **options)``, run in a forked process (``index_terms``: as
    ``worked_out``)."""
    if not can_fork():
        return fmt.parse(stream, file_name, **options)
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_produce, args=(fmt, stream, file_name, options, sending, index_terms),
                            daemon=True)
    child.start()
    sending.close()
    try:
        kind, value = _receive(receiving)
        if kind != "header":
            _raise(kind, value)
    except BaseException:
        _stop(receiving, child)
        raise
    parsed = value
    parsed.articles = _articles(parsed, receiving, child)
    return parsed


def _produce(fmt, stream, file_name, options, sending, index_terms=True):
    _start_child()
    try:
        parsed = fmt.parse(stream, file_name, **options)
        articles = parsed.articles  # iterated here; ``finish`` is left to the loading process
        sending.send(("header", parsed.without_articles()))
        boost, batch = get_policy().title_boost, []
        for article in articles:
            batch.append((article, worked_out(article, boost, index_terms)))
            if len(batch) >= BATCH:
                sending.send(("articles", batch))
                batch = []
        sending.send(("articles", batch))
        sending.send(("end", parsed.without_articles()))
    except (BrokenPipeError, ConnectionResetError):
        pass  # the loading process stopped reading
    except ImportFailed as exc:
        _send_quietly(sending, ("failed", str(exc)))
    except BaseException:
        _send_quietly(sending, ("error", traceback.format_exc()))
    finally:
        sending.close()


def _articles(parsed, receiving, child):
    try:
        while True:
            kind, value = _receive(receiving)
            if kind == "articles":
                for article, results in value:
                    give(results)
                    yield article
            elif kind == "end":
                # Warnings and counts gathered while parsing; ``finish`` (here) reads them.
                parsed.__dict__.update({k: v for k, v in vars(value).items() if k != "articles"})
                return
            else:
                _raise(kind, value)
    finally:
        _stop(receiving, child)


# -- many small files ------------------------------------------------------------------------------
def parse_files(paths, parse_one, options):
    """``parse_one(path, **options)`` for each of ``paths``, in order, run in a forked process.

    ``parse_one`` gives an object with ``fmt`` (an import format or None) and ``articles``, or
    None; formats travel by name and are the loading process's own again on arrival.
    """
    paths = list(paths)
    if not can_fork() or len(paths) < 2:
        yield from (parse_one(path, **options) for path in paths)
        return
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_produce_files, args=(paths, parse_one, options, sending), daemon=True)
    child.start()
    sending.close()
    from .formats import FORMATS

    try:
        done = 0
        while done < len(paths):
            kind, value = _receive(receiving)
            if kind != "files":
                _raise(kind, value)
            for parsed, format_name, results in value:
                if parsed is not None:
                    parsed.fmt = FORMATS[format_name] if format_name else None
                give(results)
                done += 1
                yield parsed
    finally:
        _stop(receiving, child)


def _produce_files(paths, parse_one, options, sending):
    _start_child()
    try:
        boost, batch = get_policy().title_boost, []
        index_terms = not options.get("index_later")  # as ``parse``'s
        for path in paths:
            parsed = parse_one(path, **options)
            results, format_name = [], None
            if parsed is not None:
                format_name, parsed.fmt = (parsed.fmt.name if parsed.fmt else None), None
                for article in parsed.articles:
                    results.extend(worked_out(article, boost, index_terms))
            batch.append((parsed, format_name, results))
            if len(batch) >= FILES_BATCH:
                sending.send(("files", batch))
                batch = []
        if batch:
            sending.send(("files", batch))
    except (BrokenPipeError, ConnectionResetError):
        pass
    except BaseException:
        _send_quietly(sending, ("error", traceback.format_exc()))
    finally:
        sending.close()


# -- both ------------------------------------------------------------------------------------------
def _start_child():
    # A handler the parent installed (a command unwinding on SIGTERM) is not the child's to run.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the parent, which closes the pipe


def _receive(receiving):
    try:
        return receiving.recv()
    except EOFError:
        return "error", "the parsing process stopped without a word"


def _raise(kind, value):
    if kind == "failed":
        raise ImportFailed(value)
    raise RuntimeError(f"The parsing process failed:\n{value}")


def _send_quietly(sending, message):
    try:
        sending.send(message)
    except (BrokenPipeError, ConnectionResetError):
        pass


def _stop(receiving, child):
    receiving.close()  # a child still sending gets a broken pipe and exits
    child.join(timeout=5)
    if child.is_alive():
        child.terminate()
        child.join()
