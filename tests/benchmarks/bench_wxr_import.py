"""WXR import throughput and memory: a generated 20,000-item export through the real pipeline.

    .venv/bin/python -m tests.benchmarks.bench_wxr_import [--items 20000] [--check]

Uses a fresh database of its own (SQLite in a temporary folder, or, when DATABASE_URL names a
PostgreSQL server, a database named after TEST_DB_NAME with ``_bench`` appended) and removes it
afterwards. Prints items per second and the process's peak resident memory; with ``--check``
exits 1 unless the import reaches 300 items/s with a peak under 200 MB (the issue's targets).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

TARGET_ITEMS_PER_SECOND = 300
TARGET_PEAK_MB = 200
SITE = "https://bench.example.org"


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def write_export(path: Path, items: int, seed: int = 7) -> dict[str, int]:
    """A WXR 1.2 file of ``items`` items: 90% posts, 5% attachments, 5% menu items, streamed out."""
    rng = random.Random(seed)
    regions = [f"Region {n}" for n in range(10)]
    topics = [f"Topic {n}" for n in range(40)]
    tags = [f"tag {n}" for n in range(300)]
    authors = [f"author{n}" for n in range(8)]
    counts = {"post": 0, "attachment": 0, "nav_menu_item": 0, "comments": 0, "footnotes": 0}
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
            'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">\n'
            f"<channel><title>Bench</title><link>{SITE}</link><wp:wxr_version>1.2</wp:wxr_version>"
            f"<wp:base_site_url>{SITE}</wp:base_site_url><wp:base_blog_url>{SITE}</wp:base_blog_url>\n"
        )
        for login in authors:
            out.write(
                f"<wp:author><wp:author_login>{login}</wp:author_login>"
                f"<wp:author_display_name>{_cdata(login.title())}</wp:author_display_name></wp:author>\n"
            )
        for region in regions:
            nice = region.lower().replace(" ", "-")
            out.write(
                f"<wp:category><wp:category_nicename>{nice}</wp:category_nicename><wp:category_parent>"
                f"</wp:category_parent><wp:cat_name>{_cdata(region)}</wp:cat_name></wp:category>\n"
            )
        for n, topic in enumerate(topics):
            parent = regions[n % len(regions)].lower().replace(" ", "-")
            nice = topic.lower().replace(" ", "-")
            out.write(
                f"<wp:category><wp:category_nicename>{nice}</wp:category_nicename><wp:category_parent>"
                f"{parent}</wp:category_parent><wp:cat_name>{_cdata(topic)}</wp:cat_name></wp:category>\n"
            )
        for tag in tags:
            out.write(
                f"<wp:tag><wp:tag_slug>{tag.replace(' ', '-')}</wp:tag_slug>"
                f"<wp:tag_name>{_cdata(tag)}</wp:tag_name></wp:tag>\n"
            )
        for post_id in range(1, items + 1):
            roll = rng.random()
            kind = "attachment" if roll < 0.05 else "nav_menu_item" if roll < 0.10 else "post"
            counts[kind] += 1
            out.write(_item(rng, post_id, kind, topics, tags, authors, counts))
        out.write("</channel>\n</rss>\n")
    return counts


def _item(rng, post_id, kind, topics, tags, authors, counts) -> str:
    day = 1 + post_id % 28
    slug = f"bench-post-{post_id}"
    words = " ".join(rng.choice(("policy", "province", "election", "council", "aid", "border")) for _ in range(60))
    paragraphs = [f"<p>{escape(words)} [{n}]</p>" if n <= 2 else f"<p>{escape(words)}</p>" for n in range(1, 6)]
    notes = ""
    if post_id % 3 == 0 and kind == "post":
        notes = "<p>[1] Ruttig, Thomas, Some Report, 2014, p. 4.<br />[2] Ibid.</p>"
        counts["footnotes"] += 2
    else:
        paragraphs = [p.replace(" [1]", "").replace(" [2]", "") for p in paragraphs]
    body = "\n\n".join(paragraphs) + ("\n\n" + notes if notes else "")
    comments = []
    if kind == "post":
        for n in range(rng.choice((0, 0, 1, 2, 3))):
            counts["comments"] += 1
            cid = post_id * 10 + n
            parent = cid - 1 if n == 2 else 0
            comments.append(
                f"<wp:comment><wp:comment_id>{cid}</wp:comment_id><wp:comment_author>Reader {n}"
                f"</wp:comment_author><wp:comment_author_email>r{n}@example.net</wp:comment_author_email>"
                f"<wp:comment_date_gmt>2015-02-0{1 + n} 10:00:00</wp:comment_date_gmt>"
                f"<wp:comment_content>{_cdata('A thoughtful reply. ' * 5)}</wp:comment_content>"
                f"<wp:comment_approved>{rng.choice(('1', '1', '0'))}</wp:comment_approved>"
                f"<wp:comment_type>comment</wp:comment_type><wp:comment_parent>{parent}</wp:comment_parent>"
                "</wp:comment>"
            )
    categories = "".join(
        f'<category domain="category" nicename="{t.lower().replace(" ", "-")}">{_cdata(t)}</category>'
        for t in rng.sample(topics, 2)
    )
    tag_xml = "".join(
        f'<category domain="post_tag" nicename="{t.replace(" ", "-")}">{_cdata(t)}</category>'
        for t in rng.sample(tags, 3)
    )
    return (
        f"<item><title>{_cdata(f'Bench post {post_id}')}</title>"
        f"<link>{SITE}/2015/01/{day:02d}/{slug}/</link>"
        f"<dc:creator>{rng.choice(authors)}</dc:creator>"
        f"<content:encoded>{_cdata(body)}</content:encoded>"
        f"<excerpt:encoded>{_cdata('A short summary.')}</excerpt:encoded>"
        f"<wp:post_id>{post_id}</wp:post_id>"
        f"<wp:post_date>2015-01-{day:02d} 10:00:00</wp:post_date>"
        f"<wp:post_date_gmt>2015-01-{day:02d} 09:00:00</wp:post_date_gmt>"
        f"<wp:comment_status>open</wp:comment_status><wp:post_name>{slug}</wp:post_name>"
        f"<wp:status>publish</wp:status><wp:post_type>{kind}</wp:post_type>"
        f"<wp:post_password></wp:post_password><wp:is_sticky>0</wp:is_sticky>"
        f"{categories}{tag_xml}{''.join(comments)}</item>\n"
    )


def _setup_django(workdir: Path):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    os.environ.pop("DJANGO_DEBUG", None)  # DEBUG would keep every query in memory
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    import django
    from django.conf import settings

    django.setup()
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        db["TEST"]["NAME"] = str(workdir / "bench-test.sqlite3")
    else:
        db["TEST"]["NAME"] = os.environ.get("TEST_DB_NAME", "test_archive") + "_bench"
    from django.db import connection

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    return connection, old_name


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-wxr-") as tmp:
        workdir = Path(tmp)
        export = workdir / "bench.xml"
        counts = write_export(export, args.items)
        connection, old_name = _setup_django(workdir)
        try:
            from articles.importers.pipeline import import_path
            from articles.models import Article, Comment, Footnote

            baseline = peak_rss_mb()
            start, cpu_start = time.perf_counter(), time.process_time()
            result = import_path(export)
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
            peak = peak_rss_mb()
            assert not result.error, result.error
            rows = (Article.objects.count(), Comment.objects.count(), Footnote.objects.count())
            start = time.perf_counter()
            again = import_path(export)
            reimport = time.perf_counter() - start
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)

    rate = args.items / elapsed
    size_mb = export.stat().st_size / 1e6 if export.exists() else 0
    print(
        f"WXR import [{connection.vendor}]: {args.items} items ({counts['post']} posts, "
        f"{counts['attachment']} attachments, {counts['nav_menu_item']} menu items; {counts['comments']} comments, "
        f"{counts['footnotes']} footnotes{f', {size_mb:.0f} MB' if size_mb else ''}) in {elapsed:.1f} s = "
        f"{rate:.0f} items/s ({counts['post'] / elapsed:.0f} posts/s); this process's CPU {cpu:.1f} s = "
        f"{args.items / cpu:.0f} items/CPU-s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
        f"peak RSS {peak:.0f} MB "
        f"(before the import {baseline:.0f} MB); rows {rows}; re-import {again.count('unchanged')} unchanged "
        f"in {reimport:.1f} s = {args.items / reimport:.0f} items/s"
    )
    ok = rate >= TARGET_ITEMS_PER_SECOND and peak < TARGET_PEAK_MB
    print(f"targets (>= {TARGET_ITEMS_PER_SECOND} items/s, peak < {TARGET_PEAK_MB} MB): {'met' if ok else 'MISSED'}")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
