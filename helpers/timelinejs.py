"""Export the course's events for TimelineJS 3.9, checked value by value.

TimelineJS (Knight Lab) reads a JSON document of events and eras. It checks
almost nothing: a month 13 shows as February of the next year, a duplicate
``unique_id`` is silently renamed, and one month written as text ("June") or one
era without an end makes it refuse the whole timeline. So :func:`to_timelinejs`
runs :func:`check_timelinejs` on everything it writes and raises a
``ValueError`` naming the event.

TimelineJS has no notation for uncertain dates. The export keeps each event's
first and last possible day (``start_date``, ``end_date``; an exact day has no
``end_date``, its end being its start) and says the uncertainty in words in
``display_date``: "c. July 1960", "summer 1961 (June–August)", "from June 1960"
(an open end: no ``end_date``).

``comrades-apart export-timeline OUT.json`` writes the file (see :func:`add_cli`).

Examples
--------
>>> doc = to_timelinejs(["1960-06-bucharest-meeting"])   # doctest: +SKIP
>>> sorted(doc["events"][0])                              # doctest: +SKIP
['display_date', 'end_date', 'group', 'start_date', 'text', 'unique_id']
"""

from __future__ import annotations

import argparse
import calendar
import json
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .timeline import _esc, _lessons_table, _select

__all__ = ["to_timelinejs", "check_timelinejs", "write_timelinejs", "add_cli", "OFFLINE_HELP"]

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_SEASON_MONTHS = {"spring": "March–May", "summer": "June–August", "autumn": "September–November",
                  "winter": "December–February"}
_SEASON_WORD = re.compile(r"\b(spring|summer|autumn|winter) (\d{4})\b")
#: lessons whose period is at least this long cover the whole course: no era for them
WHOLE_COURSE_YEARS = 40

OFFLINE_HELP = """\
To view the file offline in TimelineJS 3.9: copy TimelineJS 3.9's dist files
(timeline.js, timeline.css and its js/ and css/ folders) next to an HTML page,
load timeline.js and timeline.css from there with <script>/<link>, and create
the timeline with the local script_path and no web font:

    fetch("OUT.json").then(r => r.json()).then(data =>
      new TL.Timeline("timeline-embed", data,
                      {script_path: "./timeline3/js/", font: null}));

script_path set to the local files stops TimelineJS loading its locale and
extra scripts from the CDN; font: null stops it fetching a web font. (Browsers
refuse fetch() from file:// pages: serve the folder, e.g. python -m http.server,
or paste the JSON into the page as a JavaScript object.)"""


# ----------------------------------------------------------------------------
# checking


def _where(kind: str, ident: Any) -> str:
    return f"TimelineJS export: {kind} '{ident}'" if ident not in (None, "") else f"TimelineJS export: {kind}"


def _check_date(obj: Any, field: str, who: str) -> date:
    if not isinstance(obj, dict):
        raise ValueError(f"{who}: {field} must be an object {{year, month, day}}, not {obj!r}")
    allowed = {"year", "month", "day", "hour", "minute", "second", "millisecond", "display_date", "format"}
    extra = sorted(set(obj) - allowed)
    if extra:
        raise ValueError(f"{who}: {field} has unknown keys {', '.join(extra)}")
    for key in ("year", "month", "day"):
        if key in obj and (not isinstance(obj[key], (int, np.integer)) or isinstance(obj[key], bool)):
            raise ValueError(
                f"{who}: {field}.{key} is {obj[key]!r}; TimelineJS needs a whole number "
                "(a month written as text makes it refuse the whole timeline)"
            )
    if "year" not in obj:
        raise ValueError(f"{who}: {field} has no year")
    year = int(obj["year"])
    if not 1 <= year <= 9999:
        raise ValueError(f"{who}: {field}.year {year} is not a year from 1 to 9999")
    month = obj.get("month")
    if month is None and "day" in obj:
        raise ValueError(f"{who}: {field} has a day but no month")
    if month is not None and not 1 <= int(month) <= 12:
        raise ValueError(f"{who}: {field}.month is {month}; months run from 1 to 12 "
                         "(TimelineJS would silently show another month)")
    day = obj.get("day")
    if day is not None:
        last = calendar.monthrange(year, int(month))[1]
        if not 1 <= int(day) <= last:
            raise ValueError(f"{who}: {field}.day is {day}; {calendar.month_name[int(month)]} {year} has days 1 to {last}")
    if "display_date" in obj and not isinstance(obj["display_date"], str):
        raise ValueError(f"{who}: {field}.display_date must be text")
    return date(year, int(month or 1), int(day or 1))


