"""Date archives: the index of years and months (with a bar chart), a year page, a month page."""

from django.conf import settings
from django.http import Http404
from django.views.generic import MonthArchiveView, TemplateView, YearArchiveView

from articles.charts import year_chart
from articles.models import Article
from articles.pages.cache import versioned
from articles.pagination import ListingPagesMixin

from .listing import CardsMixin


def _years(month_counts):
    """[(year, total, [(month, count)])] newest year first, from (month, count) pairs."""
    years = {}
    for month, count in month_counts:
        total, months = years.setdefault(month.year, [0, []])
        years[month.year][0] = total + count
        months.append((month, count))
    return [(year, total, months) for year, (total, months) in sorted(years.items(), reverse=True)]


class ArchiveIndexView(TemplateView):
    template_name = "articles/archive_index.html"

    def get_context_data(self, **kwargs):
        years = _years(Article.objects.published().counts_by_month())
        counts = dict((year, total) for year, total, _ in years)
        span = range(min(counts), max(counts) + 1) if counts else []
        return super().get_context_data(
            years=years,
            total=sum(counts.values()),
            chart=year_chart([(year, counts.get(year, 0)) for year in span]),
            **kwargs,
        )


class DateListMixin(CardsMixin, ListingPagesMixin):
    """Published articles by date, a page at a time (``articles.pagination``); an empty year or month is a 404."""

    date_field = "published_at"
    context_object_name = "articles"
    paginate_by = settings.ARCHIVE_PAGE_SIZE
    allow_empty = False
    allow_future = True  # scheduled articles are not published; published ones may be post-dated

    def get_queryset(self):
        # Also what the next/previous period links probe (a whole article each, in Django's date
        # views): no prefetches here, or each probe costs two, and only the date, not the body.
        # The list's own columns are chosen by ``with_cards``.
        return Article.objects.published().only("published_at")

    def get_dated_queryset(self, **lookup):
        # Not Django's, which asks EXISTS first when empty periods are 404s: the page's own query tells
        # (``paginate_queryset``). Future dates are allowed, so there is nothing else to filter.
        return self.with_cards(self.get_queryset().filter(**lookup))

    def paginate_queryset(self, queryset, page_size):
        paginated = super().paginate_queryset(queryset, page_size)
        if not paginated[2]:
            raise Http404("No articles in that period.")
        return paginated


class YearView(DateListMixin, YearArchiveView):
    template_name = "articles/archive_year.html"
    make_object_list = True

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        # Its months by one probe each, not a read of every date of the year (which grows with it),
        # worked out once after each write that changes the lists (building the probes is most of it).
        year = int(self.get_year())
        months = versioned(f"months-of:{year}", lambda: self.get_queryset().months_of(year))
        if not months and not self.get_allow_empty():
            raise Http404("No articles that year.")
        return months if ordering == "ASC" else months[::-1]


class MonthView(DateListMixin, MonthArchiveView):
    template_name = "articles/archive_month.html"
    month_format = "%m"

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        # The month page links no days: skip the query that lists them (emptiness is checked already).
        return []
