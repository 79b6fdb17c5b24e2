"""articles.importers.wxr: the pure parse step of the WordPress (WXR) importer. No database."""

import collections
import datetime as dt
import io
import re
import time
import tracemalloc
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from articles.importers import wxr
from articles.importers.base import FootnoteKind, ImportFailed
from articles.importers.wxr.footnotes import _last_paragraph

FIXTURES = Path(__file__).parent / "fixtures" / "wxr"
THEME = FIXTURES / "themeunittestdata.wordpress.xml"
SITE = "https://wpthemetestdata.wordpress.com"
WP = "{https://wordpress.org/export/1.2/}"


def parse_file(name, **options):
    """Parse a fixture completely; returns (WxrParse, articles)."""
    with open(FIXTURES / name, "rb") as stream:
        result = wxr.parse(stream, name, **options)
        articles = list(result.articles)
    return result, articles


def parse_bytes(data, **options):
    result = wxr.parse(io.BytesIO(data), "upload.xml", **options)
    return result, list(result.articles)


@pytest.fixture(scope="module")
def theme():
    return parse_file(THEME.name)


@pytest.fixture(scope="module")
def theme_with_pages():
    return parse_file(THEME.name, include_pages=True)


@pytest.fixture(scope="module")
def theme_raw_posts():
    """The corpus read independently with the stdlib parser (the fixture is trusted)."""
    channel = ET.parse(THEME).getroot().find("channel")
    return [item for item in channel.findall("item") if item.findtext(WP + "post_type") == "post"]


def by_title(articles, title):
    [article] = [a for a in articles if a.title == title]
    return article


# --- detection -------------------------------------------------------------------------------


def test_detect_recognises_a_wordpress_export():
    assert wxr.detect(THEME.read_bytes()[:4096], THEME.name) is True


def test_detect_rejects_plain_rss_and_empty_input():
    assert wxr.detect((FIXTURES / "plain-rss.xml").read_bytes(), "plain-rss.xml") is False
    assert wxr.detect(b"", "empty.xml") is False


def test_format_name():
    assert wxr.FORMAT_NAME == "wxr"


# --- the theme unit test corpus --------------------------------------------------------------


def test_theme_corpus_channel_data(theme):
    result, _ = theme
    assert result.site_url == SITE
    assert result.wxr_version == "1.2"
    assert len(result.categories) == 68
    assert sum(1 for path in result.categories if len(path) > 1) == 10
    assert ["Parent Category", "Child Category 03", "Grandchild Category"] in result.categories
    assert len(result.tags) == 110
    assert [(a.name, a.login, a.email) for a in result.authors] == [
        ("Theme Buster", "themedemos", "themeshaperwp+demos@gmail.com"),
        ("Theme Reviewer", "themereviewteam", "themereviewteam@gmail.com"),
    ]


def test_theme_corpus_has_58_posts_and_skips_the_rest(theme):
    result, articles = theme
    assert len(articles) == 58
    assert result.skipped == {"page": 21, "attachment": 37, "nav_menu_item": 70}
    assert result.warnings == []


def test_theme_corpus_statuses_before_and_after_the_password_rule(theme, theme_raw_posts):
    _, articles = theme
    wp_statuses = collections.Counter(item.findtext(WP + "status") for item in theme_raw_posts)
    assert wp_statuses == {"publish": 56, "future": 1, "draft": 1}
    # The password-protected post is published in WordPress but imported as a draft.
    assert collections.Counter(a.status for a in articles) == {"published": 55, "scheduled": 1, "draft": 2}
    protected = by_title(articles, 'Template: Password Protected (the password is "enter")')
    assert protected.status == "draft"
    assert protected.warnings == ["The post is password-protected in WordPress; imported as a draft."]


