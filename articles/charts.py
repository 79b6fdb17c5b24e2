"""A bar chart of articles per year, laid out on the server so the page needs no JavaScript."""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    url: str
    x: float
    y: float
    width: float
    height: float
    label_x: float
    count_y: float


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    baseline: float
    bars: list

    @property
    def view_box(self):
        return f"0 0 {self.width} {self.height}"

    @property
    def label_y(self):
        return self.height - 6

    @property
    def first_label(self):
        return self.bars[0].label

    @property
    def last_label(self):
        return self.bars[-1].label


def year_chart(year_counts, *, width=640, height=200, label_room=24, top_room=18, gap=0.2):
    """Geometry for ``[(year, count)]``: one bar per year, heights scaled to the busiest year."""
    if not year_counts:
        return None
    slot = width / len(year_counts)
    bar_width = slot * (1 - gap)
    baseline = height - label_room
    tallest = max(count for _, count in year_counts) or 1
    bars = []
    for i, (year, count) in enumerate(year_counts):
        bar_height = round((baseline - top_room) * count / tallest, 1)
        x = round(i * slot + (slot - bar_width) / 2, 1)
        bars.append(
            Bar(
                label=str(year),
                count=count,
                url=reverse("articles:archive_year", kwargs={"year": year}),
                x=x,
                y=round(baseline - bar_height, 1),
                width=round(bar_width, 1),
                height=bar_height,
                label_x=round(i * slot + slot / 2, 1),
                count_y=round(baseline - bar_height - 4, 1),
            )
        )
    return BarChart(width=width, height=height, baseline=baseline, bars=bars)
