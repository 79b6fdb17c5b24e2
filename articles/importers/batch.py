"""New articles of an import written a batch at a time: what ``load_article`` does for each, in a
few statements for the whole batch instead of a dozen per article.

Only articles the archive does not have yet are written this way; an update reads and rewrites
rows of its own, and goes through ``load_article`` as before. A batch is one savepoint: when any
of its articles cannot be written, the pipeline rolls it back and loads each article on its own,
so a bad item still fails alone.

Each article's save is announced as ``Model.save`` announces it (``pre_save``, then ``post_save``
once the row exists), so every receiver (term index, related posts, search vector, page cache,
stored renderings) does for it what it does for a save; only the revision is written by this
module, with the snapshot and reason a single import's save gives it, together with the others.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import router, transaction
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from articles import bulk
from articles.models import Article, ArticleAuthor, Footnote, TaggedArticle
from articles.models.taxonomy import unique_slugs

from . import loader
from .base import ItemResult, ParsedArticle
from .loader import (
    FileCache,
    Links,
    copy_article_fields,
    import_digest,
    import_reason,
    import_record,
    item_result,
    note_references,
    slug_text,
    sources_for,
)


@dataclass
class LoadEntry:
    """One parsed article to load, with the file it came from."""

    parsed: ParsedArticle
    file_name: str
    fmt: str
    sha256: str


@dataclass
class Known:
    """An article the archive already has for an import identity."""

    pk: int
    slug: str
    import_hash: str


def known_articles(entries) -> dict[str, Known]:
    """The articles already imported under the identities of ``entries``, in one query."""
    identities = {entry.parsed.identity for entry in entries}
    rows = Article.objects.filter(import_key__in=identities).values_list("import_key", "pk", "slug", "import_hash")
    return {key: Known(pk, slug, digest) for key, pk, slug, digest in rows}


def unchanged_result(parsed: ParsedArticle, known: Known) -> ItemResult | None:
    """The result of loading ``parsed`` again when its article holds exactly it, else None."""
    if known.import_hash != import_digest(parsed):
        return None
    return item_result(parsed, Article(pk=known.pk, slug=known.slug), "unchanged")


@dataclass
class NewArticle:
    entry: LoadEntry
    article: Article
    links: Links


class NewArticles:
    """How a batch's new articles are made from their entries: an import's, keyed on the source's
    identity with a free slug. A restore (``restore_batch``) overrides the hooks to bring an article
    back as it was exported: its own slug, links, revision reason and provenance."""

    def slugs(self, entries: list[LoadEntry]) -> list[str]:
        """A slug for each entry's article that no article (nor another of the batch) has."""
        return unique_slugs(Article, [slug_text(e.parsed) for e in entries], max_length=240, fallback="article")

    def prepare(self, article: Article, entry: LoadEntry) -> None:
        """The article's own fields beyond ``copy_article_fields``."""
        article.import_key = entry.parsed.identity
        article.import_hash = import_digest(entry.parsed)

    def links(self, entries: list[LoadEntry], cache: FileCache) -> list[Links]:
        """What each entry's article links to, looked up or made; looked up together where it can."""
        # Every Source the batch cites, in one lookup, made by its first citation; each article's own
        # citations then fill in what an earlier one left empty (``Links.of``), as one by one.
        sources_for((note.source for e in entries for note in e.parsed.footnotes if note.source is not None), cache)
        look_up_tags((name for e in entries for name in e.parsed.tags), cache)
        return [Links.of(entry.parsed, cache) for entry in entries]

    def reason(self, entry: LoadEntry) -> str:
        """The change reason of the article's revision."""
        return import_reason(entry.parsed)

    def loaded(self, new: list[NewArticle], cache: FileCache) -> list[ItemResult]:
        """After the rows are written: the after-load hooks and provenance of each article."""
        return [_after_load(n, cache) for n in new]


IMPORTED = NewArticles()


def create_articles(entries: list[LoadEntry], cache: FileCache, policy: NewArticles = IMPORTED) -> list[ItemResult]:
    """Create an article for each entry (new identities, each once), in one savepoint.

    Raises what a write raises; then nothing of the batch is left, in the database or the cache.
    """
    mark = cache.mark()
    try:
        with transaction.atomic():
            results = _create(entries, cache, policy)
    except BaseException:
        cache.rollback_to(mark)
        raise
    cache.release(mark)
    return results


def _create(entries, cache, policy):
    using = router.db_for_write(Article)
    slugs = policy.slugs(entries)
    links = policy.links(entries, cache)
    new = _prepare(entries, slugs, links, policy, using)
    _insert_articles([n.article for n in new])
    cache.insert_later(_revisions(new, policy))
    _announce_created(new, using)
    _link(new)
    _footnotes(new, cache)
    return policy.loaded(new, cache)