def _last_day(obj: dict) -> date:
    """The last day an end_date object covers (a month-only end runs to its last day)."""
    year = int(obj["year"])
    month = obj.get("month")
    if month is None:
        return date(year, 12, 31)
    day = obj.get("day")
    return date(year, int(month), int(day) if day is not None else calendar.monthrange(year, int(month))[1])


def _check_text(obj: Any, who: str, need_headline: bool = True) -> None:
    if not isinstance(obj, dict):
        raise ValueError(f"{who}: text must be an object {{headline, text}}")
    for key in ("headline", "text"):
        if key in obj and not isinstance(obj[key], str):
            raise ValueError(f"{who}: text.{key} must be text, not {type(obj[key]).__name__}")
    if need_headline and not str(obj.get("headline", "")).strip():
        raise ValueError(f"{who}: text.headline is empty")


def check_timelinejs(doc: Any) -> None:
    """Raise ``ValueError`` (naming the event or era) for anything TimelineJS 3.9 would misread.

    Checks: at least one event; every event's ``unique_id`` present, unique and
    safe in a URL; ``start_date`` and ``end_date`` (when present) objects of
    whole numbers with a real year, month (1–12) and day; an end not before its
    start; ``display_date``, ``group`` and ``text`` as text; every era with a
    start, an end (TimelineJS refuses an era without one) and a headline.

    Examples
    --------
    >>> check_timelinejs({"events": [{"unique_id": "a", "start_date": {"year": 1960, "month": 13},
    ...                               "text": {"headline": "x"}}]})
    Traceback (most recent call last):
    ...
    ValueError: TimelineJS export: event 'a': start_date.month is 13; months run from 1 to 12 (TimelineJS would silently show another month)
    """
    if not isinstance(doc, dict):
        raise ValueError("TimelineJS export: the document must be an object with an 'events' list")
    events = doc.get("events")
    if not isinstance(events, list) or not events:
        raise ValueError("TimelineJS export: there are no events; TimelineJS needs at least one")
    seen: set[str] = set()
    for k, e in enumerate(events):
        ident = e.get("unique_id") if isinstance(e, dict) else None
        who = _where("event", ident if ident else f"#{k + 1}")
        if not isinstance(e, dict):
            raise ValueError(f"{who}: not an object")
        if not isinstance(ident, str) or not _ID.match(ident):
            raise ValueError(f"{who}: unique_id must be letters, digits, '-' or '_' "
                             "(TimelineJS puts it in the page address)")
        if ident in seen:
            raise ValueError(f"{who}: unique_id is used twice (TimelineJS would silently rename the second)")
        seen.add(ident)
        if "start_date" not in e:
            raise ValueError(f"{who}: no start_date")
        start = _check_date(e["start_date"], "start_date", who)
        if "end_date" in e:
            end = _check_date(e["end_date"], "end_date", who)
            if _last_day(e["end_date"]) < start:
                raise ValueError(f"{who}: end_date {end} comes before start_date {start}")
        for key in ("display_date", "group"):
            if key in e and not isinstance(e[key], str):
                raise ValueError(f"{who}: {key} must be text")
        _check_text(e.get("text", {}), who)
    for k, era in enumerate(doc.get("eras", []) or []):
        head = era.get("text", {}).get("headline") if isinstance(era, dict) and isinstance(era.get("text"), dict) else None
        who = _where("era", head or f"#{k + 1}")
        if not isinstance(era, dict):
            raise ValueError(f"{who}: not an object")
        for key in ("start_date", "end_date"):
            if key not in era:
                raise ValueError(f"{who}: no {key} (TimelineJS refuses the whole timeline for an era without one)")
        start = _check_date(era["start_date"], "start_date", who)
        end = _check_date(era["end_date"], "end_date", who)
        if _last_day(era["end_date"]) < start:
            raise ValueError(f"{who}: end_date {end} comes before start_date {start}")
        _check_text(era.get("text", {}), who)
    if "title" in doc:
        _check_text(doc["title"].get("text", {}) if isinstance(doc["title"], dict) else None, "TimelineJS export: title")


