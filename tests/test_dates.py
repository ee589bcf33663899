"""helpers.dates: every form the course writes, checked against the edtf package."""

from __future__ import annotations

from datetime import date

import edtf
import pandas as pd
import pytest
from edtf import struct_time_to_date
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.dates import hindsight_note, parse, parse_many

# (text, start, end, precision, label)
CASES = [
    ("1960-06-24", date(1960, 6, 24), date(1960, 6, 24), "day", "24 June 1960"),
    ("1960-06", date(1960, 6, 1), date(1960, 6, 30), "month", "June 1960"),
    ("1960", date(1960, 1, 1), date(1960, 12, 31), "year", "1960"),
    ("1961-21", date(1961, 3, 1), date(1961, 5, 31), "season", "spring 1961"),
    ("1961-22", date(1961, 6, 1), date(1961, 8, 31), "season", "summer 1961"),
    ("1961-23", date(1961, 9, 1), date(1961, 11, 30), "season", "autumn 1961"),
    ("1960-06-24/1960-06-26", date(1960, 6, 24), date(1960, 6, 26), "interval", "24–26 June 1960"),
    ("1960-06-24/1960-07-02", date(1960, 6, 24), date(1960, 7, 2), "interval", "24 June – 2 July 1960"),
    ("1960-05/1960-06", date(1960, 5, 1), date(1960, 6, 30), "interval", "May–June 1960"),
    ("1945/1955", date(1945, 1, 1), date(1955, 12, 31), "interval", "1945–1955"),
    ("1960-07~", date(1960, 7, 1), date(1960, 7, 31), "month", "c. July 1960"),
    ("1960-11?", date(1960, 11, 1), date(1960, 11, 30), "month", "November 1960 (?)"),
    ("1960-11%", date(1960, 11, 1), date(1960, 11, 30), "month", "c. November 1960 (?)"),
    ("196X", date(1960, 1, 1), date(1969, 12, 31), "decade", "the 1960s"),
    ("1960-02-29", date(1960, 2, 29), date(1960, 2, 29), "day", "29 February 1960"),
]


@pytest.mark.parametrize("text,start,end,precision,label", CASES)
def test_forms(text, start, end, precision, label):
    s = parse(text)
    assert (s.start, s.end, s.precision, s.label) == (start, end, precision, label)


@pytest.mark.parametrize("text", [c[0] for c in CASES])
def test_bounds_agree_with_edtf_package(text):
    """Where both read a form, the strict bounds are the same."""
    e = edtf.parse_edtf(text)
    s = parse(text)
    assert (s.start, s.end) == (struct_time_to_date(e.lower_strict()), struct_time_to_date(e.upper_strict()))


def test_winter_differs_from_edtf_on_purpose():
    """A historian's winter 1960 runs into February 1961; edtf gives December only."""
    s = parse("1960-24")
    e = edtf.parse_edtf("1960-24")
    assert (s.start, s.end, s.label) == (date(1960, 12, 1), date(1961, 2, 28), "winter 1960")
    assert struct_time_to_date(e.upper_strict()) == date(1960, 12, 31)


def test_open_end_differs_from_edtf_on_purpose():
    s = parse("1960-06/..")
    assert s.start == date(1960, 6, 1) and s.end is None and s.open_end and s.label == "from June 1960"
    e = edtf.parse_edtf("1960-06/..")
    assert e.upper_strict() == float("inf")  # edtf has no date to give: we give None


def test_unknown_end_differs_from_edtf_on_purpose():
    s = parse("1960-06/")
    assert s.end is None and s.unknown_end and not s.open_end and s.label == "June 1960 – ?"
    e = edtf.parse_edtf("1960-06/")
    assert struct_time_to_date(e.upper_strict()).year == 1970  # edtf invents ten years


def test_approximate_keeps_strict_bounds():
    """~ marks 'about' without drawing a two-year bar; edtf widens only its fuzzy bounds."""
    s = parse("1960-07~")
    e = edtf.parse_edtf("1960-07~")
    assert (s.start, s.end) == (struct_time_to_date(e.lower_strict()), struct_time_to_date(e.upper_strict()))
    assert struct_time_to_date(e.lower_fuzzy()) < s.start
    assert s.approximate and not s.is_point


