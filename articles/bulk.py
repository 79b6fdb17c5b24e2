"""An import's batched rows written without Django's per-value compilation: COPY on PostgreSQL.

Kept only for the rows an import writes a batch at a time that carry text: new articles and their
footnotes (``importers/batch.py``) and what ``FileCache.flush`` writes (the articles' and footnotes'
revisions, import records, new articles' comments). Everything else uses ``bulk_create``; the
measurement that keeps this is in docs/architecture.md, "Mechanisms kept, and why".

``bulk_create`` passes every value of every row through the field machinery and, on PostgreSQL,
sends the rows as one array per column to ``UNNEST``, quoting each text in Python: costly for these
rows (the revisions carry whole bodies). Here the values a column takes as they are (text, numbers,
booleans, foreign keys, aware datetimes) are read with one ``attrgetter`` per row and the rest (JSON,
auto dates...) prepared by their field as ``bulk_create`` would, and the rows go to the server with
COPY.

Ids, when asked for, are taken from the table's sequence first (``nextval``, as the INSERT would),
so the rows come back with their primary keys as from ``bulk_create``. Elsewhere (SQLite) both
functions are ``bulk_create`` and simple-history's ``bulk_history_create``.

No signal is sent, as with ``bulk_create``.
"""

from __future__ import annotations

import time
from operator import attrgetter

from django.db import connections, models, router
from django.utils import timezone
from simple_history.utils import get_change_reason_from_object

# Columns whose Python value is what the database takes (``get_db_prep_save`` returns it unchanged).
_AS_IS = (
    models.CharField,  # and SlugField, EmailField, URLField
    models.TextField,
    models.IntegerField,  # and the small, big and positive ones
    models.BooleanField,
    models.FloatField,
    models.ForeignKey,  # the attname: the related row's id
    models.DateTimeField,
    models.DateField,
)


def insert(model, objs, *, ids: bool = False) -> list:
    """Insert ``objs`` (unsaved instances of ``model``), as ``bulk_create(objs)`` does; with
    ``ids``, each gets its primary key. Returns ``objs``."""
    objs = list(objs)
    if not objs:
        return objs
    using = router.db_for_write(model)
    connection = connections[using]
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objs)
    meta = model._meta
    pk = meta.pk
    with_pk = ids or objs[0].pk is not None
    if ids and any(obj.pk is None for obj in objs):
        _take_ids(connection, model, objs)
    fields = [f for f in meta.concrete_fields if with_pk or f is not pk]
    _copy(connection, meta.db_table, fields, objs)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = using
    return objs


def _take_ids(connection, model, objs) -> None:
    """Give ``objs`` ids from the table's sequence, and their references to one another those ids."""
    meta = model._meta
    for obj, value in zip(objs, _next_ids(connection, meta.db_table, meta.pk.column, len(objs)), strict=True):
        obj.pk = value
    # Rows of this batch referring to one another (a reply to a comment of the same batch): the
    # ids just taken, as a save takes a saved parent's (foreign keys are checked at the commit).
    for field in meta.concrete_fields:
        if field.is_relation and field.related_model is model:
            _point_at_related(field, objs)


def _point_at_related(field, objs) -> None:
    for obj in objs:
        related = field.get_cached_value(obj, None)
        if related is not None and getattr(obj, field.attname) is None:
            setattr(obj, field.attname, related.pk)


def assigns_ids(model) -> bool:
    """Whether ``insert(model, objs, ids=True)`` takes the ids before writing (so rows of one batch
    can refer to one another), as it does on PostgreSQL; ``bulk_create`` elsewhere cannot."""
    return connections[router.db_for_write(model)].vendor == "postgresql"


def insert_history(model, objs, *, update: bool = False) -> None:
    """The revisions simple-history's ``bulk_history_create(objs, update=update,
    default_change_reason=None)`` writes for ``objs`` (instances of ``model``, tracked by it)."""
    objs = list(objs)
    if not objs:
        return
    history = model.history.model
    using = router.db_for_write(history)
    connection = connections[using]
    if connection.vendor != "postgresql":
        model.history.bulk_history_create(objs, update=update, default_change_reason=None)
        return
    assert not hasattr(history, "history_relation"), "a history_relation is not written here"
    tracked = list(history.tracked_fields)
    columns, extra = _history_columns(history, tracked)
    values = attrgetter(*[f.attname for f in tracked]) if len(tracked) > 1 else None
    history_type = "~" if update else "+"
    rows = []
    # The request's user (or None), the same for every row without a user of its own: asked once
    # (simple-history's default ``get_user`` looks only at the request; this project sets no other).
    default_user = history.get_default_history_user(model())
    for obj in objs:
        user = getattr(obj, "_history_user", default_user)
        own = values(obj) if values else (getattr(obj, tracked[0].attname),)
        rows.append(
            (*own, getattr(obj, "_history_date", None) or timezone.now(), getattr(user, "pk", user),
             get_change_reason_from_object(obj) or None, history_type,
             *[f.get_db_prep_save(f.get_default(), connection) for f in extra])
        )
    _copy_rows(connection, history._meta.db_table, columns, rows)


def _history_columns(history, tracked) -> tuple[list[str], list]:
    """The columns of a revision row: the tracked fields', simple-history's own, then those of the
    fields the history model adds (a base's, such as the revision's snapshot), which get their defaults."""
    meta = history._meta
    own_fields = ["history_date", "history_user", "history_change_reason", "history_type"]
    columns = [meta.get_field(f.name).column for f in tracked] + [meta.get_field(n).column for n in own_fields]
    extra = [f for f in meta.concrete_fields if f.column not in columns and f is not meta.pk]
    return columns + [f.column for f in extra], extra


def _next_ids(connection, table, column, count):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(table), column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(connection, table, fields, objs):
    as_is = [f for f in fields if isinstance(f, _AS_IS) and not _auto_date(f)]
    prepared = [f for f in fields if f not in as_is]
    get = attrgetter(*[f.attname for f in as_is]) if len(as_is) > 1 else None
    rows = []
    for obj in objs:
        row = get(obj) if get else tuple(getattr(obj, f.attname) for f in as_is)
        if prepared:
            row = (*row, *[f.get_db_prep_save(f.pre_save(obj, True), connection) for f in prepared])
        rows.append(row)
    _copy_rows(connection, table, [f.column for f in as_is + prepared], rows)


def _auto_date(field):
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)


def _copy_rows(connection, table, columns, rows):
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN"
    started = time.monotonic()
    with connection.cursor() as cursor:
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    if connection.queries_logged:  # seen by assertNumQueries and the debug toolbar, as an execute is
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})
