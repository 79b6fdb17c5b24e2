from django.db import models
from django.db.models import Q

from articles.addresses import address
from articles.identifiers import (
    normalize_orcid,
    normalize_wikidata,
    orcid_url,
    validate_orcid,
    validate_wikidata,
    wikidata_url,
)
from articles.languages import readable_slug


def unique_slug(model, text, *, exclude_pk=None, max_length=200, fallback="item", **scope):
    """A slug from ``text`` that no other row of ``model`` in ``scope`` uses (``-2``, ``-3`` …);
    Unicode letters are kept for a title in another script (``readable_slug``); ``fallback`` when
    nothing of the text is left."""
    rows = model._default_manager.filter(**scope)
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    base = _slug_base(text, max_length, fallback)
    return _free_slug(base, max_length, lambda slug: rows.filter(slug=slug).exists())


def unique_slugs(model, texts, *, max_length=200, fallback="item") -> list[str]:
    """``unique_slug`` for rows about to be inserted together, in order: what one call per row
    gives when each row is saved before the next slug is chosen, in one query when none is taken."""
    bases = [_slug_base(text, max_length, fallback) for text in texts]
    taken = set(model._default_manager.filter(slug__in=set(bases)).values_list("slug", flat=True))
    slugs = []
    for base in bases:
        if base in taken:
            base = _free_slug(
                base, max_length, lambda slug: slug in taken or model._default_manager.filter(slug=slug).exists()
            )
        taken.add(base)
        slugs.append(base)
    return slugs


def _slug_base(text, max_length, fallback):
    return readable_slug(text, max_length) or fallback


def _free_slug(base, max_length, taken):
    candidate, n = base, 1
    while taken(candidate):
        n += 1
        suffix = f"-{n}"
        candidate = base[: max_length - len(suffix)] + suffix
    return candidate


def category_slug(name):
    """A category's slug: readable in any script (two Dari categories never share "category")."""
    return readable_slug(name, 200) or "category"


class CategoryQuerySet(models.QuerySet):
    def roots(self):
        return self.filter(parent__isnull=True)

    def subtree(self, category):
        """The category and every category below it, by materialised path (one indexed query)."""
        return self.filter(Q(path=category.path) | Q(path__startswith=category.path + "/"))

    def by_names(self, names):
        """The category at a path of names (root first), or None."""
        path = "/".join(category_slug(n) for n in names)
        return self.filter(path=path).first()


class Category(models.Model):
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, allow_unicode=True)
    description = models.TextField(blank=True)
    # Materialised path of slugs ("afghanistan/politics"): URLs, breadcrumbs and subtrees in one query.
    path = models.CharField(max_length=1000, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    # "Afghanistan » Politics": lists show the whole path without a query per row.
    full_name = models.CharField(max_length=2000, editable=False, default="")

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["parent", "slug"], name="category_slug_unique_among_siblings"),
            models.UniqueConstraint(
                fields=["slug"], condition=Q(parent__isnull=True), name="category_root_slug_unique"
            ),
        ]

    def __str__(self):
        return self.full_name or self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = category_slug(self.name)
        old_path = self.path
        self.path = f"{self.parent.path}/{self.slug}" if self.parent_id else self.slug
        self.depth = self.parent.depth + 1 if self.parent_id else 0
        old_full_name = self.full_name
        self.full_name = f"{self.parent.full_name} » {self.name}" if self.parent_id else self.name
        super().save(*args, **kwargs)
        if (old_path and old_path != self.path) or (old_full_name and old_full_name != self.full_name):
            # Moving or renaming a category moves its whole subtree with it.
            for child in self.children.all():
                child.save()

    def get_absolute_url(self):
        return address("articles:category", "path", self.path)

    def ancestors(self, include_self=True):
        """Root first, in one query."""
        parts = self.path.split("/")
        paths = ["/".join(parts[: i + 1]) for i in range(len(parts) - (0 if include_self else 1))]
        return list(Category.objects.filter(path__in=paths).order_by("depth"))

    def crumbs(self):
        """Root first, for display (name and URL), built from the denormalised path and full name
        without a query; falls back to ``ancestors()`` when a name itself contains the separator."""
        slugs, names = self.path.split("/"), self.path_names()
        if len(slugs) != len(names):
            return self.ancestors()
        return [
            Category(name=name, slug=slug, path="/".join(slugs[: i + 1]), depth=i)
            for i, (slug, name) in enumerate(zip(slugs, names, strict=True))
        ]

    def path_names(self):
        return self.full_name.split(" » ") if self.full_name else [self.name]

    @classmethod
    def get_or_create_path(cls, names):
        """The category at a path of names, creating the missing levels. Returns the leaf."""
        parent = None
        for name in names:
            name = name.strip()[:200]  # the column's length: a longer "name" is a paragraph read as one
            slug = category_slug(name)
            if parent is not None and len(parent.path) + 1 + len(slug) > 1000:
                raise ValueError(f"the category path {' » '.join(names)[:80]}… is too long (over 1000 characters)")
            node = cls.objects.filter(parent=parent, slug=slug).first()
            if node is None:
                node = cls(parent=parent, name=name, slug=slug)
                node.save()
            parent = node
        return parent


class Author(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    bio = models.TextField(blank=True)
    # The author's identity in a WordPress export (wp:author_login); blank for others.
    login = models.CharField(max_length=150, blank=True)
    # Identities shared with the rest of the scholarly web, carried into every citation format.
    orcid = models.CharField(
        "ORCID iD", max_length=60, blank=True, validators=[validate_orcid], help_text="e.g. 0000-0002-1825-0097"
    )
    wikidata = models.CharField("Wikidata id", max_length=60, blank=True, validators=[validate_wikidata],
                                help_text="e.g. Q42")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["login"], condition=~Q(login=""), name="author_login_unique"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Author, self.name, exclude_pk=self.pk, fallback="author")
        super().save(*args, **kwargs)

    def clean(self):
        self.orcid, self.wikidata = normalize_orcid(self.orcid), normalize_wikidata(self.wikidata)

    def get_absolute_url(self):
        return address("articles:author", "slug", self.slug)

    def identity_urls(self) -> list[str]:
        """The author's ORCID and Wikidata pages (``sameAs`` in structured data)."""
        return [url for url in (orcid_url(self.orcid), wikidata_url(self.wikidata)) if url]
