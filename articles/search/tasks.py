"""Search's background work: the stored vectors of articles just written."""

from django_tasks import task

from articles.pages.cache import invalidate_listings

from .vector import refresh_search_vectors


@task()
def update_search_vectors(article_ids: list[int]) -> int:
    """Write the search vectors of these articles (those that still exist); search pages show them
    from now on, so the listings' cached pages are made stale. Returns how many were asked."""
    refresh_search_vectors(article_ids)
    invalidate_listings()
    return len(article_ids)
