"""The body's part of many search vectors, worked out on a second connection while a bulk write goes on.

Of a stored vector (title A, summary B, body C, footnotes D) nearly all the cost is the body's
``to_tsvector``: about a millisecond and a quarter of the server's time for a 1,500-word article,
most of what an import's ``refresh_search_vectors`` spends. It is a pure function of the body's
text, so it need not wait for the rows or run in the import's transaction: ``BodyVectors`` sends
the bodies, a hundred at a time, to a second connection from a thread of its own (the server
computes there, on another core, while this process parses and loads what comes next), and keeps
what comes back, keyed by the article and the MD5 of the body it was computed from.

``refresh_search_vectors(ids, body_vectors)`` then takes a body's part from there only when the
row's body still has that digest (``md5(body)`` in the UPDATE), and computes it as before
otherwise: whatever happened to an article after its body was sent, the vector written is the one
``refresh_search_vector`` would write. Results are held in a temporary table of the import's
transaction (``drain``, every few hundred articles), not in this process's memory.

PostgreSQL only; if the second connection fails, every body is simply computed in the UPDATE.
"""

from __future__ import annotations

import hashlib
import logging
from concurrent.futures import ThreadPoolExecutor

import psycopg
from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)

TABLE = "archive_body_vectors"
BATCH = 100
# The body's part exactly as ``SearchVector("body", weight="C", config=...)`` writes it.
BODY_PART = "setweight(to_tsvector(%s::regconfig, COALESCE({body}, '')), 'C')"


def body_digest(body: str) -> str:
    """What PostgreSQL's ``md5(body)`` gives for ``body`` (the database is UTF-8)."""
    return hashlib.md5((body or "").encode("utf-8")).hexdigest()


class BodyVectors:
    def __init__(self):
        self._waiting: list[tuple[int, str, str]] = []  # (article id, digest, body), not sent yet
        self._sent = []  # futures of [(article id, digest, vector as text)], in order
        self._executor = None
        self._worker_connection = None
        self._failed = False

    def add(self, article_id, body) -> None:
        """Work out ``body``'s part for ``article_id`` (sent with the next hundred)."""
        if self._failed or article_id is None:
            return
        self._waiting.append((article_id, body_digest(body), body or ""))
        if len(self._waiting) >= BATCH:
            self._send()

    def drain(self) -> None:
        """Write the parts computed so far into this transaction's temporary table.

        ``refresh_search_vectors`` reads them there; the rows go when the transaction ends.
        """
        if self._waiting:
            self._send()
        rows = []
        while self._sent:
            future = self._sent.pop(0)
            try:
                rows.extend(future.result())
            except Exception:  # the second connection failed: those bodies are computed in the UPDATE
                logger.exception("Search vectors of %s bodies could not be worked out ahead.", BATCH)
                self._failed = True
        self._ensure_table()
        if rows:
            from articles.bulk import copy_table_rows

            copy_table_rows(TABLE, ["id", "digest", "vector"], rows)

    def close(self) -> None:
        if self._executor is not None:
            if self._worker_connection is not None or self._sent:
                self._executor.submit(self._close_worker_connection)
            self._executor.shutdown(wait=True)
            self._executor = None
        self._sent, self._waiting = [], []

    # -- the worker thread -----------------------------------------------------------------
    def _send(self):
        batch, self._waiting = self._waiting, []
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-vectors")
        self._sent.append(self._executor.submit(self._compute, batch, settings.ARCHIVE_SEARCH_CONFIG))

    def _compute(self, batch, config):
        if self._worker_connection is None:
            # Its own connection (autocommit; it reads no table), with server-side parameters: the
            # bodies go in binary, as they are, with no escaping.
            params = {**connection.get_connection_params(), "cursor_factory": psycopg.Cursor, "autocommit": True}
            self._worker_connection = psycopg.connect(**params)
        rows = self._worker_connection.execute(
            "SELECT " + BODY_PART.format(body="b") + "::text FROM unnest(%s::text[]) WITH ORDINALITY AS t(b, n) "
            "ORDER BY n",
            [config, [body for _, _, body in batch]],
            binary=True,
        ).fetchall()
        vectors = [row[0] for row in rows]
        return [(article_id, digest, vector) for (article_id, digest, _), vector in zip(batch, vectors, strict=True)]

    def _close_worker_connection(self):
        if self._worker_connection is not None:
            self._worker_connection.close()
            self._worker_connection = None

    def _ensure_table(self):
        with connection.cursor() as cursor:
            # Dropped at the end of the transaction; IF NOT EXISTS: a savepoint rolled back may have
            # taken it with it, and then it is made again.
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {TABLE} "
                "(id bigint NOT NULL, digest text NOT NULL, vector tsvector NOT NULL) ON COMMIT DROP"
            )
