"""What a backup since issue 24 carries besides the article: author and category profiles (slugs,
bios, identifiers, descriptions), pinned and excluded related posts, redirects. Each is restored
only when the line has its key, so an older backup restores as before.

Pins and exclusions may name articles later in the file, and the importer's redirect hook writes
its rows in batches, so both wait for the file cache's flush (or are written at once outside an import);
a restore in batches hands the pins and exclusions still waiting on to the next batch
(``waiting_choices``, ``keep_waiting``). With a batch's cache, profiles are read once for the batch.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.utils.text import slugify

from articles.models import Article, Author, Category, RelatedExclusion, RelatedPin

from .file_cache import FileCache
from .jsonl import AuthorProfile, RestoredArticle
from .links import _author, _cached_author, _category
from .loader import current_file_cache

_AUTHOR_FIELDS = ("name", "bio", "login", "orcid", "wikidata")
_PROFILED = "\x00profiled"  # a cache key's mark: a category found by its profile's slug
_LOOKED_UP = ("\x00profiled slugs",)  # the cache key of the slugs ``look_up_profiled_categories`` read
_QUERY_CHUNK = 400  # values in one IN (under SQLite's parameter limit)


def restored_authors(parsed: RestoredArticle, cache: FileCache | None = None) -> list[Author]:
    """The article's authors; with ``cache`` (a batch's), each profile's author is looked up once."""
    if parsed.author_profiles is None:
        return [_author(a) if cache is None else _cached_author(a, cache) for a in parsed.authors]
    return [_profiled_author(profile, cache) for profile in parsed.author_profiles]


def look_up_profiled_authors(articles: list[RestoredArticle], cache: FileCache) -> None:
    """The authors the articles' profiles name, read in one query into ``cache`` (a batch's)."""
    slugs = {p.slug for a in articles for p in a.author_profiles or ()} - {
        key[5:] for key in cache.authors if key.startswith("slug:")}
    for author in Author.objects.filter(slug__in=slugs):
        cache.remember(cache.authors, "slug:" + author.slug, author)


def _profiled_author(profile: AuthorProfile, cache: FileCache | None) -> Author:
    """The author with the profile's slug, made or brought back to the backup's fields."""
    key = "slug:" + profile.slug
    if cache is not None and key in cache.authors:
        author = cache.authors[key]
    else:
        author = Author.objects.filter(slug=profile.slug).first() if cache is None else None
        author = author or Author(slug=profile.slug)
    changed = [name for name in _AUTHOR_FIELDS if getattr(author, name) != getattr(profile, name)]
    for name in changed:
        setattr(author, name, getattr(profile, name))
    if author.pk is None or changed:
        author.save()
    if cache is not None:
        cache.remember(cache.authors, key, author)
    return author


def restored_category(names: list[str], parsed: RestoredArticle, cache: FileCache | None = None) -> Category:
    """The category at a path of names, each level with the backup's slug and description; with
    ``cache`` (a batch's, after ``look_up_profiled_categories``), no level is looked up again."""
    if parsed.category_profiles is None:
        return Category.get_or_create_path(names) if cache is None else _category(names, cache)
    parent = None
    for name, slug, profile in _levels(names, parsed):
        parent = _profiled_category(parent, name, slug, profile, cache)
    return parent


def _levels(names, parsed):
    """(name, slug, profile or None) of each level of a path, root first."""
    profiles = {tuple(p.path): p for p in parsed.category_profiles}
    for depth in range(1, len(names) + 1):
        name, profile = names[depth - 1].strip()[:200], profiles.get(tuple(names[:depth]))
        yield name, profile.slug if profile else slugify(name)[:200] or "category", profile


def look_up_profiled_categories(articles: list[RestoredArticle], cache: FileCache) -> None:
    """Every category the articles' profiled paths name, read in one query into ``cache``."""
    slugs = {slug for a in articles if a.category_profiles is not None
             for names in [a.primary_category, *a.category_paths] for _, slug, _ in _levels(names, a)}
    looked_up = cache.categories.get(_LOOKED_UP, frozenset())
    slugs = sorted(slugs - looked_up)
    for start in range(0, len(slugs), _QUERY_CHUNK):
        for node in Category.objects.filter(slug__in=slugs[start:start + _QUERY_CHUNK]):
            cache.remember(cache.categories, (_PROFILED, node.parent_id, node.slug), node)
    cache.remember(cache.categories, _LOOKED_UP, looked_up | set(slugs))