def test_theme_corpus_identity_dates_and_urls(theme):
    _, articles = theme
    assert len({a.identity for a in articles}) == 58
    post = by_title(articles, "Template: Pingbacks And Trackbacks")
    assert post.identity == f"{'wxr:' + SITE}#1149"
    assert post.slug == "template-pingbacks-an-trackbacks"
    assert post.published_at == dt.datetime(2012, 1, 1, 17, 17, 18, tzinfo=dt.UTC)
    assert post.original_url == f"{SITE}/2012/01/01/template-pingbacks-an-trackbacks/"
    assert [(a.name, a.login) for a in post.authors] == [("Theme Buster", "themedemos")]
    scheduled = by_title(articles, "Scheduled")
    assert scheduled.status == "scheduled"
    assert scheduled.published_at == dt.datetime(2030, 1, 1, 19, 0, 18, tzinfo=dt.UTC)


def test_theme_corpus_classic_content_gets_paragraphs(theme):
    _, articles = theme
    post = by_title(articles, "Template: Pingbacks And Trackbacks")
    assert post.body_html == (
        "<p>This post has many pingpacks and trackbacks.</p>\n"
        "<p>There are a few ways to list them.</p>\n"
        "<ol>\n<li>Above the comments</li>\n<li>Below the comments</li>\n"
        "<li>Included within the normal flow of comments</li>\n</ol>"
    )


def test_theme_corpus_bodies_have_no_block_comments_or_scripts(theme_with_pages):
    _, articles = theme_with_pages
    for article in articles:
        assert "<!--" not in article.body_html, article.title
        assert "<script" not in article.body_html, article.title
        assert " style=" not in article.body_html, article.title


def test_theme_corpus_markup_survives(theme):
    _, articles = theme
    body = by_title(articles, "Markup: HTML Tags and Formatting").body_html
    for tag in ("<h2>", "<h3>", "<blockquote>", "<table>", "<th>", "<ul>", "<ol>", "<li>", "<a href=", "<code>"):
        assert tag in body, tag
    assert "<h1" not in body
    image = by_title(articles, "Post Format: Image (Caption)").body_html
    assert "<figure>" in image and "<img " in image
    assert "<figcaption>Bell on wharf in San Francisco</figcaption>" in image
    assert "[caption" not in image


def test_theme_corpus_post_without_title(theme):
    _, articles = theme
    post = by_title(articles, "Untitled post 1169")
    assert post.slug == "edge-case-no-title"
    assert post.warnings == ["The post has no title; imported as 'Untitled post 1169'."]


def test_theme_corpus_title_markup_is_reduced_to_text(theme):
    _, articles = theme
    assert by_title(articles, "Markup: Title With Markup").identity.startswith("wxr:")


def test_theme_corpus_post_in_63_categories_keeps_them_all(theme):
    _, articles = theme
    post = by_title(articles, "Edge Case: Many Categories")
    assert len(post.category_paths) == 63
    assert post.category_paths[0] == ["Classic"]  # the primary: the first listed
    assert ["Parent Category", "Child Category 03", "Grandchild Category"] in post.category_paths


def test_theme_corpus_tags_sticky_and_closed_comments(theme, theme_raw_posts):
    _, articles = theme
    assert len(by_title(articles, "Edge Case: Many Tags").tags) == 45
    assert [a.title for a in articles if a.sticky] == ["Template: Sticky"]
    closed = sum(1 for item in theme_raw_posts if item.findtext(WP + "comment_status") == "closed")
    assert closed == 39
    assert sum(1 for a in articles if not a.comments_open) == 39
    assert by_title(articles, "Template: Comments Disabled").comments_open is False
    assert by_title(articles, "Template: Comments").comments_open is True


def test_theme_corpus_comments_in_posts(theme):
    _, articles = theme
    comments = [c for a in articles for c in a.comments]
    assert len(comments) == 28
    assert collections.Counter(c.status for c in comments) == {"approved": 27, "pending": 1}
    assert sum(1 for c in comments if c.parent_id) == 9


