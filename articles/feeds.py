"""RSS and Atom feeds for the whole site, each category and each tag (django.contrib.syndication)."""

import html
import re
from io import StringIO

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape, strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from taggit.models import Tag

from articles.models import Article, Category
from articles.models.article import FEED_BODY_HEAD, TAGGED_LISTING_KEY
from articles.pages.sites import fresh_site_cache

TEASER_WORDS = 60
# A tag or an entity cut short at the end of a body's head (``feed_entries``' ``body_head``).
_CUT_MARKUP_RE = re.compile(r"<[^>]*$|&[#\w]*$")


# Where a block ends, its text ends: without a space there, strip_tags runs two paragraphs' words together.
_BLOCK_END_RE = re.compile(r"</(?:p|div|li|h[1-6]|blockquote|td|th|dd|dt|figcaption)\s*>|<br\s*/?>", re.IGNORECASE)


def _words(markup):
    return html.unescape(strip_tags(_BLOCK_END_RE.sub(" ", markup))).split()


def _first_words(article):
    """The words of the body the teaser is made of: from its head (``Article.objects.feed_entries``)
    when the head holds more than the teaser shows, else from the whole body (a body of little text
    in a lot of markup: one query for that article)."""
    if len(article.body_head) <= FEED_BODY_HEAD:  # the whole body
        return _words(article.body_head)
    words = _words(_CUT_MARKUP_RE.sub("", article.body_head))
    return words if len(words) > TEASER_WORDS else _words(article.body)


class WrittenWhole:
    """A feed generator that writes its XML to a string, then that to the response: written to the
    response itself, each of the SAX writer's ~850 pieces (a tag, a text) of a feed of 20 entries is
    encoded and appended apart, a third of the writing's time."""

    def write(self, outfile, encoding):
        text = StringIO()
        super().write(text, encoding)
        outfile.write(text.getvalue())


class RssWrittenWhole(WrittenWhole, Rss201rev2Feed):
    pass


class AtomWrittenWhole(WrittenWhole, Atom1Feed):
    pass


class LatestArticlesFeed(Feed):
    """The newest published articles; subclasses narrow the queryset and name the feed."""

    feed_type = RssWrittenWhole

    def __call__(self, request, *args, **kwargs):
        fresh_site_cache()  # the domain of its links, as set_site_domain left it in any process
        return super().__call__(request, *args, **kwargs)

    def title(self, obj=None):
        return settings.SITE_NAME

    def description(self, obj=None):
        return settings.SITE_DESCRIPTION

    subtitle = description  # Atom's name for it

    def link(self, obj=None):
        return reverse("articles:home")

    def articles(self, obj):
        return Article.objects.published()

    def items(self, obj=None):
        return self.articles(obj).feed_entries(settings.ARCHIVE_FEED_SIZE)

    def item_title(self, item):
        # Some readers render RSS titles as HTML: no tags in them, as WordPress's feeds do.
        return strip_tags(item.title)

    def item_description(self, item):
        # Readers render a description as HTML: escape the plain-text teaser so markup typed into a
        # summary stays text there too. The body is HTML: its text, entities decoded ("R&amp;D" is
        # R&D), is escaped once, as the summary is.
        return escape(item.summary or Truncator(" ".join(_first_words(item))).words(TEASER_WORDS))

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return strip_tags(", ".join(item.author_names)) or None

    def item_categories(self, item):
        return [strip_tags(name) for name in item.tag_names]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = AtomWrittenWhole


class CategoryFeed(LatestArticlesFeed):
    def get_object(self, request, path):
        return get_object_or_404(Category, path=path.strip("/"))

    def title(self, obj):
        return _("%(category)s · %(site)s") % {"category": strip_tags(obj.full_name), "site": settings.SITE_NAME}

    def description(self, obj):
        return _("New articles filed under %(category)s.") % {"category": strip_tags(obj.full_name)}

    subtitle = description

    def link(self, obj):
        return obj.get_absolute_url()

    def articles(self, obj):
        return Article.objects.published().in_category(obj)


class CategoryAtomFeed(CategoryFeed):
    feed_type = AtomWrittenWhole


class TagFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def title(self, obj):
        return _("Tagged “%(tag)s” · %(site)s") % {"tag": strip_tags(obj.name), "site": settings.SITE_NAME}

    def description(self, obj):
        return _("New articles tagged %(tag)s.") % {"tag": strip_tags(obj.name)}

    subtitle = description

    def link(self, obj):
        return reverse("articles:tag", kwargs={"slug": obj.slug})

    def articles(self, obj):
        # Newest first by the taggings' key: the tag's listing index gives the entries in order.
        return Article.objects.listed_under(obj).order_by(*(f"-{name}" for name in TAGGED_LISTING_KEY))


class TagAtomFeed(TagFeed):
    feed_type = AtomWrittenWhole
