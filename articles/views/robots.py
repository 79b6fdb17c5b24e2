"""robots.txt: crawl everything public, skip search result pages, find the sitemap."""

from django.views.generic import TemplateView


class RobotsView(TemplateView):
    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"
