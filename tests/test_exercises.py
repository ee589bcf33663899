"""Tests of helpers.exercises: the checkers (twins), the widgets, and odd input.

Most tests run on a synthetic data package built once per module (helpers.synthetic
plus a few rows written here: names with diacritics, reported speech, a body
that speaks, overlapping uncertain dates, HTML in the data). A few guarded
tests look at the real data when it is complete and valid.
"""

from __future__ import annotations

import csv
import json
import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import data as hdata
from helpers import exercises as ex
from helpers import progress
from helpers.synthetic import make_data_dir

EVIL = '<script>alert("x")</script> and <b>bold</b>'


def _append(path: Path, rows: list[dict]) -> None:
    with path.open(encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    with path.open("a", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        for r in rows:
            w.writerow({k: r.get(k, "") for k in header})


def build_course(folder: Path) -> Path:
    """A synthetic package with the rows the exercise tests need."""
    make_data_dir(folder, n_events=12)
    cite = {"work": "synthetic", "locator": "n3"}
    _append(folder / "people.csv", [
        {"id": "shehu", "name": "Mehmet Shehu", "aliases": "Shehu", "country": "albania", "roles": "prime minister", **cite},
        {"id": "li-xiannian", "name": "Li Xiannian", "aliases": "Li Xiannian", "country": "prc", "roles": "vice-premier", **cite},
        {"id": "li-fuchun", "name": "Li Fuchun", "aliases": "Li Fuchun", "country": "prc", "roles": "planner", **cite},
        {"id": "belishova", "name": "Liri Belishova", "aliases": "Belishova", "country": "albania", "roles": EVIL, **cite},
    ])
    _append(folder / "sources.csv", [
        {"id": "s-telegram", "title": "Synthetic telegram from Kapo to Hoxha", "kind": "telegram", "creator": "kapo",
         "date": "1960-06-24", "archive": "AQSH", "reference": "F.14, D.1", "reliability": "Kapo wrote for Hoxha alone.", **cite},
        {"id": "s-memoir", "title": "Synthetic memoir", "kind": "memoir", "creator": "khrushchev", "date": "1970",
         "archive": "", "reference": "", "reliability": "Written a decade later.", **cite},
        {"id": "s-letter", "title": "Synthetic party letter", "kind": "letter", "creator": "ccp", "date": "1960-09",
         "archive": "AQSH", "reference": "F.14/AP-MPKK", "reliability": EVIL, **cite},
        {"id": "s-lonely", "title": "A source nobody quotes", "kind": "diary", "creator": "Somebody Unknown",
         "date": "", "archive": "", "reference": "", "reliability": "Nothing to add.", "work": "synthetic",
         "locator": "§Introduction ¶2"},
    ])
    _append(folder / "events.csv", [
        {"id": f"ev-{k}", "date": d, "date_text": f"text for {d}", "title": t, "summary": "synthetic",
         "actors": "albania", "people": "", "place": "tirana", "lesson": "00", "certainty": "documented", **cite}
        for k, d, t in [
            ("a", "1960-06-24", "Alpha meeting"),
            ("b", "1960-06", "Bravo talks"),           # overlaps a
            ("c", "1960-11-10/1960-12-01", "Charlie conference"),
            ("d", "1961-22", "Delta summer"),
            ("e", "1961-12-03", "Echo break"),
            ("f", "1960-07~", "Foxtrot visit"),        # about July 1960
            ("g", "1962-01-05", EVIL),
            ("h", "1963-03-01", "Hotel plenum"),
            ("i", "1964-04-01", "India plenum"),
        ]
    ])
    _append(folder / "quotes.csv", [
        {"id": "q-andropov-concerned", "text": "Khrushchev is very concerned [about Albania].", "speaker": "andropov",
         "addressee": "kapo", "reported_by": "kapo", "date": "1960-06-24", "event": "ev-a", "source": "s-telegram",
         "context": "Andropov came to see Kapo at midnight.", "distractors": "khrushchev;hoxha;deng-xiaoping", **cite},
        {"id": "q-ho-two-hops", "text": "We must stay united.", "speaker": "ho-chi-minh", "addressee": "khrushchev",
         "reported_by": "zhou-enlai;kapo", "date": "1961-08~", "event": "ev-d", "source": "s-telegram",
         "context": "Hồ Chí Minh spoke of unity.", "distractors": "le-duan;deng-xiaoping;hoxha", **cite},
        {"id": "q-ccp-letter", "text": "The disagreements are of principle.", "speaker": "ccp", "addressee": "pla",
         "reported_by": "", "date": "1960-09", "event": "", "source": "s-letter",
         "context": "A letter of the Chinese Communist Party to the Albanian party.", "distractors": "cpsu;pla;vwp", **cite},
        {"id": "q-memoir-hindsight", "text": "They attacked us in front of everyone.", "speaker": "khrushchev",
         "addressee": "", "reported_by": "", "date": "1970", "event": "", "source": "s-memoir",
         "context": "Khrushchev's memoir recalls the Moscow conference.", "distractors": "andropov;hoxha;kapo",
         "looks_back_to": "1960-11", **cite},
        {"id": "q-evil", "text": EVIL, "speaker": "hoxha", "addressee": "", "reported_by": "", "date": "1960-11-16",
         "event": "", "source": "s-record", "context": '<img src=x onerror="alert(1)"> Hoxha spoke.',
         "distractors": "kapo;shehu;khrushchev", **cite},
    ])
    _append(folder / "prompts.csv", [
        {"id": "p-s-telegram-sourcing", "target": "s-telegram", "heuristic": "sourcing", "prompt": "Who wrote it, for whom?",
         "model_answer": "Kapo, for Hoxha.", "look_for": "names Kapo as author;names Hoxha as reader"},
        {"id": "p-s-telegram-corroboration", "target": "s-telegram", "heuristic": "corroboration",
         "prompt": "What else says so?", "model_answer": "Peng's telegram.", "look_for": "Peng's telegram"},
        {"id": "p-q-andropov-close-reading", "target": "q-andropov-concerned", "heuristic": "close-reading",
         "prompt": f"Read the words closely. {EVIL}", "model_answer": EVIL, "look_for": f"{EVIL};the insertion in brackets"},
    ])
    _append(folder / "quiz.csv", [
        {"id": "qx-single", "lesson": "00", "kind": "single", "question": "Which capital broke with Moscow?",
         "choices": "Tirana;Hanoi;Beijing;Moscow", "answer": "Tirana", "feedback": "Tirana broke in 1961.", **cite},
        {"id": "qx-multi", "lesson": "00", "kind": "multiple", "question": f"Which are Albanian archives? {EVIL}",
         "choices": "AQSH;AMPJ;AQU;RGASPI", "answer": "AQSH;AMPJ;AQU", "feedback": "RGASPI is Russian.", **cite},
        {"id": "qx-short", "lesson": "00", "kind": "short", "question": "What does AQSH stand for?",
         "choices": "", "answer": "Arkivi Qendror i Shtetit;Central State Archive", "feedback": "See note 16.", **cite},
        {"id": "qx-year", "lesson": "01", "kind": "short", "question": "In which year?", "choices": "",
         "answer": "1948", "feedback": "1948.", **cite},
    ])
    return folder


@pytest.fixture(scope="module", autouse=True)
def course(tmp_path_factory):
    folder = build_course(tmp_path_factory.mktemp("course"))
    report = hdata.validate(folder)
    assert report.ok, str(report)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COMRADES_APART_DATA", str(folder))
        hdata.clear_cache()
        ex._catalog()  # load once for the whole module
        yield folder
    hdata.clear_cache()


@pytest.fixture(autouse=True)
def progress_file(course, tmp_path, monkeypatch):
    """Per test: the synthetic course, and a private progress file (conftest may reset both)."""
    monkeypatch.setenv("COMRADES_APART_DATA", str(course))
    path = tmp_path / "progress.json"
    monkeypatch.setenv("COMRADES_APART_PROGRESS", str(path))
    monkeypatch.setenv("JUPYTERHUB_USER", "tester")
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.setattr(ex, "_INTRO_SHOWN", False)  # each test is a fresh "kernel" for the name box
    progress.notices()
    return path


# ----------------------------------------------------------------------------
# check_speaker


@pytest.mark.parametrize("answer", [
    "Nikita Khrushchev", "khrushchev", "KHRUSHCHEV", "  nikita   khrushchev ", "Krushchev", "Khrushchov",
    "Nikita Krushchev", "comrade Khrushchev",
])
def test_speaker_spellings(answer):
    fb = ex.check_speaker("q-synthetic", answer)
    assert fb.correct and fb.valid and fb.score == 1.0, fb.message


@pytest.mark.parametrize("answer", ["Ho Chi Minh", "hồ chí minh", "HO-CHI-MINH", "Uncle Ho", "Ho Chi Mihn", "ho"])
def test_speaker_diacritics_aliases_typos(answer):
    assert ex.check_speaker("q-ho-two-hops", answer).correct


@pytest.mark.parametrize("answer", ["Chinese Communist Party", "CCP", "ccp", "the CCP", "chinese communist party",
                                    "Chinese Communist Party (CCP)"])
def test_speaker_body(answer):
    assert ex.check_speaker("q-ccp-letter", answer).correct


def test_speaker_then_chain_feedback_names_everything():
    fb = ex.check_speaker("q-andropov-concerned", "Andropov")
    assert fb.correct
    for part in ("Yuri Andropov", "Addressed to: Hysni Kapo", "24 June 1960", "Author (2020), note 3"):
        assert part in fb.message, part
    assert "reported speech" not in fb.message  # the chain is the next question
    fb = ex.check_chain("q-andropov-concerned", "Kapo")
    assert fb.correct
    for part in ("Yuri Andropov", "Hysni Kapo", "24 June 1960", "Yuri Andropov → Hysni Kapo → the record: "
                 "Synthetic telegram from Kapo to Hoxha", "Author (2020), note 3", "reported speech",
                 "a telegram", "Kapo wrote for Hoxha alone."):
        assert part in fb.message, part


def test_words_said_later_carry_a_hindsight_warning_in_the_feedback():
    fb = ex.check_speaker("q-memoir-hindsight", "Khrushchev")
    assert fb.correct
    assert ("Hindsight: the words speak of November 1960 but were said later (1970), by someone who knew what "
            "came after.") in fb.message
    assert "Hindsight" in ex.check_chain("q-memoir-hindsight", "first-hand").message
    assert "Hindsight" not in ex.check_speaker("q-andropov-concerned", "Andropov").message
    card = ex.source_card("q-memoir-hindsight")
    assert card["quotes"][0]["hindsight"].startswith("Hindsight: the words speak of November 1960")
    assert ex.source_card("q-andropov-concerned")["quotes"][0]["hindsight"] == ""


def test_speaker_one_sides_record():
    # the record of Khrushchev's words was kept by the Albanian party
    fb = ex.check_chain("q-synthetic", "first-hand")
    assert "one side's record" in fb.message and "(Albania) is not the speaker's (Soviet Union)" in fb.message
    assert "Addressed to: Enver Hoxha" in fb.message


def test_speaker_wrong_says_who_and_hints():
    fb = ex.check_speaker("q-andropov-concerned", "Kapo")
    assert not fb.correct and fb.valid and fb.score == 0
    assert "Hysni Kapo" in fb.message and "passed the words on" in fb.message
    assert "note 3" in fb.hint
    assert fb.expected == "Yuri Andropov"
    assert "Andropov" not in fb.message  # the wrong-answer message does not give the answer away
    fb = ex.check_speaker("q-synthetic", "Hoxha")
    assert "addressed to" in fb.message


def test_speaker_unrecognised_lists_choices():
    fb = ex.check_speaker("q-synthetic", "Napoleon")
    assert not fb.correct and "not a name" in fb.message
    for name in ("Nikita Khrushchev", "Yuri Andropov", "Hysni Kapo", "Deng Xiaoping"):
        assert name in fb.message


def test_speaker_ambiguous_surname():
    fb = ex.check_speaker("q-synthetic", "Li")
    assert not fb.correct and "Li Xiannian" in fb.message and "Li Fuchun" in fb.message


def test_unknown_quote_names_closest():
    fb = ex.check_speaker("q-andropov-concernd", "x")
    assert not fb.valid and "q-andropov-concernd" in fb.message and "q-andropov-concerned" in fb.message


def test_choices_stable_per_learner():
    a1 = ex.speaker_choices("q-synthetic", "ana")
    a2 = ex.speaker_choices("q-synthetic", "ana")
    assert a1 == a2
    assert sorted(i for _, i in a1) == sorted(["khrushchev", "andropov", "kapo", "deng-xiaoping"])
    orders = {tuple(i for _, i in ex.speaker_choices("q-synthetic", f"learner{k}")) for k in range(20)}
    assert len(orders) > 3  # different learners see different orders


# ----------------------------------------------------------------------------
# check_chain


def test_chain_first_hand():
    assert ex.check_chain("q-synthetic", "first-hand").correct
    assert ex.check_chain("q-synthetic", []).correct
    fb = ex.check_chain("q-synthetic", "Kapo")
    assert not fb.correct and "Nobody stood between" in fb.message


@pytest.mark.parametrize("answer", [["kapo"], "Kapo", "Andropov → Kapo", "via Hysni Kapo", "reported by kapo"])
def test_chain_reported(answer):
    assert ex.check_chain("q-andropov-concerned", answer).correct


def test_chain_partial_and_labels():
    assert ex.check_chain("q-ho-two-hops", "Zhou Enlai, then Kapo").correct
    fb = ex.check_chain("q-ho-two-hops", ["kapo", "zhou-enlai"])
    assert not fb.correct and 0 < fb.score < 1
    fb = ex.check_chain("q-ho-two-hops", "first-hand")
    assert not fb.correct and fb.score == 0 and "someone passed them on" in fb.message
    choices = ex.chain_choices("q-ho-two-hops", "ana")
    assert len(choices) == 4 and len({lab for lab, _ in choices}) == 4
    right = [lab for lab, path in choices if path == ("zhou-enlai", "kapo")]
    assert right and ex.check_chain("q-ho-two-hops", right[0]).correct
    for label, path in choices:
        assert ex.check_chain("q-ho-two-hops", label).details["chain"] == list(path)


def test_chain_unrecognised():
    fb = ex.check_chain("q-andropov-concerned", "Somebody Else")
    assert not fb.valid and "Not recognised" in fb.message


# ----------------------------------------------------------------------------
# check_order

ORDER = ["ev-a", "ev-c", "ev-d", "ev-e"]


def test_order_right_and_partial():
    fb = ex.check_order(ORDER, ORDER)
    assert fb.correct and fb.score == 1.0
    fb = ex.check_order(ORDER, list(reversed(ORDER)))
    assert not fb.correct and fb.score == 0.0
    fb = ex.check_order(ORDER, ["ev-c", "ev-a", "ev-d", "ev-e"])
    assert fb.score == pytest.approx(5 / 6, rel=1e-3)
    assert "5 of 6 pairs" in fb.message
    for e in ("24 June 1960", "text for 1960-06-24", "summer 1961", "text for 1961-22"):
        assert e in fb.message


def test_order_overlap_either_way():
    ids = ["ev-a", "ev-b", "ev-c", "ev-e"]
    for answer in (["ev-a", "ev-b", "ev-c", "ev-e"], ["ev-b", "ev-a", "ev-c", "ev-e"]):
        fb = ex.check_order(ids, answer)
        assert fb.correct and fb.score == 1.0
        assert "overlap" in fb.message and "either order" in fb.message
    # approximate July 1960 does not overlap June 1960
    fb = ex.check_order(["ev-a", "ev-f", "ev-c", "ev-e"], ["ev-f", "ev-a", "ev-c", "ev-e"])
    assert not fb.correct


def test_order_accepts_string_and_titles():
    assert ex.check_order(ORDER, "ev-a, ev-c, ev-d, ev-e").correct
    assert ex.check_order(ORDER, ["alpha meeting", "Charlie conference", "delta summer", "Echo break"]).correct


@pytest.mark.parametrize("ids, answer, words", [
    (ORDER, ["ev-a", "ev-c", "ev-d"], "missing"),
    (ORDER, ["ev-a", "ev-a", "ev-d", "ev-e"], "more than once"),
    (ORDER, ["ev-a", "ev-c", "ev-d", "ev-zzz"], "not among"),
    (ORDER, None, "Put the events in order"),
    (ORDER, 42, "Put the events in order"),
    (["ev-a", "ev-nope", "ev-c", "ev-d"], ORDER, "ev-nope"),
    (["ev-a", "ev-a", "ev-c", "ev-d"], ORDER, "only once"),
    (["ev-a"], ["ev-a"], "at least two"),
    (None, ORDER, "list of event ids"),
])
def test_order_bad_input(ids, answer, words):
    fb = ex.check_order(ids, answer)
    assert not fb.valid and not fb.correct and words in fb.message


def test_order_unknown_event_suggests():
    fb = ex.check_order(["ev-a", "ev-cc", "ev-d", "ev-e"], ORDER)
    assert "ev-cc" in fb.message and "Did you mean" in fb.message


# ----------------------------------------------------------------------------
# criticise / check_prompt


def test_source_card():
    card = ex.source_card("s-telegram")
    assert card["who"] == "Hysni Kapo" and card["what"] == "a telegram" and card["when"] == "24 June 1960"
    assert "AQSH" in card["kept"] and "Author (2020), note 3" in card["reaches_us"]
    assert [q["id"] for q in card["quotes"]] == ["q-andropov-concerned", "q-ho-two-hops"]
    assert card["prompts"] == ["p-s-telegram-sourcing", "p-s-telegram-corroboration", "p-q-andropov-close-reading"]
    by_quote = ex.source_card("q-andropov-concerned")
    assert by_quote["id"] == "s-telegram" and by_quote["prompts"][0] == "p-q-andropov-close-reading"
    assert "error" in ex.source_card("s-telegran") and "s-telegram" in ex.source_card("s-telegran")["error"]


def test_check_prompt():
    fb = ex.check_prompt("p-s-telegram-sourcing", "")
    assert not fb.valid and "Kapo, for Hoxha" not in fb.message
    fb = ex.check_prompt("p-s-telegram-sourcing", "Kapo wrote it.", points=[0])
    assert fb.valid and fb.score == 0.5 and "Kapo, for Hoxha." in fb.message
    fb = ex.check_prompt("p-s-telegram-sourcing", "Kapo wrote it.", points=["names Kapo as author", 1])
    assert fb.correct and fb.score == 1.0
    fb = ex.check_prompt("p-s-telegram-sourcing", "x", points=[7, "nonsense", True])
    assert fb.score == 0 and "ignored" in fb.message


# ----------------------------------------------------------------------------
# check_quiz


@pytest.mark.parametrize("qid, answer, correct, score", [
    ("qx-single", "Tirana", True, 1), ("qx-single", " tirana ", True, 1), ("qx-single", "Hanoi", False, 0),
    ("qx-multi", ["AQSH", "AMPJ", "AQU"], True, 1), ("qx-multi", "aqsh;ampj;aqu", True, 1),
    ("qx-multi", ["AQSH", "AMPJ"], False, 2 / 3), ("qx-multi", ["AQSH", "RGASPI"], False, 0),
    ("qx-multi", {"AQSH", "AMPJ", "AQU", "RGASPI"}, False, 2 / 3),
    ("qx-short", "arkivi qendror i shtetit", True, 1), ("qx-short", "Arkivi Qëndror i Shtetit", True, 1),
    ("qx-short", "the Central State Archive", True, 1), ("qx-short", "Central Stat Archive", True, 1),
    ("qx-short", "Tirana", False, 0), ("qx-year", 1948, True, 1), ("qx-year", "1949", False, 0),
])
def test_quiz(qid, answer, correct, score):
    fb = ex.check_quiz(qid, answer)
    assert fb.valid and fb.correct is correct and fb.score == pytest.approx(score, rel=1e-3), fb.message
    if correct:
        assert "Author (2020), note 3" in fb.message
    else:
        assert "note 3" in fb.hint


@pytest.mark.parametrize("qid, answer", [("qx-single", "Paris"), ("qx-single", None), ("qx-multi", []),
                                         ("qx-multi", ["AQSH", "nope"]), ("qx-short", "   "), ("qx-single", {"a": 1})])
def test_quiz_invalid(qid, answer):
    fb = ex.check_quiz(qid, answer)
    assert not fb.valid and fb.message


def test_quiz_unknown_question():
    fb = ex.check_quiz("qx-singel", "Tirana")
    assert not fb.valid and "qx-single" in fb.message


# ----------------------------------------------------------------------------
# saving from the twins


def test_twins_save_only_when_asked(progress_file):
    ex.check_speaker("q-synthetic", "Khrushchev")
    assert not progress_file.exists()
    fb = ex.check_speaker("q-synthetic", "Khrushchev", save=True, lesson=0)
    assert fb.saved
    rec = progress.saved_answer("speaker:q-synthetic")
    assert rec["answer"] == "khrushchev" and rec["correct"] is True and rec["lesson"] == "00"
    assert rec["score"] == 1.0 and rec["kind"] == "speaker" and rec["timestamp"]
    ex.check_order(ORDER, ORDER, save=True)
    rec = progress.saved_answer(ex.order_exercise_id(ORDER))
    assert rec["answer"] == ORDER and rec["lesson"] == "00"
    ex.check_quiz("qx-year", "1948", save=True)
    assert progress.saved_answer("quiz:qx-year")["lesson"] == "01"


def test_lesson_from_notebook_name(monkeypatch):
    monkeypatch.setenv("JPY_SESSION_NAME", "/home/ana/comrades-apart/lessons/04_road_to_moscow.ipynb")
    ex.check_chain("q-synthetic", "first-hand", save=True)
    assert progress.saved_answer("chain:q-synthetic")["lesson"] == "04"


# ----------------------------------------------------------------------------
# widgets


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def _of(widget, cls):
    return [w for w in _walk(widget) if isinstance(w, cls)]


def _html(widget) -> str:
    import ipywidgets as w

    return "\n".join(h.value for h in _of(widget, w.HTML))


def _button(widget, label):
    import ipywidgets as w

    return next(b for b in _of(widget, w.Button) if b.description == label)


def test_who_said_it_widget(progress_file):
    import ipywidgets as w

    box = ex.who_said_it("q-andropov-concerned")
    assert isinstance(box, w.VBox)
    text = _html(box)
    assert "[about Albania]" in text and "[the speaker] came to see Kapo" in text  # speaker hidden in occasion
    assert "[the speaker]&#x27;s memoir recalls" in _html(ex.who_said_it("q-memoir-hindsight"))  # possessive kept
    radios = _of(box, w.RadioButtons)
    assert [r.description for r in radios] == ["Who said it?", "How do we know?"]
    who, how = radios
    assert who.value is None
    who.value = "hoxha"
    _button(box, "Check who").click()
    rec = progress.saved_answer("speaker:q-andropov-concerned")
    assert rec["answer"] == "hoxha" and rec["correct"] is False
    assert "did not say these words" in _html(box)
    assert _button(box, "Show the answer").layout.display == ""
    who.value = "andropov"
    _button(box, "Check who").click()
    assert progress.saved_answer("speaker:q-andropov-concerned")["attempts"] == 2
    right = next(i for i, (_, path) in enumerate(ex.chain_choices("q-andropov-concerned", "tester"))
                 if path == ("kapo",))
    how.value = right
    _button(box, "Check how").click()
    assert progress.saved_answer("chain:q-andropov-concerned")["correct"] is True
    # reopening restores both answers
    again = ex.who_said_it("q-andropov-concerned")
    who2, how2 = _of(again, w.RadioButtons)
    assert who2.value == "andropov" and how2.value == right
    assert _html(again).count("Saved answer restored") == 2


def test_widgets_escape_data():
    import ipywidgets as w

    for box in (ex.who_said_it("q-evil"), ex.criticise("s-letter"), ex.criticise("q-andropov-concerned"),
                ex.quiz("00"), ex.order_events(["ev-a", "ev-c", "ev-g", "ev-e"])):
        text = _html(box)
        assert "<script>" not in text and "<b>bold</b>" not in text and "<img" not in text
        assert "&lt;script&gt;" in text or any(EVIL in d.description for d in _of(box, w.Dropdown)) \
            or any(EVIL in c.description for c in _of(box, w.Checkbox))
        for widget in _walk(box):
            assert not getattr(widget, "description_allow_html", False)


def test_widgets_are_labelled_and_keyboard_usable():
    import ipywidgets as w

    boxes = [ex.who_said_it("q-synthetic"), ex.order_events(ORDER), ex.criticise("s-telegram"), ex.quiz("00")]
    for box in boxes:
        for widget in _walk(box):
            if isinstance(widget, (w.RadioButtons, w.Dropdown, w.Text, w.Textarea, w.Checkbox)):
                assert widget.description.strip(), type(widget)
            if isinstance(widget, w.Button):
                assert widget.description.strip() and widget.tooltip
            assert not isinstance(widget, w.Output)  # plain widgets only, no custom JS


def test_order_widget(progress_file):
    import ipywidgets as w

    box = ex.order_events(ORDER)
    drops = _of(box, w.Dropdown)
    assert len(drops) == 4
    shown = [d.description for d in drops]
    assert shown != ["Alpha meeting", "Charlie conference", "Delta summer", "Echo break"]
    assert shown == [d.description for d in _of(ex.order_events(ORDER), w.Dropdown)]  # same order each time
    _button(box, "Check order").click()
    assert "Give every event a position" in _html(box)
    for d in drops:
        d.value = 1
    _button(box, "Check order").click()
    assert "given twice" in _html(box)
    rank = {"Alpha meeting": 1, "Charlie conference": 2, "Delta summer": 3, "Echo break": 4}
    for d in drops:
        d.value = rank[d.description]
    _button(box, "Check order").click()
    assert "all 4 events are in order" in _html(box)
    assert progress.saved_answer(ex.order_exercise_id(ORDER))["correct"] is True
    again = ex.order_events(ORDER)
    assert {d.description: d.value for d in _of(again, w.Dropdown)} == rank
    assert "Saved answer restored" in _html(again)


@pytest.mark.parametrize("ids, words", [
    (["ev-a", "ev-c", "ev-d"], "4 to 8 events"),
    (["ev-a", "ev-c", "ev-d", "ev-nope"], "ev-nope"),
    ("ev-a", "at least two"),
])
def test_order_widget_bad_calls(ids, words):
    assert words in _html(ex.order_events(ids))


def test_criticise_widget(progress_file):
    import ipywidgets as w

    box = ex.criticise("s-telegram")
    text = _html(box)
    for part in ("Synthetic telegram from Kapo to Hoxha", "a telegram", "Hysni Kapo", "24 June 1960",
                 "the sender", "AQSH", "Author (2020), note 3", "Kapo wrote for Hoxha alone.",
                 "Khrushchev is very concerned [about Albania]."):
        assert part in text, part
    areas = _of(box, w.Textarea)
    assert len(areas) == 3
    assert "Kapo, for Hoxha." not in text  # no model answer before an attempt
    _button(box, "Save and compare").click()
    assert "Write your answer first" in _html(box)
    areas[0].value = "Kapo wrote it for Hoxha \U0001F600 \u202eRTL\u202c"
    _button(box, "Save and compare").click()
    assert "Kapo, for Hoxha." in _html(box)
    rec = progress.saved_answer("prompt:p-s-telegram-sourcing")
    assert rec["answer"]["text"].startswith("Kapo wrote it") and rec["answer"]["points"] == []
    ticks = [c for c in _of(box, w.Checkbox) if c.description == "names Kapo as author"]
    ticks[0].value = True
    rec = progress.saved_answer("prompt:p-s-telegram-sourcing")
    assert rec["answer"]["points"] == [0] and rec["score"] == 0.5
    again = ex.criticise("s-telegram")
    assert _of(again, w.Textarea)[0].value == areas[0].value
    assert [c.value for c in _of(again, w.Checkbox) if c.description == "names Kapo as author"] == [True]
    assert "Saved answer restored" in _html(again)


def test_criticise_without_prompts_and_unknown():
    assert "no questions about this source yet" in _html(ex.criticise("s-lonely"))
    text = _html(ex.criticise("s-telegramm"))
    assert "s-telegramm" in text and "s-telegram" in text


def test_quiz_widget(progress_file):
    import ipywidgets as w

    box = ex.quiz(0)
    radios = _of(box, w.RadioButtons)
    texts = [t for t in _of(box, w.Text) if t.description == "Your answer"]
    assert len(radios) == 1 and len(texts) == 1 and len(_of(box, w.Checkbox)) == 4
    buttons = [b for b in _of(box, w.Button) if b.description == "Check"]
    buttons[0].click()
    assert "Give an answer first" in _html(box)
    radios[0].value = "Hanoi"
    buttons[0].click()
    assert progress.saved_answer("quiz:qx-single")["correct"] is False
    for c in _of(box, w.Checkbox):
        c.value = c.description in ("AQSH", "AMPJ", "AQU")
    buttons[1].click()
    texts[0].value = "Arkivi Qendror i Shtetit"
    buttons[2].click()
    assert progress.saved_answer("quiz:qx-multi")["correct"] is True
    assert progress.saved_answer("quiz:qx-short")["answer"] == "Arkivi Qendror i Shtetit"
    again = ex.quiz("00")
    assert _of(again, w.RadioButtons)[0].value == "Hanoi"
    assert [c.description for c in _of(again, w.Checkbox) if c.value] == ["AQSH", "AMPJ", "AQU"]
    assert [t.value for t in _of(again, w.Text) if t.description == "Your answer"] == ["Arkivi Qendror i Shtetit"]
    assert _html(again).count("Saved answer restored") == 3
    assert "no lesson" in _html(ex.quiz("99"))
    assert "no check-your-understanding" in _html(ex.quiz("05"))


def test_name_asked_once(progress_file):
    import ipywidgets as w

    box = ex.quiz("00")
    names = [t for t in _of(box, w.Text) if t.description == "Your name"]
    assert names and names[0].value == "tester"
    names[0].value = "Ana Hoxha"
    _button(box, "Keep this name").click()
    assert progress.learner() == "Ana Hoxha"
    assert not [t for t in _of(ex.quiz("00"), w.Text) if t.description == "Your name"]


def test_name_box_not_repeated_in_one_kernel_without_a_name(progress_file):
    """Run all cells without answering the name box: it shows before the first exercise only."""
    import ipywidgets as w

    first, second = ex.quiz("00"), ex.quiz("00")
    assert [t for t in _of(first, w.Text) if t.description == "Your name"]
    assert not [t for t in _of(second, w.Text) if t.description == "Your name"]


def test_corrupt_progress_reported_in_widget(progress_file):
    progress_file.write_text("{not json", encoding="utf-8")
    text = _html(ex.quiz("00"))
    assert "could not be read" in text and "corrupt-" in text
    assert list(progress_file.parent.glob("progress.json.corrupt-*"))


def test_unwritable_progress_gives_message(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("COMRADES_APART_PROGRESS", str(blocker / "sub" / "progress.json"))
    fb = ex.check_quiz("qx-single", "Tirana", save=True)
    assert fb.correct and not fb.saved and "Not saved" in fb.message and "cannot be created" in fb.message


def test_data_error_is_a_message(tmp_path, monkeypatch):
    monkeypatch.setenv("COMRADES_APART_DATA", str(tmp_path / "missing"))
    try:
        fb = ex.check_speaker("q-synthetic", "x")
        assert not fb.valid and "course data has a problem" in fb.message
        assert "course data has a problem" in _html(ex.who_said_it("q-synthetic"))
    finally:
        monkeypatch.undo()
        ex._catalog()


# ----------------------------------------------------------------------------
# any input: a message, never a traceback, and quickly

LONE = st.sampled_from(["\ud800", "\udfff", "\udc00x", "a\ud83d"])
ANY_TEXT = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec=None, categories=None), max_size=50),
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=5), st.integers(2000, 3000)),  # ~10 kB
    st.builds(lambda a, b: a + b, st.text(max_size=20), LONE),
    st.sampled_from(["", " ", "\u05e9\u05dc\u05d5\u05dd", "\u0645\u0631\u062d\u0628\u0627", "\U0001F600\U0001F3F3\uFE0F\u200D\U0001F308",
                     "\u202eKapo", "Khrushchev\x00", "<script>", "q-synthetic", "Hoxha" * 50]),
)
ANY = st.one_of(
    ANY_TEXT, st.none(), st.integers(), st.floats(), st.booleans(), st.binary(max_size=50),
    st.lists(ANY_TEXT, max_size=10), st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.tuples(ANY_TEXT, st.integers()), st.sets(st.integers(), max_size=3),
)
SETTINGS = settings(max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck), database=None)


