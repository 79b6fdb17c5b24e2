"""Find what a Content-Security-Policy without 'unsafe-inline' would block in a page."""

from html.parser import HTMLParser

# Non-executable data blocks: a CSP does not apply to them.
DATA_BLOCK_TYPES = {"application/ld+json", "application/json"}


class _InlineFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self._script = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…> event handler")
            if name == "style":
                self.found.append(f"<{tag} style=…> inline style")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                ("javascript:", "data:text/html", "vbscript:")
            ):
                self.found.append(f"<{tag} {name}={value[:30]}>")
        if tag == "style":
            self.found.append("<style> element")
        if tag == "script":
            kind = (a.get("type") or "").lower()
            src = a.get("src")
            if src is None and kind not in DATA_BLOCK_TYPES:
                self._script = ""
            elif src is not None and (not src.startswith("/") or src.startswith("//")):
                self.found.append(f"<script src={src[:40]}> from elsewhere")
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "refresh":
            self.found.append("<meta http-equiv=refresh>")
        if tag in ("iframe", "object", "embed", "base"):
            self.found.append(f"<{tag}> element")

    def handle_data(self, data):
        if self._script is not None:
            self._script += data

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.found.append(f"inline <script>: {self._script.strip()[:60]!r}")
            self._script = None


def inline_code(html: str) -> list[str]:
    """Everything in ``html`` that would execute (or restyle) without a src from this site."""
    finder = _InlineFinder()
    finder.feed(html)
    finder.close()
    return finder.found
