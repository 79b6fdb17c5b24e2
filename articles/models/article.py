import datetime as dt
import re
from itertools import pairwise

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Case, Count, Exists, F, Max, Min, OuterRef, Prefetch, Q, Subquery, When
from django.db.models.fields.json import KT
from django.db.models.functions import Left, TruncMonth
from django.utils import timezone
from simple_history.models import HistoricalRecords
from taggit.managers import TaggableManager

from articles import languages
from articles.addresses import article_address
from articles.sanitize import clean_html

from .bylines import ArticleAuthor
from .links import LinkCitation
from .listing_keys import LISTING_KEY_FIELDS, refresh_listing_keys
from .moments import Moment
from .rendering import ArticleRendering
from .sources import Footnote
from .tagging import TaggedArticle
from .taxonomy import Author, Category, unique_slug
from .translations import TranslationGroup

# The anchor of a note's first reference in a body, as the importers render it.
_FIRST_REFERENCE_RE = re.compile(r'id="fnref-(\d+)"')


class ArticleRevision(models.Model):
    """Extra columns of every historical Article row (a revision).

    simple-history records the article's own fields; ``related`` holds what sits in other tables as
    it stood when the change was complete: categories, authors in order, tags and footnotes (see
    ``articles.revisions``). Restoring a revision restores all of it.
    """

    related = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True


READING_RENDERING_FIELDS = tuple(
    f"rendering__{name}"
    for name in ("page_html", "comments_html", "section_html", "comments_open", "digest", "generation")
)


# Either lets staff preview drafts on the public site: the admin shows them the same articles.
PREVIEW_PERMISSIONS = ("articles.view_article", "articles.change_article")


def previews_drafts(user) -> bool:
    """Whether ``user`` (None: anonymous) sees articles of every status, as staff preview them: active
    staff who may view or change articles in the admin, where they see the drafts anyway (not every
    staff account: one without those permissions sees only what readers see)."""
    return (
        user is not None and user.is_active and user.is_staff
        and any(user.has_perm(permission) for permission in PREVIEW_PERMISSIONS)
    )


# How much of a body a feed reads to describe an article without a summary (its first words).
FEED_BODY_HEAD = 4000
# The columns of an article a feed entry shows (its link: slug and language).
FEED_FIELDS = ("title", "slug", "language", "summary", "published_at", "updated_at")


def byline_prefetch():
    """An article's authors in byline order, for ``prefetch_related``."""
    return Prefetch("authors", queryset=Author.objects.order_by("articleauthor__position"))


