from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from simple_history.models import HistoricalRecords

from articles.addresses import address
from articles.identifiers import normalize_doi, normalize_isbn, validate_doi, validate_isbn
from articles.languages import CALENDARS, GREGORIAN, LUNAR_HIJRI, SOLAR_HIJRI

# How a year of another calendar is marked where it is shown.
_CALENDAR_MARKS = {SOLAR_HIJRI: "SH", LUNAR_HIJRI: "AH"}


class SourceQuerySet(models.QuerySet):
    def cited(self):
        """Sources at least one published article cites: per source, its notes read through an index
        until the first in a published article (as EXISTS, the planner would join every note)."""
        notes = Footnote.objects.filter(source=OuterRef("pk"), article__status="published")
        first = Subquery(notes.order_by("source_id").values("pk")[:1])  # through the index on source_id
        return self.alias(first_note=first).filter(first_note__isnull=False)


class Source(models.Model):
    """A work cited by footnotes, shared by every article that cites it."""

    class Kind(models.TextChoices):
        BOOK = "book", "Book"
        ARTICLE = "article", "Article"
        CHAPTER = "chapter", "Chapter"
        REPORT = "report", "Report"
        WEB = "web", "Web page"
        INTERVIEW = "interview", "Interview"
        STATEMENT = "statement", "Statement"
        OTHER = "other", "Other"

    # Normalised (author surname, title, year): two articles citing the same work share a row.
    key = models.SlugField(max_length=255, unique=True, allow_unicode=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    authors = models.JSONField(default=list, blank=True, help_text='A list of names, e.g. ["Ruttig, Thomas"].')
    title = models.CharField(max_length=1000, blank=True)
    container = models.CharField(max_length=500, blank=True, help_text="Journal, newspaper or site.")
    publisher = models.CharField(max_length=500, blank=True)
    place = models.CharField(max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    # A Solar Hijri year (۱۳۸۲) is kept as written, not converted: the calendar says which it is.
    calendar = models.CharField(
        max_length=20, choices=list(CALENDARS.items()), default=GREGORIAN, help_text="The calendar of the year."
    )
    url = models.URLField(max_length=1000, blank=True)
    # What a reference manager needs beyond the above; the importer reads them off the note where
    # it has them ("vol. 7", "no. 3", "pp. 12–15", "2nd ed.", an ISBN, a DOI).
    volume = models.CharField(max_length=50, blank=True)
    issue = models.CharField(max_length=50, blank=True, help_text="The issue or number, e.g. 3.")
    pages = models.CharField(max_length=50, blank=True, help_text="The pages the work spans, e.g. 12–15.")
    edition = models.CharField(max_length=50, blank=True, help_text="e.g. 2 for a second edition.")
    doi = models.CharField("DOI", max_length=255, blank=True, validators=[validate_doi],
                           help_text="e.g. 10.1000/xyz123")
    isbn = models.CharField("ISBN", max_length=17, blank=True, validators=[validate_isbn])
    accessed = models.DateField("access date", null=True, blank=True, help_text="When the URL was last read.")

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["title", "key"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=1000, year__lte=2999), name="source_year_plausible"
            ),
        ]

    def __str__(self):
        return self.short_label() or self.key

    def clean(self):
        self.doi, self.isbn = normalize_doi(self.doi), normalize_isbn(self.isbn)

    def get_absolute_url(self):
        return address("articles:source", "key", self.key)

    def author_surnames(self):
        names = []
        for name in self.authors or []:
            names.append(name.split(",")[0].strip() if "," in name else name.split()[-1])
        return names

    def year_label(self):
        """The year as written, marked when it is not Gregorian: "2014", "1382 SH"."""
        if not self.year:
            return ""
        return f"{self.year} {_CALENDAR_MARKS[self.calendar]}" if self.calendar in _CALENDAR_MARKS else str(self.year)

    def short_label(self):
        """`Ruttig 2014`, the way a researcher names a work in passing."""
        who = " & ".join(self.author_surnames()[:2]) or self.publisher or self.container
        label = " ".join(str(p) for p in (who, self.year_label()) if p)
        return label or self.title[:60]

    def citation(self):
        """A full reference line: Authors, Title, Container, Publisher, Place, Year."""
        parts = ["; ".join(self.authors or []), self.title, self.container, self.publisher, self.place]
        parts.append(self.year_label())
        return ", ".join(p for p in parts if p)


class FootnoteQuerySet(models.QuerySet):
    def citing_on_page(self, source, articles):
        """The notes of ``articles`` (one page of a listing, in its order) that cite ``source``, each
        with its article set: one query the size of the page, however often the source is cited."""
        by_id = {article.pk: article for article in articles}
        notes = list(self.filter(source=source, article_id__in=list(by_id)).only("article_id", "number", "locator"))
        order = {pk: n for n, pk in enumerate(by_id)}
        notes.sort(key=lambda note: (order[note.article_id], note.number))
        for note in notes:
            note.article = by_id[note.article_id]
        return notes


class Footnote(models.Model):
    class Kind(models.TextChoices):
        CITATION = "citation", "Citation"
        IBID = "ibid", "Ibid"
        CROSS_REFERENCE = "cross_reference", "Cross-reference"
        LINK = "link", "Link"
        NOTE = "note", "Note"

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="footnotes")
    number = models.PositiveIntegerField()
    text = models.TextField(help_text="The note as written.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NOTE)
    prefix = models.CharField(max_length=300, blank=True, help_text="Lead-in, e.g. “For further information read:”.")
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="footnotes")
    locator = models.CharField(max_length=100, blank=True, help_text="e.g. p. 42")
    refers_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="referred_by"
    )
    url = models.URLField(max_length=1000, blank=True)
    url_missing = models.BooleanField(
        "lost link", default=False, help_text="The note pointed to a link the old site lost."
    )
    # A lost link an editor found again: kept apart from ``url``, which is derived from the text.
    found_url = models.URLField(
        "URL found", max_length=1000, blank=True, help_text="The address the lost link had, found by an editor."
    )
    found_where = models.CharField(
        "where it was found", max_length=300, blank=True,
        help_text="Where the address was found, e.g. “the author's list of publications”.",
    )

    objects = FootnoteQuerySet.as_manager()
    # Who changed which note when; the article's revisions also keep its notes (articles.revisions).
    history = HistoricalRecords()

    class Meta:
        ordering = ["article", "number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="footnote_number_unique_per_article"),
            models.CheckConstraint(condition=Q(number__gte=1), name="footnote_number_positive"),
            models.CheckConstraint(condition=~Q(refers_to=F("id")), name="footnote_not_refers_to_itself"),
        ]
        # A source's page walks the newest articles and asks each whether one of its notes cites the
        # source: from this index alone, where the article's index read every note's row to see.
        indexes = [models.Index(fields=["article", "source"], name="footnote_article_source_idx")]

    def __str__(self):
        return f"[{self.number}] {self.text[:80]}"

    @property
    def anchor(self):
        return f"fn-{self.number}"

    @property
    def reference_anchor(self):
        return f"fnref-{self.number}"

    @property
    def lost_link(self):
        return self.url_missing