def test_open_start_and_fallback_forms():
    assert parse("../1961").open_start and parse("../1961").end == date(1961, 12, 31)
    s = parse("1960-XX-12")  # beyond the fast path: edtf reads it
    assert s.precision == "other" and s.start == date(1960, 1, 12)


@pytest.mark.parametrize("bad", ["1960-13", "1960-02-30", "June 1960", "", "1961/1960", "1960-06-24/x", "..//..", "0000"])
def test_bad_strings_raise_value_error_naming_them(bad):
    with pytest.raises(ValueError) as err:
        parse(bad)
    if bad:
        assert bad.split("/")[0] in str(err.value) or bad in str(err.value)


def test_overlaps():
    assert parse("1960-07").overlaps(parse("1960-22"))
    assert not parse("1960-07-01").overlaps(parse("1960-08"))
    assert parse("1960-06/..").overlaps(parse("1975"))


def test_parse_many_matches_parse():
    texts = [c[0] for c in CASES] + ["", "1960-24", "1960-06/.."]
    df = parse_many(texts)
    for i, t in enumerate(texts):
        if not t:
            assert df.loc[i, "label"] == "" and df["start"].isna()[i]
            continue
        s = parse(t)
        assert df.loc[i, "label"] == s.label
        assert df.loc[i, "precision"] == s.precision
        assert df.loc[i, "start"].date() == s.start
        assert (df.loc[i, "end"].date() if s.end else None) == s.end


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(1945, 1, 1), max_value=date(1992, 12, 31)), st.sampled_from(["day", "month", "year"]))
def test_plain_forms_round_trip(d, form):
    text = {"day": d.isoformat(), "month": d.isoformat()[:7], "year": str(d.year)}[form]
    s = parse(text)
    assert s.start <= d <= s.end
    row = parse_many([text]).iloc[0]
    assert row["label"] == s.label and row["start"].date() == s.start and row["end"].date() == s.end


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_any_text_parses_or_raises_value_error(text):
    try:
        parse(text)
    except ValueError:
        pass


_single = st.builds(
    lambda y, m, d, form, q: (
        {"y": f"{y}", "m": f"{y}-{m:02d}", "d": f"{y}-{m:02d}-{d:02d}", "s": f"{y}-{20 + (m % 4) + 1}"}[form] + q
    ),
    st.integers(1945, 1992), st.integers(1, 12), st.integers(1, 31), st.sampled_from("ymds"),
    st.sampled_from(["", "", "~", "?", "%"]),
)
_edtf = st.one_of(_single, st.builds(lambda a, b: f"{a}/{b}", _single, _single),
                  st.builds(lambda a: f"{a}/..", _single), st.builds(lambda a: f"{a}/", _single))


@settings(max_examples=1500, deadline=None)
@given(st.lists(_edtf, min_size=1, max_size=5))
def test_vectorised_parse_many_equals_parse(texts):
    """The vectorised path gives exactly what parse gives, or both refuse."""
    expected = []
    for t in texts:
        try:
            expected.append(parse(t))
        except ValueError:
            with pytest.raises(ValueError):
                parse_many([t])
            return
    df = parse_many(texts)
    for i, s in enumerate(expected):
        row = df.iloc[i]
        assert row["label"] == s.label, texts[i]
        assert row["precision"] == s.precision
        assert (row["approximate"], row["uncertain"]) == (s.approximate, s.uncertain)
        assert row["start"].date() == s.start
        assert (None if pd.isna(row["end"]) else row["end"].date()) == s.end


def test_hindsight_note_names_both_times_or_nothing():
    assert hindsight_note("12 November 1960", "") == ""
    assert hindsight_note("12 November 1960", "1959") == (
        "Hindsight: the words speak of 1959 but were said later (12 November 1960), by someone who knew what came after.")
    assert "speak of the years until 1960 " in hindsight_note("June 1963", parse("../1960").label)