class ArticleQuerySet(models.QuerySet):
    def published(self):
        # A trashed article's status is TRASHED: every public list leaves it out with this filter.
        return self.filter(status=Article.Status.PUBLISHED)

    def in_trash(self):
        return self.filter(status=Article.Status.TRASHED)

    def outside_trash(self):
        return self.exclude(status=Article.Status.TRASHED)

    def visible_to(self, user):
        """Staff who may view or change articles preview every status (``previews_drafts``) but the
        trash, which is gone for the site; everyone else sees published articles only."""
        return self.outside_trash() if previews_drafts(user) else self.published()

    def move_to_trash(self):
        """Trash many, one save each (pages, search, related posts and harvesting follow a save as
        they follow an unpublish). Returns how many moved."""
        moved = 0
        for article in self.outside_trash():
            article.move_to_trash()
            moved += 1
        return moved

    def restore_from_trash(self):
        """Back from the trash with the status each had, one save each. Returns how many."""
        restored = 0
        for article in self.in_trash():
            article.restore_from_trash()
            restored += 1
        return restored

    def in_category(self, category):
        """Articles filed anywhere in the category's subtree.

        A subquery, not a join with DISTINCT: DISTINCT over whole rows (bodies included) sorts every
        matching article before LIMIT applies, which is slow for a large category.
        """
        return self.in_category_path(category.path)

    def in_category_path(self, path):
        """``in_category`` for a category's path (the category need not be loaded, or exist)."""
        links = Article.categories.through.objects.filter(
            Q(category__path=path) | Q(category__path__startswith=path + "/")
        )
        return self.filter(pk__in=links.values("article_id"))

    def tagged(self, tag):
        return self.filter(tags=tag)

    def listed_under(self, tag):
        """The published articles tagged ``tag``, keyed for a list by their tagging's copy of their
        listing key (``TaggedArticle``): ordered by ``TAGGED_LISTING_KEY``, newest first, the page is
        read from the tag's listing index, ~21 entries whatever the tag's size. The same articles as
        ``published().tagged(tag)``, and the same order as the listing's when the keys are current."""
        return self._listed_on("taggings", "content_object", TAGGED_LISTING_KEY, tag=tag)

    def listed_by(self, author):
        """The published articles signed by ``author``, keyed as ``listed_under`` keys a tag's, by their
        byline's copy (``ArticleAuthor``, ``BYLINE_LISTING_KEY``): read from the author's listing index."""
        return self._listed_on("articleauthor", "article", BYLINE_LISTING_KEY, author=author)

    def _listed_on(self, rows, article, key, **owner):
        """Published articles with a published row of ``rows`` for ``owner``, the row's copy of their
        date and id annotated under the names of ``key``."""
        (field, value), = owner.items()
        date, article_id = key
        return self.published().filter(
            **{f"{rows}__{field}": value, f"{rows}__status": Article.Status.PUBLISHED}
        ).annotate(**{date: F(f"{rows}__published_at"), article_id: F(f"{rows}__{article}")})

    def by_author(self, author):
        return self.filter(authors=author)

    def citing(self, source):
        """Articles with at least one footnote citing ``source``."""
        return self.filter(Exists(Footnote.objects.filter(article=OuterRef("pk"), source=source)))

    def in_year(self, year):
        return self.filter(published_at__year=year)

    def in_month(self, year, month):
        return self.filter(published_at__year=year, published_at__month=month)

    def set_status(self, status):
        """Publish or unpublish many, one save each: history, search, related posts and the page
        cache all follow a save. Returns how many changed."""
        changed = 0
        for article in self.exclude(status=status):
            article.status = status
            article.save()
            changed += 1
        return changed

    def for_listing(self):
        """What a list of articles shows (title, date, category path, authors): constant queries.

        The body and the search vectors, the bulk of a row, are deferred: render bodies from
        ``for_page()`` or ``.defer(None)``.
        """
        return self.select_related("primary_category").defer("body", "search_vector", "search_head").prefetch_related(
            byline_prefetch()
        )

    def for_cards(self, language, digest):
        """A list shown as cards (``articles.pages.cards``): each article's stored card in the interface
        ``language`` when it was made from ``digest`` (the current templates', ``cards.digest()``),
        else None, and only the columns a card rendered live shows. Neither byline nor category: only
        a card rendered live needs them, and reads them then.

        The card is a scalar subquery, not a join: PostgreSQL evaluates it after ORDER BY and LIMIT,
        for the page's rows alone, where a join is read (and its JSON taken apart) for every article
        of the list before a sort picks the page's."""
        card = ArticleRendering.objects.filter(article=OuterRef("pk"), cards_digest=digest)
        listing = self.only("title", "slug", "language", "published_at", "summary", "primary_category")
        return listing.annotate(stored_card=Subquery(card.values(card=KT(f"cards__{language}"))))

    def for_harvest(self):
        """What an OAI-PMH record shows (``articles.oai``): the listing plus every category and tag, in
        constant queries, oldest change first (the harvest's keyset order)."""
        return self.for_listing().prefetch_related(
            Prefetch("categories", queryset=Category.objects.only("path", "name", "full_name")), "tags"
        ).order_by("updated_at", "pk")

    def for_reading(self):
        """What the article page reads, in one query: its stored page (``articles.pages.rendering``) and
        the few fields the reader's own parts need (the reply form's address, whether comments are
        open). Everything else the page shows is in the stored page; fewer columns also make the
        query quicker to build and read."""
        return self.select_related("rendering").only(
            "slug", "title", "language", "status", "published_at", "comments_open", *READING_RENDERING_FIELDS
        )

    def feed_entries(self, size):
        """The first ``size`` articles here as a feed shows them, and no more: their own columns of
        ``FEED_FIELDS`` (no category, no body), their authors' names in byline order
        (``author_names``) and their tags' names by name (``tag_names``), each in one query of
        names (a prefetch builds a model for each, and taggit's a queryset per article). And the
        start of the body (``body_head``: one character more than ``FEED_BODY_HEAD`` tells whether
        it is the whole body without the body's length, which PostgreSQL would decompress every body
        to count), from which an article without a summary is described: None for an article with
        one, whose body the feed does not show."""
        head = Case(When(summary="", then=Left("body", FEED_BODY_HEAD + 1)))
        entries = list(self.only(*FEED_FIELDS).annotate(body_head=head)[:size])
        ids = [entry.pk for entry in entries]
        authors = ArticleAuthor.objects.names_by_article(ids, "author__name", "position", "pk")
        tags = TaggedArticle.objects.names_by_article(ids, "tag__name", "tag__name", "tag_id")
        for entry in entries:
            entry.author_names, entry.tag_names = authors.get(entry.pk, []), tags.get(entry.pk, [])
        return entries

    def for_sitemap(self):
        """Rows (slug, language, updated, translation_group_id) of the articles, as the article
        sitemap lists a thousand a page: ``updated`` is ``updated_at`` read as a ``Moment``."""
        rows = self.annotate(updated=Moment("updated_at"))
        return rows.values_list("slug", "language", "updated", "translation_group_id", named=True)

    def for_citing(self):
        """What an article's citation shows: the listing plus its tags (as keywords)."""
        return self.for_listing().prefetch_related("tags")

    def years(self):
        """The years with an article here, oldest first, from index probes: the first and last
        dates, then one EXISTS per year between them (never a read of every date)."""
        bounds = self.aggregate(first=Min("published_at"), last=Max("published_at"))
        if bounds["first"] is None:
            return []
        span = range(timezone.localtime(bounds["first"]).year, timezone.localtime(bounds["last"]).year + 1)
        return self._present({year: Q(published_at__year=year) for year in span})

    def months_of(self, year):
        """The first moment of each month of ``year`` with an article here (as ``datetimes(...,
        "month")`` gives them), from one EXISTS per month: never a read of the year's every date."""
        zone = timezone.get_current_timezone()
        starts = [dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone) for month in range(13)]
        # Ranges, not __month (an EXTRACT the index cannot seek to): each probe is one index descent.
        months = {start: Q(published_at__gte=start, published_at__lt=end) for start, end in pairwise(starts)}
        return self._present(months)

    def _present(self, periods):
        """The keys of ``periods`` (key -> Q) with a row here, in one query of one EXISTS each; the
        probes ride on the newest row (one index entry) and are evaluated once each."""
        checks = {f"p{n}": Exists(self.filter(q)) for n, q in enumerate(periods.values())}
        found = self.order_by("-published_at", "-pk").annotate(**checks).values(*checks)[:1]
        row = found[0] if found else {}
        return [key for n, key in enumerate(periods) if row.get(f"p{n}")]

    def counts_by_month(self):
        """[(first day of month as a datetime, number of articles)], oldest first, in one query."""
        rows = (
            self.exclude(published_at__isnull=True)
            .annotate(month=TruncMonth("published_at"))
            .order_by()
            .values("month")
            .annotate(n=Count("id"))
            .order_by("month")
        )
        return [(row["month"], row["n"]) for row in rows]

    def for_page(self):
        """What the article page shows, in a fixed number of queries."""
        return self.for_listing().defer(None).defer("search_vector", "search_head").prefetch_related(
            "tags",
            Prefetch(
                "footnotes",
                queryset=Footnote.objects.select_related("source", "refers_to").order_by("number").prefetch_related(
                    # What a note shows of its links beyond their URLs (dead, pinned): usually nothing.
                    Prefetch("link_citations", queryset=LinkCitation.objects.shown().select_related("link")
                             .order_by("link__url"), to_attr="shown_links")
                ),
            ),
        )


