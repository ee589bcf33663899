"""Uncertain historical dates, written in EDTF, as a lecturer would read them.

The course writes every date in the Extended Date/Time Format (EDTF, ISO 8601-2):
``1960-06-24`` (a day), ``1960-07`` (a month), ``1961-22`` (summer 1961),
``1960-06-24/1960-06-26`` (an interval), ``1960-07~`` (about July 1960),
``1960-11?`` (probably November 1960), ``196X`` (the 1960s), ``1960-06/..``
(from June 1960, open-ended).

:func:`parse` turns one string into a :class:`Span` with a first and a last
possible day and a label ("24–26 June 1960", "summer 1961", "c. July 1960").
:func:`parse_many` does the same for a whole column at once, with a vectorised
fast path for plain days, months and years.

Where this module differs from the ``edtf`` package, on purpose:

* **Winter** (``1960-24``) is December 1960 to the end of February 1961, the
  northern winter that starts in that year; ``edtf`` gives December only.
* **Open ends** (``1960-06/..``) have no end (``end`` is ``None``,
  ``open_end`` is true); ``edtf`` returns an infinite float.
* **Unknown ends** (``1960-06/``) also have no end (``unknown_end``); ``edtf``
  invents an end ten years later.
* **Approximate** (``~``) and uncertain (``?``) dates keep their strict bounds:
  ``1960-07~`` spans July 1960 and is flagged approximate. ``edtf`` widens only
  its "fuzzy" bounds (to June 1959 … August 1961), which would draw a bar of two
  years for "about July 1960"; the timeline styles such dates instead.

Forms beyond these (unspecified digits such as ``1960-XX-12``, sets, qualifiers
on one component) fall back to the ``edtf`` package's strict bounds.

Examples
--------
>>> parse("1960-06-24/1960-06-26").label
'24–26 June 1960'
>>> parse("1961-22").label
'summer 1961'
>>> parse("1960-07~").label
'c. July 1960'
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

__all__ = ["Span", "parse", "parse_many", "is_edtf", "hindsight_note"]

MONTHS = [
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
]
SEASONS = {21: "spring", 22: "summer", 23: "autumn", 24: "winter"}
# first month and number of months of each season (northern hemisphere)
SEASON_MONTHS = {21: (3, 3), 22: (6, 3), 23: (9, 3), 24: (12, 3)}

_SINGLE = re.compile(
    r"^(?P<year>\d{4}|\d{3}X|\d{2}XX)"
    r"(?:-(?P<month>\d{2}))?"
    r"(?:-(?P<day>\d{2}))?"
    r"(?P<qual>[?~%])?$"
)


@dataclass(frozen=True)
class Span:
    """A date as a span of days, with how precise and how sure it is.

    Attributes
    ----------
    text: the EDTF string it was parsed from.
    start, end: first and last possible day; ``None`` for an open or unknown end.
    precision: ``day``, ``month``, ``season``, ``year``, ``decade``,
        ``century``, ``interval`` or ``other``.
    approximate: ``~`` (or ``%``) somewhere: "about".
    uncertain: ``?`` (or ``%``) somewhere: "probably".
    open_start, open_end: ``..`` — the span runs on without a known bound.
    unknown_start, unknown_end: an empty side of an interval: a bound exists but
        is not known.
    label: how a lecturer says it ("24–26 June 1960", "c. July 1960").
    """

    text: str
    start: date | None
    end: date | None
    precision: str
    approximate: bool = False
    uncertain: bool = False
    open_start: bool = False
    open_end: bool = False
    unknown_start: bool = False
    unknown_end: bool = False
    label: str = ""

    @property
    def is_point(self) -> bool:
        """True when the span is one exact, certain day (drawn as a marker)."""
        return (
            self.start is not None
            and self.start == self.end
            and not (self.approximate or self.uncertain)
        )

    def overlaps(self, other: Span) -> bool:
        """True when the two spans share at least one possible day."""
        a0, a1 = self.start or date.min, self.end or date.max
        b0, b1 = other.start or date.min, other.end or date.max
        return a0 <= b1 and b0 <= a1


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _single_bounds(m: re.Match, text: str) -> tuple[date, date, str, str]:
    """Bounds, precision and plain label (no qualifier) of one EDTF date."""
    y, mo, d = m.group("year"), m.group("month"), m.group("day")
    if "X" in y:
        if mo or d:
            raise ValueError(f"\"{text}\": a decade or century cannot have a month or day")
        if y.endswith("XX"):
            c = int(y[:2]) * 100
            return date(c, 1, 1), date(c + 99, 12, 31), "century", f"the {c}s"
        dec = int(y[:3]) * 10
        return date(dec, 1, 1), date(dec + 9, 12, 31), "decade", f"the {dec}s"
    year = int(y)
    if year < 1:
        raise ValueError(f"\"{text}\": year 0000 is not a historical year")
    if mo is None:
        return date(year, 1, 1), date(year, 12, 31), "year", str(year)
    month = int(mo)
    if 21 <= month <= 24:
        if d is not None:
            raise ValueError(f"\"{text}\": a season cannot have a day")
        first, n = SEASON_MONTHS[month]
        start = date(year, first, 1)
        last_month = first + n - 1
        ey, em = (year + 1, last_month - 12) if last_month > 12 else (year, last_month)
        return start, date(ey, em, _last_day(ey, em)), "season", f"{SEASONS[month]} {year}"
    if not 1 <= month <= 12:
        raise ValueError(
            f"\"{text}\" is not a date in EDTF form: month {mo} does not exist "
            "(months are 01–12, seasons 21–24)"
        )
    if d is None:
        return (
            date(year, month, 1),
            date(year, month, _last_day(year, month)),
            "month",
            f"{MONTHS[month - 1]} {year}",
        )
    day = int(d)
    if not 1 <= day <= _last_day(year, month):
        raise ValueError(f"\"{text}\" is not a date in EDTF form: {MONTHS[month - 1]} {year} has no day {d}")
    return date(year, month, day), date(year, month, day), "day", f"{day} {MONTHS[month - 1]} {year}"


def _qualify(label: str, qual: str | None) -> str:
    if qual == "~":
        return f"c. {label}"
    if qual == "?":
        return f"{label} (?)"
    if qual == "%":
        return f"c. {label} (?)"
    return label


def _interval_label(a: Span, b: Span) -> str:
    """'24–26 June 1960', '24 June – 2 July 1960', 'May–June 1960', '1945–1955'."""
    if a.precision == b.precision == "day" and not (a.approximate or a.uncertain):
        s, e = a.start, b.start
        if s.year == e.year and s.month == e.month:
            return _qualify(f"{s.day}–{e.day} {MONTHS[s.month - 1]} {s.year}", _qual_of(b))
        if s.year == e.year:
            return _qualify(
                f"{s.day} {MONTHS[s.month - 1]} – {e.day} {MONTHS[e.month - 1]} {e.year}", _qual_of(b)
            )
    if a.precision == b.precision == "month" and not (a.approximate or a.uncertain):
        s, e = a.start, b.start
        if s.year == e.year:
            return _qualify(f"{MONTHS[s.month - 1]}–{MONTHS[e.month - 1]} {s.year}", _qual_of(b))
    if a.precision == b.precision == "year" and not (a.approximate or a.uncertain):
        return _qualify(f"{a.start.year}–{b.start.year}", _qual_of(b))
    return f"{a.label} – {b.label}"


def _qual_of(s: Span) -> str | None:
    if s.approximate and s.uncertain:
        return "%"
    if s.approximate:
        return "~"
    if s.uncertain:
        return "?"
    return None


def _parse_single(text: str) -> Span:
    m = _SINGLE.match(text)
    if not m:
        return _parse_with_edtf(text)
    start, end, precision, label = _single_bounds(m, text)
    q = m.group("qual")
    return Span(
        text=text, start=start, end=end, precision=precision,
        approximate=q in ("~", "%"), uncertain=q in ("?", "%"),
        label=_qualify(label, q),
    )


def _parse_with_edtf(text: str) -> Span:
    """Forms beyond the fast path: let the ``edtf`` package read them."""
    try:
        import edtf
        from edtf import struct_time_to_date

        e = edtf.parse_edtf(text)
        lo, hi = e.lower_strict(), e.upper_strict()
        start, end = struct_time_to_date(lo), struct_time_to_date(hi)
    except Exception as exc:  # edtf raises its own EDTFParseException and others
        raise ValueError(
            f"\"{text}\" is not a date in EDTF form; write e.g. 1960-06, 1960-06-24 "
            "or 1960-06-24/1960-06-26"
        ) from exc
    return Span(
        text=text, start=start, end=end, precision="other",
        approximate="~" in text or "%" in text, uncertain="?" in text or "%" in text,
        label=f"{_plain(start)} – {_plain(end)}" if start != end else _plain(start),
    )


def _plain(d: date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


@lru_cache(maxsize=65536)
def parse(text: str) -> Span:
    """Parse one EDTF date or interval into a :class:`Span`.

    Raises ``ValueError`` naming the string when it is not EDTF.

    >>> s = parse("1960-11~")
    >>> (s.start.isoformat(), s.end.isoformat(), s.approximate, s.label)
    ('1960-11-01', '1960-11-30', True, 'c. November 1960')
    >>> parse("1960-06/..").open_end
    True
    """
    if not isinstance(text, str):
        raise ValueError(f"\"{text}\" is not a date in EDTF form (expected text such as 1960-06)")
    t = text.strip()
    if not t:
        raise ValueError("an empty string is not a date; write e.g. 1960-06 or 1960-06-24")
    if "/" not in t:
        return _parse_single(t)
    if t.count("/") != 1:
        raise ValueError(f"\"{text}\" is not a date in EDTF form: an interval has one '/'")
    left, right = t.split("/")
    if left in ("", "..") and right in ("", ".."):
        raise ValueError(f"\"{text}\" is not a date in EDTF form: an interval needs at least one known end")
    a = None if left in ("", "..") else _parse_single(left)
    b = None if right in ("", "..") else _parse_single(right)
    if a is not None and b is not None and a.start > b.end:
        raise ValueError(f"\"{text}\": the interval ends ({b.label}) before it starts ({a.label})")
    if a is not None and b is not None:
        label = _interval_label(a, b)
    elif a is not None:
        label = f"from {a.label}" if right == ".." else f"{a.label} – ?"
    else:
        label = f"until {b.label}" if left == ".." else f"? – {b.label}"
    parts = [p for p in (a, b) if p is not None]
    return Span(
        text=text,
        start=a.start if a else None,
        end=b.end if b else None,
        precision="interval",
        approximate=any(p.approximate for p in parts),
        uncertain=any(p.uncertain for p in parts),
        open_start=left == "..",
        open_end=right == "..",
        unknown_start=left == "",
        unknown_end=right == "",
        label=label,
    )


def is_edtf(text: str) -> bool:
    """True when ``text`` parses as a course date."""
    try:
        parse(text)
    except ValueError:
        return False
    return True


_TABLES: dict = {}


def _string_tables():
    """Year and day numbers as strings, built once (int-to-string casts are slow in numpy)."""
    import numpy as np

    if not _TABLES:
        _TABLES["years"] = np.array([str(y) for y in range(10000)])
        _TABLES["days"] = np.array([str(d) for d in range(32)])
        _TABLES["names"] = np.array(MONTHS + [""] * 8 + ["spring", "summer", "autumn", "winter"])
        _TABLES["mdays"] = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    return _TABLES


def _vector_single(texts: np.ndarray):  # noqa: F821
    """Vectorised bounds of single EDTF dates: YYYY, YYYY-MM, YYYY-MM-DD, YYYY-SS, each with an optional ?, ~ or %.

    Returns (ok, start, end, precision, label, approximate, uncertain) arrays;
    rows where ``ok`` is false are left for :func:`parse`.
    """
    import numpy as np

    tab = _string_tables()
    n = len(texts)
    lens = np.strings.str_len(texts)
    raw = texts.astype("S11")  # ASCII bytes; longer strings are not single dates (ok stays false)
    u = np.frombuffer(raw.tobytes(), dtype=np.uint8).reshape(n, 11) if n else np.zeros((0, 11), np.uint8)
    last = u[np.arange(n), np.clip(lens - 1, 0, 10)]
    approx = (last == 126) | (last == 37)  # ~ %
    uncertain = (last == 63) | (last == 37)  # ? %
    core = lens - (approx | uncertain)
    d = u[:, [0, 1, 2, 3, 5, 6, 8, 9]].astype(np.int16) - 48
    digit = (d >= 0) & (d <= 9)
    has_m = core >= 7
    has_d = core == 10
    ok = ((core == 4) | (core == 7) | (core == 10)) & (lens <= 11) & digit[:, :4].all(axis=1)
    ok &= ~has_m | ((u[:, 4] == 45) & digit[:, 4] & digit[:, 5])
    ok &= ~has_d | ((u[:, 7] == 45) & digit[:, 6] & digit[:, 7])
    year = d[:, 0] * 1000 + d[:, 1] * 100 + d[:, 2] * 10 + d[:, 3]
    month = np.where(has_m, d[:, 4] * 10 + d[:, 5], 1)
    day = np.where(has_d, d[:, 6] * 10 + d[:, 7], 1)
    season = has_m & ~has_d & (month >= 21) & (month <= 24)
    ok &= (year >= 1) & (((month >= 1) & (month <= 12)) | season)
    first_month = np.clip(np.where(season, (month - 21) * 3 + 3, month), 1, 12)
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    mlen = tab["mdays"][first_month - 1] + ((first_month == 2) & leap)
    ok &= ~has_d | ((day >= 1) & (day <= mlen))
    months = (year.astype(np.int64) - 1970) * 12 + np.where(has_m, first_month - 1, 0)
    start = months.astype("datetime64[M]").astype("datetime64[D]") + np.where(has_d, day - 1, 0)
    span_months = np.where(season, 3, np.where(has_m, 1, 12))
    end = np.where(has_d, start, (months + span_months).astype("datetime64[M]").astype("datetime64[D]") - 1)
    code = np.where(has_d, 3, np.where(season, 2, np.where(has_m, 1, 0)))
    precision = np.array(["year", "month", "season", "day"], dtype=object)[code]
    ystr = tab["years"][np.clip(year, 0, 9999)]
    mname = tab["names"][np.clip(month - 1, 0, 23)]
    add = np.strings.add
    label = ystr.astype("U24")
    if has_m.any():
        label[has_m] = add(add(mname[has_m], " "), ystr[has_m])
    if has_d.any():
        label[has_d] = add(add(tab["days"][np.clip(day[has_d], 0, 31)], " "), label[has_d])
    return ok, start, end, precision, label, approx, uncertain


def _qualified(label, approx, uncertain):
    import numpy as np

    if not (approx.any() or uncertain.any()):
        return label
    label = label.astype("U40")
    label[approx] = np.strings.add("c. ", label[approx])
    label[uncertain] = np.strings.add(label[uncertain], " (?)")
    return label


def parse_many(texts) -> pandas.DataFrame:  # noqa: F821 - pandas imported lazily
    """Parse a column of EDTF strings at once.

    Returns a DataFrame with the same index and the columns ``start``, ``end``
    (datetime64; NaT for open or unknown ends), ``precision``, ``approximate``,
    ``uncertain`` and ``label``, equal to what :func:`parse` gives for each
    string. Single dates and intervals of two single dates take a vectorised
    path; everything else goes through :func:`parse`. Empty strings give empty
    rows. Raises ``ValueError`` on the first string that is not EDTF, naming it.
    """
    import numpy as np
    import pandas as pd

    series = texts if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype="object")
    index = series.index
    a = np.strings.strip(series.fillna("").to_numpy(dtype="U"))
    n = len(a)
    start = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    end = start.copy()
    precision = np.full(n, "", dtype=object)
    label = np.full(n, "", dtype=object)
    approx = np.zeros(n, dtype=bool)
    uncertain = np.zeros(n, dtype=bool)
    done = a == ""
    if n:
        slash = np.strings.count(a, "/")
        idx = np.flatnonzero((slash == 0) & ~done)
        ok, st, en, pr, lb, ap, un = _vector_single(a[idx])
        i = idx[ok]
        start[i], end[i], precision[i] = st[ok], en[ok], pr[ok]
        label[i] = _qualified(lb[ok], ap[ok], un[ok])
        approx[i], uncertain[i] = ap[ok], un[ok]
        done[i] = True
        idx = np.flatnonzero(slash == 1)
        if len(idx):
            left, _, right = np.strings.partition(a[idx], "/")
            lok, lst, len_, lpr, llb, lap, lun = _vector_single(left)
            rok, rst, ren, rpr, rlb, rap, run = _vector_single(right)
            both = lok & rok & (lst <= ren)
            plain_l = ~(lap | lun)
            same_y = lst.astype("datetime64[Y]") == rst.astype("datetime64[Y]")
            lmo, rmo = lst.astype("datetime64[M]"), rst.astype("datetime64[M]")
            same_m = lmo == rmo
            lday = (lst - lmo.astype("datetime64[D]")).astype(int) + 1
            rday = (rst - rmo.astype("datetime64[D]")).astype(int) + 1
            mnames = np.array(MONTHS)
            lmon, rmon = mnames[lmo.astype(int) % 12], mnames[rmo.astype(int) % 12]
            yrs = (rst.astype("datetime64[Y]").astype(int) + 1970).astype("U4")
            dd = (lpr == "day") & (rpr == "day") & plain_l
            mm = (lpr == "month") & (rpr == "month") & plain_l & same_y
            yy = (lpr == "year") & (rpr == "year") & plain_l
            add = np.strings.add
            ld, rd = lday.astype("U2"), rday.astype("U2")
            dd_same = add(add(add(add(ld, "–"), rd), add(" ", rmon)), add(" ", yrs))
            dd_year = add(add(add(add(ld, " "), lmon), " – "), add(add(add(rd, " "), rmon), add(" ", yrs)))
            mm_lab = add(add(add(lmon, "–"), rmon), add(" ", yrs))
            yy_lab = add(add(llb, "–"), rlb)
            generic = add(add(_qualified(llb, lap, lun), " – "), _qualified(rlb, rap, run))
            nice = np.where(dd & same_m, dd_same, np.where(dd & same_y, dd_year, np.where(mm, mm_lab, yy_lab)))
            fancy = (dd & same_y) | mm | yy
            nice = np.where(fancy, _qualified_suffix(nice, rap, run), generic)
            i = idx[both]
            start[i], end[i] = lst[both], ren[both]
            precision[i] = "interval"
            label[i] = nice[both]
            approx[i], uncertain[i] = (lap | rap)[both], (lun | run)[both]
            done[i] = True
    rest = np.flatnonzero(~done)
    if len(rest):
        cache: dict[str, Span] = {}
        for i in rest:
            t = a[i]
            sp = cache.get(t)
            if sp is None:
                sp = cache[t] = parse(str(t))
            start[i] = np.datetime64(sp.start) if sp.start else np.datetime64("NaT")
            end[i] = np.datetime64(sp.end) if sp.end else np.datetime64("NaT")
            precision[i], label[i] = sp.precision, sp.label
            approx[i], uncertain[i] = sp.approximate, sp.uncertain
    return pd.DataFrame(
        {
            "start": start.astype("datetime64[ns]"), "end": end.astype("datetime64[ns]"),
            "precision": precision, "approximate": approx, "uncertain": uncertain, "label": label,
        },
        index=index,
    )


def _qualified_suffix(label, approx, uncertain):
    """The qualifier of an interval's end, as _interval_label applies it to the whole label."""
    import numpy as np

    both = approx & uncertain
    out = np.where(approx & ~both, np.strings.add("c. ", label), label)
    out = np.where(uncertain & ~both, np.strings.add(out, " (?)"), out)
    return np.where(both, np.strings.add(np.strings.add("c. ", label), " (?)"), out)


def hindsight_note(said: str, looks_back: str) -> str:
    """One sentence warning that words spoken at ``said`` look back to ``looks_back``; "" when they do not.

    >>> hindsight_note("November 1960", "1955–1956")
    'Hindsight: the words speak of 1955–1956 but were said later (November 1960), by someone who knew what came after.'
    """
    if not looks_back:
        return ""
    if looks_back.startswith("until "):  # an open start, ../1960
        looks_back = "the years " + looks_back
    return (f"Hindsight: the words speak of {looks_back} but were said later ({said}), "
            "by someone who knew what came after.")