TIMES: list[float] = []


def _sound(fb, started):
    assert isinstance(fb, ex.Feedback)
    assert isinstance(fb.message, str) and fb.message.strip()
    assert 0.0 <= fb.score <= 1.0
    json.dumps(fb.to_dict()).encode("utf-8")  # always JSON-safe
    html_ = fb.html()
    assert "<script>" not in html_
    TIMES.append(time.perf_counter() - started)  # speed is reported by benchmarks/bench_exercises.py, not asserted


@SETTINGS
@given(qid=st.one_of(st.sampled_from(["q-synthetic", "q-ho-two-hops", "q-ccp-letter", "q-evil"]), ANY), answer=ANY)
def test_check_speaker_any_input(qid, answer):
    t = time.perf_counter()
    _sound(ex.check_speaker(qid, answer), t)


@SETTINGS
@given(qid=st.one_of(st.sampled_from(["q-synthetic", "q-ho-two-hops", "q-andropov-concerned"]), ANY), answer=ANY)
def test_check_chain_any_input(qid, answer):
    t = time.perf_counter()
    _sound(ex.check_chain(qid, answer), t)


EVENT_IDS = ["ev-a", "ev-b", "ev-c", "ev-d", "ev-e", "ev-f", "ev-h", "ev-i"]


@SETTINGS
@given(ids=st.one_of(st.lists(st.sampled_from(EVENT_IDS), min_size=4, max_size=8, unique=True), ANY),
       answer=st.one_of(st.permutations(EVENT_IDS), st.lists(st.sampled_from(EVENT_IDS + ["x"]), max_size=9), ANY))
