"""The pages' background work: article pages rendered and stored ahead of their first reader."""

from django_tasks import task

from . import rendering


@task()
def render_article_pages(article_ids: list[int]) -> int:
    """Render and store these articles' pages (a rendering invalidated meanwhile is left for the
    next write or reader, see ``rendering.store``). Returns how many were stored."""
    return rendering.refresh(article_ids)
