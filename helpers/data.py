"""Load and check the course data package.

Every table of the course lives in one Frictionless Data Package: the shipped
copy inside the installed package (``helpers/course_data``; ``data/`` in a
source checkout), or an instructor's own copy named by the environment
variable ``COMRADES_APART_DATA``.

:func:`load` hands a table to a lesson as a pandas DataFrame: the whole package
is checked once per process, ``;``-separated list columns come back as Python
lists and EDTF date columns come back parsed beside their text (``date`` gives
``date_start``, ``date_end``, ``date_label``, ``date_precision``,
``date_approximate``, ``date_uncertain``). A problem raises :class:`DataError`
naming file, row and column in plain words.

:func:`validate` lists every problem at once; ``comrades-apart validate`` prints it.

Examples
--------
>>> events = load("events")
>>> {"id", "date", "date_start", "date_label", "actors"} <= set(events.columns)
True
"""

from __future__ import annotations

import csv
import io
import json
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import dates

__all__ = [
    "DataError", "Problem", "Report", "data_dir", "load", "validate", "TABLES",
    "LIST_COLUMNS", "DATE_COLUMNS", "clear_cache", "UnknownId", "unknown_id_message", "row",
]

ENV_VAR = "COMRADES_APART_DATA"
PACKAGE_FILE = "datapackage.json"

