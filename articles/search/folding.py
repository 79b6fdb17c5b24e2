"""The same normalisation on both sides of search, for Dari and Pashto above all: Arabic letter
forms (ي ك ة …) as Persian ones, diacritics, tatweel and the zero-width non-joiner removed, "می شود"
joined like "می‌شود", Persian and Arabic-Indic digits as ASCII (``articles.languages.fold_for_search``,
with persiantools' letter table).

Queries are folded in Python. Stored text is folded where it is indexed: on PostgreSQL by SQL that
applies the very same table (``translate`` and ``regexp_replace``) inside the vector's UPDATE; on
SQLite, which has no vectors, by ``archive_fold``, the Python function registered on every
connection, which the fallback search compares with.
"""

from django.db.backends.signals import connection_created
from django.db.models import CharField, F, Func, TextField, Value
from django.dispatch import receiver

from articles import languages

SQLITE_FUNCTION = "archive_fold"


def folded_sql(expression):
    """``expression`` (text) folded in PostgreSQL exactly as ``fold_for_search`` folds in Python."""
    translated = Func(
        expression,
        Value(languages.SEARCH_FOLD_FROM),
        Value(languages.SEARCH_FOLD_TO),
        function="translate",
        output_field=TextField(),
    )
    return Func(
        translated,
        Value(languages.SPLIT_PREFIX_PATTERN),
        Value(r"\1\2"),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )


class SqliteFolded(Func):
    """A column folded on SQLite (the function ``register_sqlite_function`` adds)."""

    function = SQLITE_FUNCTION
    output_field = CharField()

    def __init__(self, field_name):
        super().__init__(F(field_name))


def _fold_or_none(text):
    return None if text is None else languages.fold_for_search(text)


@receiver(connection_created, dispatch_uid="search_sqlite_fold")
def register_sqlite_function(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 1, _fold_or_none, deterministic=True)