def _profiled_category(parent, name, slug, profile, cache) -> Category:
    # Keyed apart from the import's paths of names (``links._category``) in a cache they may share.
    key = (_PROFILED, parent.pk if parent else None, slug)
    node = cache.categories.get(key) if cache is not None else None
    if node is None and (cache is None or slug not in cache.categories.get(_LOOKED_UP, ())):
        node = Category.objects.filter(parent=parent, slug=slug).first()
    node = node or Category(parent=parent, name=name, slug=slug)
    changed = profile is not None and (node.name, node.description) != (name, profile.description)
    if changed:
        node.name, node.description = name, profile.description
    if node.pk is None or changed:
        node.save()
    if cache is not None:
        cache.remember(cache.categories, key, node)
    return node


def restore_related_and_redirects(article: Article, parsed: RestoredArticle, *, created: bool = False) -> None:
    if (parsed.related_pins, parsed.related_exclusions, parsed.redirects) == (None, None, None):
        return
    cache = current_file_cache()
    pending = cache.flushers.pop(__name__, None) if cache is not None else None
    pending = pending or _Pending()
    if cache is not None:
        # (Re)inserted last: flushed after the redirect hook's batch, which it must correct.
        cache.flushers[__name__] = pending
    pending.add(article, parsed, created=created)
    if cache is None:
        pending()


def waiting_choices(cache: FileCache):
    """What ``cache`` (a batch's) still waits to write when its batch is done: pins and exclusions
    naming articles later in the file. Hand it to the next batch's cache with ``keep_waiting``."""
    pending = cache.flushers.get(__name__)
    return pending.checkpoint() if pending is not None and pending.choices else None


def keep_waiting(cache: FileCache, waiting) -> None:
    if waiting is not None and __name__ not in cache.flushers:
        cache.flushers[__name__] = _Pending(choices=list(waiting))


class _Pending:
    """Related choices and redirects waiting for the file's flush; a pin or exclusion whose article
    is not (yet) in the database waits for the next flush."""

    def __init__(self, choices=None):
        self.choices = choices or []  # [(article, model, [(position, slug)])]
        self.redirects = []  # [(article, [old paths])]

    def checkpoint(self) -> tuple:
        return tuple(self.choices)

    def add(self, article, parsed, *, created=False):
        for model, slugs in ((RelatedPin, parsed.related_pins), (RelatedExclusion, parsed.related_exclusions)):
            if slugs is not None:
                if not created:  # the backup's choices replace these
                    model.objects.filter(article=article).delete()
                if slugs:
                    self.choices.append((article, model, list(enumerate(slugs))))
        if parsed.redirects is not None:
            self.redirects.append((article, parsed.redirects))

    def __call__(self):
        wanted = {slug for _, _, rows in self.choices for _, slug in rows}
        ids = dict(Article.objects.filter(slug__in=wanted).values_list("slug", "id")) if wanted else {}
        waiting = []
        for article, model, rows in self.choices:
            for position, slug in rows:
                if slug in ids and ids[slug] != article.pk:
                    fields = {"position": position} if model is RelatedPin else {}
                    model.objects.create(article=article, related_id=ids[slug], **fields)
            rows = [(position, slug) for position, slug in rows if slug not in ids]
            if rows:
                waiting.append((article, model, rows))
        self.choices = waiting
        if self.redirects:
            _set_redirects(self.redirects)
        self.redirects = []


def _set_redirects(articles_paths):
    """Exactly the backup's redirects lead to each article (the import hook's guesses give way), as
    for each article in turn: its other redirects deleted, each of its old paths pointed at it."""
    targets = {article.get_absolute_url(): old_paths for article, old_paths in articles_paths}
    wanted = {}  # old path -> new path; a later article's claim wins, as in file order
    for new_path, old_paths in targets.items():
        for old_path in old_paths:
            wanted[old_path] = new_path
    existing = _redirects_of(list(wanted), list(targets))
    stale = [r.pk for r in existing.values() if r.new_path in targets and r.old_path not in targets[r.new_path]]
    Redirect.objects.filter(pk__in=stale).delete()
    gone = set(stale)
    kept = {old: r for old, r in existing.items() if r.pk not in gone}
    moved = [r for old, r in kept.items() if old in wanted and r.new_path != wanted[old]]
    for row in moved:
        row.new_path = wanted[row.old_path]
    Redirect.objects.bulk_update(moved, ["new_path"])
    Redirect.objects.bulk_create([Redirect(site_id=settings.SITE_ID, old_path=old, new_path=new)
                                  for old, new in wanted.items() if old not in kept])


def _redirects_of(old_paths, new_paths) -> dict[str, Redirect]:
    """The site's redirects from ``old_paths`` or to ``new_paths``, by old path (a few queries)."""
    rows = Redirect.objects.filter(site_id=settings.SITE_ID)
    found = {}
    for values, lookup in ((old_paths, "old_path__in"), (new_paths, "new_path__in")):
        for start in range(0, len(values), _QUERY_CHUNK):
            found.update((r.old_path, r) for r in rows.filter(**{lookup: values[start:start + _QUERY_CHUNK]}))
    return found