def test_check_order_any_input(ids, answer):
    t = time.perf_counter()
    _sound(ex.check_order(ids, answer), t)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(ids=st.lists(st.sampled_from(EVENT_IDS), min_size=2, max_size=8, unique=True), data=st.data())
def test_check_order_scores_permutations(ids, data):
    answer = data.draw(st.permutations(ids))
    fb = ex.check_order(ids, answer)
    assert fb.valid and 0 <= fb.score <= 1
    assert fb.correct == (fb.score == 1.0)
    assert ex.check_order(ids, fb.details["right_order"]).correct


@SETTINGS
@given(qid=st.one_of(st.sampled_from(["qx-single", "qx-multi", "qx-short", "qx-year"]), ANY), answer=ANY)
def test_check_quiz_any_input(qid, answer):
    t = time.perf_counter()
    _sound(ex.check_quiz(qid, answer), t)


@SETTINGS
@given(pid=st.one_of(st.sampled_from(["p-s-telegram-sourcing", "p-q-andropov-close-reading"]), ANY),
       answer=ANY, points=ANY)
def test_check_prompt_any_input(pid, answer, points):
    t = time.perf_counter()
    _sound(ex.check_prompt(pid, answer, points), t)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(answer=ANY)
def test_saving_any_answer(answer):
    # the autouse progress fixture is function-scoped; all examples share one file, which is fine
    fb = ex.check_quiz("qx-short", answer, save=True)
    assert isinstance(fb, ex.Feedback)
    json.loads(Path(os.environ["COMRADES_APART_PROGRESS"]).read_text(encoding="utf-8")) if fb.saved else None


