"""Search's background work: the stored vectors of articles just written."""

from django_tasks import task

from .vector import refresh_search_vectors


@task()
def update_search_vectors(article_ids: list[int]) -> int:
    """Write the search vectors of these articles (those that still exist); search pages show them
    from now on (``vectors_written``). Returns how many were asked."""
    refresh_search_vectors(article_ids)
    return len(article_ids)
