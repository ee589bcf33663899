"""Timelines of the split: who did what, when, and how sure we are.

:func:`timeline` draws the course's events in lanes — one per capital (Moscow,
Beijing, Tirana, Hanoi, and "Elsewhere"), or one per actor, or one per article
— as a plotly figure. An exact day is a diamond; a month, a season, a year or an
interval is a bar over every day it may be; an approximate or uncertain date is
drawn lighter and hatched (bars) or open (diamonds), and its label says "c." or
"(?)". Hovering shows the title, the date as the source words it, the certainty
and the citation.

:func:`timeline_table` returns the same selection as a table (the text twin,
for screen readers and for copying), :func:`filter_events` is the filtering
that :func:`explore` runs behind its widgets, and :func:`explore` puts the chart
in a JupyterLab widget with filters and an event reader.

The other charts live in :mod:`helpers.charts` (:func:`relations_chart`,
:func:`stances_chart`, :func:`places_map`) and the TimelineJS export in
:mod:`helpers.timelinejs` (:func:`to_timelinejs`); they are re-exported here.

Lanes
-----
An event belongs to the lane of every capital among its actors, by
:data:`CAPITAL_OF_ACTOR`; an event with actors ``ussr;albania`` is drawn once in
the Moscow lane and once in the Tirana lane. An event none of whose actors maps
to a capital goes to "Elsewhere".

Examples
--------
>>> fig = timeline(lesson="04")                       # doctest: +SKIP
>>> fig = timeline(["1960-06-bucharest-meeting"], highlight=["1960-06-bucharest-meeting"])  # doctest: +SKIP
>>> timeline(start=1960, end="1961-22").layout.xaxis.type   # doctest: +SKIP
'date'
"""

from __future__ import annotations

import html
import re
import textwrap
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from . import data as _data
from . import dates as _dates
from .matching import closest

if TYPE_CHECKING:  # defined in sibling modules, re-exported lazily (see __getattr__ at the end)
    from .charts import places_map, relations_chart, stances_chart
    from .timelinejs import add_cli, check_timelinejs, to_timelinejs

__all__ = [
    "timeline", "explore", "timeline_table", "filter_events", "event_details", "Explorer", "visible_glyph_ids",
    "relations_chart", "stances_chart", "places_map", "to_timelinejs", "check_timelinejs",
    "add_cli", "CAPITAL_OF_ACTOR", "CAPITALS", "ELSEWHERE", "LANE_COLOURS", "OKABE_ITO",
    "CERTAINTIES",
]

# ----------------------------------------------------------------------------
# lanes and colours

#: Which capital's lane an actor (an organization id of events.csv) puts an
#: event in. States and their ruling parties (and their predecessors and
#: successors) map to their capital; the NLF of South Vietnam is drawn with
#: Hanoi, its patron; the two party papers with their parties. Every other actor
#: (Yugoslavia, the Warsaw Pact, the WFTU, other parties...) maps to no capital:
#: an event with only such actors goes to the "Elsewhere" lane.
CAPITAL_OF_ACTOR: dict[str, str] = {
    # Moscow: the Soviet state and party, and the party's paper
    "ussr": "Moscow", "cpsu": "Moscow", "pravda": "Moscow",
    # Beijing: the People's Republic and the Chinese Communist Party
    "prc": "Beijing", "ccp": "Beijing",
    # Tirana: Albania, the Party of Labour and its predecessor (CPA), and its paper
    "albania": "Tirana", "pla": "Tirana", "cpa": "Tirana", "zeri-i-popullit": "Tirana",
    # Hanoi: the DRV (later SRV), the Indochinese CP, the VWP (later CPV), the NLF
    "drv": "Hanoi", "srv": "Hanoi", "icp": "Hanoi", "vwp": "Hanoi", "cpv": "Hanoi", "nlf": "Hanoi",
}
CAPITALS: tuple[str, ...] = ("Moscow", "Beijing", "Tirana", "Hanoi")
ELSEWHERE = "Elsewhere"
CAPITAL_LANES: tuple[str, ...] = CAPITALS + (ELSEWHERE,)
LANE_MODES = ("capital", "actor", "work")
CERTAINTIES: tuple[str, ...] = ("documented", "reported", "disputed", "inferred")

#: The Okabe–Ito palette (Okabe & Ito 2008), distinguishable with every common
#: colour-vision deficiency.
OKABE_ITO: dict[str, str] = {
    "orange": "#E69F00", "sky blue": "#56B4E9", "bluish green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "reddish purple": "#CC79A7", "black": "#000000",
}
#: Lane colours (Okabe–Ito); "Elsewhere" is a dark grey.
LANE_COLOURS: dict[str, str] = {
    "Moscow": OKABE_ITO["vermillion"], "Beijing": OKABE_ITO["reddish purple"],
    "Tirana": OKABE_ITO["blue"], "Hanoi": OKABE_ITO["bluish green"], ELSEWHERE: "#5F5F5F",
}
# colours for lanes that are not capitals (actor and work lanes), in turn
_OTHER_COLOURS = (OKABE_ITO["orange"], OKABE_ITO["sky blue"], OKABE_ITO["black"], "#8C8C8C")

COURSE_START = date(1945, 1, 1)
COURSE_END = date(1992, 1, 1)  # exclusive: the course runs to the end of 1991
# rows inside one lane, so that neighbouring events do not cover each other: more
# for a lesson's few dozen events, fewer for thousands (the figure stays readable)
MAX_TRACKS = 6
MAX_TRACKS_LARGE = 4  # above LARGE glyphs
LARGE = 600
MAX_ROWS = 48  # many lanes (actors) get fewer rows each, down to one
HOVER_WIDTH = 60  # characters per hover line
DAY_MS = 86_400_000.0
NO_MATCH = "No events match"


# ----------------------------------------------------------------------------
# small helpers