def test_theme_corpus_comments_across_all_items(theme_with_pages):
    _, articles = theme_with_pages
    comments = [c for a in articles for c in a.comments]
    assert len(comments) == 33
    assert sum(1 for c in comments if c.status == "pending") == 3
    assert sum(1 for c in comments if c.parent_id is not None) == 10
    assert all(c.submitted.tzinfo is dt.UTC for c in comments)
    assert all(a.warnings == [] or "Comment" not in " ".join(a.warnings) for a in articles)


def test_theme_corpus_pingbacks_and_trackbacks_are_kept(theme, theme_raw_posts):
    _, articles = theme
    raw_pings = {
        comment.findtext(WP + "comment_id")
        for item in theme_raw_posts
        for comment in item.findall(WP + "comment")
        if comment.findtext(WP + "comment_type") in ("pingback", "trackback")
    }
    assert len(raw_pings) == 4
    post = by_title(articles, "Template: Pingbacks And Trackbacks")
    pings = [c for c in post.comments if c.source_id in raw_pings]
    assert len(pings) == 4
    first = pings[0]
    assert first.name == "Ping 1 « What’s a tellyworth?"
    assert first.website == "http://tellyworth.wordpress.com/2007/11/21/ping-1/"
    assert first.body == "[...] Trackback test. [...]"
    assert first.submitted == dt.datetime(2007, 11, 21, 1, 31, 12, tzinfo=dt.UTC)
    assert first.status == "approved"


def test_theme_corpus_with_pages_yields_79_articles(theme_with_pages):
    result, articles = theme_with_pages
    assert len(articles) == 58 + 21
    assert result.skipped == {"attachment": 37, "nav_menu_item": 70}


def test_counters_fill_while_iterating():
    with open(THEME, "rb") as stream:
        result = wxr.parse(stream, THEME.name)
        assert len(result.categories) == 68  # channel data is ready before the first article
        assert result.skipped == {}
        next(result.articles)
        for _ in result.articles:
            pass
    assert result.skipped == {"page": 21, "attachment": 37, "nav_menu_item": 70}


# --- WordPress 6.3 footnotes -----------------------------------------------------------------


def test_wp63_footnotes_are_numbered_in_meta_order():
    _, [article] = parse_file("footnotes-wp63.xml")
    assert [(f.number, f.text, f.kind) for f in article.footnotes] == [
        (1, "Parish register of St Mary, 1841, folio 12.", FootnoteKind.NOTE),
        (2, "Ibid.", FootnoteKind.IBID),
        (3, "See the online catalogue.", FootnoteKind.LINK),
    ]
    assert article.footnotes[1].refers_to == 1
    assert article.footnotes[2].url == "https://catalogue.example.org/item/42"


def test_wp63_footnote_references_are_rewritten():
    _, [article] = parse_file("footnotes-wp63.xml")
    body = article.body_html
    assert "data-fn" not in body and 'class="fn"' not in body and "-link" not in body
    rel = ' rel="nofollow noopener noreferrer"'
    assert (
        'register<sup class="footnote-ref" id="fnref-1">'
        f'<a href="#fn-1" aria-describedby="footnotes-label"{rel}>1</a></sup> and' in body
    )
    assert '<sup class="footnote-ref" id="fnref-1-2"><a href="#fn-1"' in body
    assert body.count('id="fnref-2"') == 1 and body.count('id="fnref-3"') == 1
    assert "<h2>Second thoughts</h2>" in body
    assert article.warnings == []


def test_wp63_fixture_channel_and_item_fields():
    result, [article] = parse_file("footnotes-wp63.xml")
    assert result.site_url == "https://notes.example.org"
    assert result.categories == [["History & Memory"], ["History & Memory", "Archives"]]
    assert article.identity == "wxr:https://notes.example.org#101"
    assert article.category_paths == [["History & Memory", "Archives"]]
    assert article.tags == ["sources"]
    assert article.summary == "A short summary & more."
    assert [(a.name, a.login, a.email) for a in article.authors] == [("Ed Itor", "editor", "editor@notes.example.org")]


