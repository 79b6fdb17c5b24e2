"""What the browser suite needs from outside Python, and how to tell whether a feature's route exists yet.

Two kinds of skip, worded so the summary at the end of the run can tell them apart:
- ``needs tool:`` Chromium, Java or the npm validators are missing (CI installs them and refuses to skip);
- ``needs feature:`` the page or admin screen under test is not in this build (its route does not reverse).
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM = Path(os.environ.get("ARCHIVE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
JAVA = os.environ.get("ARCHIVE_JAVA", "java")
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

TOOL_SKIP = "needs tool:"
FEATURE_SKIP = "needs feature:"
HOW_TO_ENABLE = (
    "apt-get install chromium default-jre-headless && npm ci --ignore-scripts  "
    "(in the project folder; .ci/run does both and sets ARCHIVE_REQUIRE_BROWSER=1)"
)


def required():
    """CI sets ARCHIVE_REQUIRE_BROWSER=1: a missing tool is then a failure, never a silent skip."""
    return os.environ.get("ARCHIVE_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes", "on"}


def need_tool(problem):
    """Skip (or, in CI, fail) when ``problem`` says a tool is missing; do nothing when it is None."""
    if problem is None:
        return
    message = f"{TOOL_SKIP} {problem}"
    if required():
        pytest.fail(f"{message} (ARCHIVE_REQUIRE_BROWSER=1 forbids skipping)", pytrace=False)
    pytest.skip(message)


def chromium_problem():
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (pip install -r requirements.txt)"
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set ARCHIVE_CHROMIUM)"
    return None


def java_problem():
    if shutil.which(JAVA) is None:
        return f"{JAVA} not found (apt-get install default-jre-headless, or set ARCHIVE_JAVA)"
    if not VNU_JAR.is_file():
        return f"the Nu Html Checker is missing at {VNU_JAR.relative_to(ROOT)} (npm ci --ignore-scripts)"
    return None


def axe_problem():
    if not AXE_JS.is_file():
        return f"axe-core is missing at {AXE_JS.relative_to(ROOT)} (npm ci --ignore-scripts)"
    return None


# --- Routes that other parts of the project provide ------------------------------------------


def first_route(candidates):
    """The first (name, args, kwargs) of ``candidates`` that reverses, as a path; None when none does."""
    for name, args, kwargs in candidates:
        try:
            return reverse(name, args=args, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return None


def route_or_skip(what, candidates):
    path = first_route(candidates)
    if path is None:
        names = ", ".join(sorted({name for name, _, _ in candidates}))
        pytest.skip(f"{FEATURE_SKIP} {what} (none of these routes exists yet: {names})")
    return path


def search_path():
    return first_route([("articles:search", (), {})])


def year_archive_path(year):
    names = ("articles:year", "articles:archive_year", "articles:year_archive", "articles:archive-year")
    names += tuple(f"articles:{n}" for n in namespace_names("articles", "year", without="month"))
    return first_route([(n, (), {"year": year}) for n in names] + [(n, (year,), {}) for n in names])


def month_archive_path(year, month):
    names = ("articles:month", "articles:archive_month", "articles:month_archive", "articles:archive-month")
    names += tuple(f"articles:{n}" for n in namespace_names("articles", "month"))
    candidates = []
    for name in names:
        candidates += [
            (name, (), {"year": year, "month": month}),
            (name, (), {"year": year, "month": f"{month:02d}"}),
            (name, (year, month), {}),
            (name, (year, f"{month:02d}"), {}),
        ]
    return first_route(candidates)


def namespace_names(namespace, containing, without=None):
    """Route names in a URL namespace that contain a word: a fallback when a branch named its route its own way."""
    from django.urls import get_resolver

    resolver = next((r for r in get_resolver().url_patterns if getattr(r, "namespace", None) == namespace), None)
    if resolver is None:
        return []
    return sorted(
        name for name in resolver.reverse_dict
        if isinstance(name, str) and containing in name and not (without and without in name)
    )


def site_feed_paths():
    """The site-wide feeds, by any route name in the articles namespace that says feed, rss or atom."""
    names = {n for word in ("feed", "rss", "atom") for n in namespace_names("articles", word)}
    return sorted(filter(None, (first_route([(f"articles:{name}", (), {})]) for name in names)))


def comment_admin_path():
    return first_route([("admin:articles_comment_changelist", (), {})])


def admin_import_path():
    """The admin's upload page for imports: a known name, else any admin route about importing."""
    known = (
        "admin:articles_import",
        "admin:import_articles",
        "admin:articles_article_import",
        "admin:articles_importrecord_import",
        "admin:articles_importrecord_upload",
        "admin:import",
    )
    path = first_route([(name, (), {}) for name in known])
    if path:
        return path
    standard = ("_changelist", "_add", "_change", "_delete", "_history", "autocomplete")
    for name in namespace_names("admin", "import"):
        if not name.endswith(standard):
            try:
                return reverse(f"admin:{name}")
            except NoReverseMatch:
                continue
    return None


# --- Validators --------------------------------------------------------------------------------


def run_vnu(files):
    """Run the Nu Html Checker once over ``files``; returns {path: [error message, ...]} for every file."""
    completed = subprocess.run(
        [JAVA, "-Xss8m", "-jar", str(VNU_JAR), "--format", "json", "--stdout", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        report = json.loads(completed.stdout)
    except json.JSONDecodeError:
        raise AssertionError(f"vnu gave no JSON report (exit {completed.returncode}): {completed.stderr[-2000:]}")
    errors = {Path(f).resolve(): [] for f in files}
    for message in report.get("messages", []):
        if message.get("type") not in {"error", "non-document-error"}:
            continue
        url = message.get("url", "")
        path = Path(url.removeprefix("file:")).resolve() if url else None
        where = f"line {message.get('lastLine', '?')}"
        text = f"{where}: {message.get('message')} [{message.get('extract', '').strip()[:120]}]"
        errors.setdefault(path, []).append(text)
    return errors


AXE_RUN = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').split('\\n').join(' ')),
  }));
}"""


def run_axe(page):
    """axe-core's WCAG 2.1 A/AA violations on the page as loaded; each a short readable string."""
    page.add_script_tag(path=str(AXE_JS))
    violations = page.evaluate(AXE_RUN, AXE_TAGS)
    return [f"{v['id']} ({v['impact']}): {v['help']} — " + " | ".join(v["nodes"]) for v in violations]
