"""Portable bulk SQL for related posts: ids read a chunk at a time, rows written without models.

Only portable SQL: the same results on SQLite and PostgreSQL (PostgreSQL gets arrays and COPY).
"""

from __future__ import annotations

from django.db import connection

from articles.models import Article

PUBLISHED = Article.Status.PUBLISHED
CHUNK = 500  # rows per IN (...) list: well under every backend's parameter limit
ARRAY_CHUNK = 10_000  # ids per = ANY(array) on PostgreSQL: bounds the rows one query returns


def select_in(sql, params, ids, *, per_query=None):
    """The rows of ``sql`` whose ``{ids}`` column is one of ``ids``, as they are read: a query with
    an array per ``per_query`` ids (``ARRAY_CHUNK`` unless told) on PostgreSQL, lists of at most
    ``CHUNK`` elsewhere. Plain tuples, no ORM (these reads are the bulk of a large import's
    related-posts work), and never all at once: every footnote of 100,000 articles would be ~100 MB
    of tuples (a query's rows all arrive before the first is read: ``per_query`` bounds them)."""
    if not ids:
        return
    per_query = per_query or ARRAY_CHUNK
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for chunk in chunks(ids, per_query if postgresql else min(per_query, CHUNK)):
            if postgresql:
                cursor.execute(sql.format(ids="= ANY(%s)"), [*params, chunk])
            else:
                cursor.execute(sql.format(ids=f"IN ({', '.join(['%s'] * len(chunk))})"), [*params, *chunk])
            while rows := cursor.fetchmany(5000):
                yield from rows


def chunks(items, size=None):
    """``items`` as lists of at most ``size`` (``CHUNK`` unless told)."""
    items, size = list(items), size or CHUNK
    for start in range(0, len(items), size):
        yield items[start : start + size]


def insert_rows(model, columns, rows):
    """Bulk rows given as plain values, without a model instance each: on PostgreSQL one
    ``INSERT ... SELECT FROM unnest(arrays)`` per 10,000 rows, executemany elsewhere."""
    table = connection.ops.quote_name(model._meta.db_table)
    fields = [model._meta.get_field(c) for c in columns]
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    rows = list(rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{f.rel_db_type(connection) if f.is_relation else f.db_type(connection)}[]"
                               for f in fields)
            sql = f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays})"
            for start in range(0, len(rows), 10000):
                cursor.execute(sql, [list(column) for column in zip(*rows[start : start + 10000], strict=True)])
            return
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        for start in range(0, len(rows), 50000):
            cursor.executemany(sql, rows[start : start + 50000])


def ts(value):
    """A date as seconds (0 for none): what recency compares."""
    return value.timestamp() if value else 0.0


def family(category_id, parents):
    """The category two articles share at one level up: the parent, or the root itself."""
    if category_id is None:
        return None
    parent = parents.get(category_id)
    return parent if parent is not None else category_id
