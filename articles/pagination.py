"""A paginator whose COUNT(*) is computed once per version of the lists, not on every request.

Counting the articles of a large category is slow on PostgreSQL, and every page of every list asks
for it. The count is kept in the cache under the query's SQL and the current
``site``/``listings`` versions (articles/pages/cache.py): any write that changes a list bumps the version,
so a count is never stale.
"""

import hashlib

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

from articles.pages.cache import versioned


class VersionedCountPaginator(Paginator):
    @cached_property
    def count(self):
        if not isinstance(self.object_list, QuerySet):
            return super().count
        try:
            sql, params = self.object_list.query.sql_with_params()
        except EmptyResultSet:
            return 0
        digest = hashlib.sha256(f"{self.object_list.db}:{sql}:{params!r}".encode()).hexdigest()[:32]
        return versioned(f"count:{digest}", lambda: Paginator.count.func(self))