# The names of the date and id ``listed_under`` and ``listed_by`` sort on: the tagging's or the
# byline's, which their listing indexes hold.
TAGGED_LISTING_KEY = ("tagged_published_at", "tagged_article_id")
BYLINE_LISTING_KEY = ("byline_published_at", "byline_article_id")
# The rows listing an article that carry its listing key (``models.listing_keys``).
LISTED_BY = (TaggedArticle, ArticleAuthor)


class ArticleManager(models.Manager.from_queryset(ArticleQuerySet)):
    def get_for_reading(self, slug, user=None):
        """The article page's one query: the article of this slug as ``for_reading()`` reads it (its
        stored page joined in), drafts for staff only. Raises ``Article.DoesNotExist`` as ``get()``
        does."""
        return self.for_reading().visible_to(user).get(slug=slug)


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PENDING = "pending", "Pending review"
        SCHEDULED = "scheduled", "Scheduled"
        PRIVATE = "private", "Private"
        PUBLISHED = "published", "Published"
        # Deleted in the admin: gone for readers, kept with everything it had until the trash is emptied.
        TRASHED = "trashed", "In the trash"

    title = models.CharField(max_length=500)
    slug = models.SlugField(max_length=255, unique=True, allow_unicode=True)  # a Dari title keeps its letters
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField("publication date", null=True, blank=True)
    summary = models.TextField(blank=True)
    body = models.TextField(
        blank=True,
        help_text="HTML: paragraphs, h2 headings, lists and footnote references. Sanitized on save.",
    )
    primary_category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="primary_articles",
        help_text="Shown as the breadcrumb.",
    )
    categories = models.ManyToManyField(
        Category, blank=True, related_name="articles", help_text="Every category, the primary one included."
    )
    authors = models.ManyToManyField(Author, through="ArticleAuthor", blank=True, related_name="articles")
    # Each tagging carries the article's listing key (``models.tagging``): a tag's page reads them in order.
    tags = TaggableManager(through=TaggedArticle, blank=True)
    # The choices are the setting ARCHIVE_LANGUAGES (a callable: changing it needs no migration).
    language = models.CharField(
        max_length=12,
        choices=languages.language_choices,
        default=languages.DEFAULT_LANGUAGE,
        help_text="The language the article is written in; Dari and Pashto pages read right to left.",
    )
    translation_group = models.ForeignKey(
        TranslationGroup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        help_text="Articles in the same group are translations of each other.",
    )
    comments_open = models.BooleanField(default=True)
    # Set while the article is in the trash, with the status it goes back to when restored.
    trashed_at = models.DateTimeField(null=True, blank=True, editable=False)
    status_before_trash = models.CharField(max_length=20, choices=Status.choices, blank=True, editable=False)
    sticky = models.BooleanField(default=False)
    original_url = models.URLField(max_length=1000, blank=True)
    # The source's own identity ("seed:file.txt", "wxr:https://site#42"): re-imports update in place.
    import_key = models.CharField(max_length=500, null=True, blank=True, editable=False)
    # WordPress's GUID of the post (``importers.identities``): the same id with another GUID is another post.
    import_guid = models.CharField(max_length=500, blank=True, editable=False)
    # Digest of the parsed import, so an unchanged re-import writes nothing.
    import_hash = models.CharField(max_length=64, blank=True, editable=False)
    # Weighted words of title, summary, body and footnotes, written after every save (PostgreSQL
    # only; see articles.search). Never computed while a page is read.
    search_vector = SearchVectorField(null=True, editable=False)
    # The title and summary words alone (A, B): a few hundred bytes kept in the row, so a search
    # matching most of the archive ranks on it without reading every match's full vector.
    search_head = SearchVectorField(null=True, editable=False)
    # The last change of its content by an editor or an import (``updated_at`` moves with any write,
    # derived data included): the page's dateModified.
    edited_at = models.DateTimeField("last edited", null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleManager()
    # The translation group is a link between articles, as related posts are: not part of a revision.
    history = HistoricalRecords(
        bases=[ArticleRevision],
        excluded_fields=["updated_at", "search_vector", "search_head", "translation_group"],
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        get_latest_by = "published_at"
        constraints = [
            models.UniqueConstraint(fields=["import_key"], name="article_import_key_unique"),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at", "-id"], name="article_listing_idx"),
            # OAI-PMH harvests published articles by last change, a keyset page at a time.
            models.Index(fields=["status", "updated_at", "id"], name="article_harvest_idx"),
            GinIndex(fields=["search_vector"], name="article_search_idx"),
            GinIndex(fields=["search_head"], name="article_search_head_idx"),
        ]
        permissions = [("import_articles", "Can import articles from files")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Article, self.title, exclude_pk=self.pk, max_length=240, fallback="article")
        self.prepare_for_save()
        adding = self._state.adding
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if not adding and (update_fields is None or set(LISTING_KEY_FIELDS) & set(update_fields)):
            # Its tags' and bylines' copies of its status and date (a new article has none yet: each
            # copies them when it is made). Unconditional: another instance may have saved meanwhile.
            refresh_listing_keys([self.pk], LISTED_BY)

    def prepare_for_save(self):
        """What every write of the row does first (``save``, and the importer's batched inserts):
        the body sanitized, a published article dated."""
        self.body = clean_html(self.body or "")
        if self.trashed_at is not None and self.status != self.Status.TRASHED:
            # Written while in the trash (a re-import): it stays there, restored later with this status.
            self.status_before_trash, self.status = self.status, self.Status.TRASHED
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()

    def get_absolute_url(self):
        return article_address(self.slug, self.language)

    @property
    def language_policy(self):
        """The ``articles.languages`` policy of the article's language (direction, search config)."""
        return languages.get(self.language)

    @property
    def direction(self):
        return self.language_policy.direction

    def move_to_trash(self):
        """Gone for readers, as an unpublished article is; its notes, tags, bylines and comments stay."""
        self.trashed_at = timezone.now()
        self.save()

    def restore_from_trash(self):
        self.status = self.status_before_trash or self.Status.DRAFT
        self.trashed_at, self.status_before_trash = None, ""
        self.save()

    @property
    def in_trash(self):
        return self.status == self.Status.TRASHED

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    def ordered_authors(self):
        """Authors in their given order; uses the prefetch of ``for_listing`` when present."""
        return list(self.authors.all())

    def breadcrumb(self):
        return self.primary_category.crumbs() if self.primary_category_id else []

    def referenced_notes(self) -> frozenset[int]:
        """The numbers of the notes the body refers to (their first reference's ``fnref-n`` anchor):
        a note nothing refers to gets no back link to a missing anchor."""
        return frozenset(int(n) for n in _FIRST_REFERENCE_RE.findall(self.body or ""))

    def translations_for_page(self):
        """The article's published versions in other languages (its translation group), by language:
        one query, none without a group."""
        if not hasattr(self, "_translations_for_page"):
            self._translations_for_page = []
            if self.translation_group_id is not None:
                self._translations_for_page = list(
                    Article.objects.published()
                    .filter(translation_group_id=self.translation_group_id)
                    .exclude(pk=self.pk)
                    .only("slug", "title", "language")
                    .order_by("language", "pk")
                )
        return self._translations_for_page

    def comments_for_page(self):
        """The approved comments the page shows, oldest first, in one query (a batch of pages
        rendered together loads them for all its articles at once)."""
        if not hasattr(self, "_comments_for_page"):
            self._comments_for_page = list(self.comments.public().order_by("submitted_at", "id"))
        return self._comments_for_page

    def set_authors(self, authors):
        ArticleAuthor.objects.filter(article=self).delete()
        ArticleAuthor.objects.bulk_create(
            ArticleAuthor.for_article(self, author_id=author.pk, position=i) for i, author in enumerate(authors)
        )

