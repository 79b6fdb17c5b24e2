"""The browser suite's fixtures: one live server and one Chromium per session, a fresh page per test.

Every test leaves a screenshot of its final page in ``artifacts/browser/``; a failing test also leaves a
full-page screenshot and the page's HTML there (``<test>.failed.png``, ``<test>.failed.html``).
"""

import os
import re

import pytest

from tests.browser import tools

# Playwright's sync API keeps an asyncio loop in the test thread, so Django would refuse ORM calls from the
# test ("async context"); the calls are in fact synchronous, which is what this switch tells Django.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DESKTOP = {"width": 1280, "height": 900}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "shared_live_data: commits data for a whole module and flushes it; runs after all other tests"
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """After pytest-django's ordering: a module that commits and flushes data must not precede tests that rely on
    rows made by data migrations, so it goes last."""
    shared = [item for item in items if item.get_closest_marker("shared_live_data")]
    if shared:
        items[:] = [item for item in items if not item.get_closest_marker("shared_live_data")] + shared


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def site_server(django_db_setup, django_db_blocker):
    """The archive served over HTTP on a free port of localhost, static files included (DEBUG is off).

    pytest-django's own ``live_server`` would do, but it makes every test that reaches it transactional;
    the validator module shares one data set across its tests, so the server is a fixture of its own,
    built from the same class.
    """
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        server = LiveServer(os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS", "localhost"))
    server._live_server_modified_settings.enable()
    yield server
    server._live_server_modified_settings.disable()
    server.stop()


@pytest.fixture(scope="session")
def browser():
    tools.need_tool(tools.chromium_problem())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(tools.CHROMIUM), args=tools.CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def artifact_name(item):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid.removeprefix("tests/browser/")).strip("_")


def new_page(browser, site_server, viewport=DESKTOP):
    # bypass_csp: axe-core is injected as a script the site's Content-Security-Policy rightly forbids.
    context = browser.new_context(base_url=site_server.url, viewport=viewport, bypass_csp=True)
    context.set_default_timeout(15_000)
    return context.new_page()


@pytest.fixture
def page(request, browser, site_server):
    """A fresh browser tab (own cookies) on the live server; its final state is kept as an artifact."""
    tab = new_page(browser, site_server)
    yield tab
    keep_artifacts(request.node, tab)
    tab.context.close()


def keep_artifacts(item, tab):
    tools.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = artifact_name(item)
    try:
        tab.screenshot(path=tools.ARTIFACTS / f"{name}.png")
        report = getattr(item, "report_call", None)
        failed_png, failed_html = tools.ARTIFACTS / f"{name}.failed.png", tools.ARTIFACTS / f"{name}.failed.html"
        if report is not None and report.failed:
            tab.screenshot(path=failed_png, full_page=True)
            failed_html.write_text(tab.content(), encoding="utf-8")
        else:  # a failure from an earlier run must not be mistaken for this one's
            failed_png.unlink(missing_ok=True)
            failed_html.unlink(missing_ok=True)
    except Exception as error:  # a crashed tab must not hide the test's own failure
        print(f"could not keep artifacts for {item.nodeid}: {error}")


@pytest.fixture
def site(transactional_db, site_server):
    """The live server with a clean database and an empty cache (pages cached by an earlier test must go)."""
    from django.core.cache import cache

    cache.clear()
    yield site_server
    cache.clear()


@pytest.fixture
def seed(site):
    """The seed article, imported through the real importer."""
    from tests.factories import import_seed

    return import_seed()


def make_staff(username, password, *, superuser=False, models=()):
    """A staff account allowed everything on ``models`` (``app_label.model`` names)."""
    from django.contrib.auth.models import Permission, User

    if superuser:
        return User.objects.create_superuser(username, f"{username}@example.org", password)
    user = User.objects.create_user(username, f"{username}@example.org", password, is_staff=True)
    for label in models:
        app_label, model = label.split(".")
        user.user_permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, content_type__model=model)
        )
    return user


def admin_login(page, username, password, next_path=None):
    """Log in through the admin's own form, as a person would."""
    from django.urls import reverse

    url = reverse("admin:login") + (f"?next={next_path}" if next_path else "")
    page.goto(url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def pytest_terminal_summary(terminalreporter):
    """Say plainly which browser and validator tests did not run, why, and how to make them run."""
    def ours(report):
        return report.nodeid.startswith("tests/browser/")

    reports = [r for key in ("passed", "failed", "error", "skipped") for r in terminalreporter.stats.get(key, [])]
    reports = [r for r in reports if ours(r) and (r.when == "call" or r.skipped or r.failed)]
    if not reports:
        return
    skipped = [r for r in reports if r.skipped]
    ran = {r.nodeid for r in reports if not r.skipped}
    tool_skips, feature_skips = {}, {}
    for report in skipped:
        reason = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        bucket = tool_skips if reason.startswith(tools.TOOL_SKIP) else feature_skips
        bucket.setdefault(reason, []).append(report.nodeid)
    write = terminalreporter.write_line
    terminalreporter.section("browser and validator tests")
    write(f"{len(ran)} ran, {len(skipped)} skipped (artifacts: {tools.ARTIFACTS.relative_to(tools.ROOT)}/)")
    for reason, nodeids in sorted(tool_skips.items()):
        write(f"SKIPPED {len(nodeids)}: {reason}")
        by_file = {}
        for nodeid in nodeids:
            by_file.setdefault(nodeid.split("::")[0], []).append(nodeid.split("::", 1)[1])
        for path, names in by_file.items():
            shown = ", ".join(names) if len(names) <= 3 else f"{len(names)} tests"
            write(f"    {path}: {shown}")
    if tool_skips:
        write(f"To run them: {tools.HOW_TO_ENABLE}")
    for reason, nodeids in sorted(feature_skips.items()):
        write(f"waiting for a feature, {len(nodeids)}: {reason}")
