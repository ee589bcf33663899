"""What a learner does, in JupyterLab in a real (offline) Chromium.

On a small notebook the fixture writes (``explore()`` and ``who_said_it`` with a
real quotation from the course data), so the test does not depend on any
lesson's wording: untick a certainty in the timeline's filters and see the
figure change; answer the quotation exercise and see the feedback; come back
(kernel shut down, page reloaded, cells run again) and see the answer restored.
Widgets are found by their labels (accessible names), as a learner finds them.
"""

from __future__ import annotations

import json
import os
import re

import browserkit as bk
import pytest

pytestmark = pytest.mark.browser

NAME = bk.LEARNER_NOTEBOOK

#: plotted glyphs of the first plotly figure in ``el``: drawn SVG marks, and data points with a y value
GLYPHS_JS = r"""
(el) => {
  const gd = el.querySelector('.js-plotly-plot');
  if (!gd) return null;
  let data = 0;
  for (const t of gd.data || []) {
    if (!t.y) continue;
    for (const v of Array.from(t.y)) if (v !== null && v !== undefined && !Number.isNaN(v)) data += 1;
  }
  const points = gd.querySelectorAll('.scatterlayer path.point').length;
  const bars = [...gd.querySelectorAll('.barlayer path')].filter((p) => {
    const d = p.getAttribute('d'); return d && d !== 'M0,0Z';
  }).length;
  const status = (el.innerText.match(/(\d+) of (\d+) events shown/) || [''])[0];
  return {data: data, drawn: points + bars, status: status};
}
"""


@pytest.fixture(scope="module")
def quotation(lab_server):
    """A real quotation, the label of its speaker, and the learner notebook written into the server's root."""
    from helpers.data import load
    from helpers.exercises import speaker_choices

    quotes = load("quotes")
    usable = quotes[quotes["distractors"].map(lambda d: isinstance(d, list) and len(d) >= 3)]
    assert len(usable), "data/quotes.csv has no quotation with three distractors"
    row = usable.iloc[0]
    label = next(lab for lab, pid in speaker_choices(row["id"], "browser-test") if pid == row["speaker"])
    bk.write_notebook(lab_server.root / NAME, [
        "from helpers import explore, who_said_it",
        "explore()",
        f'who_said_it("{row["id"]}")',
    ])
    return {"id": row["id"], "speaker": row["speaker"], "label": label}


def _cell(page, number: int):
    """The notebook's cell ``number`` (1-based) in the open notebook."""
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell").nth(number - 1)


def _wait_for(page, what: str, predicate, timeout_ms: int = 30_000):
    try:
        page.wait_for_function(predicate[0], arg=predicate[1], timeout=timeout_ms, polling=100)
    except Exception as exc:
        raise AssertionError(f"{NAME}: {what} (waited {timeout_ms / 1000:.0f} s)") from exc


def test_learner_filters_answers_and_finds_the_answer_again(quotation, lab_page, lab_server, record_property):
    page = lab_page.page
    bk.open_notebook(page, lab_server, NAME)
    seconds = bk.run_all(page, NAME)
    cells = bk.collect_lab(page, NAME)
    problems = bk.check_rendered(cells)
    record_property("browser_record", {
        "kind": "learner", "name": NAME, "seconds": round(seconds, 2),
        "worker": os.environ.get("PYTEST_XDIST_WORKER", "main"),
        "figures": sum(len(c["figures"]) for c in cells), "widgets": sum(c["widgets"] for c in cells),
        "blocked": lab_page.guard.hosts(), "notes": bk.stderr_notes(cells),
    })
    assert not problems, f"{NAME}: " + "; ".join(problems)

    # ---- the timeline: untick "documented", and the figure changes
    explore = _cell(page, 2)
    handle = explore.element_handle()
    before = page.evaluate(GLYPHS_JS, handle)
    assert before and before["drawn"] > 0, f"{NAME}: explore() shows no plotted glyphs: {before}"
    documented = explore.get_by_role("checkbox", name="documented", exact=True)
    assert documented.is_checked(), f"{NAME}: the certainty filter 'documented' starts unticked"
    documented.uncheck()
    _wait_for(page, "unticking the certainty 'documented' did not change the figure's data",
              (f"(el) => {{ const g = ({GLYPHS_JS})(el); return g && g.data !== {before['data']}; }}", handle))
    page.wait_for_timeout(500)  # plotly redraws after the data change
    after = page.evaluate(GLYPHS_JS, handle)
    assert after["data"] < before["data"], f"{NAME}: fewer events expected after unticking 'documented': {before} -> {after}"
    assert after["drawn"] < before["drawn"], (f"{NAME}: the figure's data changed but the drawn glyphs did not "
                                              f"(plotly did not redraw?): {before} -> {after}")
    assert after["status"] != before["status"], f"{NAME}: the status line did not change: {after['status']!r}"
    explore.get_by_role("button", name="Show all", exact=True).click()
    _wait_for(page, "'Show all' did not bring every event back",
              (f"(el) => {{ const g = ({GLYPHS_JS})(el); return g && g.data === {before['data']}; }}", handle))
    assert documented.is_checked(), f"{NAME}: 'Show all' left 'documented' unticked"

    # ---- the quotation exercise: choose the speaker, check, read the feedback
    exercise = _cell(page, 3)
    exercise.get_by_role("radio", name=quotation["label"], exact=True).check()
    exercise.get_by_role("button", name="Check who", exact=True).click()
    feedback = exercise.locator("[role=status]").filter(has_text="✓")
    try:
        feedback.first.wait_for(timeout=20_000)
    except Exception as exc:
        shown = exercise.inner_text()[-400:]
        raise AssertionError(f"{NAME}: no '✓' feedback after choosing {quotation['label']!r} and 'Check who'; "
                             f"the exercise shows: {shown!r}") from exc
    saved = json.loads(lab_server.progress.read_text(encoding="utf-8"))
    assert f"speaker:{quotation['id']}" in json.dumps(saved), (
        f"{NAME}: the answer is not in the progress file {lab_server.progress}")
    bk.screenshot(page, bk.ARTIFACTS / "lab-learner-answered.png")

    # ---- come back: the kernel is gone, the page reloads, the cells run again
    lab_server.shutdown_kernels()
    page.reload(wait_until="domcontentloaded")
    bk.wait_kernel_idle(page, NAME)
    bk.run_all(page, NAME)
    problems = bk.check_rendered(bk.collect_lab(page, NAME))
    assert not problems, f"{NAME} (after reload): " + "; ".join(problems)
    exercise = _cell(page, 3)
    try:
        exercise.get_by_text(re.compile("Saved answer restored")).first.wait_for(timeout=20_000)
    except Exception as exc:
        raise AssertionError(f"{NAME}: after reload and run, no 'Saved answer restored' in the exercise: "
                             f"{exercise.inner_text()[-400:]!r}") from exc
    assert exercise.get_by_role("radio", name=quotation["label"], exact=True).is_checked(), (
        f"{NAME}: after reload the saved choice {quotation['label']!r} is not selected")
    assert exercise.locator("[role=status]").filter(has_text="✓").count(), f"{NAME}: the restored feedback is missing"
    bk.screenshot(page, bk.ARTIFACTS / "lab-learner-restored.png")
    assert not lab_page.guard.blocked, f"{NAME}: the browser tried to reach the internet: {lab_page.guard.hosts()}"