def _prepare(entries, slugs, links, policy, using) -> list[NewArticle]:
    """An unsaved article for each entry, with its slug and links, announced by ``pre_save``."""
    new = []
    for entry, slug, its_links in zip(entries, slugs, links, strict=True):
        article = Article(slug=slug)
        copy_article_fields(article, entry.parsed)
        policy.prepare(article, entry)
        article.primary_category = its_links.primary_category
        article.prepare_for_save()
        pre_save.send(sender=Article, instance=article, raw=False, using=using, update_fields=None)
        new.append(NewArticle(entry, article, its_links))
    return new


def _insert_articles(articles: list[Article]) -> None:
    bulk.insert(Article, articles, ids=True)
    if not all(a.pk for a in articles):  # backends that do not return ids on bulk insert
        ids = dict(Article.objects.filter(slug__in=[a.slug for a in articles]).values_list("slug", "pk"))
        for article in articles:
            article.pk = ids[article.slug]


def _announce_created(new, using) -> None:
    """``post_save`` for each new article, as its save sends it, without a revision of its own."""
    for n in new:
        n.article.skip_history_when_saving = True  # its revision is the one written with the batch
        try:
            post_save.send(sender=Article, instance=n.article, created=True, update_fields=None, raw=False,
                           using=using)
        finally:
            del n.article.skip_history_when_saving


def _after_load(n: NewArticle, cache) -> ItemResult:
    """The after-load hooks and the import record of one new article; its result."""
    article, parsed = n.article, n.entry.parsed
    article.import_created = True  # hooks need not look for rows of its own
    article._revision_recorded = True  # the revision holds what was loaded
    for hook in loader.after_load_hooks:
        hook(article, parsed)
    cache.insert_later([import_record(article, parsed, file_name=n.entry.file_name, fmt=n.entry.fmt,
                                      sha256=n.entry.sha256, outcome="created")])
    return item_result(parsed, article, "created")


def look_up_tags(names, cache) -> None:
    """The batch's tags the file has not met yet, found or made together (``loader.tags_named``),
    for ``Links.of`` to find in the cache."""
    wanted = dict.fromkeys(name.strip()[:100] for name in names)  # in the order the articles name them
    wanted = [name for name in wanted if name and name.lower() not in cache.tags and name not in cache.tags_by_name]
    for name, tag in loader.tags_named(wanted).items():
        cache.remember(cache.tags_by_name, name, tag)


def _revisions(new, policy):
    """The revision ("+") each article's save would have written, as simple-history writes it."""
    model = Article.history.model
    now = timezone.now()
    # The request's user or None, the same for every article of the batch (``bulk.insert_history``).
    user = model.get_default_history_user(Article())
    rows = []
    for n in new:
        row = model(
            history_date=now,
            history_user=getattr(n.article, "_history_user", user),
            history_change_reason=policy.reason(n.entry)[:100],
            history_type="+",
            related=n.links.snapshot(),
            **{field.attname: getattr(n.article, field.attname) for field in model.tracked_fields},
        )
        rows.append(row)
    return rows


def _link(new):
    categorised = Article.categories.through
    categorised.objects.bulk_create(
        [categorised(article_id=n.article.pk, category_id=c.pk) for n in new for c in n.links.categories]
    )
    ArticleAuthor.objects.bulk_create(
        [ArticleAuthor.for_article(n.article, author_id=author.pk, position=i)
         for n in new for i, author in enumerate(n.links.authors)]
    )
    TaggedArticle.objects.bulk_create(
        [TaggedArticle.for_article(n.article, tag_id=t.pk) for n in new for t in n.links.tags]
    )


def _footnotes(new, cache):
    rows = []
    for n in new:
        for row, _ in n.links.notes:
            row.article = n.article
            rows.append(row)
    if not rows:
        return
    bulk.insert(Footnote, rows, ids=True)
    if not all(row.pk for row in rows):  # backends that do not return ids on bulk insert
        _read_back_footnote_ids(rows, [n.article for n in new])
    cache.history_later(Footnote, rows)
    linked = []
    for n in new:
        linked.extend(note_references(n.links.notes, {row.number: row for row, _ in n.links.notes}))
    if linked:
        Footnote.objects.bulk_update(linked, ["refers_to"])
        cache.history_later(Footnote, linked, update=True)


def _read_back_footnote_ids(rows: list[Footnote], articles: list[Article]) -> None:
    """The ids of ``rows`` (the footnotes of ``articles``, just inserted), by article and number."""
    ids = {
        (article_id, number): pk
        for pk, article_id, number in Footnote.objects.filter(article__in=articles)
        .values_list("pk", "article_id", "number")
    }
    for row in rows:
        row.pk = ids[(row.article_id, row.number)]