# ----------------------------------------------------------------------------
# the real data, when it is complete


def _real_catalog():
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("COMRADES_APART_DATA", raising=False)
        if not hdata.validate(hdata.shipped_data_dir()).ok:
            return None
        hdata.clear_cache()
        try:
            return ex._catalog()
        finally:
            hdata.clear_cache()


def test_real_quiz_rows_are_well_formed():
    rows = list(csv.DictReader((hdata.shipped_data_dir() / "quiz.csv").open(encoding="utf-8")))
    assert {"q00-albanian-archives-article", "q00-albanian-archive-names", "q00-aqsh"} <= {r["id"] for r in rows}
    for r in rows:
        choices = [c for c in r["choices"].split(";") if c]
        answers = [a for a in r["answer"].split(";") if a]
        assert r["kind"] in ("single", "multiple", "short") and answers and r["feedback"].strip(), r["id"]
        if r["kind"] in ("single", "multiple"):
            assert set(answers) <= set(choices), r["id"]
        if r["kind"] == "single":
            assert len(answers) == 1, r["id"]


def test_real_data_exercises_when_present():
    cat = _real_catalog()
    if cat is None:
        pytest.skip("the real course data is still being filled and does not validate yet")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("COMRADES_APART_DATA", raising=False)
        hdata.clear_cache()
        try:
            for qid, q in cat.quotes.items():
                assert ex.check_speaker(qid, ex._name(cat, q["speaker"])).correct, qid
                assert ex.check_speaker(qid, q["speaker"]).correct, qid
                assert ex.check_chain(qid, list(q["reported_by"])).correct, qid
                assert len(ex.chain_choices(qid, "x")) >= 2, qid
            for qid, row in cat.quiz.items():
                answer = row["answer"] if row["kind"] == "multiple" else row["answer"][0]
                assert ex.check_quiz(qid, answer).correct, qid
            for pid in cat.prompts:
                assert ex.check_prompt(pid, "an attempt").valid, pid
            # every widget shows (a sample of quotes and sources, every lesson's quiz)
            for qid in sorted(cat.quotes)[::5]:
                assert "Sorry" not in _html(ex.who_said_it(qid)), qid
            for sid in sorted(cat.sources)[::5]:
                assert "Sorry" not in _html(ex.criticise(sid)), sid
            for lesson in cat.lessons:
                assert "Sorry" not in _html(ex.quiz(lesson)), lesson
        finally:
            hdata.clear_cache()


