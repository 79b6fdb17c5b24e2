"""Import inputs for the benchmark: seed-format text files and a WordPress export (WXR), generated."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from articles.synthetic import SyntheticArchive, seed_format_text

WXR_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Synthetic archive</title>
<link>https://bench.example.org</link>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>https://bench.example.org</wp:base_site_url>
<wp:base_blog_url>https://bench.example.org</wp:base_blog_url>
"""


def write_seed_files(directory: Path, count: int, *, seed: int, first: int = 0) -> list[Path]:
    """``count`` seed-format files of the synthetic archive ``seed``, its articles ``first`` on
    (files of another ``first`` are other articles: other names, other identities)."""
    archive = SyntheticArchive(seed)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(first, first + count):
        path = directory / f"{index:06d}.txt"
        path.write_text(seed_format_text(archive.article(index), archive), encoding="utf-8")
        paths.append(path)
    return paths


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def write_wxr(path: Path, count: int, *, seed: int, first: int = 0) -> Path:
    """A WXR 1.2 export of ``count`` published posts, written item by item (constant memory): the
    synthetic archive's articles ``first`` on, with post ids ``first + 1`` on."""
    archive = SyntheticArchive(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write(WXR_HEAD)
        for name in archive.authors:
            login = name.lower().replace(" ", "")
            out.write(f"<wp:author><wp:author_login>{login}</wp:author_login>"
                      f"<wp:author_display_name>{_cdata(name)}</wp:author_display_name></wp:author>\n")
        for category in archive.categories:
            nicename = "-".join(n.lower().replace(" ", "-") for n in category.names)
            parent = "-".join(n.lower().replace(" ", "-") for n in category.names[:-1])
            out.write(f"<wp:category><wp:category_nicename>{nicename}</wp:category_nicename>"
                      f"<wp:category_parent>{parent}</wp:category_parent>"
                      f"<wp:cat_name>{_cdata(category.names[-1])}</wp:cat_name></wp:category>\n")
        for index in range(first, first + count):
            a = archive.article(index)
            text = seed_format_text(a, archive)
            body = text.split("\n\n", 3)[3]  # drop breadcrumb, title and date lines
            leaf = archive.leaf_categories[a.category_index]
            nicename = "-".join(n.lower().replace(" ", "-") for n in leaf.names)
            author = archive.authors[a.author_indexes[0]].lower().replace(" ", "")
            tags = "".join(
                f'<category domain="post_tag" nicename="t{t}">{_cdata(archive.tags[t])}</category>'
                for t in a.tag_indexes
            )
            comments = "".join(
                f"<wp:comment><wp:comment_id>{n + 1}</wp:comment_id>"
                f"<wp:comment_author>{_cdata(c.name)}</wp:comment_author>"
                f"<wp:comment_author_email>{escape(c.email)}</wp:comment_author_email>"
                f"<wp:comment_date_gmt>{c.submitted_at:%Y-%m-%d %H:%M:%S}</wp:comment_date_gmt>"
                f"<wp:comment_content>{_cdata(c.body)}</wp:comment_content>"
                f"<wp:comment_approved>{'1' if c.status == 'approved' else '0'}</wp:comment_approved>"
                f"<wp:comment_type></wp:comment_type><wp:comment_parent>0</wp:comment_parent></wp:comment>"
                for n, c in enumerate(a.comments)
            )
            out.write(
                f"<item><title>{escape(a.title)}</title><link>https://bench.example.org/{a.slug}/</link>"
                f"<dc:creator>{_cdata(author)}</dc:creator>"
                f'<category domain="category" nicename="{nicename}">{_cdata(leaf.names[-1])}</category>{tags}'
                f"<content:encoded>{_cdata(body)}</content:encoded>"
                f"<excerpt:encoded>{_cdata(a.summary)}</excerpt:encoded>"
                f"<wp:post_id>{index + 1}</wp:post_id>"
                f"<wp:post_date_gmt>{a.published_at:%Y-%m-%d %H:%M:%S}</wp:post_date_gmt>"
                f"<wp:comment_status>open</wp:comment_status><wp:post_name>{a.slug}</wp:post_name>"
                f"<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
                f"<wp:post_password></wp:post_password><wp:is_sticky>0</wp:is_sticky>{comments}</item>\n"
            )
        out.write("</channel>\n</rss>\n")
    return path
