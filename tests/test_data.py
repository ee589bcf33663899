"""helpers.data: the shipped package is valid, and broken copies get clear messages."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest

from helpers import data
from helpers.data import DataError, load, validate
from helpers.synthetic import make_data_dir

SHIPPED = data.shipped_data_dir()


@pytest.fixture
def copy_of_data(tmp_path) -> Path:
    """A small valid package to break in each test."""
    return make_data_dir(tmp_path / "data", n_events=20)


def rewrite(path: Path, edit) -> None:
    rows = list(csv.reader(path.open(encoding="utf-8")))
    edit(rows)
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def test_shipped_data_is_valid():
    report = validate(SHIPPED)
    assert report.ok, str(report)


def test_load_gives_lists_and_parsed_dates():
    events = load("events")
    assert len(events) > 0
    assert all(isinstance(v, list) for v in events["actors"])
    for col in ("date_start", "date_end", "date_label", "date_precision", "date_approximate", "date_uncertain"):
        assert col in events.columns
    assert pd.api.types.is_datetime64_any_dtype(events["date_start"])
    people = load("people")
    assert all(isinstance(v, list) for v in people["aliases"])


def test_load_returns_a_fresh_copy():
    a = load("lessons")
    a.loc[0, "title"] = "changed"
    assert load("lessons").loc[0, "title"] != "changed"


def test_unknown_table_names_the_tables():
    with pytest.raises(KeyError, match="the tables are: lessons"):
        load("evnts")


def test_bad_date_names_file_row_and_column(copy_of_data, fresh_data):
    rewrite(copy_of_data / "events.csv", lambda rows: rows[14].__setitem__(1, "1960-13"))
    fresh_data(copy_of_data)
    with pytest.raises(DataError) as err:
        load("events")
    message = str(err.value)
    assert message.startswith('events.csv, row 15, column date: "1960-13" is not a date in EDTF form')
    assert "write e.g. 1960-06" in message
    assert "Traceback" not in message


def test_validate_lists_every_problem(copy_of_data):
    def edit(rows):
        rows[2][1] = "someday"  # bad date
        rows[3][11] = "probably"  # bad certainty
        rows[4][5] = "ussr;atlantis"  # unknown id inside a list
        rows[5][0] = rows[6][0]  # duplicate id
    rewrite(copy_of_data / "events.csv", edit)
    report = validate(copy_of_data)
    text = str(report)
    assert not report.ok
    assert 'events.csv, row 3, column date: "someday" is not a date in EDTF form' in text
    assert 'events.csv, row 4, column certainty: "probably" is not one of: documented, reported, disputed, inferred' in text
    assert 'events.csv, row 5, column actors: "atlantis" is not an id in organizations.csv' in text
    assert "is used more than once" in text
    assert len(report.problems) == 4


def test_missing_folder_missing_table_missing_column(tmp_path, copy_of_data, fresh_data):
    fresh_data(tmp_path / "nowhere")
    with pytest.raises(DataError, match="the data folder does not exist"):
        load("events")
    (copy_of_data / "places.csv").unlink()
    assert "places.csv: the table is missing" in str(validate(copy_of_data))
    rewrite(copy_of_data / "people.csv", lambda rows: [r.pop(4) for r in rows])
    assert "people.csv, row 1, column roles: the header lacks the column roles" in str(validate(copy_of_data))


def test_spreadsheet_resave_is_accepted(copy_of_data, fresh_data):
    """BOM, CRLF line ends, ';' between cells and trailing empty rows: the meaning is clear."""
    path = copy_of_data / "events.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        w.writerows(rows)
        w.writerows([[""] * len(rows[0])] * 3)
    assert validate(copy_of_data).ok, str(validate(copy_of_data))
    fresh_data(copy_of_data)
    assert len(load("events")) == 20


def test_unquoted_comma_is_named(copy_of_data):
    path = copy_of_data / "places.csv"
    path.write_text(path.read_text(encoding="utf-8") + "rome,Rome, Italy,41.9,12.5,ussr,synthetic,n1\n", encoding="utf-8")
    text = str(validate(copy_of_data))
    assert "places.csv, row 6: the row has 8 cells but the header has 7" in text


def test_not_utf8_is_named(copy_of_data):
    path = copy_of_data / "works.csv"
    path.write_bytes(path.read_bytes() + "x,Müller,2001,T,book,,,,\n".encode("latin-1"))
    assert "works.csv: the file is not UTF-8 text" in str(validate(copy_of_data))


def test_instructor_folder_without_descriptor_uses_shipped_schema(copy_of_data, fresh_data):
    (copy_of_data / "datapackage.json").unlink()
    report = validate(copy_of_data)
    assert report.ok and "shipped table descriptions" in str(report)


def test_instructor_extra_event_is_loaded(copy_of_data, fresh_data):
    rewrite(copy_of_data / "events.csv", lambda rows: rows.append(
        ["my-own-event", "1961-22", "summer 1961", "My own", "An instructor's row.", "albania", "", "", "00",
         "synthetic", "n1", "inferred"]))
    fresh_data(copy_of_data)
    ev = load("events").set_index("id")
    assert ev.loc["my-own-event", "date_label"] == "summer 1961"


def test_cli_validate_exit_codes(copy_of_data, capsys):
    from helpers.cli import main

    assert main(["validate", str(copy_of_data)]) == 0
    rewrite(copy_of_data / "events.csv", lambda rows: rows[1].__setitem__(8, "99"))
    assert main(["validate", str(copy_of_data)]) == 1
    out = capsys.readouterr().out
    assert 'events.csv, row 2, column lesson: "99" is not an id in lessons.csv' in out


def test_looking_back_must_point_before_the_words(copy_of_data, fresh_data):
    def edit(rows):
        column = rows[0].index("looks_back_to")
        rows[1][column] = "1961-03"  # the synthetic quote was said on 1960-11-12
    rewrite(copy_of_data / "quotes.csv", edit)
    report = validate(copy_of_data)
    assert not report.ok
    assert ('quotes.csv, row 2, column looks_back_to: "1961-03" (March 1961) is not before the words were spoken '
            "(12 November 1960)") in str(report)

    def earlier(rows):
        rows[1][rows[0].index("looks_back_to")] = "../1959"
    rewrite(copy_of_data / "quotes.csv", earlier)
    fresh_data(copy_of_data)
    quotes = load("quotes")
    assert quotes.loc[0, "looks_back_to_label"] == "until 1959"


def test_a_table_that_cannot_be_read_is_reported_once_not_in_every_reference(tmp_path):
    """An older copy of the data, without a column added since, gets one sentence, not a cascade."""
    copy = tmp_path / "data"
    shutil.copytree(SHIPPED, copy)
    rows = list(csv.reader((copy / "quotes.csv").open(encoding="utf-8")))
    with (copy / "quotes.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(r[:-1] for r in rows)  # drop looks_back_to
    report = validate(copy)
    assert [(p.file, p.column) for p in report.problems] == [("quotes.csv", "looks_back_to")]
    assert "the header lacks the column looks_back_to" in str(report)

