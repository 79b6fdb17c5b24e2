"""WXR <item>s into ``ParsedArticle`` objects: which items are imported, and each one's fields. No database."""

from __future__ import annotations

import html
from collections.abc import Iterator
from urllib.parse import unquote

from articles import languages
from articles.sanitize import html_to_text

from ..base import ParsedArticle
from .attachments import attachment_of
from .body import _body_and_footnotes
from .channel import _Channel
from .comments import _comments
from .reader import _name, _RawItem, _wp_datetime

STATUS_MAP = {
    "publish": "published",
    "draft": "draft",
    "future": "scheduled",
    "private": "private",
    "pending": "pending",
}
SKIPPED_STATUSES = {"trash", "auto-draft"}  # deleted or never written: nothing to import


def _articles(elements, channel: _Channel, include_pages: bool) -> Iterator[ParsedArticle]:
    result = channel.result
    with_gallery = []  # posts whose [gallery] may show attachments further on: parsed at the end
    for element in elements:
        if _name(element.tag) != "item":
            channel.take(element)  # channel data after the items: unusual but harmless
            continue
        item = _RawItem.from_element(element)
        _take_attachment(item, channel)
        reason = _skip_reason(item, include_pages)
        if reason:
            result.skipped[reason] = result.skipped.get(reason, 0) + 1
        elif _GALLERY in item.fields.get("content:encoded", ""):
            with_gallery.append(item)
        else:
            yield _article(item, channel)
    for item in with_gallery:
        yield _article(item, channel)
    site = channel.result.site_url
    for attachment in channel.attachments.values():
        if attachment.parent != "0":
            result.attachments.setdefault(f"wxr:{site}#{attachment.parent}", []).append(attachment.media)


_GALLERY = "[gallery"


def _take_attachment(item: _RawItem, channel: _Channel) -> None:
    if item.get("wp:post_type") == "attachment" and (attachment := attachment_of(item)) is not None:
        channel.attachments[item.get("wp:post_id")] = attachment


def _skip_reason(item: _RawItem, include_pages: bool) -> str:
    post_type = item.get("wp:post_type") or "post"
    if post_type not in ({"post", "page"} if include_pages else {"post"}):
        return post_type
    status = item.get("wp:status")
    if status in SKIPPED_STATUSES:
        return f"{post_type} ({status})"
    return ""


def _article(item: _RawItem, channel: _Channel) -> ParsedArticle:
    warnings: list[str] = []
    post_id = item.get("wp:post_id")
    title = html_to_text(item.get("title"))
    if not title:
        title = f"Untitled post {post_id}"
        warnings.append(f"The post has no title; imported as {title!r}.")
    published_at = _wp_datetime(item.get("wp:post_date_gmt")) or _wp_datetime(item.get("wp:post_date"))
    body, footnotes = _body_and_footnotes(item, warnings, channel.attachments)
    article = ParsedArticle(
        identity=f"wxr:{channel.result.site_url}#{post_id}",
        title=title,
        published_at=published_at,
        body_html=body,
        status=_status(item, warnings),
        slug=unquote(item.get("wp:post_name")),
        summary=html_to_text(item.get("excerpt:encoded")),
        category_paths=[
            channel.category_path(nicename, name) for domain, nicename, name in item.categories if domain == "category"
        ],
        tags=[html.unescape(n) for d, _, n in item.categories if d == "post_tag" and n],
        footnotes=footnotes,
        comments_open=item.get("wp:comment_status") == "open",
        sticky=item.get("wp:is_sticky") == "1",
        original_url=item.get("link"),
        warnings=warnings,
        guid=item.get("guid"),
        modified_at=_wp_datetime(item.get("wp:post_modified_gmt")) or _wp_datetime(item.get("wp:post_modified")),
    )
    # WordPress logins never contain "<" or ">" (sanitize_user strips them); exports by hand, like
    # the theme test data's ">themereviewteam", sometimes do.
    article.language, article.translation_key = _language_and_translations(item, channel, warnings)
    creator = item.get("dc:creator").strip("<> ")
    if creator:
        article.authors = [channel.author(creator, warnings)]
    article.comments = _comments(item.comments, published_at, warnings)
    return article


# WPML's export add-on writes the language and translation group of a post as post meta.
_WPML_LANGUAGE, _WPML_GROUP = "_wpml_import_language_code", "_wpml_import_translation_group"


def _language_and_translations(item: _RawItem, channel: _Channel, warnings: list[str]) -> tuple[str, str]:
    """(language code, translation key) from Polylang's ``language`` and ``post_translations``
    terms or WPML's post meta; ("", "") when the export has neither (the language is then detected)."""
    named = [(nicename, name) for domain, nicename, name in item.categories if domain == "language"]
    group = next((nicename for domain, nicename, _ in item.categories if domain == "post_translations"), "")
    if not named and item.meta.get(_WPML_LANGUAGE):
        named = [(item.meta[_WPML_LANGUAGE], "")]
        group = item.meta.get(_WPML_GROUP, "")
    code = ""
    if named:
        nicename, name = named[0]
        code = languages.code_named(nicename) or languages.code_named(name) or ""
        if not code:
            warnings.append(
                f"The post's language {name or nicename!r} is not one the archive publishes in; "
                "its language was detected from the text."
            )
    key = f"wxr:{channel.result.site_url}#translations:{group}" if group else ""
    return code, key


def _status(item: _RawItem, warnings: list[str]) -> str:
    wp_status = item.get("wp:status")
    if item.get("wp:post_password"):
        warnings.append("The post is password-protected in WordPress; imported as a draft.")
        return "draft"
    if wp_status not in STATUS_MAP:
        warnings.append(f"WordPress status {wp_status!r} is not supported; imported as a draft.")
        return "draft"
    return STATUS_MAP[wp_status]
