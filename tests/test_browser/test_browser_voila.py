"""The start-here lesson presented with Voila (code hidden), offline, renders its figures and widgets.

Voila's lab template asks a CDN for Font Awesome (icons) and MathJax defaults to
a CDN: those requests are blocked like every other non-loopback request, the
page must still render every figure and widget, and what was blocked is printed.
"""

from __future__ import annotations

import os

import browserkit as bk
import pytest

pytestmark = pytest.mark.browser


def test_voila_presents_start_here_offline(voila_lesson_00, voila_page, record_property):
    server, nb = voila_lesson_00
    page = voila_page.page
    page.goto(server.url("/"), wait_until="domcontentloaded", timeout=240_000)
    seconds = bk.wait_voila_rendered(page)
    sources = bk.code_sources(nb)
    cells = page.evaluate(bk.COLLECT_JS, {"path": None})
    problems = bk.check_rendered(cells, sources, expect_run=False)
    bk.screenshot(page, bk.ARTIFACTS / f"voila-{nb.stem}.png")
    blocked = voila_page.guard.hosts()
    record_property("browser_record", {
        "kind": "voila", "name": nb.name, "seconds": round(seconds, 2),
        "worker": os.environ.get("PYTEST_XDIST_WORKER", "main"),
        "figures": sum(len(c["figures"]) for c in cells), "widgets": sum(c["widgets"] for c in cells),
        "blocked": blocked, "notes": bk.stderr_notes(cells),
    })
    print(f"Voila {nb.name}: blocked offline: {', '.join(blocked) or 'nothing'}")
    charts = sum(1 for _, s in sources if bk.calls(s, bk.CHART_HELPERS))
    widgets = sum(1 for _, s in sources if bk.calls(s, bk.WIDGET_HELPERS))
    assert not problems, f"{nb.name} in Voila: " + "; ".join(problems)
    figures = sum(len(c["figures"]) for c in cells)
    assert figures >= charts, f"{nb.name} in Voila: {figures} plotly figures shown, {charts} chart cells"
    if widgets:
        assert sum(c["widgets"] for c in cells), f"{nb.name} in Voila: no widget rendered"
