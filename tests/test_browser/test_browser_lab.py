"""Every lesson, run in JupyterLab in a real (offline) Chromium, shows what a learner should see.

nbval proves the Python runs; these tests look at the page: plotly figures drawn
(an ``svg.main-svg`` in each), widgets rendered as widgets (not as their text
repr, not as "Error displaying widget"), no traceback, and no request leaving
the loopback server. A screenshot of each lesson goes to tests/artifacts/.
"""

from __future__ import annotations

import os
from pathlib import Path

import browserkit as bk
import pytest

pytestmark = pytest.mark.browser

LESSONS = bk.lessons()


def _run_and_check(bp, name: str, kind: str, record_property) -> tuple[list[str], list[dict]]:
    page = bp.page
    bk.open_notebook(page, bp.server, name)
    seconds = bk.run_all(page, name)
    cells = bk.collect_lab(page, name)
    problems = bk.check_rendered(cells)
    shot = bk.screenshot(page, bk.ARTIFACTS / f"lab-{Path(name).stem}.png")
    record_property("browser_record", {
        "kind": kind, "name": name, "seconds": round(seconds, 2), "worker": os.environ.get("PYTEST_XDIST_WORKER", "main"),
        "figures": sum(len(c["figures"]) for c in cells), "widgets": sum(c["widgets"] for c in cells),
        "blocked": bp.guard.hosts(), "notes": bk.stderr_notes(cells), "screenshots": [p.name for p in shot],
    })
    if bp.guard.blocked:
        problems.append(f"the browser tried to reach the internet ({len(bp.guard.blocked)} requests blocked: "
                        f"{', '.join(bp.guard.hosts()[:4])}); plotly.js, fonts, MathJax and icons must be served locally")
    return problems, cells


def test_bare_notebook_baseline(lab_page, record_property):
    """One plotly figure and one slider: the floor the lessons' timings are read against."""
    problems, cells = _run_and_check(lab_page, bk.BARE_NOTEBOOK, "bare", record_property)
    assert not problems, f"{bk.BARE_NOTEBOOK}: " + "; ".join(problems)
    assert sum(len(c["figures"]) for c in cells) == 1, f"{bk.BARE_NOTEBOOK}: expected one plotly figure"
    assert any(c["widgets"] for c in cells), f"{bk.BARE_NOTEBOOK}: the slider did not render"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.name)
def test_lesson_renders_offline(lesson: Path, lab_page, record_property):
    problems, cells = _run_and_check(lab_page, lesson.name, "lesson", record_property)
    assert cells, f"{lesson.name}: no code cell found in the page"
    assert not problems, f"{lesson.name}: " + "; ".join(problems)
