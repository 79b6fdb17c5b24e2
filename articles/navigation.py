"""What the home page shows beside the list: the category tree and recently used tags."""

from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from taggit.models import Tag

from articles.models import Article, Category

RECENT_TAGS = 20


@dataclass
class CategoryNode:
    category: Category
    children: list = field(default_factory=list)


def category_tree():
    """Root nodes with nested children, from one query (paths sort parents before children)."""
    nodes, roots = {}, []
    for category in Category.objects.only("id", "parent_id", "name", "path").order_by("path"):
        node = nodes[category.id] = CategoryNode(category)
        parent = nodes.get(category.parent_id)
        (parent.children if parent else roots).append(node)
    return roots


def recent_tags(limit=RECENT_TAGS):
    """Tags of published articles, most recently used first, with how many articles carry each."""
    published = Q(article__status=Article.Status.PUBLISHED)
    return (
        Tag.objects.filter(published)
        .annotate(latest=Max("article__published_at", filter=published), n=Count("article", filter=published))
        .order_by("-latest", "name")[:limit]
    )
