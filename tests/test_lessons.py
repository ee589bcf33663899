"""What nbval cannot see: lessons are stripped, follow the skeleton, and hand helpers real ids.

nbval runs every cell of every lesson (``--nbval-lax``) but compares nothing on
stripped notebooks. These tests read the notebooks as files.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pandas as pd
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


#: helpers that put a quotation from quotes.csv in front of the learner
SHOWS_A_QUOTATION = {"show_quote", "show_quotes", "who_said_it", "criticise", "check_essay"}


def _calls(source: str) -> list[tuple[str, list[str]]]:
    """Every call of a named function in a code cell, with the strings handed to it."""
    return [(n.func.id, _string_args(n)) for n in ast.walk(ast.parse(source))
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]


def _sections(path: Path) -> dict[str, list[tuple[str, list[str]]]]:
    """Numbered sections (``## 3. Title``) and the helper calls made in each, in order."""
    sections: dict[str, list[tuple[str, list[str]]]] = {}
    current = None
    for cell in notebook(path)["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            for line in source.splitlines():
                if line.startswith("## "):
                    current = line[3:] if re.match(r"## \d+\. ", line) else None
                    if current:
                        sections[current] = []
        elif current:
            sections[current].extend(_calls(source))
    return sections


def _side(speaker: str, people: pd.DataFrame, orgs: pd.DataFrame) -> str:
    """The state (or, for an international body, the body) a speaker speaks for."""
    if speaker in people.index:
        return people.loc[speaker, "country"]
    return orgs.loc[speaker, "country"] or speaker


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_follows_the_skeleton(path):
    """What every lesson promises: card, anchored sections, exercises, quiz, key points, discussion, next."""
    lid = lesson_id(path)
    quotes = load("quotes").set_index("id")
    people, orgs = load("people").set_index("id"), load("organizations").set_index("id")
    calls = [c for src in code_cells(path) for c in _calls(src)]
    named = {}
    for func, args in calls:
        named.setdefault(func, []).append(args)
    headings = [ln for c in notebook(path)["cells"] if c["cell_type"] == "markdown"
                for ln in "".join(c["source"]).splitlines() if ln.startswith("## ")]
    problems = []
    if [lid] not in named.get("lesson_card", []):
        problems.append(f'no lesson_card("{lid}")')
    sections = _sections(path)
    if not 3 <= len(sections) <= 6:
        problems.append(f"{len(sections)} numbered sections of narrative (3 to 6 expected)")
    for title, section_calls in sections.items():
        shown = [a for f, args in section_calls if f in SHOWS_A_QUOTATION for a in args if a in quotes.index]
        if not shown:
            problems.append(f"section “{title}” shows no quotation from quotes.csv")
    said = {a for args in named.get("who_said_it", []) for a in args if a in quotes.index}
    if len(said) < 2 or len({quotes.loc[q, "speaker"] for q in said}) < 2:
        problems.append(f"who_said_it needs two quotations by two different speakers, has {sorted(said)}")
    for func in ("order_events", "criticise"):
        if func not in named:
            problems.append(f"no {func} exercise")
    if "timeline" not in named and "explore" not in named:
        problems.append("no timeline of the lesson's period")
    questions = int((load("quiz")["lesson"].astype(str).str.zfill(2) == lid).sum())
    if [lid] not in named.get("quiz", []) or questions < 4:
        problems.append(f"check your understanding needs quiz(\"{lid}\") with at least four questions, has {questions}")
    if "## Key points" not in headings or not any("discussion" in h.lower() for h in headings):
        problems.append("a 'Key points' and a discussion-questions heading are expected")
    if [lid] not in named.get("next_lesson", []):
        problems.append(f'no next_lesson("{lid}") at the end')
    voices = {_side(quotes.loc[q, "speaker"], people, orgs) for func, args in calls if func in SHOWS_A_QUOTATION
              for q in args if q in quotes.index}
    if len(voices) < 2:
        problems.append(f"the lesson's quotations speak for only {sorted(voices)}")
    assert not problems, "\n".join(problems)


def test_lesson_times_suit_a_sitting():
    for les in load("lessons").itertuples():
        assert 30 <= les.minutes <= 90, f"lesson {les.id}: {les.minutes} minutes"