def test_corrupt_file_found_while_answering(progress_file):
    import ipywidgets as w

    box = ex.criticise("s-telegram")
    progress_file.write_text("[broken", encoding="utf-8")  # damaged while the lesson is open
    _of(box, w.Textarea)[0].value = "An attempt."
    _button(box, "Save and compare").click()
    text = _html(box)
    assert "Saved." in text and "could not be read" in text
    fb = ex.check_quiz("qx-single", "Tirana", save=True)
    assert fb.saved and "could not be read" not in fb.message  # reported once
    progress_file.write_text("{", encoding="utf-8")
    fb = ex.check_quiz("qx-single", "Tirana", save=True)
    assert fb.saved and "could not be read" in fb.message and fb.details["progress"]


def test_unwritable_progress_in_widget(tmp_path, monkeypatch):
    import ipywidgets as w

    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("COMRADES_APART_PROGRESS", str(blocker / "progress.json"))
    box = ex.criticise("s-telegram")  # shown even though nothing can be saved
    _of(box, w.Textarea)[0].value = "An attempt."
    _button(box, "Save and compare").click()
    assert "Not saved" in _html(box) and "Kapo, for Hoxha." in _html(box)
    qbox = ex.quiz("00")
    _of(qbox, w.RadioButtons)[0].value = "Tirana"
    next(b for b in _of(qbox, w.Button) if b.description == "Check").click()
    assert "Right." in _html(qbox) and "Not saved" in _html(qbox)
