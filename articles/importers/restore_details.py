"""What a backup since issue 24 carries besides the article: author and category profiles (slugs,
bios, identifiers, descriptions), pinned and excluded related posts, redirects. Each is restored
only when the line has its key, so an older backup restores as before.

Pins and exclusions may name articles later in the file, and the importer's redirect hook writes
its rows in batches, so both wait for the file cache's flush (or are written at once outside an import).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.utils.text import slugify

from articles.models import Article, Author, Category, RelatedExclusion, RelatedPin

from .jsonl import AuthorProfile, RestoredArticle
from .links import _author
from .loader import current_file_cache

_AUTHOR_FIELDS = ("name", "bio", "login", "orcid", "wikidata")


def restored_authors(parsed: RestoredArticle) -> list[Author]:
    if parsed.author_profiles is None:
        return [_author(a) for a in parsed.authors]
    return [_profiled_author(profile) for profile in parsed.author_profiles]


def _profiled_author(profile: AuthorProfile) -> Author:
    """The author with the profile's slug, made or brought back to the backup's fields."""
    author = Author.objects.filter(slug=profile.slug).first() or Author(slug=profile.slug)
    changed = [name for name in _AUTHOR_FIELDS if getattr(author, name) != getattr(profile, name)]
    for name in changed:
        setattr(author, name, getattr(profile, name))
    if author.pk is None or changed:
        author.save()
    return author


def restored_category(names: list[str], parsed: RestoredArticle) -> Category:
    """The category at a path of names, each level with the backup's slug and description."""
    if parsed.category_profiles is None:
        return Category.get_or_create_path(names)
    profiles = {tuple(p.path): p for p in parsed.category_profiles}
    parent = None
    for depth in range(1, len(names) + 1):
        name, profile = names[depth - 1].strip()[:200], profiles.get(tuple(names[:depth]))
        slug = profile.slug if profile else slugify(name)[:200] or "category"
        node = Category.objects.filter(parent=parent, slug=slug).first()
        if node is None:
            node = Category(parent=parent, name=name, slug=slug)
        changed = profile is not None and (node.name, node.description) != (name, profile.description)
        if changed:
            node.name, node.description = name, profile.description
        if node.pk is None or changed:
            node.save()
        parent = node
    return parent


def restore_related_and_redirects(article: Article, parsed: RestoredArticle) -> None:
    if (parsed.related_pins, parsed.related_exclusions, parsed.redirects) == (None, None, None):
        return
    cache = current_file_cache()
    pending = cache.flushers.pop(__name__, None) if cache is not None else None
    pending = pending or _Pending()
    if cache is not None:
        # (Re)inserted last: flushed after the redirect hook's batch, which it must correct.
        cache.flushers[__name__] = pending
    pending.add(article, parsed)
    if cache is None:
        pending()


class _Pending:
    """Related choices and redirects waiting for the file's flush; a pin or exclusion whose article
    is not (yet) in the database waits for the next flush."""

    def __init__(self):
        self.choices = []  # [(article, model, [(position, slug)])]
        self.redirects = []  # [(article, [old paths])]

    def add(self, article, parsed):
        for model, slugs in ((RelatedPin, parsed.related_pins), (RelatedExclusion, parsed.related_exclusions)):
            if slugs is not None:
                model.objects.filter(article=article).delete()  # the backup's choices replace these
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
        for article, old_paths in self.redirects:
            _set_redirects(article, old_paths)
        self.redirects = []


def _set_redirects(article, old_paths):
    """Exactly the backup's redirects lead to the article (the import hook's guesses give way)."""
    new_path = article.get_absolute_url()
    rows = Redirect.objects.filter(site_id=settings.SITE_ID)
    rows.filter(new_path=new_path).exclude(old_path__in=old_paths).delete()
    for old_path in old_paths:
        rows.update_or_create(old_path=old_path, defaults={"new_path": new_path, "site_id": settings.SITE_ID})
