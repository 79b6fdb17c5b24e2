"""What the home page shows beside the list: the category tree and recently used tags."""

from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.translation import get_language
from taggit.models import Tag

from articles.models import Article, Category, TaggedArticle
from articles.pages.cache import versioned

RECENT_TAGS = 20


@dataclass
class CategoryNode:
    category: Category
    children: list = field(default_factory=list)


def home_sidebar():
    """The home page's sidebar (category tree, recent tags) as HTML in the page's language.

    Rendered once per version of the lists and language (``versioned``), not on every request: the
    tree is every category with a link each. A write that changes it bumps ``site`` or ``listings``
    (``articles.pages.receivers``), a new category included.
    """
    return versioned(f"home-sidebar:{get_language()}:{get_script_prefix()}", _render_home_sidebar)


def _render_home_sidebar():
    return render_to_string(
        "includes/home_sidebar.html", {"category_tree": category_tree(), "recent_tags": recent_tags()}
    )


def category_tree():
    """Root nodes with nested children, from one query (paths sort parents before children)."""
    nodes, roots = {}, []
    for category in Category.objects.only("id", "parent_id", "name", "path").order_by("path"):
        node = nodes[category.id] = CategoryNode(category)
        parent = nodes.get(category.parent_id)
        (parent.children if parent else roots).append(node)
    return roots


def recent_tags(limit=RECENT_TAGS):
    """Tags of published articles, most recently used first (``latest``: that last use).

    Worked out once per version of the lists (``articles.pages.cache.versioned``) from the newest
    articles only, and counting nothing: grouping every tagging of the archive is slow on a large one.
    """
    return versioned(f"recent-tags:{limit}", lambda: _recent_tags(limit))


# The newest published articles whose tags are read: each tag's latest use among them is its latest
# use at all. Those last used after the oldest of them are shown, at most ``limit``: exactly the
# first of the archive's most recently used tags (fewer than ``limit`` when the newest carry fewer).
RECENT_SCAN = 400


def _recent_tags(limit):
    newest = list(Article.objects.published().order_by("-published_at", "-id").values_list("pk", "published_at")[
        :RECENT_SCAN])
    cutoff = newest[-1][1] if len(newest) == RECENT_SCAN else None  # None: the whole archive was read
    latest = _latest_uses(dict(newest))
    if cutoff is not None:
        latest = {tag_id: when for tag_id, when in latest.items() if when > cutoff}
    tags = list(Tag.objects.filter(pk__in=list(_as_recent_as_the_last(latest, limit))))
    for tag in tags:
        tag.latest = latest[tag.pk]
    return sorted(tags, key=lambda tag: (-tag.latest.timestamp(), tag.name))[:limit]


def _latest_uses(dated: dict) -> dict:
    """Tag id -> the latest publication date among the articles of ``dated`` (article id -> date) that carry it."""
    latest = {}
    for tag_id, article_id in TaggedArticle.objects.filter(content_object_id__in=list(dated)).values_list(
        "tag_id", "content_object_id"
    ):
        when = dated[article_id]
        if when is not None and (tag_id not in latest or when > latest[tag_id]):
            latest[tag_id] = when
    return latest


def _as_recent_as_the_last(latest: dict, limit: int) -> dict:
    """The tags of ``latest`` used as recently as the ``limit``-th most recent (ties included)."""
    if len(latest) <= limit:
        return latest
    last = sorted(latest.values(), reverse=True)[limit - 1]
    return {tag_id: when for tag_id, when in latest.items() if when >= last}
