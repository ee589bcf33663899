"""helpers.display: what a lesson shows between paragraphs, in HTML and as plain text."""

from __future__ import annotations

import csv

import pytest

from helpers import display
from helpers.data import UnknownId, load
from helpers.synthetic import make_data_dir


def test_cite_reads_as_a_reader_follows_it():
    assert display.cite("marku-2019", "n75") == "Marku (2019), note 75"
    assert display.cite("selivanov", "§Meeting in Pitsunda ¶2") == "Selivanov, §Meeting in Pitsunda ¶2"


def test_show_quote_carries_speaker_date_chain_and_note():
    shown = display.show_quote("q-suslov-reverse-beijing")
    assert "Suslov" in shown.text and "June 1960" in shown.text
    assert "Reported by" in shown.text and "Marku (2019), note 33" in shown.text
    assert shown.html.count("<blockquote") == 1


def test_words_said_later_show_both_dates_and_a_hindsight_warning():
    shown = display.show_quote("q-khrushchev-dense-naive")
    line = "Hindsight: the words speak of 1959 but were said later (12 November 1960)"
    assert line in shown.text and line.replace("Hindsight:", "<strong>Hindsight:</strong>") in shown.html
    open_start = display.show_quote("q-andropov-friendly").text
    assert "the words speak of the years until 1960 but were said later (June 1963)" in open_start
    assert "Hindsight" not in display.show_quote("q-suslov-reverse-beijing").text


def test_a_record_by_someone_else_is_not_called_first_hand():
    q = load("quotes").set_index("id")
    s = load("sources").set_index("id")
    for qid, row in q.iterrows():
        text = display.show_quote(qid).text
        if "First-hand" in text:
            assert not row["reported_by"] and s.loc[row["source"], "creator"] == row["speaker"], qid


def test_unknown_quote_names_the_closest(capsys):
    with pytest.raises(UnknownId) as err:
        display.show_quote("q-khrushchev-remove-bas")
    assert 'There is no quote "q-khrushchev-remove-bas" in quotes.csv. Did you mean: q-khrushchev-remove-base' in str(err.value)


def test_data_text_is_escaped(tmp_path, fresh_data):
    folder = make_data_dir(tmp_path / "d", n_events=3)
    path = folder / "quotes.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    rows[1][1] = "<script>alert(1)</script> and <b>bold</b>"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    fresh_data(folder)
    shown = display.show_quote("q-synthetic")
    assert "<script>" not in shown.html and "&lt;script&gt;" in shown.html and "&lt;b&gt;bold" in shown.html
    assert "<script>alert(1)</script>" in shown.text


def test_lesson_card_and_navigation():
    card = display.lesson_card("04")
    assert "Bucharest, June 1960" in card.text and "minutes" in card.text
    nav = display.next_lesson("04")
    assert "03_beijing_june_1960.ipynb" in nav.html and "05_road_to_moscow.ipynb" in nav.html
    assert "This is the last lesson." in display.next_lesson("10").text
    assert "There is no lesson" in display.next_lesson("99").text


def test_glossary_finds_terms_any_case_and_names_unknown_ones():
    assert "Communist Party of the Soviet Union" in display.glossary("cpsu").text
    assert 'There is no glossary term "CPSSU"' in display.glossary("CPSSU").text


def test_discrepancy_card_shows_both_sides_with_citations():
    d = load("discrepancies").iloc[0]
    shown = display.show_discrepancy(d["id"])
    assert d["claim_a"] in shown.text and d["claim_b"] in shown.text and "Why it matters" in shown.text
    table = display.discrepancies_table(lesson=d["lesson"])
    assert d["id"] in set(table["id"]) and set(table["lesson"]) == {d["lesson"]}
