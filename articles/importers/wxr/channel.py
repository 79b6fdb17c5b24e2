"""Channel-level data of a WordPress export: the site, the authors by login and the category tree,
and the ``WxrParse`` result they fill in. No database."""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..base import ParsedArticle, ParsedAuthor
from .reader import _name, _text


@dataclass
class WxrParse:
    """One export: channel data (complete when ``parse`` returns) and a lazy stream of articles.

    ``skipped`` and ``warnings`` fill up while ``articles`` is iterated; read them afterwards.
    """

    file_name: str
    site_url: str = ""
    wxr_version: str = ""
    articles: Iterator[ParsedArticle] = field(default_factory=lambda: iter(()))
    categories: list[list[str]] = field(default_factory=list)  # every wp:category, root first
    tags: list[str] = field(default_factory=list)
    authors: list[ParsedAuthor] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # e.g. {"attachment": 37}
    # The files attached to each post, by the post's import identity (complete once ``articles`` is).
    attachments: dict[str, list] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


class _Channel:
    """What the items refer to: the site, the authors by login and the category tree."""

    def __init__(self, result: WxrParse):
        self.result = result
        self.values: dict[str, str] = {}
        self.authors: dict[str, ParsedAuthor] = {}
        self.category_nodes: dict[str, tuple[str, str]] = {}  # nicename -> (name, parent)
        self.attachments: dict = {}  # post id -> ``attachments.Attachment``

    def take(self, element) -> None:
        name = _name(element.tag)
        if name == "wp:author":
            self._add_author({_name(c.tag): _text(c) for c in element})
        elif name == "wp:category":
            self._add_category({_name(c.tag): _text(c) for c in element})
        elif name == "wp:tag":
            parts = {_name(c.tag): _text(c) for c in element}
            tag = html.unescape(parts.get("wp:tag_name", ""))
            if tag:
                self.result.tags.append(tag)
        elif name in ("title", "link", "wp:base_site_url", "wp:base_blog_url", "wp:wxr_version"):
            self.values.setdefault(name, _text(element))

    def _add_author(self, parts: dict[str, str]) -> None:
        login = parts.get("wp:author_login", "")
        author = ParsedAuthor(
            name=html.unescape(parts.get("wp:author_display_name", "")) or login,
            login=login,
            email=parts.get("wp:author_email", ""),
        )
        self.authors[login] = author
        self.result.authors.append(author)

    def _add_category(self, parts: dict[str, str]) -> None:
        nicename = parts.get("wp:category_nicename", "")
        name = html.unescape(parts.get("wp:cat_name", "")) or nicename
        self.category_nodes[nicename] = (name, parts.get("wp:category_parent", ""))

    def finish_header(self, file_name: str) -> None:
        # base_blog_url is the blog itself; base_site_url is the network (https://wordpress.com/
        # for every WordPress.com blog), so it comes last.
        for key in ("wp:base_blog_url", "link", "wp:base_site_url"):
            if self.values.get(key):
                self.result.site_url = self.values[key].rstrip("/")
                break
        else:
            self.result.site_url = "file:" + file_name
            self.result.warnings.append(
                "The export names no site URL; articles are identified by file name, so "
                "importing the same site under another file name creates duplicates."
            )
        self.result.wxr_version = self.values.get("wp:wxr_version", "")
        self.result.categories = [self.category_path(n) for n in self.category_nodes]

    def category_path(self, nicename: str, fallback_name: str = "") -> list[str]:
        """Names from the root down to ``nicename``, following wp:category_parent."""
        if nicename not in self.category_nodes:
            return [fallback_name or nicename]
        path, seen = [], set()
        while nicename in self.category_nodes and nicename not in seen:  # a cycle ends the walk
            seen.add(nicename)
            name, nicename = self.category_nodes[nicename]
            path.append(name)
        return path[::-1]

    def author(self, login: str, warnings: list[str]) -> ParsedAuthor:
        if login not in self.authors:
            warnings.append(f"Author {login!r} is not listed in the export; imported by login.")
            return ParsedAuthor(name=login, login=login)
        return self.authors[login]