# ----------------------------------------------------------------------------
# building


def _ymd(value: Any, who: str) -> dict[str, int]:
    ts = pd.Timestamp(value)
    if pd.isna(ts):
        raise ValueError(f"{who}: a date bound is missing")
    return {"year": int(ts.year), "month": int(ts.month), "day": int(ts.day)}


def _display_date(label: str, text: str, end_kind: str, start_kind: str) -> str:
    out = label or text
    out = _SEASON_WORD.sub(lambda m: f"{m.group(0)} ({_SEASON_MONTHS[m.group(1)]})", out)
    if end_kind == "unknown":
        out = out.replace(" – ?", "")
        out = f"from {out} (end unknown)"
    if start_kind == "unknown":
        out = out.replace("? – ", "")
        out = f"until {out} (start unknown)"
    return out


def to_timelinejs(
    events: Sequence[str] | pd.DataFrame | None = None, *, lesson: str | int | None = None,
    start: Any = None, end: Any = None, title: str | None = None,
) -> dict:
    """The events as a TimelineJS 3.9 JSON document (a dict; ``json.dumps`` it), every value checked.

    Parameters
    ----------
    events, lesson, start, end : which events, as for :func:`helpers.timeline`.
    title : the title slide's headline (default: the course's name).

    Returns
    -------
    dict
        ``{"title": ..., "events": [...], "eras": [...]}``. Each event has
        ``start_date`` and (unless an exact day or open-ended) ``end_date`` as
        ``{year, month, day}`` whole numbers — the first and last possible day;
        ``display_date`` in words ("c. July 1960", "summer 1961 (June–August)",
        "from June 1960"); ``text.headline`` and ``text.text`` (HTML, data
        escaped: summary, the source's words, certainty, citation); ``group``
        (the capitals' lanes) and ``unique_id`` (the event id). Eras are the
        lessons' periods that overlap the events (not the lessons that span the
        whole course).

    Raises
    ------
    ValueError
        Naming the event, for any value TimelineJS would misread (see
        :func:`check_timelinejs`), or when no event is selected.

    Examples
    --------
    >>> doc = to_timelinejs(lesson="04")   # doctest: +SKIP
    >>> doc["events"][0]["display_date"]   # doctest: +SKIP
    '24–26 June 1960'
    """
    sel = _select(events, lesson, start, end)
    ev = sel.ev
    idx = np.flatnonzero(sel.rows)
    if idx.size == 0:
        raise ValueError("TimelineJS export: no events match, and TimelineJS needs at least one")
    idx = idx[np.lexsort((ev.ids[idx], np.nan_to_num(ev.start_ms[idx], nan=-np.inf)))]
    df = ev.df
    out_events = []
    for k in idx:
        row = df.iloc[k]
        who = _where("event", row["id"])
        s_kind, e_kind = str(ev.start_kind[k]), str(ev.end_kind[k])
        s_val = row["date_start"] if not s_kind else row["date_end"]
        item: dict[str, Any] = {"start_date": _ymd(s_val, who)}
        if not s_kind and not e_kind and pd.Timestamp(row["date_end"]) != pd.Timestamp(row["date_start"]):
            item["end_date"] = _ymd(row["date_end"], who)
        qual = [row["certainty"] or "certainty not stated"]
        if row["date_approximate"]:
            qual.append("date approximate")
        if row["date_uncertain"]:
            qual.append("date uncertain")
        body = []
        if row["summary"]:
            body.append(f"<p>{_esc(row['summary'])}</p>")
        if row["date_text"]:
            body.append(f"<p><em>The source dates it:</em> “{_esc(row['date_text'])}”</p>")
        body.append(f"<p><em>Certainty:</em> {_esc(' · '.join(qual))}</p>")
        cite = ", ".join(p for p in (row["work"], row["locator"]) if p)
        if cite:
            body.append(f"<p><em>Cited:</em> {_esc(cite)}</p>")
        item.update({
            "display_date": _display_date(row["date_label"], row["date"], e_kind, s_kind),
            "text": {"headline": _esc(row["title"]), "text": "".join(body)},
            "group": " · ".join(ev.capitals[k]),
            "unique_id": str(row["id"]),
        })
        if not item["display_date"].strip():
            raise ValueError(f"{who}: it has no date to display")
        out_events.append(item)
    # eras: the lessons' periods that overlap the events' span
    lessons = _lessons_table()
    eras = []
    s_all = ev.start_ms[idx][~np.isnan(ev.start_ms[idx])]
    e_all = ev.end_ms[idx][~np.isnan(ev.end_ms[idx])]
    both = np.concatenate([s_all, e_all]) if (s_all.size or e_all.size) else np.array([])
    if both.size and not lessons.empty:
        lo, hi = pd.Timestamp(int(both.min()), unit="ms"), pd.Timestamp(int(both.max()), unit="ms")
        for r in lessons.itertuples(index=False):
            if pd.isna(r.period_start) or pd.isna(r.period_end):
                continue
            ps, pe = pd.Timestamp(r.period_start), pd.Timestamp(r.period_end)
            if (pe - ps).days >= WHOLE_COURSE_YEARS * 365 or pe < lo or ps > hi:
                continue
            eras.append({
                "start_date": _ymd(ps, f"lesson {r.id}"), "end_date": _ymd(pe, f"lesson {r.id}"),
                "text": {"headline": _esc(f"{r.id} · {r.title}")},
            })
    doc = {
        "title": {"text": {
            "headline": _esc(title or "Comrades Apart"),
            "text": "<p>The Sino-Soviet split as seen from Tirana, Hanoi, Moscow and Beijing. "
                    "Every date keeps its first and last possible day; the displayed date says how sure it is.</p>",
        }},
        "events": out_events,
        "eras": eras,
    }
    check_timelinejs(doc)
    return doc