def _esc(value: Any) -> str:
    """HTML-escape a data value for plotly's pseudo-HTML (so ``<script>`` shows literally)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return html.escape(str(value), quote=False)


def _wrap(text: str, width: int = HOVER_WIDTH) -> str:
    """Wrap at spaces into lines joined by ``<br>``, escaping each line; never cuts a word."""
    text = " ".join(str(text).split())
    if len(text) <= width:
        return _esc(text)
    lines = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)
    return "<br>".join(_esc(line) for line in lines)


def _closest(unknown: Iterable[str], pool: Iterable[str]) -> str:
    pool = list(pool)
    parts = []
    for u in unknown:
        near = closest(u, pool)
        parts.append(f"'{u}' (closest: {', '.join(near)})" if near else f"'{u}' (no close id)")
    return "; ".join(parts)


def _unknown_ids_error(what: str, unknown: Sequence[str], pool: Iterable[str]) -> ValueError:
    n = len(unknown)
    return ValueError(
        f"{what} names {n} event id{'s' if n != 1 else ''} that {'are' if n != 1 else 'is'} not in the data: "
        f"{_closest(unknown, pool)}"
    )


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(";") if v.strip()]
    if isinstance(value, float) and np.isnan(value):
        return []
    return [str(v).strip() for v in value if str(v).strip()]


_DIACRITIC = re.compile(r"[\u0300-\u036f]")


def _fold(series: pd.Series) -> pd.Series:
    """Lower case without diacritics, so 'ho chi minh' finds 'Hồ Chí Minh'."""
    s = series.fillna("").astype(str).str.replace("đ", "d").str.replace("Đ", "D")
    return s.str.normalize("NFKD").str.replace(_DIACRITIC, "", regex=True).str.casefold()


def _to_ms(values: pd.Series) -> np.ndarray:
    """datetime64 -> float milliseconds since 1970 (NaN for NaT)."""
    arr = pd.to_datetime(values).to_numpy(dtype="datetime64[ms]")
    out = arr.astype("int64").astype("float64")
    out[np.isnat(arr)] = np.nan
    return out


def _ms(d: date | datetime | pd.Timestamp) -> float:
    return float(pd.Timestamp(d).value // 1_000_000)


def _iso(ms: float) -> str:
    return pd.Timestamp(int(ms), unit="ms").strftime("%Y-%m-%d")


# ----------------------------------------------------------------------------
# events, prepared once


@dataclass
class _Events:
    """The events of one DataFrame, with everything the charts and filters need, as arrays."""

    df: pd.DataFrame  # the caller's rows, index reset, columns completed
    ids: np.ndarray
    start_ms: np.ndarray  # first possible day (NaN: open or unknown start)
    end_ms: np.ndarray  # the day after the last possible day (NaN: open or unknown end)
    start_kind: np.ndarray  # "" known, "open" (..), "unknown" (empty)
    end_kind: np.ndarray
    is_marker: np.ndarray  # one exact day
    fuzzy: np.ndarray  # approximate or uncertain
    capitals: list[list[str]]
    capital_bits: np.ndarray
    lesson: np.ndarray
    certainty: np.ndarray
    haystack: np.ndarray  # folded title + summary
    row_of: dict[str, int]
    _hover: np.ndarray | None = None
    _actor_rows: dict[str, np.ndarray] = field(default_factory=dict)
    _exploded: pd.Series | None = None

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def exploded_actors(self) -> pd.Series:
        if self._exploded is None:
            self._exploded = pd.Series(self.df["actors"].to_list(), dtype="object").explode().dropna()
        return self._exploded

    def actor_rows(self, actor: str) -> np.ndarray:
        rows = self._actor_rows.get(actor)
        if rows is None:
            ex = self.exploded_actors
            rows = np.zeros(len(self), dtype=bool)
            rows[ex.index[ex.to_numpy() == actor].to_numpy(dtype=int)] = True
            self._actor_rows[actor] = rows
        return rows

    @property
    def hover(self) -> np.ndarray:
        if self._hover is None:
            self._hover = _hover_texts(self)
        return self._hover


_TEXT_COLUMNS = ("date", "date_text", "title", "summary", "place", "lesson", "work", "locator", "certainty")


def _normalise(df: pd.DataFrame) -> pd.DataFrame:
    """Complete an instructor's own rows (at least ``id``, ``title`` and ``date``) to the course's columns."""
    missing = [c for c in ("id", "title") if c not in df.columns]
    if "date" not in df.columns and "date_start" not in df.columns:
        missing.append("date")
    if missing:
        raise ValueError(
            f"the events table lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
            "it needs at least id, title and date (EDTF, e.g. 1960-06-24)"
        )
    out = df.reset_index(drop=True).copy()
    out["id"] = out["id"].astype(str).str.strip()
    dup = out["id"][out["id"].duplicated()].unique().tolist()
    if dup:
        raise ValueError(f"the events table uses these ids more than once: {', '.join(dup)}")
    for c in _TEXT_COLUMNS:
        if c not in out.columns:
            out[c] = ""
        out[c] = out[c].fillna("").astype(str)
    for c in ("actors", "people"):
        if c not in out.columns:
            out[c] = [[] for _ in range(len(out))]
        else:
            out[c] = [_as_list(v) for v in out[c]]
    if "date_start" not in out.columns:
        try:
            parsed = _dates.parse_many(out["date"])
        except ValueError:
            for i, text in zip(out["id"], out["date"], strict=False):
                try:
                    _dates.parse(text)
                except ValueError as exc:
                    raise ValueError(f"event {i}: {exc}") from None
            raise
        for part in ("start", "end", "precision", "approximate", "uncertain", "label"):
            out[f"date_{part}"] = parsed[part].to_numpy()
    for c in ("date_approximate", "date_uncertain"):
        if c not in out.columns:
            out[c] = False
        out[c] = out[c].fillna(False).astype(bool)
    for c in ("date_precision", "date_label"):
        if c not in out.columns:
            out[c] = ""
        out[c] = out[c].fillna("").astype(str)
    return out


def _build_events(df: pd.DataFrame) -> _Events:
    df = _normalise(df)
    n = len(df)
    start_ms, end_ms = _to_ms(df["date_start"]), _to_ms(df["date_end"])
    end_ms = end_ms + DAY_MS  # exclusive end: a day is drawn as a whole day
    text = df["date"].str.strip()
    start_kind = np.where(np.isnan(start_ms), np.where(text.str.startswith("..").to_numpy(), "open", "unknown"), "")
    end_kind = np.where(np.isnan(end_ms), np.where(text.str.endswith("..").to_numpy(), "open", "unknown"), "")
    precision = df["date_precision"].to_numpy(dtype=object)
    single_day = (start_ms + DAY_MS == end_ms) & np.isin(precision, ["day", "other"])
    fuzzy = (df["date_approximate"].to_numpy(dtype=bool) | df["date_uncertain"].to_numpy(dtype=bool))

    exploded = pd.Series(df["actors"].to_list(), dtype="object").explode().dropna()
    caps = exploded.map(CAPITAL_OF_ACTOR).dropna()
    bits = np.zeros(n, dtype=np.int64)
    order = {c: k for k, c in enumerate(CAPITAL_LANES)}
    if len(caps):
        np.bitwise_or.at(bits, caps.index.to_numpy(dtype=int), np.array([1 << order[c] for c in caps], dtype=np.int64))
    bits[bits == 0] = 1 << order[ELSEWHERE]
    lane_lists = {b: [c for c in CAPITAL_LANES if b & (1 << order[c])] for b in np.unique(bits)}
    capitals = [lane_lists[b] for b in bits]
    haystack = (_fold(df["title"]) + "\n" + _fold(df["summary"])).to_numpy(dtype=object)
    ids = df["id"].to_numpy(dtype=object)
    return _Events(
        df=df, ids=ids, start_ms=start_ms, end_ms=end_ms, start_kind=start_kind, end_kind=end_kind,
        is_marker=single_day, fuzzy=fuzzy, capitals=capitals, capital_bits=bits,
        lesson=df["lesson"].to_numpy(dtype=object), certainty=df["certainty"].to_numpy(dtype=object),
        haystack=haystack, row_of={k: i for i, k in enumerate(ids)}, _exploded=exploded,
    )


def _hover_texts(ev: _Events) -> np.ndarray:
    """One hover text per event: title, date (label and the source's words), certainty, citation."""
    df = ev.df
    out = []
    for k, row in enumerate(df.itertuples(index=False)):
        label = row.date_label or row.date
        qual = []
        if row.date_approximate:
            qual.append("date approximate")
        if row.date_uncertain:
            qual.append("date uncertain")
        if ev.end_kind[k] == "open":
            qual.append("open-ended")
        elif ev.end_kind[k] == "unknown":
            qual.append("end unknown")
        certainty = " · ".join([row.certainty or "certainty not stated"] + qual)
        lines = [
            f"<b>{_wrap(row.title)}</b>",
            _wrap(f"Date: {label}"),
            _wrap(f"The source says: “{row.date_text}”") if row.date_text else "",
            _wrap(f"Certainty: {certainty}"),
            _wrap(f"Cited: {row.work}, {row.locator}" if row.work else f"Cited: {row.locator or 'no citation'}"),
            _wrap(f"Lanes: {', '.join(ev.capitals[k])}"),
        ]
        out.append("<br>".join(line for line in lines if line))
    return np.array(out, dtype=object)


_cache_lock = threading.Lock()
_course_cache: dict[str, tuple[object, _Events]] = {}


def _course_events() -> _Events:
    """The course's events, prepared once per loaded data (cached by the identity of the data)."""
    _data.load("events")  # validates the data once per process and fills the data cache
    folder = _data.data_dir()
    folder = folder.resolve() if folder.exists() else folder
    token = _data._cache.get(folder)
    key = str(folder)
    with _cache_lock:
        hit = _course_cache.get(key)
        if hit is not None and hit[0] is token and token is not None:
            return hit[1]
    ev = _build_events(_data.load("events"))
    with _cache_lock:
        _course_cache[key] = (token, ev)
    return ev


def _events_from(events: Any) -> tuple[_Events, np.ndarray | None]:
    """The universe (course data or the caller's frame) and, for a list of ids, the rows it names."""
    if isinstance(events, pd.DataFrame):
        return _build_events(events), None
    ev = _course_events()
    if events is None:
        return ev, None
    if isinstance(events, str):
        events = [events]
    wanted = [str(e) for e in events]
    unknown = [e for e in dict.fromkeys(wanted) if e not in ev.row_of]
    if unknown:
        raise _unknown_ids_error("events", unknown, ev.ids)
    rows = np.zeros(len(ev), dtype=bool)
    rows[[ev.row_of[e] for e in wanted]] = True
    return ev, rows


# ----------------------------------------------------------------------------
# selections


def _lesson_id(lesson: Any) -> str:
    text = str(lesson).strip()
    return text.zfill(2) if text.isdigit() else text


def _lessons_table() -> pd.DataFrame:
    try:
        return _data.load("lessons")
    except Exception:  # an instructor's frame may come without course data
        return pd.DataFrame(columns=["id", "title", "period", "period_start", "period_end"])


def _lesson_period(lesson: Any) -> tuple[str, float, float, str]:
    lid = _lesson_id(lesson)
    lessons = _lessons_table()
    match = lessons[lessons["id"] == lid]
    if match.empty:
        raise ValueError(
            f"there is no lesson '{lesson}'; the lessons are: {', '.join(lessons['id'].tolist()) or 'none'}"
        )
    row = match.iloc[0]
    start = _ms(row["period_start"]) if pd.notna(row["period_start"]) else _ms(COURSE_START)
    end = _ms(row["period_end"]) + DAY_MS if pd.notna(row["period_end"]) else _ms(COURSE_END)
    return lid, start, end, str(row["title"])


def _bound(value: Any, side: str) -> float:
    """A start or end given as a year, an ISO date or an EDTF string -> ms (end: exclusive)."""
    name = "start" if side == "start" else "end"
    if isinstance(value, (pd.Timestamp, datetime, date)):
        ms = _ms(value)
        return ms + DAY_MS if side == "end" else ms
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        text = f"{int(value):04d}"
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise ValueError(f"{name}={value!r} is not a year, an ISO date or an EDTF date (e.g. 1960, 1960-06-24, 1961-22)")
    try:
        span = _dates.parse(text)
    except ValueError as exc:
        raise ValueError(f"{name}={value!r} is not a year, an ISO date or an EDTF date: {exc}") from None
    d = span.start if side == "start" else span.end
    if d is None:
        d = span.end if side == "start" else span.start
    ms = _ms(d)
    return ms + DAY_MS if side == "end" else ms


def _overlaps(ev: _Events, lo: float | None, hi: float | None) -> np.ndarray:
    """Rows whose span shares a day with [lo, hi) (open ends run on for ever)."""
    s = np.where(np.isnan(ev.start_ms), -np.inf, ev.start_ms)
    e = np.where(np.isnan(ev.end_ms), np.inf, ev.end_ms)
    ok = np.ones(len(ev), dtype=bool)
    if lo is not None:
        ok &= e > lo
    if hi is not None:
        ok &= s < hi
    return ok


@dataclass
class _Selection:
    ev: _Events
    rows: np.ndarray  # bool per event
    axis: tuple[float, float] | None  # forced x range (lesson, start, end)
    title: str


def _select(events: Any, lesson: Any, start: Any, end: Any) -> _Selection:
    ev, rows = _events_from(events)
    if rows is None:
        rows = np.ones(len(ev), dtype=bool)
    lo = _bound(start, "start") if start is not None else None
    hi = _bound(end, "end") if end is not None else None
    if lo is not None and hi is not None and lo >= hi:
        raise ValueError(f"start={start!r} comes after end={end!r}")
    title = ""
    if lesson is not None:
        lid, ls, le, ltitle = _lesson_period(lesson)
        rows = rows & (ev.lesson == lid)
        lo = ls if lo is None else max(lo, ls)
        hi = le if hi is None else min(hi, le)
        title = f"Lesson {lid}: {ltitle}"
    rows = rows & _overlaps(ev, lo, hi)
    axis = None
    if lo is not None or hi is not None:
        axis = (lo, hi)  # one side may be None: filled from the data
    return _Selection(ev, rows, axis, title)


def _mask(
    ev: _Events, *, years: Any = None, capitals: Any = None, actors: Any = None,
    lessons: Any = None, certainty: Any = None, search: str | None = None,
) -> np.ndarray:
    """The rows of ``ev`` that pass every filter (the logic of :func:`filter_events`)."""
    ok = np.ones(len(ev), dtype=bool)
    if years is not None:
        if isinstance(years, (int, np.integer)):
            years = (int(years), int(years))
        y0, y1 = (int(y) for y in years)
        if y0 > y1:
            raise ValueError(f"years={tuple(years)!r}: the first year comes after the last")
        ok &= _overlaps(ev, _ms(date(y0, 1, 1)), _ms(date(y1 + 1, 1, 1)))
    if capitals is not None:
        wanted = [capitals] if isinstance(capitals, str) else list(capitals)
        canon = {c.casefold(): c for c in CAPITAL_LANES}
        bad = [c for c in wanted if str(c).casefold() not in canon]
        if bad:
            raise ValueError(f"capitals: {', '.join(map(str, bad))} not among {', '.join(CAPITAL_LANES)}")
        bits = 0
        for c in wanted:
            bits |= 1 << CAPITAL_LANES.index(canon[str(c).casefold()])
        ok &= (ev.capital_bits & bits) != 0
    if actors is not None:
        wanted = [actors] if isinstance(actors, str) else list(actors)
        any_actor = np.zeros(len(ev), dtype=bool)
        for a in wanted:
            any_actor |= ev.actor_rows(str(a))
        ok &= any_actor
    if lessons is not None:
        wanted = [lessons] if isinstance(lessons, (str, int)) else list(lessons)
        ok &= np.isin(ev.lesson, [_lesson_id(x) for x in wanted])
    if certainty is not None:
        wanted = [certainty] if isinstance(certainty, str) else list(certainty)
        bad = [c for c in wanted if c not in CERTAINTIES]
        if bad:
            raise ValueError(f"certainty: {', '.join(map(str, bad))} not among {', '.join(CERTAINTIES)}")
        ok &= np.isin(ev.certainty, wanted)
    if search is not None and str(search).strip():
        folded = _fold(pd.Series([str(search)[:200]])).iloc[0]
        words = [" ".join(a.split()) or b for a, b in re.findall(r'"([^"]*)"|(\S+)', folded)]
        words = [w for w in words if w and w != '"']
        hay = pd.Series(ev.haystack, dtype="object")
        for w in words:
            ok &= hay.str.contains(w, regex=False).to_numpy(dtype=bool)
    return ok


def filter_events(
    df: pd.DataFrame | None = None, *, years: int | tuple[int, int] | None = None,
    capitals: Iterable[str] | str | None = None, actors: Iterable[str] | str | None = None,
    lessons: Iterable[str] | str | None = None, certainty: Iterable[str] | str | None = None,
    search: str | None = None,
) -> pd.DataFrame:
    """The events that pass every filter given — the logic behind :func:`explore`.

    Parameters
    ----------
    df : events, as ``load("events")`` returns them or an instructor's own rows
        (``None``: the course's events).
    years : ``(first, last)`` year, inclusive: events that share at least one
        possible day with those years (open-ended events run on for ever).
    capitals : lanes to keep (``"Moscow"``, ``"Beijing"``, ``"Tirana"``,
        ``"Hanoi"``, ``"Elsewhere"``); an event shared by two capitals is kept
        if either is chosen.
    actors : organization ids; events with any of them among their actors.
    lessons : lesson ids (``"04"`` or ``4``).
    certainty : values of the ``certainty`` column to keep.
    search : words that must all appear, in any order, in the title or
        summary; a phrase in double quotes must appear as written (case and
        diacritics ignored: ``ho chi minh`` finds "Hồ Chí Minh").

    Returns
    -------
    DataFrame
        The rows of ``df`` that pass, in their order, with their columns.

    Examples
    --------
    >>> filter_events(load("events"), years=(1960, 1961), capitals=["Tirana"])  # doctest: +SKIP
    """
    if df is None:
        ev = _course_events()
        df = ev.df
    else:
        ev = _build_events(df)
    ok = _mask(ev, years=years, capitals=capitals, actors=actors, lessons=lessons, certainty=certainty, search=search)
    return df.iloc[np.flatnonzero(ok)]


# ----------------------------------------------------------------------------
# glyphs: one per event per lane


@dataclass
class _Lanes:
    names: list[str]
    labels: list[str]
    colours: list[str]
    event: np.ndarray  # glyph -> event row
    lane: np.ndarray  # glyph -> lane index


def _org_labels() -> dict[str, str]:
    try:
        orgs = _data.load("organizations")
    except Exception:
        return {}
    out = {}
    for oid, abbr, name in zip(orgs["id"], orgs["abbreviation"].fillna(""), orgs["name"].fillna(""), strict=False):
        out[oid] = abbr or name or oid
    return out


def _lanes(ev: _Events, rows: np.ndarray, mode: str) -> _Lanes:
    idx = np.flatnonzero(rows)
    if mode == "capital":
        names = list(CAPITAL_LANES)
        ev_list, lane_list = [], []
        for k, bit in enumerate(1 << np.arange(len(CAPITAL_LANES))):
            hit = idx[(ev.capital_bits[idx] & bit) != 0]
            ev_list.append(hit)
            lane_list.append(np.full(len(hit), k))
        event, lane = np.concatenate(ev_list), np.concatenate(lane_list)
        if not (lane == names.index(ELSEWHERE)).any() and len(names) > 1:
            names = names[:-1]
        labels = names[:]
        colours = [LANE_COLOURS[n] for n in names]
    else:
        if mode == "actor":
            ex = ev.exploded_actors
            ex = ex[np.isin(ex.index.to_numpy(dtype=int), idx)]
            pairs = pd.DataFrame({"event": ex.index.to_numpy(dtype=int), "lane": ex.to_numpy(dtype=object)})
            none = np.setdiff1d(idx, pairs["event"].to_numpy(dtype=int))
            if len(none):
                pairs = pd.concat([pairs, pd.DataFrame({"event": none, "lane": "(no actor)"})])
        else:
            work = ev.df["work"].to_numpy(dtype=object)[idx]
            pairs = pd.DataFrame({"event": idx, "lane": np.where(work == "", "(no work)", work)})
        pairs = pairs.drop_duplicates()
        counts = pairs["lane"].value_counts()
        cap_rank = {c: k for k, c in enumerate(CAPITALS)}

        def key(name: str) -> tuple:
            cap = CAPITAL_OF_ACTOR.get(name) if mode == "actor" else None
            return (cap_rank.get(cap, len(CAPITALS)), -int(counts[name]), name)

        names = sorted(counts.index.tolist(), key=key)
        pos = {n: k for k, n in enumerate(names)}
        event = pairs["event"].to_numpy(dtype=int)
        lane = pairs["lane"].map(pos).to_numpy(dtype=int)
        orgs = _org_labels() if mode == "actor" else {}
        labels = [orgs.get(n, n) for n in names]
        colours, other = [], 0
        for n in names:
            cap = CAPITAL_OF_ACTOR.get(n) if mode == "actor" else None
            if cap:
                colours.append(LANE_COLOURS[cap])
            else:
                colours.append(_OTHER_COLOURS[other % len(_OTHER_COLOURS)])
                other += 1
    order = np.lexsort((lane, event))
    return _Lanes(names, labels, colours, event[order], lane[order])


@dataclass
class _Glyphs:
    """Everything drawn, one row per event per lane, as arrays (computed once)."""

    ev: _Events
    lanes: _Lanes
    axis: tuple[float, float]
    x0: np.ndarray  # ms, where the glyph starts (open start: the axis start)
    x1: np.ndarray  # ms, where it ends (open end: the axis end)
    y: np.ndarray
    marker: np.ndarray
    fuzzy: np.ndarray
    open_end: np.ndarray
    open_start: np.ndarray
    colour: np.ndarray  # lane index, as float, for the colour scale
    customdata: np.ndarray  # (n, 3): event id, hover text, lane label
    lane_y: list[float]  # centre of each lane
    lane_bounds: list[tuple[float, float]]

    @property
    def event(self) -> np.ndarray:
        return self.lanes.event

    @property
    def lane(self) -> np.ndarray:
        return self.lanes.lane


def _axis_range(ev: _Events, rows: np.ndarray, forced: tuple[float | None, float | None] | None) -> tuple[float, float]:
    lo, hi = forced if forced else (None, None)
    if lo is None or hi is None:
        s = ev.start_ms[rows]
        e = ev.end_ms[rows]
        finite = np.concatenate([s[~np.isnan(s)], e[~np.isnan(e)]])
        if finite.size == 0:
            dlo, dhi = _ms(COURSE_START), _ms(COURSE_END)
        else:
            dlo, dhi = float(finite.min()), float(finite.max())
            span = max(dhi - dlo, 60 * DAY_MS)
            mid = (dlo + dhi) / 2
            dlo, dhi = min(dlo, mid - span / 2), max(dhi, mid + span / 2)
            pad = 0.03 * (dhi - dlo)
            dlo, dhi = dlo - pad, dhi + pad
        lo = dlo if lo is None else lo
        hi = dhi if hi is None else hi
        if lo >= hi:
            hi = lo + 60 * DAY_MS
    return float(lo), float(hi)


def _glyphs(ev: _Events, rows: np.ndarray, mode: str, axis: tuple[float, float]) -> _Glyphs:
    lanes = _lanes(ev, rows, mode)
    g_ev, g_lane = lanes.event, lanes.lane
    lo, hi = axis
    s, e = ev.start_ms[g_ev], ev.end_ms[g_ev]
    open_start, open_end = np.isnan(s), np.isnan(e)
    x0 = np.where(open_start, np.fmin(lo, e - DAY_MS), s)
    x1 = np.where(open_end, np.maximum(hi, np.where(open_start, hi, s) + DAY_MS), e)
    marker = ev.is_marker[g_ev]
    # pack glyphs into up to MAX_TRACKS rows per lane so that neighbours do not hide each other
    gap = 0.012 * (hi - lo)
    max_tracks = MAX_TRACKS if len(g_ev) <= LARGE else MAX_TRACKS_LARGE
    max_tracks = max(1, min(max_tracks, MAX_ROWS // max(len(lanes.names), 1)))
    track = np.zeros(len(g_ev), dtype=int)
    n_tracks = np.ones(len(lanes.names), dtype=int)
    order = np.lexsort((x0, g_lane))
    free_at: dict[int, list[float]] = {}
    vis_end = np.maximum(x1, x0 + gap) + gap
    for gi in order:
        ends = free_at.setdefault(int(g_lane[gi]), [])
        start = x0[gi]
        t = next((k for k, end in enumerate(ends) if end <= start), None)
        if t is None:
            if len(ends) < max_tracks:
                t = len(ends)
                ends.append(0.0)
            else:
                t = int(np.argmin(ends))
        ends[t] = vis_end[gi]
        track[gi] = t
    for ln, ends in free_at.items():
        n_tracks[ln] = max(1, len(ends))
    lane_top, lane_y, bounds, top = [], [], [], 0.0
    for k in range(len(lanes.names)):
        lane_top.append(top)
        lane_y.append(top + (n_tracks[k] - 1) / 2)
        bounds.append((top - 0.5, top + n_tracks[k] - 0.5))
        top += n_tracks[k] + 0.6
    y = np.asarray(lane_top, dtype=float)[g_lane] + track if len(g_ev) else np.zeros(0)
    hover = ev.hover[g_ev] if len(g_ev) else np.zeros(0, dtype=object)
    customdata = np.empty((len(g_ev), 3), dtype=object)
    customdata[:, 0] = ev.ids[g_ev]
    customdata[:, 1] = hover
    customdata[:, 2] = np.asarray(lanes.labels, dtype=object)[g_lane] if len(g_ev) else np.zeros(0, dtype=object)
    return _Glyphs(
        ev=ev, lanes=lanes, axis=axis, x0=x0.astype(float), x1=x1.astype(float), y=y, marker=marker,
        fuzzy=ev.fuzzy[g_ev], open_end=open_end, open_start=open_start,
        colour=g_lane.astype(float), customdata=customdata, lane_y=lane_y, lane_bounds=bounds,
    )


# ----------------------------------------------------------------------------
# traces


def _tint(colour: str, amount: float = 0.55) -> str:
    """Mix a #rrggbb colour with white."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    mix = [round(c + (255 - c) * amount) for c in (r, g, b)]
    return "#{:02X}{:02X}{:02X}".format(*mix)


def _colourscale(colours: list[str]) -> list[list]:
    k = max(len(colours), 1)
    scale = []
    for i, c in enumerate(colours or ["#5F5F5F"]):
        scale += [[i / k, c], [(i + 1) / k, c]]
    return scale


#: trace roles, in the order of fig.data (the legend-only traces follow)
_ROLES = ("bar", "bar-fuzzy", "day", "day-fuzzy", "open-end", "highlight")
EVENT_ROLES = ("bar", "bar-fuzzy", "day", "day-fuzzy")
LEGEND = {
    "day": "exact day",
    "day-fuzzy": "about / uncertain day (c., ?)",
    "bar": "span: interval, month, season or year",
    "bar-fuzzy": "about / uncertain span (c., ?)",
    "open-end": "open end: runs on past the axis",
    "highlight": "highlighted",
}


def _glyph_sets(g: _Glyphs, visible: np.ndarray) -> dict[str, np.ndarray]:
    """Indices of the glyphs that each event trace draws."""
    return {
        "bar": np.flatnonzero(visible & ~g.marker & ~g.fuzzy),
        "bar-fuzzy": np.flatnonzero(visible & ~g.marker & g.fuzzy),
        "day": np.flatnonzero(visible & g.marker & ~g.fuzzy),
        "day-fuzzy": np.flatnonzero(visible & g.marker & g.fuzzy),
        "open-end": np.flatnonzero(visible & (g.open_end | g.open_start)),
    }


def _opacity(g: _Glyphs, idx: np.ndarray, hl: np.ndarray | None, base: float) -> float | np.ndarray:
    if hl is None:
        return base
    return np.where(hl[idx], 1.0, 0.3 * base)


def _trace_updates(g: _Glyphs, visible: np.ndarray, hl: np.ndarray | None, axis_end: float) -> list[dict]:
    """The data of every trace for the glyphs in ``visible`` (what explore swaps in place)."""
    sets = _glyph_sets(g, visible)
    out = []
    for role in ("bar", "bar-fuzzy"):
        i = sets[role]
        out.append(dict(
            base=g.x0[i], x=g.x1[i] - g.x0[i], y=g.y[i], customdata=g.customdata[i],
            marker=dict(color=g.colour[i], line=dict(color=g.colour[i]),
                        opacity=_opacity(g, i, hl, 1.0 if role == "bar" else 0.9)),
        ))
    for role in ("day", "day-fuzzy"):
        i = sets[role]
        out.append(dict(
            x=g.x0[i] + DAY_MS / 2, y=g.y[i], customdata=g.customdata[i],
            marker=dict(color=g.colour[i], opacity=_opacity(g, i, hl, 1.0 if role == "day" else 0.9)),
        ))
    i = sets["open-end"]
    ends = g.open_end[i]
    x = np.where(ends, axis_end, g.axis[0])
    out.append(dict(
        x=x, y=g.y[i], customdata=g.customdata[i],
        marker=dict(symbol=np.where(ends, "triangle-right", "triangle-left").tolist()),
        text=np.where(ends, "open ", " open").tolist(),
        textposition=np.where(ends, "middle left", "middle right").tolist(),
    ))
    if hl is not None:
        i = np.flatnonzero(visible & hl)
        mid = np.where(g.marker[i], g.x0[i] + DAY_MS / 2, (g.x0[i] + np.minimum(g.x1[i], axis_end)) / 2)
        titles = [_wrap(t, 28) for t in g.ev.df["title"].to_numpy(dtype=object)[g.event[i]]]
        out.append(dict(x=mid, y=g.y[i], customdata=g.customdata[i], text=titles))
    else:
        out.append(dict(x=[], y=[], customdata=np.empty((0, 3), dtype=object), text=[]))
    return out


def _make_traces(g: _Glyphs, visible: np.ndarray, hl: np.ndarray | None, axis_end: float) -> list:
    """All traces: the six data traces (see ``_ROLES``) then the legend-only ones."""
    scale = _colourscale(g.lanes.colours)
    light = _colourscale([_tint(c) for c in g.lanes.colours])
    k = max(len(g.lanes.colours), 1)
    cs = dict(cmin=-0.5, cmax=k - 0.5, showscale=False)
    upd = _trace_updates(g, visible, hl, axis_end)
    hover = dict(hovertemplate="%{customdata[1]}<extra></extra>", showlegend=False)
    bar_common = dict(orientation="h", width=0.78, **hover)
    traces = [
        go.Bar(name=LEGEND["bar"], meta={"role": "bar"}, **bar_common, **_strip_marker(upd[0]),
               marker=dict(color=upd[0]["marker"]["color"], colorscale=scale, **cs,
                           opacity=upd[0]["marker"]["opacity"],
                           line=dict(width=0, color=upd[0]["marker"]["line"]["color"], colorscale=scale, **_line_cs(cs)))),
        go.Bar(name=LEGEND["bar-fuzzy"], meta={"role": "bar-fuzzy"}, **bar_common, **_strip_marker(upd[1]),
               marker=dict(color=upd[1]["marker"]["color"], colorscale=light, **cs,
                           opacity=upd[1]["marker"]["opacity"],
                           pattern=dict(shape="/", fillmode="overlay", fgcolor="white", size=7, solidity=0.35),
                           line=dict(width=1.5, color=upd[1]["marker"]["line"]["color"], colorscale=scale, **_line_cs(cs)))),
        go.Scatter(name=LEGEND["day"], meta={"role": "day"}, mode="markers", **hover, **_strip_marker(upd[2]),
                   marker=dict(color=upd[2]["marker"]["color"], colorscale=scale, **cs, symbol="diamond", size=12,
                               opacity=upd[2]["marker"]["opacity"], line=dict(width=1, color="white"))),
        go.Scatter(name=LEGEND["day-fuzzy"], meta={"role": "day-fuzzy"}, mode="markers", **hover, **_strip_marker(upd[3]),
                   marker=dict(color=upd[3]["marker"]["color"], colorscale=scale, **cs, symbol="diamond-open", size=12,
                               opacity=upd[3]["marker"]["opacity"], line=dict(width=2))),
        go.Scatter(name=LEGEND["open-end"], meta={"role": "open-end"}, mode="markers+text", **hover,
                   x=upd[4]["x"], y=upd[4]["y"], customdata=upd[4]["customdata"], text=upd[4]["text"],
                   textposition=upd[4]["textposition"], textfont=dict(size=11, color="#333333"), cliponaxis=False,
                   marker=dict(symbol=upd[4]["marker"]["symbol"], size=10, color="#333333")),
        go.Scatter(name=LEGEND["highlight"], meta={"role": "highlight"}, mode="markers+text", hoverinfo="skip",
                   showlegend=False, x=upd[5]["x"], y=upd[5]["y"], customdata=upd[5]["customdata"], text=upd[5]["text"],
                   textposition="top center", textfont=dict(size=12, color="#000000"), cliponaxis=False,
                   marker=dict(symbol="circle-open", size=24, color="#000000", line=dict(width=2.5))),
    ]
    grey = "#5F5F5F"
    legend = [
        go.Scatter(name=LEGEND["day"], mode="markers", marker=dict(symbol="diamond", size=12, color=grey)),
        go.Scatter(name=LEGEND["day-fuzzy"], mode="markers", marker=dict(symbol="diamond-open", size=12, color=grey, line=dict(width=2))),
        go.Bar(name=LEGEND["bar"], orientation="h", marker=dict(color=grey)),
        go.Bar(name=LEGEND["bar-fuzzy"], orientation="h",
               marker=dict(color=_tint(grey), line=dict(width=1.5, color=grey),
                           pattern=dict(shape="/", fillmode="overlay", fgcolor="white", size=7, solidity=0.35))),
    ]
    if (g.open_end | g.open_start).any():
        legend.append(go.Scatter(name=LEGEND["open-end"], mode="markers", marker=dict(symbol="triangle-right", size=10, color="#333333")))
    if hl is not None:
        legend.append(go.Scatter(name=LEGEND["highlight"], mode="markers", marker=dict(symbol="circle-open", size=16, color="#000000", line=dict(width=2.5))))
    for t in legend:
        t.update(x=[None], y=[None], showlegend=True, hoverinfo="skip", meta={"role": "legend"}, legendgroup="styles")
    return traces + legend


def _strip_marker(update: dict) -> dict:
    return {k: v for k, v in update.items() if k != "marker"}


def _line_cs(cs: dict) -> dict:
    return {"cmin": cs["cmin"], "cmax": cs["cmax"]}


def _layout(g: _Glyphs, title: str, n_shown: int, n_glyphs_total: int) -> dict:
    lo, hi = g.axis
    ticktext = [
        f'<span style="color:{c}"><b>{_esc(label)}</b></span>' for label, c in zip(g.lanes.labels, g.lanes.colours, strict=False)
    ]
    shapes = []
    for k, (a, b) in enumerate(g.lane_bounds):
        shapes.append(dict(
            type="rect", xref="paper", x0=0, x1=1, yref="y", y0=a - 0.15, y1=b + 0.15, layer="below",
            line=dict(width=0), fillcolor="#F4F4F4" if k % 2 == 0 else "#FFFFFF",
        ))
    n_rows = sum(b - a for a, b in g.lane_bounds) if g.lane_bounds else 1
    bottom = g.lane_bounds[-1][1] + 0.3 if g.lane_bounds else 1
    height = int(min(1600, max(320, 170 + 26 * n_rows + 10 * len(g.lane_bounds))))
    return dict(
        title=dict(text=title, x=0, xanchor="left", font=dict(size=17)),
        template="plotly_white",
        height=height,
        margin=dict(l=10, r=30, t=110, b=50),
        font=dict(size=13),
        barmode="overlay",
        hovermode="closest",
        hoverlabel=dict(align="left", bgcolor="white", font=dict(size=13, color="#111111"), namelength=-1),
        legend=dict(orientation="h", x=0, xanchor="left", y=1.0, yanchor="bottom", title=dict(text="How to read it: "),
                    font=dict(size=12), itemclick=False, itemdoubleclick=False),
        xaxis=dict(type="date", range=[_iso(lo), _iso(hi)], showgrid=True, gridcolor="#DDDDDD",
                   ticks="outside", showline=True, linecolor="#888888", automargin=True),
        yaxis=dict(tickmode="array", tickvals=g.lane_y, ticktext=ticktext, range=[bottom, -0.9],
                   showgrid=False, zeroline=False, fixedrange=True, automargin=True, ticks=""),
        shapes=shapes,
        meta={"events_shown": n_shown, "glyphs_shown": n_glyphs_total},
    )


def _years_shown(ev: _Events, rows: np.ndarray, forced: tuple[float | None, float | None] | None,
                 axis: tuple[float, float]) -> tuple[float, float]:
    """The period a title should name: the forced one, else the events' own span (not the padding)."""
    lo, hi = forced if forced else (None, None)
    s, e = ev.start_ms[rows], ev.end_ms[rows]
    finite_s, finite_e = s[~np.isnan(s)], e[~np.isnan(e)]
    if lo is None:
        lo = float(min(finite_s.min() if finite_s.size else axis[0], finite_e.min() - DAY_MS if finite_e.size else axis[0]))
    if hi is None:
        hi = float(max(finite_e.max() if finite_e.size else axis[1], finite_s.max() + DAY_MS if finite_s.size else axis[1]))
        if (np.isnan(e)).any():
            hi = axis[1]
    return max(lo, axis[0]), min(hi, axis[1])


def _figure_title(sel_title: str, mode: str, axis: tuple[float, float], n: int) -> str:
    what = {"capital": "Events by capital", "actor": "Events by actor", "work": "Events by the article that tells them"}[mode]
    y0, y1 = pd.Timestamp(int(axis[0]), unit="ms").year, pd.Timestamp(int(axis[1]) - 1, unit="ms").year
    span = f"{y0}" if y0 == y1 else f"{y0}–{y1}"
    head = f"{_esc(sel_title)}<br><sup>{what}, {span} · {n} event{'s' if n != 1 else ''}</sup>" if sel_title else f"{what}, {span}<br><sup>{n} event{'s' if n != 1 else ''}</sup>"
    return head


def _highlight_rows(ev: _Events, highlight: Any) -> np.ndarray | None:
    if highlight is None:
        return None
    wanted = [highlight] if isinstance(highlight, str) else [str(h) for h in highlight]
    unknown = [h for h in dict.fromkeys(wanted) if h not in ev.row_of]
    if unknown:
        raise _unknown_ids_error("highlight", unknown, ev.ids)
    rows = np.zeros(len(ev), dtype=bool)
    rows[[ev.row_of[h] for h in wanted]] = True
    return rows


def _check_mode(lanes: str) -> str:
    if lanes not in LANE_MODES:
        raise ValueError(f"lanes={lanes!r}: choose one of {', '.join(repr(m) for m in LANE_MODES)}")
    return lanes


def timeline(
    events: Sequence[str] | pd.DataFrame | None = None, *, lanes: str = "capital",
    start: int | str | date | None = None, end: int | str | date | None = None,
    lesson: str | int | None = None, highlight: Sequence[str] | str | None = None,
) -> go.Figure:
    """Draw events in lanes, with their dates as precise — and as uncertain — as the sources give them.

    Parameters
    ----------
    events : a list of event ids, an instructor's own DataFrame (at least
        ``id``, ``title``, ``date``), or ``None`` for every course event.
    lanes : ``"capital"`` (Moscow, Beijing, Tirana, Hanoi, Elsewhere: see
        :data:`CAPITAL_OF_ACTOR`), ``"actor"`` (one lane per organization) or
        ``"work"`` (one lane per article that tells the event).
    start, end : keep events that share a day with this period, and draw it:
        a year (``1960``), an ISO date (``"1960-06-24"``) or an EDTF date
        (``"1961-22"``: ``end`` takes its last day).
    lesson : a lesson id (``"04"`` or ``4``): that lesson's events, on its period.
    highlight : event ids to emphasise (ringed and labelled; the rest fade).

    Returns
    -------
    plotly.graph_objects.Figure
        With an annotation "No events match" when the selection is empty.

    Raises
    ------
    ValueError
        For an id in ``events`` or ``highlight`` that is not in the data (naming
        it and the closest ids), an unknown lesson, or a start/end that is no date.

    Examples
    --------
    >>> timeline(lesson="04", highlight=["1960-06-bucharest-meeting"])   # doctest: +SKIP
    >>> timeline(start=1956, end=1961, lanes="actor")                    # doctest: +SKIP
    """
    mode = _check_mode(lanes)
    sel = _select(events, lesson, start, end)
    ev = sel.ev
    hl = _highlight_rows(ev, highlight)
    axis = _axis_range(ev, sel.rows, sel.axis)
    g = _glyphs(ev, sel.rows, mode, axis)
    visible = np.ones(len(g.event), dtype=bool)
    g_hl = hl[g.event] if hl is not None else None
    n = int(sel.rows.sum())
    fig = go.Figure(data=_make_traces(g, visible, g_hl, axis[1]))
    shown = _years_shown(ev, sel.rows, sel.axis, axis) if n else axis
    fig.update_layout(**_layout(g, _figure_title(sel.title, mode, shown, n), n, len(g.event)))
    if n == 0:
        fig.add_annotation(
            text=f"<b>{NO_MATCH}</b><br>Widen the period, or choose other events or another lesson.",
            xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False, font=dict(size=16, color="#333333"),
        )
    return fig


def timeline_table(
    events: Sequence[str] | pd.DataFrame | None = None, *, lanes: str = "capital",
    start: int | str | date | None = None, end: int | str | date | None = None,
    lesson: str | int | None = None, highlight: Sequence[str] | str | None = None,
) -> pd.DataFrame:
    """The events :func:`timeline` would draw, as a table: its text twin for screen readers.

    Same arguments as :func:`timeline`. One row per event, in date order, indexed
    by event id, with the columns ``date_label`` (how a lecturer says the date),
    ``date_text`` (the source's own words), ``title``, ``lanes`` (the lanes it is
    drawn in, ``;``-separated), ``certainty`` (with "date approximate" or "date
    uncertain" where so) and ``citation`` (``work, locator``); plus
    ``highlighted`` when ``highlight`` is given.

    Examples
    --------
    >>> timeline_table(lesson="04").columns.tolist()   # doctest: +SKIP
    ['date_label', 'date_text', 'title', 'lanes', 'certainty', 'citation']
    """
    mode = _check_mode(lanes)
    sel = _select(events, lesson, start, end)
    ev = sel.ev
    hl = _highlight_rows(ev, highlight)
    lane_info = _lanes(ev, sel.rows, mode)
    per_event: dict[int, list[str]] = {}
    for e, ln in zip(lane_info.event, lane_info.lane, strict=False):
        per_event.setdefault(int(e), []).append(lane_info.labels[ln])
    idx = np.flatnonzero(sel.rows)
    order = idx[np.lexsort((ev.ids[idx], np.nan_to_num(ev.end_ms[idx], nan=np.inf),
                            np.nan_to_num(ev.start_ms[idx], nan=-np.inf)))]
    df = ev.df
    certainty = []
    for k in order:
        parts = [df.at[k, "certainty"] or "not stated"]
        if df.at[k, "date_approximate"]:
            parts.append("date approximate")
        if df.at[k, "date_uncertain"]:
            parts.append("date uncertain")
        certainty.append("; ".join(parts))
    table = pd.DataFrame({
        "date_label": [df.at[k, "date_label"] or df.at[k, "date"] for k in order],
        "date_text": df["date_text"].to_numpy(dtype=object)[order],
        "title": df["title"].to_numpy(dtype=object)[order],
        "lanes": ["; ".join(per_event.get(int(k), [])) for k in order],
        "certainty": certainty,
        "citation": [", ".join(p for p in (df.at[k, "work"], df.at[k, "locator"]) if p) for k in order],
    }, index=pd.Index(ev.ids[order], name="id"))
    if hl is not None:
        table["highlighted"] = hl[order]
    return table


# ----------------------------------------------------------------------------
# reading one event: summary, quotations, sources


def _table_or_empty(name: str) -> pd.DataFrame:
    try:
        return _data.load(name)
    except Exception:
        return pd.DataFrame()


def _names() -> dict[str, str]:
    names: dict[str, str] = {}
    people, orgs = _table_or_empty("people"), _table_or_empty("organizations")
    if not people.empty:
        names.update(zip(people["id"], people["name"], strict=False))
    if not orgs.empty:
        names.update(zip(orgs["id"], orgs["name"], strict=False))
    return names


def event_details(event_id: str, events: pd.DataFrame | None = None) -> str:
    """What :func:`explore` shows under the chart for one event, as HTML (all data escaped).

    The event's date, certainty, citation and summary; its quotations
    (``quotes.csv`` rows whose ``event`` is ``event_id``), with speaker, chain of
    reporting and record; and the sources (records) those quotations come from.

    Raises ``ValueError`` for an unknown id, naming the closest ones.
    """
    ev = _build_events(events) if isinstance(events, pd.DataFrame) else _course_events()
    if event_id not in ev.row_of:
        raise _unknown_ids_error("event_details", [event_id], ev.ids)
    row = ev.df.iloc[ev.row_of[event_id]]
    names = _names()
    works = _table_or_empty("works")
    work_title = dict(zip(works["id"], works["title"], strict=False)) if not works.empty else {}

    def cite(work: str, locator: str) -> str:
        w = work_title.get(work)
        return f"{_esc(work)}{f' (<i>{_esc(w)}</i>)' if w else ''}, {_esc(locator)}"

    qual = [row["certainty"] or "certainty not stated"]
    if row["date_approximate"]:
        qual.append("date approximate")
    if row["date_uncertain"]:
        qual.append("date uncertain")
    parts = [
        f"<h4 style='margin:0.4em 0'>{_esc(row['title'])}</h4>",
        "<p>"
        f"<b>Date:</b> {_esc(row['date_label'] or row['date'])}"
        + (f" — the source: “{_esc(row['date_text'])}”" if row["date_text"] else "")
        + f"<br><b>Certainty:</b> {_esc(' · '.join(qual))}"
        f"<br><b>Lanes:</b> {_esc(', '.join(ev.capitals[ev.row_of[event_id]]))}"
        f"<br><b>Cited:</b> {cite(row['work'], row['locator'])}</p>",
        f"<p>{_esc(row['summary'])}</p>" if row["summary"] else "",
    ]
    quotes = _table_or_empty("quotes")
    quotes = quotes[quotes["event"] == event_id] if not quotes.empty else quotes
    parts.append("<h5 style='margin:0.6em 0 0.2em'>Quotations</h5>")
    if quotes.empty:
        parts.append("<p><i>No quotation is recorded for this event.</i></p>")
    else:
        items = []
        for q in quotes.itertuples(index=False):
            chain = " → ".join(names.get(r, r) for r in q.reported_by)
            items.append(
                f"<li><blockquote style='margin:0.2em 0'>“{_esc(q.text)}”</blockquote>"
                f"— {_esc(names.get(q.speaker, q.speaker))}, {_esc(q.date_label or q.date)}"
                + (f"; reported by {_esc(chain)}" if chain else "")
                + f"; record: {_esc(q.source)}. Cited: {cite(q.work, q.locator)}</li>"
            )
        parts.append("<ul>" + "".join(items) + "</ul>")
    sources = _table_or_empty("sources")
    wanted = list(dict.fromkeys(quotes["source"])) if not quotes.empty else []
    parts.append("<h5 style='margin:0.6em 0 0.2em'>Sources</h5>")
    if sources.empty or not wanted:
        parts.append(f"<p>The article: {cite(row['work'], row['locator'])}. <i>No archival record is linked to this event's quotations.</i></p>")
    else:
        items = []
        for s in sources[sources["id"].isin(wanted)].itertuples(index=False):
            where = ", ".join(p for p in (s.archive, s.reference) if p)
            items.append(
                f"<li><b>{_esc(s.title)}</b> ({_esc(s.kind)}), {_esc(names.get(s.creator, s.creator))}, "
                f"{_esc(s.date_label or s.date)}{'; ' + _esc(where) if where else ''}."
                f"<br><i>Keep in mind:</i> {_esc(s.reliability)} Cited: {cite(s.work, s.locator)}</li>"
            )
        parts.append("<ul>" + "".join(items) + "</ul>")
    return "".join(parts)


# ----------------------------------------------------------------------------
# explore: the same chart inside widgets


def visible_glyph_ids(fig: go.Figure) -> set[str]:
    """Ids of the events a timeline figure draws: glyphs of the event traces with a finite y.

    Works for :func:`timeline`'s figures and for :func:`explore`'s FigureWidget
    (which hides a filtered-out glyph by setting its y to NaN).
    """
    out: set[str] = set()
    for t in fig.data:
        if not (t.meta and t.meta.get("role") in EVENT_ROLES) or t.visible is False or t.customdata is None:
            continue
        y = np.asarray(t.y if t.y is not None else [], dtype=float)
        ids = [str(r[0]) for r in t.customdata]
        out.update(i for i, v in zip(ids, y, strict=False) if np.isfinite(v))
    return out


class Explorer:
    """The interactive timeline that :func:`explore` returns.

    Widgets (each with a text label, each usable from the keyboard):
    ``years`` (IntRangeSlider), ``capitals`` and ``certainty`` (dicts of
    Checkbox), ``actors`` (SelectMultiple; none chosen means all), ``lesson``
    (Dropdown), ``search`` (Text), ``event`` (Dropdown: choose an event without a
    mouse), ``reset`` (Button). ``figure`` is the plotly FigureWidget, updated in
    place; ``details`` (HTML) shows the chosen event's summary, quotations and
    sources; ``status`` says how many events are shown.

    Set any widget's ``value`` and the figure follows at once, with no browser:
    tests and notebooks can drive it (``visible_ids()`` reads the figure back).
    """

    EVENT_OPTIONS_MAX = 400

    def __init__(self, events: Any = None, *, lanes: str = "capital", start: Any = None, end: Any = None,
                 lesson: Any = None, highlight: Any = None) -> None:
        import ipywidgets as w

        mode = _check_mode(lanes)
        ev, rows = _events_from(events)
        self._own = isinstance(events, pd.DataFrame)
        self._frame = events if self._own else None
        if rows is None:
            rows = np.ones(len(ev), dtype=bool)
        self.ev = ev
        self.mode = mode
        self._universe = rows
        hl = _highlight_rows(ev, highlight)
        self._axis_full = _axis_range(ev, rows, None)
        self.glyphs = g = _glyphs(ev, rows, mode, self._axis_full)
        self._hl = hl[g.event] if hl is not None else None
        self._lane_is_capital = mode == "capital"

        years_all = [pd.Timestamp(int(self._axis_full[0]), unit="ms").year,
                     pd.Timestamp(int(self._axis_full[1]) - 1, unit="ms").year]
        finite_s = ev.start_ms[rows][~np.isnan(ev.start_ms[rows])]
        finite_e = ev.end_ms[rows][~np.isnan(ev.end_ms[rows])]
        if finite_s.size or finite_e.size:
            lo_y = pd.Timestamp(int(np.concatenate([finite_s, finite_e - DAY_MS]).min()), unit="ms").year
            hi_y = pd.Timestamp(int(np.concatenate([finite_s, finite_e - DAY_MS]).max()), unit="ms").year
            years_all = [lo_y, hi_y]
        # the slider always spans at least the course period, so every course year can be chosen
        years_all = [min(years_all[0], COURSE_START.year), max(years_all[1], COURSE_END.year)]
        self._year_bounds = tuple(years_all)
        style = {"description_width": "initial"}
        self.years = w.IntRangeSlider(
            value=self._year_bounds, min=self._year_bounds[0], max=max(self._year_bounds[1], self._year_bounds[0] + 1),
            step=1, description="Years", continuous_update=False, style=style,
            layout=w.Layout(width="460px"),
        )
        if start is not None or end is not None:
            y0 = pd.Timestamp(int(_bound(start, "start")), unit="ms").year if start is not None else self.years.min
            y1 = pd.Timestamp(int(_bound(end, "end")) - 1, unit="ms").year if end is not None else self.years.max
            self.years.value = (max(self.years.min, y0), min(self.years.max, y1))
        present = sorted({c for k in np.flatnonzero(rows) for c in ev.capitals[k]}, key=CAPITAL_LANES.index)
        self.capitals = {c: w.Checkbox(value=True, description=c, indent=False, layout=w.Layout(width="auto"))
                         for c in CAPITAL_LANES if c in present or c != ELSEWHERE}
        actor_ids = sorted(set(ev.exploded_actors[np.isin(ev.exploded_actors.index.to_numpy(dtype=int), np.flatnonzero(rows))]))
        orgs = _org_labels()
        self.actors = w.SelectMultiple(
            options=[(f"{orgs.get(a, a)} ({a})" if orgs.get(a, a) != a else a, a) for a in actor_ids],
            value=(), rows=6, description="Actors (none chosen = all)", style=style,
            layout=w.Layout(width="420px"),
        )
        lessons = _lessons_table()
        have = set(ev.lesson[rows])
        lesson_opts: list[tuple[str, Any]] = [("All lessons", "")]  # "" not None: a None value shows a blank dropdown
        lesson_opts += [(f"{lid} · {t}", lid) for lid, t in zip(lessons.get("id", []), lessons.get("title", []), strict=False) if lid in have]
        lesson_opts += [(lid, lid) for lid in sorted(have - set(lessons.get("id", []))) if lid]
        self.lesson = w.Dropdown(options=lesson_opts, value="", description="Lesson", style=style,
                                 layout=w.Layout(width="420px"))
        if lesson is not None:
            lid = _lesson_id(lesson)
            if lid not in [v for _, v in lesson_opts]:
                _lesson_period(lesson)  # raises naming the lessons if it does not exist
                lesson_opts.append((lid, lid))
                self.lesson.options = lesson_opts
            self.lesson.value = lid
            if start is None and end is None:  # open on the lesson's own years
                _, p0, p1, _ = _lesson_period(lid)
                y0 = pd.Timestamp(int(p0), unit="ms").year
                y1 = pd.Timestamp(int(p1) - DAY_MS, unit="ms").year
                self.years.value = (max(self.years.min, min(y0, self.years.max)), min(self.years.max, max(y1, self.years.min)))
        self.certainty = {c: w.Checkbox(value=True, description=c, indent=False, layout=w.Layout(width="auto"))
                          for c in CERTAINTIES}
        self.search = w.Text(value="", description="Search titles and summaries", placeholder="e.g. Bucharest",
                             continuous_update=True, style=style, layout=w.Layout(width="420px"))
        self.event = w.Dropdown(options=[("— choose an event —", "")], value="", description="Event",
                                style=style, layout=w.Layout(width="640px"))
        self.reset = w.Button(description="Show all", tooltip="Clear every filter",
                              layout=w.Layout(width="auto"))
        self.status = w.HTML(value="")
        self.details = w.HTML(value="<p><i>Click an event on the chart, or choose one in the Event list, to read it here.</i></p>")

        everything = np.ones(len(g.event), dtype=bool)
        self.figure = go.FigureWidget(data=_make_traces(g, everything, self._hl, self._axis_full[1]))
        self._sets = _glyph_sets(g, everything)
        if self._hl is not None:
            self._sets["highlight"] = np.flatnonzero(self._hl)
        self.figure.update_layout(**_layout(g, _figure_title("", mode, self._axis_full, int(rows.sum())), int(rows.sum()), len(g.event)))
        self.figure.update_layout(title=None, margin=dict(t=70))
        self._traces = {t.meta["role"]: t for t in self.figure.data if t.meta and t.meta.get("role") in _ROLES}
        for role in EVENT_ROLES + ("open-end",):
            self._traces[role].on_click(self._on_click)

        for widget in [self.years, self.actors, self.lesson, self.search, *self.capitals.values(), *self.certainty.values()]:
            widget.observe(self._on_filter, names="value")
        self.event.observe(self._on_event, names="value")
        self.reset.on_click(lambda _b: self.clear())
        self.last_update_ms = 0.0
        self.update()

    # -- filtering ------------------------------------------------------
    def filters(self) -> dict[str, Any]:
        """The current widget values as :func:`filter_events` keyword arguments (``None``: no filter)."""
        years = tuple(self.years.value)
        caps = [c for c, cb in self.capitals.items() if cb.value]
        cert = [c for c, cb in self.certainty.items() if cb.value]
        return {
            "years": None if years == (self.years.min, self.years.max) else years,
            "capitals": None if len(caps) == len(self.capitals) else caps,
            "actors": list(self.actors.value) or None,
            "lessons": [self.lesson.value] if self.lesson.value else None,
            "certainty": None if len(cert) == len(self.certainty) else cert,
            "search": self.search.value or None,
        }

    def selected_rows(self) -> np.ndarray:
        """Boolean mask over the events: those the current filters keep."""
        return self._universe & _mask(self.ev, **self.filters())

    def _on_filter(self, _change: Any = None) -> None:
        self.update()

    def update(self) -> None:
        """Apply the widgets' filters to the figure in place (one ``batch_update``)."""
        import time

        t0 = time.perf_counter()
        f = self.filters()
        rows = self.selected_rows()
        g = self.glyphs
        visible = rows[g.event]
        if self._lane_is_capital and f["capitals"] is not None:
            keep = np.array([g.lanes.names[k] in f["capitals"] for k in range(len(g.lanes.names))], dtype=bool)
            visible &= keep[g.lane]
        lo, hi = self._axis_full
        if f["years"] is not None:
            lo, hi = _ms(date(f["years"][0], 1, 1)), _ms(date(f["years"][1] + 1, 1, 1))
        if self.lesson.value:
            try:
                _, ls, le, _t = _lesson_period(self.lesson.value)
                if ls < hi and le > lo:
                    lo, hi = max(lo, ls), min(hi, le)
            except ValueError:
                pass
        n = int(rows.sum())
        # every trace keeps all its glyphs (and their hover texts); a hidden glyph
        # gets y = NaN, which plotly neither draws nor hovers. So a filter change
        # sends only float arrays (binary buffers), never the texts again.
        with self.figure.batch_update():
            for role, idx in self._sets.items():
                y = g.y[idx].copy()
                y[~visible[idx]] = np.nan
                tr = self._traces[role]
                if role == "open-end":
                    ends = g.open_end[idx]
                    tr.update(y=y, x=np.where(ends, min(hi, self._axis_full[1]), g.axis[0]))
                else:
                    tr.y = y
            self.figure.layout.xaxis.range = [_iso(lo), _iso(hi)]
            anns = [] if n else [dict(
                text=f"<b>{NO_MATCH}</b><br>Loosen a filter, or press “Show all”.", xref="paper", yref="paper",
                x=0.5, y=0.5, showarrow=False, font=dict(size=16, color="#333333"))]
            self.figure.layout.annotations = anns
        self._visible_rows = rows
        self._refresh_event_options(rows)
        total = int(self._universe.sum())
        self.status.value = f"<b>{n}</b> of {total} events shown" + (" — <b>No events match</b>" if n == 0 else "")
        self.last_update_ms = (time.perf_counter() - t0) * 1000

    def _refresh_event_options(self, rows: np.ndarray) -> None:
        idx = np.flatnonzero(rows)
        ev = self.ev
        idx = idx[np.lexsort((ev.ids[idx], np.nan_to_num(ev.start_ms[idx], nan=-np.inf)))]
        shown = idx[: self.EVENT_OPTIONS_MAX]
        labels = ev.df["date_label"].to_numpy(dtype=object)
        titles = ev.df["title"].to_numpy(dtype=object)
        opts = [(f"— choose one of {len(idx)} events —" if len(idx) <= self.EVENT_OPTIONS_MAX
                 else f"— the first {self.EVENT_OPTIONS_MAX} of {len(idx)} events; narrow the filters —", "")]
        opts += [(f"{labels[k]} · {titles[k][:90]}", ev.ids[k]) for k in shown]
        current = self.event.value
        if current and current not in {v for _, v in opts}:
            k = ev.row_of[current]
            opts.append((f"{labels[k]} · {titles[k][:90]}", current))
        with self.event.hold_trait_notifications():
            self.event.options = opts
            self.event.value = current

    def visible_ids(self) -> set[str]:
        """Ids of the events the figure now draws (read back from the FigureWidget)."""
        return visible_glyph_ids(self.figure)

    def clear(self) -> None:
        """Reset every filter (the "Show all" button)."""
        widgets = [self.years, self.actors, self.lesson, self.search, *self.capitals.values(), *self.certainty.values()]
        for widget in widgets:  # one update at the end, not one per widget
            widget.unobserve(self._on_filter, names="value")
        try:
            self.years.value = (self.years.min, self.years.max)
            self.actors.value = ()
            self.lesson.value = ""
            self.search.value = ""
            for cb in [*self.capitals.values(), *self.certainty.values()]:
                cb.value = True
        finally:
            for widget in widgets:
                widget.observe(self._on_filter, names="value")
        self.update()

    # -- choosing an event ----------------------------------------------
    def select(self, event_id: str | None) -> None:
        """Show one event's summary, quotations and sources under the chart."""
        if event_id is None:
            self.event.value = ""
            return
        if event_id not in self.ev.row_of:
            raise _unknown_ids_error("select", [event_id], self.ev.ids)
        if event_id not in {v for _, v in self.event.options}:
            k = self.ev.row_of[event_id]
            self.event.options = list(self.event.options) + [(f"{self.ev.df['date_label'].iat[k]} · {self.ev.df['title'].iat[k][:90]}", event_id)]
        self.event.value = event_id

    def _on_click(self, trace: Any, points: Any, _selector: Any) -> None:
        inds = list(getattr(points, "point_inds", []) or [])
        if not inds:
            return
        cd = trace.customdata
        if cd is None or inds[0] >= len(cd):
            return
        self.select(str(cd[inds[0]][0]))

    def _on_event(self, change: Any) -> None:
        eid = change["new"]
        if not eid:
            self.details.value = "<p><i>Click an event on the chart, or choose one in the Event list, to read it here.</i></p>"
            return
        self.details.value = event_details(eid, self._frame if self._own else None)

    # -- display --------------------------------------------------------
    def controls(self):
        """The filter widgets, as one box."""
        import ipywidgets as w

        caps = w.HBox([w.Label("Capitals:"), *self.capitals.values()], layout=w.Layout(flex_flow="row wrap", gap="0.6em"))
        cert = w.HBox([w.Label("Certainty:"), *self.certainty.values()], layout=w.Layout(flex_flow="row wrap", gap="0.6em"))
        return w.VBox([
            w.HBox([self.years, self.reset], layout=w.Layout(gap="1em")),
            caps, cert,
            w.HBox([w.VBox([self.lesson, self.search]), self.actors], layout=w.Layout(flex_flow="row wrap", gap="1em")),
            self.status,
        ])

    def reader(self):
        """The event chooser and the reading panel, as one box."""
        import ipywidgets as w

        return w.VBox([self.event, self.details])

    def _ipython_display_(self) -> None:
        from IPython.display import display

        # the FigureWidget is displayed on its own (inside a Box it may stay empty)
        display(self.controls())
        display(self.figure)
        display(self.reader())

    def __repr__(self) -> str:
        return f"<Explorer: {int(self._visible_rows.sum())} of {int(self._universe.sum())} events shown>"


def explore(
    events: Sequence[str] | pd.DataFrame | None = None, *, lanes: str = "capital",
    start: int | str | date | None = None, end: int | str | date | None = None,
    lesson: str | int | None = None, highlight: Sequence[str] | str | None = None,
) -> Explorer:
    """The timeline inside widgets: filter by period, capital, actor, lesson, certainty and words; read an event.

    Same arguments as :func:`timeline`; ``start``/``end`` and ``lesson`` set the
    widgets' first values instead of fixing the selection. Every filter change
    updates the chart in place (no redraw). Click an event — or choose it in the
    "Event" list — to read its summary, quotations and sources beneath.

    Returns
    -------
    Explorer
        Displays itself in a notebook; its widgets can be set from code.

    Examples
    --------
    >>> ex = explore()                       # doctest: +SKIP
    >>> ex.capitals["Moscow"].value = False  # doctest: +SKIP
    >>> ex.search.value = "Bucharest"        # doctest: +SKIP
    """
    return Explorer(events, lanes=lanes, start=start, end=end, lesson=lesson, highlight=highlight)


# the other charts and the TimelineJS export live in sibling modules; they are
# re-exported from here lazily (helpers/__init__ names them from this module)
_ELSEWHERE_DEFINED = {
    "places_map": "charts", "relations_chart": "charts", "stances_chart": "charts",
    "to_timelinejs": "timelinejs", "check_timelinejs": "timelinejs", "add_cli": "timelinejs",
}


def __getattr__(name: str) -> Any:
    module = _ELSEWHERE_DEFINED.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__package__}.{module}"), name)
    globals()[name] = value
    return value
