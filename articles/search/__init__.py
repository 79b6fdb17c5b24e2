"""Full-text search: the vector is written with the article, read with one indexed query.

PostgreSQL stores a weighted ``tsvector`` per article (title A, summary B, body C, footnotes D) in
``Article.search_vector`` (GIN-indexed), ranks matches and highlights snippets with ``ts_headline``.
SQLite has no such thing, so there the same interface falls back to case-insensitive matching of
every word of the query in the title, summary, body or a footnote.
"""

from .query import MAX_QUERY_CHARS, SearchTerms, parse_query, search_articles, snippet
from .vector import refresh_search_vector, refresh_search_vectors, uses_postgres_search

__all__ = [
    "MAX_QUERY_CHARS",
    "SearchTerms",
    "parse_query",
    "refresh_search_vector",
    "refresh_search_vectors",
    "search_articles",
    "snippet",
    "uses_postgres_search",
]