def write_timelinejs(path: str | os.PathLike, **kwargs: Any) -> Path:
    """Write :func:`to_timelinejs` (same keyword arguments) to ``path`` as UTF-8 JSON, atomically."""
    doc = to_timelinejs(**kwargs)
    path = Path(path).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# ----------------------------------------------------------------------------
# command line


def _run_export(args: argparse.Namespace) -> int:
    try:
        path = write_timelinejs(args.out, lesson=args.lesson, start=args.start, end=args.end)
    except ValueError as exc:
        print(f"comrades-apart export-timeline: {exc}", file=sys.stderr)
        return 2
    n = len(json.loads(Path(path).read_text(encoding="utf-8"))["events"])
    print(f"Wrote {n} events to {path}.")
    print("To view it offline, see: comrades-apart export-timeline --help")
    return 0


def add_cli(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``export-timeline OUT.json`` on an argparse ``subparsers`` object.

    The parser's default ``func`` takes the parsed arguments and returns an exit
    code (0 written, 2 refused with a message naming the event).

    Examples
    --------
    >>> parser = argparse.ArgumentParser(prog="comrades-apart")
    >>> _ = add_cli(parser.add_subparsers(dest="command"))
    >>> parser.parse_args(["export-timeline", "out.json"]).out
    'out.json'
    """
    p = subparsers.add_parser(
        "export-timeline",
        help="write the events as a TimelineJS 3.9 JSON file (viewable offline: see --help)",
        description="Write the course's events as a TimelineJS 3.9 JSON file, every value checked "
                    "(TimelineJS itself checks almost nothing). Each event keeps its first and last "
                    "possible day; the displayed date says how certain it is.",
        epilog=OFFLINE_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("out", metavar="OUT.json", help="where to write the JSON file")
    p.add_argument("--lesson", help="only this lesson's events (e.g. 04)")
    p.add_argument("--start", help="only events from this date (a year, ISO date or EDTF, e.g. 1960)")
    p.add_argument("--end", help="only events up to this date (e.g. 1961-12)")
    p.set_defaults(func=_run_export)
    return p
