"""Fixtures of the browser suite: Chromium, an offline browser context, JupyterLab and Voila servers.

One JupyterLab server per test session, which under pytest-xdist means one per
worker (``--dist loadfile``, set in pyproject, keeps each file on one worker).
Every server runs on 127.0.0.1 with a free port, a random token, its own Jupyter
config/data/runtime folders and progress file in a fresh temporary folder, in
its own process group; teardown stops it by its process id.

This folder is named ``test_browser`` (not ``browser``) on purpose: pytest loads
``tests/test*/conftest.py`` at start-up, also in the xdist controller, so the
benchmark table below reaches the terminal under ``-n 2`` too.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import browserkit as bk
import pytest

HERE = Path(__file__).resolve().parent


# ---------------------------------------------------------------------------
# marker: everything in this folder is a browser test

def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


# ---------------------------------------------------------------------------
# the browser

@pytest.fixture(scope="session")
def chromium_executable() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        msg = 'the browser tests need Playwright: pip install -e ".[test]"'
        if os.environ.get("CI"):
            pytest.fail(f"CI: {msg}", pytrace=False)
        pytest.skip(msg)
    path = bk.find_chromium()
    if path is None:
        msg = (f"no Chromium found for the browser tests: install it with `{bk.INSTALL_HINT}` "
               "(Debian/Ubuntu), or set COMRADES_APART_CHROMIUM to a Chromium binary")
        if os.environ.get("CI"):
            pytest.fail(f"CI: {msg}", pytrace=False)
        pytest.skip(msg)
    return path


@pytest.fixture(scope="session")
def browser(chromium_executable):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_executable, headless=True, args=bk.CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


class BrowserPage:
    """A page in its own browser context, offline but for one server."""

    def __init__(self, browser, server: bk.Server):
        self.server = server
        self.guard = bk.OfflineGuard(server.origin)
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000}, service_workers="block")
        bk.setup_page(self.context)
        self.guard.install(self.context)
        self.page = self.context.new_page()
        self.page.set_default_timeout(60_000)
        self.page_errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.page_errors.append(str(exc)[:200]))
        # leaving a notebook that ran (unsaved) asks "leave the page?": a learner says yes
        self.page.on("dialog", lambda d: d.accept())

    def close(self) -> None:
        try:
            self.context.close()
        except Exception:
            pass


# ---------------------------------------------------------------------------
# servers

@pytest.fixture(scope="session")
def browser_tmp():
    """A fresh folder per run (and per xdist worker): two runs at once never share one."""
    path = Path(tempfile.mkdtemp(prefix="comrades-apart-browser-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def lab_server(chromium_executable, browser_tmp):
    """JupyterLab serving a temporary copy of lessons/ plus the notebooks the tests write."""
    workdir = browser_tmp / "lab"
    root = bk.copy_lessons(workdir / "root")
    bk.write_notebook(root / bk.BARE_NOTEBOOK, [
        "import ipywidgets as widgets\nimport plotly.express as px",
        "px.scatter(x=[1, 2, 3, 4], y=[3, 1, 4, 2], title='bare benchmark')",
        "widgets.IntSlider(value=3, min=0, max=10, description='Slider')",
    ])
    try:
        server = bk.start_lab(workdir, root)
    except RuntimeError as exc:
        pytest.fail(f"JupyterLab did not start: {exc}", pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def lab_page(browser, lab_server):
    bp = BrowserPage(browser, lab_server)
    try:
        yield bp
    finally:
        bp.close()
        lab_server.shutdown_kernels()  # the next notebook gets the two cores to itself


@pytest.fixture(scope="module")
def voila_lesson_00(chromium_executable, browser_tmp):
    """Voila presenting the start-here lesson (a copy), on loopback."""
    src = bk.LESSONS_DIR / "00_start_here.ipynb"
    if not src.exists():
        pytest.skip("lessons/00_start_here.ipynb does not exist yet")
    workdir = browser_tmp / "voila"
    root = workdir / "root"
    root.mkdir(parents=True)
    nb = root / src.name
    shutil.copy2(src, nb)
    try:
        server = bk.start_voila(workdir, nb)
    except RuntimeError as exc:
        pytest.fail(f"Voila did not start: {exc}", pytrace=False)
    try:
        yield server, nb
    finally:
        server.stop()


@pytest.fixture
def voila_page(browser, voila_lesson_00):
    server, _ = voila_lesson_00
    bp = BrowserPage(browser, server)
    try:
        yield bp
    finally:
        bp.close()


# ---------------------------------------------------------------------------
# the benchmark table and what was blocked, printed at the end of the run
# (user_properties travel from xdist workers to the controller with each report)

_RECORDS: list[dict] = []


def pytest_runtest_logreport(report):
    if report.when != "call":
        return
    for key, value in report.user_properties:
        if key == "browser_record" and isinstance(value, dict):
            _RECORDS.append(dict(value, outcome=report.outcome))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _RECORDS:
        return
    tr = terminalreporter
    tr.write_sep("=", "browser benchmark: seconds from 'run all' to the last output rendered")
    bare = {r["worker"]: r["seconds"] for r in _RECORDS if r["kind"] == "bare"}
    rows = [r for r in _RECORDS if r["kind"] in ("bare", "lesson", "learner", "voila")]
    order = {"bare": 0, "lesson": 1, "learner": 2, "voila": 3}
    rows.sort(key=lambda r: (order[r["kind"]], r["name"]))
    tr.write_line(f"{'where':<8} {'notebook':<40} {'seconds':>8} {'x bare':>7} {'figures':>8} {'widgets':>8}  result")
    for r in rows:
        b = bare.get(r["worker"]) or (next(iter(bare.values())) if bare else None)
        ratio = f"{r['seconds'] / b:.1f}" if b and r["kind"] != "bare" and r["kind"] != "voila" else ""
        where = "voila" if r["kind"] == "voila" else "lab"
        tr.write_line(f"{where:<8} {r['name']:<40} {r['seconds']:>8.1f} {ratio:>7} {r.get('figures', 0):>8} "
                      f"{r.get('widgets', 0):>8}  {r['outcome']}")
    tr.write_line("(bare = one plotly figure and one slider in the same run; Voila: page load to last output, "
                  "kernel start and execution included)")
    for r in rows:
        if r.get("blocked"):
            tr.write_line(f"blocked offline in {r['name']} ({where_of(r)}): " + ", ".join(r["blocked"]))
    notes = [(r["name"], n) for r in rows for n in r.get("notes", [])]
    if notes:
        tr.write_line("shown on stderr (not a failure; lesson writers may want to look):")
        for name, n in notes[:30]:
            tr.write_line(f"  {name}: {n}")


def where_of(r: dict) -> str:
    return "Voila" if r["kind"] == "voila" else "JupyterLab"
