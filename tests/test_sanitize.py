"""articles.sanitize: the allowlist every article body passes through."""

import pytest

from articles.sanitize import clean_html, html_to_text

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/xss.js></SCRIPT>",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="jav&#x09;ascript:alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    "<svg onload=alert(1)><circle r=1 /></svg>",
    '<iframe src="https://evil.example/"></iframe>',
    '<div style="width: expression(alert(1))">x</div>',
    "<style>body { background: url(javascript:alert(1)) }</style>",
    '<p onclick="alert(1)" onmouseover="alert(1)">text</p>',
    '<object data="evil.swf"></object><embed src="evil.swf">',
    '<form action="javascript:alert(1)"><input type="submit"></form>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<body onload="alert(1)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
]

FORBIDDEN_FRAGMENTS = [
    "<script",
    "javascript:",
    "onerror",
    "onload",
    "onclick",
    "onmouseover",
    "<svg",
    "<iframe",
    "style=",
    "expression(",
    "data:",
    "<object",
    "<embed",
    "<form",
    "<meta",
    "alert(1)",
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_classic_xss_payloads_leave_nothing_executable(payload):
    cleaned = clean_html(payload).lower()
    for fragment in FORBIDDEN_FRAGMENTS:
        assert fragment not in cleaned, (payload, cleaned)


def test_script_and_style_are_removed_with_their_content():
    assert clean_html("<p>a<script>var x = 1;</script>b</p><style>p{}</style>") == "<p>ab</p>"


def test_gutenberg_block_comments_vanish():
    html = '<!-- wp:paragraph {"x":1} -->\n<p>Hello</p>\n<!-- /wp:paragraph -->'
    assert clean_html(html) == "<p>Hello</p>"


def test_h1_becomes_h2():
    assert clean_html('<h1 class="big">Title</h1>') == "<h2>Title</h2>"


def test_structure_survives():
    html = (
        "<h2>H</h2><h3>h</h3><ul><li>a</li></ul><ol><li>b</li></ol>"
        "<blockquote><p>q</p><cite>who</cite></blockquote>"
        '<table><caption>c</caption><thead><tr><th scope="col" colspan="2">t</th></tr></thead>'
        '<tbody><tr><td rowspan="2">d</td></tr></tbody></table>'
        "<pre><code>x &lt; y</code></pre><dl><dt>t</dt><dd>d</dd></dl>"
        '<p><abbr title="HyperText">HTML</abbr> <q>q</q> <em>e</em> <strong>s</strong> '
        "<sub>1</sub><sup>2</sup><s>old</s><u>u</u><br></p><hr>"
    )
    assert clean_html(html) == (
        "<h2>H</h2><h3>h</h3><ul><li>a</li></ul><ol><li>b</li></ol>"
        "<blockquote><p>q</p><cite>who</cite></blockquote>"
        '<table><caption>c</caption><thead><tr><th scope="col" colspan="2">t</th></tr></thead>'
        '<tbody><tr><td rowspan="2">d</td></tr></tbody></table>'
        "<pre><code>x &lt; y</code></pre><dl><dt>t</dt><dd>d</dd></dl>"
        '<p><abbr title="HyperText">HTML</abbr> <q>q</q> <em>e</em> <strong>s</strong> '
        "<sub>1</sub><sup>2</sup><s>old</s><u>u</u><br></p><hr>"
    )


def test_links_keep_safe_urls_and_get_rel():
    html = (
        '<a href="https://example.org/a" title="T" target="_blank">x</a>'
        '<a href="mailto:a@example.org">m</a><a href="/relative">r</a><a href="#frag">f</a>'
    )
    rel = 'rel="nofollow noopener noreferrer"'
    assert clean_html(html) == (
        f'<a href="https://example.org/a" title="T" {rel}>x</a>'
        f'<a href="mailto:a@example.org" {rel}>m</a><a href="/relative" {rel}>r</a>'
        f'<a href="#frag" {rel}>f</a>'
    )


def test_images_keep_only_allowed_attributes():
    html = '<img src="https://e.org/i.jpg" alt="A" width="10" height="20" title="t" class="c" loading="lazy">'
    expected = '<img src="https://e.org/i.jpg" alt="A" width="10" height="20" title="t">'
    assert clean_html(html) == expected


def test_footnote_markup_survives():
    html = (
        '<sup class="footnote-ref" id="fnref-1"><a href="#fn-1" aria-describedby="footnotes-label">'
        '1</a></sup><section class="footnotes"><ol><li id="fn-1">n</li></ol></section>'
    )
    assert clean_html(html) == (
        '<sup class="footnote-ref" id="fnref-1"><a href="#fn-1" aria-describedby="footnotes-label"'
        ' rel="nofollow noopener noreferrer">1</a></sup>'
        '<section class="footnotes"><ol><li id="fn-1">n</li></ol></section>'
    )


def test_class_and_id_are_dropped_elsewhere():
    assert clean_html('<p class="x" id="y">t</p>') == "<p>t</p>"


def test_unknown_tags_are_unwrapped_keeping_text():
    assert clean_html("<div><span>kept</span></div>") == "kept"


@pytest.mark.parametrize(
    "html",
    XSS_PAYLOADS
    + [
        "<p>a &amp; b &lt; c</p>",
        '<img alt="<h1>" src="/a.png">',
        "<h1>x</h1><p>unclosed <em>tags",
        "<table><tr><td>no tbody</td></tr></table>",
        "<p><p>nested</p></p><li>stray</li>",
        '<a href="https://e.org/?a=1&b=2">q</a>',
    ],
)
def test_clean_html_is_idempotent(html):
    once = clean_html(html)
    assert clean_html(once) == once


def test_empty_input_gives_empty_string():
    assert clean_html("") == ""


def test_html_to_text_collapses_whitespace_and_decodes_entities():
    assert html_to_text("<p>A <em>b</em> &amp;\n c</p><script>x()</script>") == "A b & c"


def test_html_to_text_can_keep_lines():
    text = html_to_text("<p>One<br />\ntwo</p><p>Three &lt;3</p>", keep_lines=True)
    assert text == "One\ntwo\n\nThree <3"
