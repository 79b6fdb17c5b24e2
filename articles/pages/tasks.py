"""The pages' background work: article pages and their cards rendered and stored ahead of their
first reader; the front cache purged of what a write changed."""

from django_tasks import task

from . import cards, purge, rendering


@task()
def render_article_pages(article_ids: list[int]) -> int:
    """Render and store these articles' pages (a rendering invalidated meanwhile is left for the
    next write or reader, see ``rendering.store``). Returns how many were stored."""
    return rendering.refresh(article_ids)


@task()
def render_article_cards(article_ids: list[int]) -> int:
    """Render and store these articles' cards alone (``cards.refresh``): after a write that changes
    what a card shows but leaves the page to be rendered by its first reader. Returns how many."""
    return cards.refresh(article_ids)


@task()
def purge_front_cache(keys: list[str]) -> int:
    """Purge the pages carrying these keys (the page cache's scopes) from the front cache; returns
    the number of purge requests sent."""
    return purge.send(keys)