def test_comment_fields_are_plain_and_safe():
    _, [article] = parse_file("footnotes-wp63.xml")
    [comment] = article.comments
    assert comment.source_id == "7"
    assert comment.parent_id is None
    assert comment.website == ""  # javascript: is not a website
    assert comment.body == "Thanks & well done.\nSecond line."
    assert comment.status == "spam"
    assert comment.submitted == dt.datetime(2023, 9, 16, 11, 0, tzinfo=dt.UTC)


# --- WXR 1.0, classic footnotes, statuses ----------------------------------------------------


def test_wxr10_classic_post_with_bracket_footnotes():
    result, articles = parse_file("classic-wxr10.xml")
    article = articles[0]
    assert result.site_url == "http://old.example.com/blog"
    assert article.title == "Café notes"
    assert article.slug == "café-notes"  # WordPress stores unicode slugs percent-encoded
    assert article.status == "draft"
    # post_date_gmt is zero for drafts: post_date is taken as UTC
    assert article.published_at == dt.datetime(2009, 3, 2, 18, 5, tzinfo=dt.UTC)
    assert article.comments_open is False
    assert [(f.number, f.text, f.kind, f.url) for f in article.footnotes] == [
        (1, "Jane Smith, A Book (London, 1999), p. 4.", FootnoteKind.NOTE, ""),
        (2, "http://www.example.com/report.pdf", FootnoteKind.LINK, "http://www.example.com/report.pdf"),
    ]
    body = article.body_html
    assert "[1]" not in body and "[2]" not in body and "Notes" not in body
    assert body.count('<sup class="footnote-ref"') == 3
    assert 'id="fnref-1-2"' in body
    assert body.startswith("<p>The first paragraph makes a claim.<sup")
    assert "<br>\nIt continues on a second line.</p>" in body
    assert "<h2>A big heading</h2>" in body and "<h1" not in body
    assert article.category_paths == [["Essays"], ["Loose Ends"]]
    assert article.warnings == ["Author 'ghost' is not listed in the export; imported by login."]


def test_trash_and_unknown_types_are_skipped_and_odd_statuses_become_drafts():
    result, articles = parse_file("classic-wxr10.xml")
    assert result.skipped == {"post (trash)": 1, "feedback": 1}
    assert [a.title for a in articles] == ["Café notes", "A revision of sorts"]
    assert articles[1].status == "draft"
    assert articles[1].warnings == ["WordPress status 'inherit' is not supported; imported as a draft."]


# --- hostile and broken files ----------------------------------------------------------------


def assert_fails_quickly(name_or_bytes, message):
    started = time.perf_counter()
    with pytest.raises(ImportFailed) as failure:
        if isinstance(name_or_bytes, bytes):
            parse_bytes(name_or_bytes)
        else:
            parse_file(name_or_bytes)
    assert time.perf_counter() - started < 1.0
    assert message in str(failure.value)
    return str(failure.value)


def test_billion_laughs_is_refused():
    assert_fails_quickly("billion-laughs.xml", "contains a DTD or entity declarations, which are not allowed")


def test_xxe_to_a_local_file_is_refused():
    message = assert_fails_quickly("xxe.xml", "contains a DTD or entity declarations, which are not allowed")
    assert "root:" not in message


