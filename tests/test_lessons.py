"""What nbval cannot see: lessons are stripped, follow the skeleton, and hand helpers real ids.

nbval runs every cell of every lesson (``--nbval-lax``) but compares nothing on
stripped notebooks. These tests read the notebooks as files.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from helpers.data import load
from helpers.dates import parse

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))

#: helper function -> (table its string arguments name, whether they must fall in the lesson's period)
ID_ARGUMENTS = {
    "who_said_it": ("quotes", True), "check_speaker": ("quotes", True), "check_chain": ("quotes", True),
    "show_quote": ("quotes", True), "show_quotes": ("quotes", True),
    "order_events": ("events", True), "check_order": ("events", True),
    "timeline": ("events", True), "timeline_table": ("events", True), "explore": ("events", True),
    "stances_chart": ("events", True), "figures_table": ("events", True),
    "criticise": ("sources|quotes", True),
    "show_discrepancy": ("discrepancies", False),
    "lesson_card": ("lessons", False), "next_lesson": ("lessons", False), "quiz": ("lessons", False),
    "glossary": ("glossary", False),
}


def notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(path: Path) -> list[str]:
    return ["".join(c["source"]) for c in notebook(path)["cells"] if c["cell_type"] == "code"]


def lesson_id(path: Path) -> str:
    return path.name[:2]


def test_every_lesson_in_the_table_has_a_notebook_and_back():
    lessons = load("lessons")
    expected = {f"{r.id}_{r.slug}.ipynb" for r in lessons.itertuples()}
    present = {p.name for p in LESSONS}
    assert present <= expected, f"notebooks not in lessons.csv: {sorted(present - expected)}"
    assert "00_start_here.ipynb" in present


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_committed_without_outputs_or_widget_state(path):
    nb = notebook(path)
    assert "widgets" not in nb.get("metadata", {}), "notebook metadata holds widget state"
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert not cell.get("outputs"), f"cell {i} has outputs: strip them (python tools/strip_notebooks.py)"
            assert cell.get("execution_count") is None, f"cell {i} has an execution count"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_one_import_cell_and_short_code_cells(path):
    cells = code_cells(path)
    imports = [c for c in cells if "import" in c]
    assert len(imports) == 1, f"expected one import cell, found {len(imports)}"
    tree = ast.parse(imports[0])
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert node.module == "helpers", f"the import cell imports from {node.module}"
            assert all(a.name != "*" for a in node.names), "no star imports"
        elif isinstance(node, ast.Import):
            pytest.fail("the import cell must be `from helpers import ...`")
    for c in cells:
        assert "sys.path" not in c and "open(" not in c and "../" not in c
        if c is not imports[0]:
            lines = [ln for ln in c.splitlines() if ln.strip() and not ln.strip().startswith("#")]
            assert len(lines) <= 3, f"a code cell has {len(lines)} lines (at most 3): {c[:80]!r}"


def _string_args(call: ast.Call) -> list[str]:
    out = []
    for node in list(call.args) + [k.value for k in call.keywords]:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                out.append(sub.value)
    return out


def _ids_handed_to_helpers(path: Path):
    for src in code_cells(path):
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ID_ARGUMENTS:
                call = node
                for kw in call.keywords:
                    if kw.arg in ("lesson",):
                        for sub in ast.walk(kw.value):
                            if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                                yield node.func.id, "lessons", sub.value, False
                kw_values = {id(k.value) for k in call.keywords if k.arg in ("lesson", "lanes", "start", "end", "heuristic")}
                for arg in list(call.args) + [k.value for k in call.keywords if id(k.value) not in kw_values]:
                    for sub in ast.walk(arg):
                        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                            table, in_period = ID_ARGUMENTS[node.func.id]
                            yield node.func.id, table, sub.value, in_period


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_ids_handed_to_helpers_exist_and_fit_the_lesson(path):
    lessons = load("lessons").set_index("id")
    period = parse(lessons.loc[lesson_id(path), "period"])
    tables = {name: load(name) for name in ("quotes", "events", "sources", "discrepancies", "lessons")}
    glossary_terms = set(load("glossary")["term"].str.lower())
    problems = []
    for func, table, value, in_period in _ids_handed_to_helpers(path):
        if table == "glossary":
            if value.lower() not in glossary_terms:
                problems.append(f"{func}({value!r}): not a glossary term")
            continue
        found = None
        for t in table.split("|"):
            df = tables[t]
            hit = df[df["id"] == value]
            if not hit.empty:
                found = hit.iloc[0]
                break
        if found is None:
            problems.append(f"{func}({value!r}): no such id in {table.replace('|', ' or ')}")
            continue
        if in_period and "date" in found and found["date"]:
            span = parse(found["date"])
            # words said later about the lesson's years (hindsight) belong to it too, and are shown as such
            back = found.get("looks_back_to") or ""
            if not span.overlaps(period) and not (back and parse(back).overlaps(period)):
                about = f", looking back to {parse(back).label}" if back else ""
                problems.append(f"{func}({value!r}): dated {span.label}{about}, outside the lesson's period {period.label}")
    assert not problems, "\n".join(problems)