#: columns that hold ';'-separated lists, per table
LIST_COLUMNS: dict[str, tuple[str, ...]] = {
    "events": ("actors", "people"),
    "people": ("aliases",),
    "quotes": ("addressee", "reported_by", "distractors"),
    "relations": ("dyad", "evidence"),
    "stances": ("evidence",),
    "prompts": ("look_for",),
    "quiz": ("choices", "answer"),
}
#: columns that hold EDTF dates, per table
DATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "lessons": ("period",),
    "organizations": ("period",),
    "events": ("date",),
    "quotes": ("date", "looks_back_to"),
    "sources": ("date",),
    "figures": ("date",),
    "relations": ("period",),
}
TABLES = (
    "lessons", "works", "organizations", "places", "people", "events", "sources",
    "quotes", "claims", "discrepancies", "relations", "stances", "figures",
    "glossary", "prompts", "quiz",
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, where an instructor can find it.

    ``row`` is the line number a spreadsheet shows (the header is row 1); 0
    when the problem concerns the whole file.
    """

    file: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


@dataclass
class Report:
    """Every problem found in one data folder."""

    folder: Path
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def __bool__(self) -> bool:  # a report is truthy when the data is valid
        return self.ok

    def __str__(self) -> str:
        if self.ok:
            head = f"{self.folder}: the course data is valid."
        else:
            n = len(self.problems)
            head = f"{self.folder}: {n} problem{'s' if n != 1 else ''} in the course data:"
        lines = [head] + [f"  - {p}" for p in self.problems] + [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


class DataError(Exception):
    """The course data has a problem. ``problems`` lists them all; the message names the first."""

    def __init__(self, problems: list[Problem], folder: Path | None = None):
        self.problems = problems
        self.folder = folder
        first = str(problems[0]) if problems else "unknown problem"
        more = f" (and {len(problems) - 1} more; run `comrades-apart validate` to see all)" if len(problems) > 1 else ""
        super().__init__(first + more)


# ----------------------------------------------------------------------------
# where the data is


def shipped_data_dir() -> Path:
    """The data that ships with the course (inside the wheel, or data/ in a checkout)."""
    here = Path(__file__).resolve().parent
    packaged = here / "course_data"
    if (packaged / PACKAGE_FILE).is_file():
        return packaged
    return here.parent / "data"


def data_dir() -> Path:
    """The folder the course reads: ``COMRADES_APART_DATA`` if set, else the shipped data."""
    env = os.environ.get(ENV_VAR, "").strip()
    return Path(env).expanduser() if env else shipped_data_dir()


# ----------------------------------------------------------------------------
# reading one CSV as a spreadsheet may have saved it


@dataclass
class _Table:
    name: str
    file: str
    header: list[str]
    rows: list[list[str]]  # data rows, cells as text
    line_numbers: list[int]  # spreadsheet row of each data row


def _read_table(path: Path, name: str, expected: list[str], problems: list[Problem]) -> _Table | None:
    file = path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.append(Problem(file, 0, "", f"the table is missing: no file {path}"))
        return None
    except OSError as exc:
        problems.append(Problem(file, 0, "", f"the file cannot be read ({exc.strerror})"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(Problem(
            file, 0, "",
            f"the file is not UTF-8 text (byte {exc.start}); save it again as 'CSV UTF-8'",
        ))
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    first_line = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first_line and ";" in first_line:
        delimiter = ";"  # a spreadsheet in a locale that writes ';' between cells
    records = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not records:
        problems.append(Problem(file, 0, "", "the file is empty; it needs at least the header row"))
        return None
    header = [h.strip() for h in records[0]]
    missing = [c for c in expected if c not in header]
    if missing:
        cols = ", ".join(missing)
        problems.append(Problem(
            file, 1, missing[0],
            f"the header lacks the column{'s' if len(missing) > 1 else ''} {cols}; "
            f"the header must name: {', '.join(expected)}",
        ))
        return None
    rows, lines = [], []
    for i, rec in enumerate(records[1:], start=2):
        if not any(c.strip() for c in rec):
            continue  # blank rows (spreadsheets leave them at the end) carry nothing
        if len(rec) != len(header):
            problems.append(Problem(
                file, i, "",
                f"the row has {len(rec)} cells but the header has {len(header)}; "
                "check for a comma inside a cell that is not in double quotes",
            ))
            continue
        rows.append(rec)
        lines.append(i)
    return _Table(name, file, header, rows, lines)


# ----------------------------------------------------------------------------
# checks


def _describe_pattern(field_name: str) -> str:
    if field_name in ("id", "speaker", "place", "event", "source", "country", "organization", "historian", "target", "predecessor"):
        return "is not a lowercase id (letters a–z, digits and single hyphens, e.g. 1960-06-bucharest-meeting)"
    if field_name in ("actors", "people", "addressee", "reported_by", "distractors", "evidence"):
        return "is not a list of lowercase ids separated by ';' with no spaces (e.g. ussr;albania)"
    if field_name == "dyad":
        return "is not two organization ids separated by ';' (e.g. ussr;albania)"
    if field_name == "locator":
        return "is not a locator: write n57 for note 57, or §Heading ¶3 for a paragraph"
    if field_name in ("cite_a", "cite_b"):
        return "is not a citation work:locator (e.g. marku-2019:n57)"
    if field_name == "lesson" or field_name == "id":
        return "is not a two-digit lesson number (00 to 10)"
    return "does not have the expected form"


def _frictionless_problems(folder: Path, descriptor: dict, tables: dict[str, _Table]) -> list[Problem]:
    """Types, enums, patterns, required, unique and single-valued foreign keys, via Frictionless."""
    import tempfile

    from frictionless import Package, system  # heavy import, done lazily

    lines = {name: t.line_numbers for name, t in tables.items()}
    problems: list[Problem] = []
    with tempfile.TemporaryDirectory(prefix="comrades-apart-") as tmp:
        # the tables as read (BOM, CRLF and ';' already undone), as plain CSV files:
        # Frictionless deep-copies inline data for every foreign-key lookup, files it streams
        resources = []
        for res in descriptor["resources"]:
            t = tables.get(res["name"])
            if t is None:
                continue
            with open(Path(tmp) / f"{res['name']}.csv", "w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh, lineterminator="\n")
                w.writerow(t.header)
                w.writerows(t.rows)
            rdesc = {k: v for k, v in res.items() if k not in ("path", "encoding", "format", "mediatype")}
            rdesc.update(path=f"{res['name']}.csv", format="csv", encoding="utf-8")
            if "foreignKeys" in rdesc["schema"]:
                present = [fk for fk in rdesc["schema"]["foreignKeys"] if fk["reference"]["resource"] in tables]
                rdesc["schema"] = {**rdesc["schema"], "foreignKeys": present}
            resources.append(rdesc)
        pkg_desc = {"name": descriptor.get("name", "course"), "resources": resources}
        with system.use_context(trusted=True):
            report = Package(pkg_desc, basepath=tmp).validate(limit_errors=10_000)
    for task in report.tasks:
        name = task.name
        file = f"{name}.csv"
        for err in task.errors:
            note = getattr(err, "note", "") or ""
            row_number = getattr(err, "row_number", None)
            row = 0
            if row_number:
                idx = row_number - 2
                ln = lines.get(name, [])
                row = ln[idx] if 0 <= idx < len(ln) else row_number
            column = getattr(err, "field_name", "") or ""
            cell = getattr(err, "cell", None)
            etype = err.type
            if etype == "type-error":
                ftype = _field_type(descriptor, name, column)
                kind = {"integer": "a whole number", "number": "a number", "boolean": "true or false"}.get(ftype, ftype)
                msg = f'"{cell}" is not {kind}'
            elif etype == "constraint-error":
                msg = _constraint_message(descriptor, name, column, cell, note)
            elif etype == "unique-error":
                msg = f'"{cell}" is used more than once; ids must be unique'
            elif etype == "primary-key":
                keys = _field_names_of_pk(descriptor, name)
                if keys == ["id"]:
                    continue  # already reported as a unique-error on the id column
                values = "; ".join(str(c) for c in (getattr(err, "cells", None) or []))
                msg = f"the combination of {' and '.join(keys)} appears more than once ({values})"
            elif etype == "foreign-key":
                fields = getattr(err, "field_names", None) or [column]
                column = fields[0]
                values = getattr(err, "field_cells", None) or [cell]
                ref = getattr(err, "reference_name", None) or _fk_target(descriptor, name, column)
                msg = f'"{values[0]}" is not an id in {ref}.csv'
            else:
                msg = note or err.message
            problems.append(Problem(file, row, column, msg))
    return problems


def _field(descriptor: dict, table: str, column: str) -> dict:
    for res in descriptor["resources"]:
        if res["name"] == table:
            for f in res["schema"]["fields"]:
                if f["name"] == column:
                    return f
    return {}


def _field_type(descriptor: dict, table: str, column: str) -> str:
    return _field(descriptor, table, column).get("type", "string")


def _field_names_of_pk(descriptor: dict, table: str) -> list[str]:
    for res in descriptor["resources"]:
        if res["name"] == table:
            pk = res["schema"].get("primaryKey", [])
            return [pk] if isinstance(pk, str) else list(pk)
    return []


def _fk_target(descriptor: dict, table: str, column: str) -> str:
    for res in descriptor["resources"]:
        if res["name"] == table:
            for fk in res["schema"].get("foreignKeys", []):
                if fk["fields"] == column or fk["fields"] == [column]:
                    return fk["reference"]["resource"]
    return "another table"


def _constraint_message(descriptor: dict, table: str, column: str, cell, note: str) -> str:
    cons = _field(descriptor, table, column).get("constraints", {})
    if "required" in note:
        return "is empty, but every row needs a value here"
    if "enum" in note and "enum" in cons:
        return f'"{cell}" is not one of: {", ".join(cons["enum"])}'
    if "pattern" in note:
        return f'"{cell}" {_describe_pattern(column)}'
    if "minimum" in note and "minimum" in cons:
        return f'"{cell}" is below the smallest allowed value, {cons["minimum"]}'
    if "maximum" in note and "maximum" in cons:
        return f'"{cell}" is above the largest allowed value, {cons["maximum"]}'
    if "unique" in note:
        return f'"{cell}" is used more than once; ids must be unique'
    return f'"{cell}": {note}'


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(";") if v.strip()] if value else []


def _course_problems(tables: dict[str, _Table]) -> list[Problem]:
    """Checks Frictionless cannot make: ids inside lists, dates, lesson periods, locators."""
    problems: list[Problem] = []

    def col(name: str) -> tuple[_Table, dict[str, int]] | None:
        t = tables.get(name)
        if t is None:
            return None
        return t, {c: i for i, c in enumerate(t.header)}

    def ids(name: str, key: str = "id") -> set[str]:
        c = col(name)
        if c is None or key not in c[1]:
            return set()
        t, h = c
        return {r[h[key]].strip() for r in t.rows}

    people, orgs, events = ids("people"), ids("organizations"), ids("events")
    works, sources, quotes = ids("works"), ids("sources"), ids("quotes")
    places = ids("places")
    lookup = {
        "people": people, "organizations": orgs, "events": events, "works": works,
        "sources": sources, "quotes": quotes, "places": places,
    }

    def check_ids(table: str, column: str, targets: tuple[str, ...], is_list: bool = True):
        c = col(table)
        if c is None or column not in c[1] or any(x not in tables for x in targets):
            return  # a table that could not be read is reported once, not again in every reference to it
        t, h = c
        pool = set().union(*(lookup[x] for x in targets))
        where = " or ".join(f"{x}.csv" for x in targets)
        for r, line in zip(t.rows, t.line_numbers):
            value = r[h[column]].strip()
            for v in (_split(value) if is_list else ([value] if value else [])):
                if v not in pool:
                    problems.append(Problem(t.file, line, column, f'"{v}" is not an id in {where}'))

    check_ids("events", "actors", ("organizations",))
    check_ids("events", "people", ("people",))
    check_ids("people", "country", ("organizations",), is_list=False)
    check_ids("quotes", "speaker", ("people", "organizations"), is_list=False)
    check_ids("quotes", "addressee", ("people", "organizations"))
    check_ids("quotes", "reported_by", ("people", "organizations"))
    check_ids("quotes", "distractors", ("people", "organizations"))
    check_ids("relations", "dyad", ("organizations",))
    check_ids("relations", "evidence", ("events",))
    check_ids("stances", "evidence", ("events", "quotes"))
    check_ids("prompts", "target", ("sources", "quotes"), is_list=False)
    check_ids("claims", "historian", ("works",), is_list=False)
    for name in tables:
        if name != "works":
            check_ids(name, "work", ("works",), is_list=False)

    # distractors: three, of the speaker's kind, all different from the speaker
    c = col("quotes")
    if c:
        t, h = c
        if {"speaker", "distractors"} <= set(h):
            for r, line in zip(t.rows, t.line_numbers):
                speaker = r[h["speaker"]].strip()
                ds = _split(r[h["distractors"]])
                if len(ds) != 3 or len(set(ds)) != 3:
                    problems.append(Problem(t.file, line, "distractors", f"needs three different ids, has {len(set(ds))}"))
                if speaker in ds:
                    problems.append(Problem(t.file, line, "distractors", f'the speaker "{speaker}" is also among the distractors'))
                kind = people if speaker in people else orgs if speaker in orgs else None
                if kind is not None:
                    for d in ds:
                        if d not in kind and (d in people or d in orgs):
                            what = "a person" if kind is people else "an organization"
                            problems.append(Problem(t.file, line, "distractors", f'"{d}" is not {what}, as the speaker is'))

    # dates parse; events fall in their lesson's period
    spans: dict[str, dates.Span] = {}
    for name, columns in DATE_COLUMNS.items():
        c = col(name)
        if c is None:
            continue
        t, h = c
        for column in columns:
            if column not in h:
                continue
            for r, line in zip(t.rows, t.line_numbers):
                value = r[h[column]].strip()
                if not value:
                    continue
                try:
                    span = dates.parse(value)
                except ValueError as exc:
                    problems.append(Problem(t.file, line, column, _date_message(value, exc)))
                    continue
                if name == "lessons":
                    spans[r[h["id"]].strip()] = span
                if name == "events" and (span.start and span.start.year < 1945 or span.end and span.end.year > 1992):
                    problems.append(Problem(t.file, line, column, f'"{value}" falls outside the course period, 1945–1992'))
    c = col("events")
    if c and spans:
        t, h = c
        for r, line in zip(t.rows, t.line_numbers):
            lesson, value = r[h["lesson"]].strip(), r[h["date"]].strip()
            period = spans.get(lesson)
            if period is None:
                continue
            try:
                span = dates.parse(value)
            except ValueError:
                continue
            if not span.overlaps(period) or (span.start and period.start and span.start < period.start and span.end and span.end < period.start):
                problems.append(Problem(
                    t.file, line, "lesson",
                    f'the event ({span.label}) falls outside lesson {lesson}\'s period ({period.label})',
                ))

    problems.extend(_looking_back_problems(col("quotes")))

    # locators: note numbers exist in the work
    notes: dict[str, int] = {}
    c = col("works")
    if c and "notes" in c[1]:
        t, h = c
        for r in t.rows:
            v = r[h["notes"]].strip()
            if v.isdigit():
                notes[r[h["id"]].strip()] = int(v)
    for t in tables.values():
        h = {c: i for i, c in enumerate(t.header)}
        pairs = []
        if "work" in h and "locator" in h:
            pairs.append(("work", "locator", None))
        for cite in ("cite_a", "cite_b"):
            if cite in h:
                pairs.append((cite, cite, ":"))
        for wcol, lcol, sep in pairs:
            for r, line in zip(t.rows, t.line_numbers):
                if sep:
                    w, _, loc = r[h[wcol]].partition(":")
                    if w and w not in works:
                        problems.append(Problem(t.file, line, wcol, f'"{w}" is not an id in works.csv'))
                else:
                    w, loc = r[h[wcol]], r[h[lcol]]
                w, loc = w.strip(), loc.strip()
                if loc.startswith("n") and loc[1:].isdigit() and w in notes and not 1 <= int(loc[1:]) <= notes[w]:
                    problems.append(Problem(t.file, line, lcol, f'"{loc}": {w} has notes 1 to {notes[w]} only'))
    return problems


def _looking_back_problems(quotes: tuple[_Table, dict[str, int]] | None) -> list[Problem]:
    """A quotation's ``looks_back_to`` must name a time before the words were spoken.

    It may start as early as it likes (``../1960``, "until 1960"), but must end
    no later than the last day the words could have been said, and must not be
    the same span as ``date`` (then the words speak of their own moment: leave
    it blank). Unparseable values are reported by the date check.
    """
    if quotes is None:
        return []
    t, h = quotes
    if not {"date", "looks_back_to"} <= set(h):
        return []
    problems = []
    for r, line in zip(t.rows, t.line_numbers):
        said, back = r[h["date"]].strip(), r[h["looks_back_to"]].strip()
        if not said or not back:
            continue
        try:
            said_span, back_span = dates.parse(said), dates.parse(back)
        except ValueError:
            continue
        late = said_span.end is not None and back_span.end is not None and back_span.end > said_span.end
        same = (said_span.start, said_span.end) == (back_span.start, back_span.end)
        if late or same or back_span.end is None:
            problems.append(Problem(
                t.file, line, "looks_back_to",
                f'"{back}" ({back_span.label}) is not before the words were spoken ({said_span.label}); '
                "looks_back_to names an earlier time the speaker looks back on: leave it blank when the "
                "words speak of their own moment",
            ))
    return problems


def _date_message(value: str, exc: ValueError) -> str:
    text = str(exc)
    if "EDTF" not in text:
        text = f'"{value}" is not a date in EDTF form ({text})'
    return text + "; write e.g. 1960-06 or 1960-06-24/1960-06-26" if "write e.g." not in text else text


# ----------------------------------------------------------------------------
# public API


def _descriptor_for(folder: Path, problems: list[Problem], notes: list[str]) -> dict | None:
    own = folder / PACKAGE_FILE
    path = own if own.is_file() else shipped_data_dir() / PACKAGE_FILE
    if path != own:
        notes.append(f"{folder} has no {PACKAGE_FILE}; the shipped table descriptions were used")
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        problems.append(Problem(PACKAGE_FILE, 0, "", f"cannot be read as JSON ({exc})"))
        return None


def _read_all(folder: Path) -> tuple[dict | None, dict[str, _Table], Report]:
    report = Report(folder)
    if not folder.is_dir():
        hint = f" (set by {ENV_VAR})" if os.environ.get(ENV_VAR) else ""
        report.problems.append(Problem(str(folder), 0, "", f"the data folder does not exist{hint}"))
        return None, {}, report
    descriptor = _descriptor_for(folder, report.problems, report.notes)
    if descriptor is None:
        return None, {}, report
    tables: dict[str, _Table] = {}
    for res in descriptor["resources"]:
        expected = [f["name"] for f in res["schema"]["fields"]]
        t = _read_table(folder / res["path"], res["name"], expected, report.problems)
        if t is not None:
            tables[res["name"]] = t
    return descriptor, tables, report


def validate(path: str | os.PathLike | None = None) -> Report:
    """Check a data folder (default: :func:`data_dir`) and list every problem.

    >>> validate().ok
    True
    """
    folder = Path(path).expanduser() if path is not None else data_dir()
    descriptor, tables, report = _read_all(folder)
    if descriptor is not None and tables:
        report.problems.extend(_frictionless_problems(folder, descriptor, tables))
        report.problems.extend(_course_problems(tables))
    report.problems = _tidy(report.problems)
    return report


def _tidy(problems: list[Problem]) -> list[Problem]:
    """Problems once each, by table and row."""
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (TABLES.index(p.file[:-4]) if p.file[:-4] in TABLES else 99, p.row))


_lock = threading.Lock()
_cache: dict[Path, dict[str, pd.DataFrame]] = {}


def clear_cache() -> None:
    """Forget loaded tables, so the next :func:`load` reads and checks the data again."""
    with _lock:
        _cache.clear()


def _frame(descriptor: dict, t: _Table) -> pd.DataFrame:
    df = pd.DataFrame(t.rows, columns=t.header, dtype="object")
    fields = {f["name"]: f for res in descriptor["resources"] if res["name"] == t.name for f in res["schema"]["fields"]}
    for column in df.columns:
        df[column] = df[column].str.strip()
        ftype = fields.get(column, {}).get("type", "string")
        if ftype == "integer":
            df[column] = pd.to_numeric(df[column].replace("", None)).astype("Int64")
        elif ftype == "number":
            df[column] = pd.to_numeric(df[column].replace("", None)).astype("float64")
        elif ftype == "boolean":
            df[column] = df[column].str.lower().isin(["true", "1", "yes"])
    for column in LIST_COLUMNS.get(t.name, ()):
        if column in df.columns:
            df[column] = [_split(v) for v in df[column]]
    for column in DATE_COLUMNS.get(t.name, ()):
        if column in df.columns:
            parsed = dates.parse_many(df[column])
            empty = df[column] == ""
            for part in ("start", "end", "precision", "approximate", "uncertain", "label"):
                values = parsed[part]
                if part in ("precision", "label"):
                    values = values.where(~empty, "")
                df[f"{column}_{part}"] = values
    return df


def load(table: str) -> pd.DataFrame:
    """Return one table of the course data as a DataFrame (a fresh copy each call).

    The whole package is validated on the first call in a process, then cached.
    Raises :class:`DataError` naming file, row and column if anything is wrong,
    and ``KeyError`` listing the tables if ``table`` is not one of them.

    >>> load("lessons").loc[0, "title"]
    'Start here: four capitals and two articles'
    """
    if table not in TABLES:
        raise KeyError(f'there is no table "{table}"; the tables are: {", ".join(TABLES)}')
    folder = data_dir().resolve() if data_dir().exists() else data_dir()
    with _lock:
        frames = _cache.get(folder)
        if frames is None:
            descriptor, tables, report = _read_all(folder)
            if descriptor is not None and tables:
                report.problems.extend(_frictionless_problems(folder, descriptor, tables))
                report.problems.extend(_course_problems(tables))
            if report.problems:
                raise DataError(_tidy(report.problems), folder)
            frames = {name: _frame(descriptor, t) for name, t in tables.items()}
            _cache[folder] = frames
    return frames[table].copy()


def tables_named(names: Iterable[str]) -> dict[str, pd.DataFrame]:
    """Several tables at once, by name."""
    return {n: load(n) for n in names}


class UnknownId(KeyError):
    """An id that is not in a table; the message names it and the closest ids that exist."""

    def __str__(self) -> str:  # KeyError would wrap the message in quotes
        return str(self.args[0]) if self.args else ""


def unknown_id_message(kind: str, value: object, pool: Iterable[str], table: str | None = None) -> str:
    """One sentence naming an unknown id and the closest existing ones.

    >>> unknown_id_message("quote", "q-khruschev", ["q-khrushchev-base", "q-hoxha-dog"], "quotes")
    'There is no quote "q-khruschev" in quotes.csv. Did you mean: q-khrushchev-base?'
    """
    from .matching import closest

    text = str(value)[:200]
    close = closest(value, pool)
    where = f" in {table}.csv" if table else ""
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    return f'There is no {kind} "{text}"{where}.{hint}'


def row(table: str, id_: str) -> pd.Series:
    """One row of a table by its id; :class:`UnknownId` names the closest ids if it is not there."""
    df = load(table)
    key = "term" if table == "glossary" else "id"
    hit = df[df[key] == id_] if isinstance(id_, str) else df.iloc[0:0]
    if hit.empty:
        kind = {"people": "person", "quotes": "quote", "events": "event", "sources": "source",
                "works": "work", "organizations": "organization", "places": "place",
                "discrepancies": "discrepancy", "glossary": "term", "lessons": "lesson"}.get(table, "row")
        raise UnknownId(unknown_id_message(kind, id_, df[key], table))
    return hit.iloc[0]