def test_truncated_file_fails_with_its_position():
    data = THEME.read_bytes()
    assert_fails_quickly(data[: len(data) // 2], "The XML ends early or is malformed at line 7501, column 28")


def test_truncated_file_fails_while_iterating_after_some_articles():
    data = THEME.read_bytes()
    result = wxr.parse(io.BytesIO(data[: len(data) // 2]), "half.xml")
    seen = []
    with pytest.raises(ImportFailed, match="ends early or is malformed"):
        for article in result.articles:
            seen.append(article)
    assert len(seen) == 8


def test_empty_file_is_refused():
    assert_fails_quickly("empty.xml", "The file is empty")


def test_plain_rss_is_not_a_wordpress_export():
    assert_fails_quickly("plain-rss.xml", "Not a WordPress export")


def test_other_xml_is_not_a_wordpress_export():
    assert_fails_quickly(b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"/>', "Not a WordPress export")


# --- streaming -------------------------------------------------------------------------------

ITEM = """<item><title>Post {n}</title><link>https://big.example/{n}/</link>
<dc:creator><![CDATA[admin]]></dc:creator>
<content:encoded><![CDATA[<!-- wp:paragraph --><p>Paragraph {n} with <a href="https://example.org/{n}">a link</a>.</p>
<!-- /wp:paragraph -->{padding}]]></content:encoded>
<excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>{n}</wp:post_id><wp:post_date>2020-01-01 00:00:00</wp:post_date>
<wp:post_date_gmt>2020-01-01 00:00:00</wp:post_date_gmt><wp:comment_status>open</wp:comment_status>
<wp:post_name>post-{n}</wp:post_name><wp:status>publish</wp:status><wp:post_type>{post_type}</wp:post_type>
<wp:post_password></wp:post_password><wp:is_sticky>0</wp:is_sticky>
<category domain="category" nicename="news"><![CDATA[News]]></category>
<wp:comment><wp:comment_id>{n}</wp:comment_id><wp:comment_author>Reader</wp:comment_author>
<wp:comment_date_gmt>2020-01-02 00:00:00</wp:comment_date_gmt><wp:comment_content>Nice.</wp:comment_content>
<wp:comment_approved>1</wp:comment_approved><wp:comment_type></wp:comment_type><wp:comment_parent>0</wp:comment_parent>
</wp:comment></item>
"""


def write_big_export(path, count):
    padding = "<p>" + "Lorem ipsum dolor sit amet. " * 40 + "</p>"
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:excerpt="http://wordpress.org/export/1.1/excerpt/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.1/">\n'
            "<channel><title>Big</title><link>https://big.example</link>"
            "<wp:wxr_version>1.1</wp:wxr_version><wp:base_blog_url>https://big.example</wp:base_blog_url>"
            "<wp:author><wp:author_login>admin</wp:author_login><wp:author_display_name>Admin"
            "</wp:author_display_name></wp:author>"
            "<wp:category><wp:category_nicename>news</wp:category_nicename><wp:category_parent>"
            "</wp:category_parent><wp:cat_name>News</wp:cat_name></wp:category>\n"
        )
        for n in range(1, count + 1):
            post_type = "attachment" if n % 10 == 0 else "post"
            out.write(ITEM.format(n=n, padding=padding, post_type=post_type))
        out.write("</channel></rss>\n")


@pytest.mark.slow
def test_20000_items_stream_in_flat_memory(tmp_path):
    path = tmp_path / "big.xml"
    write_big_export(path, 20_000)
    assert path.stat().st_size > 30_000_000
    tracemalloc.start()
    try:
        with open(path, "rb") as stream:
            result = wxr.parse(stream, "big.xml")
            count = 0
            for article in result.articles:
                count += 1
                assert article.category_paths == [["News"]]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 18_000
    assert result.skipped == {"attachment": 2_000}
    assert peak < 50 * 1024 * 1024


_PARAGRAPH_AT_END = re.compile(r"<p>((?:(?!<p>).)*?)</p>\s*$", re.IGNORECASE | re.DOTALL)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["<p>", "<P>", "</p>", "</P>", "<p class='x'>", "[1] Note", "<br />", " ", "\n",
                                 "\u2003", "text", "<", "p>", "</"]), max_size=14).map("".join))
def test_the_last_paragraph_is_what_the_pattern_it_replaces_finds(body):
    match = _PARAGRAPH_AT_END.search(body)
    assert _last_paragraph(body) == ((match.start(), match.group(1)) if match else None)
