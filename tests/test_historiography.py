"""The capstone's helpers: discrepancy explorer, argument map, guided essay (helpers.historiography)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from helpers import progress
from helpers.data import load
from helpers.historiography import (
    ESSAY_EVIDENCE,
    ESSAY_EXERCISE,
    HISTORIANS,
    MODEL_EVIDENCE,
    MODEL_TEXT,
    MODEL_THESIS,
    THESES,
    argument_map,
    argument_table,
    check_essay,
    discrepancy_dossier,
    discrepancy_evidence,
    essay_evidence,
    explore_discrepancies,
    find_discrepancies,
    model_essay,
    saved_essay,
    write_essay,
)

LONG = "This is my argument about the break, weighing every side of it with care. " * 6  # > 40 words
ONE_SIDED = ["q-hoxha-firmness-not-flatteries", "q-hoxha-stalin-declaration", "c-marku-2019-ideology-most-important"]
BALANCED = ["q-hoxha-firmness-not-flatteries", "c-marku-2019-ideology-most-important", "q-kapo-194-spies",
            "q-malinovskii-going-away"]
ODD = [None, 0, 3.5, float("nan"), True, b"\xff\xfe", "", "   ", "😀" * 50, "x" * 10_000, "\ud800lone", "<b>bold</b>",
       ["a", None, 3], {"a": 1}, object()]


# ---------------------------------------------------------------- explorer twin

@pytest.mark.parametrize("kw", [
    {}, {"kind": "reliability"}, {"lesson": "10"}, {"lesson": 7}, {"topic": "intraparty-struggle"},
    {"kind": "within-source", "lesson": "10"}, {"kind": ["reliability", "between-sources"]},
    {"lesson": "04;05"},
])
def test_explorer_twin_returns_exactly_the_filtered_discrepancies(kw):
    d = load("discrepancies")
    mask = pd.Series(True, index=d.index)
    if "kind" in kw:
        kinds = kw["kind"] if isinstance(kw["kind"], list) else [kw["kind"]]
        mask &= d["kind"].isin(kinds)
    if "lesson" in kw:
        lessons = [str(x).zfill(2) for x in str(kw["lesson"]).split(";")]
        mask &= d["lesson"].isin(lessons)
    if "topic" in kw:
        mask &= d["topic"] == kw["topic"]
    got = find_discrepancies(**kw)
    assert list(got["id"]) == list(d.loc[mask, "id"])
    assert {"claim A", "cited A", "claim B", "cited B", "teaching note"} <= set(got.columns)


def test_explorer_twin_names_unknown_filter_values():
    got = find_discrepancies(kind="relability")
    assert got.empty and "reliability" in got.attrs["message"]
    got = find_discrepancies(topic="hoxha-dairy")
    assert got.empty and "hoxha-diary" in got.attrs["message"]


@pytest.mark.parametrize("value", ODD)
def test_explorer_twin_never_raises(value):
    for kw in ("kind", "lesson", "topic"):
        out = find_discrepancies(**{kw: value})
        assert isinstance(out, pd.DataFrame)


def test_evidence_tied_to_a_discrepancy_is_real_and_cited():
    ev = discrepancy_evidence("d-andropov-protest-1961")
    assert {"q-hoxha-reject-dictatorship", "burlatskii-1989"} <= set(ev["id"])
    tables = {"event": "events", "quote": "quotes", "source": "sources", "figure": "figures", "claim": "claims"}
    for r in ev.itertuples():
        assert r.id in set(load(tables[r.table])["id"])
        assert r.cited


@pytest.mark.parametrize("value", ODD + ["d-no-such-thing"])
def test_dossier_and_evidence_give_a_message_for_odd_ids(value):
    shown = discrepancy_dossier(value)
    assert "There is no discrepancy" in shown.text or "cannot be shown" in shown.text
    assert isinstance(discrepancy_evidence(value), pd.DataFrame)


def test_dossier_shows_both_claims_citations_and_note():
    d = load("discrepancies").set_index("id").loc["d-hoxha-diary-later-changes"]
    shown = discrepancy_dossier("d-hoxha-diary-later-changes")
    assert d["teaching_note"] in shown.text and "Selivanov" in shown.text
    assert "hoxha-international-diary" in shown.text


def test_explorer_widget_builds_and_filters():
    box = explore_discrepancies(kind="reliability", lesson="nonsense")
    assert box is not None
    assert explore_discrepancies(kind=object()) is not None


# ---------------------------------------------------------------- HTML in data is escaped

@pytest.fixture
def hostile_data(tmp_path, fresh_data):
    import shutil

    from helpers.data import shipped_data_dir

    folder = tmp_path / "data"
    shutil.copytree(shipped_data_dir(), folder)
    for name, col in (("discrepancies", "claim_a"), ("claims", "claim"), ("quotes", "context")):
        path = folder / f"{name}.csv"
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame.loc[0, col] = "<script>alert(1)</script> & <b>bold</b>"
        frame.to_csv(path, index=False)
    fresh_data(folder)
    return folder


def test_html_in_data_is_escaped(hostile_data):
    did = load("discrepancies").iloc[0]["id"]
    shown = discrepancy_dossier(did)
    assert "<script>" not in shown.html and "&lt;script&gt;" in shown.html
    topic = load("claims").iloc[0]["topic"]
    fig = argument_map(topic=topic, everyone=True)
    hover = " ".join(str(t) for tr in fig.data for t in (tr.hovertext or []))
    assert "<script>" not in hover and "&lt;script&gt;" in hover
    assert "<script>" not in model_essay().html


# ---------------------------------------------------------------- argument map

def test_argument_map_and_its_twin_agree():
    table = argument_table()
    assert set(table["historian"]) <= set(HISTORIANS)
    assert {"Griffith", "Lüthi", "Mëhilli", "Li & Xia", "Mingjiang Li", "Biberaj", "Lange", "Marku",
            "Selivanov"} <= set(table["historian"])
    assert set(table["stance"]) <= {"endorses", "disputes", "qualifies", "reports", "own argument"}
    fig = argument_map()
    names = {tr.name for tr in fig.data}
    assert any("disputes" in n for n in names) and any("endorses" in n for n in names)
    nodes = [tr for tr in fig.data if tr.mode == "markers"][0]
    assert len(nodes.x) == len(table.groupby(["historian", "topic"]))


def test_argument_twin_filters_and_odd_input():
    assert sorted(set(argument_table(topic="intraparty-struggle")["historian"])) == ["Lüthi", "Mëhilli"]
    assert set(argument_table(historian="Luthi")["historian"]) == {"Lüthi"}
    assert "message" in argument_table(historian="Nobody").attrs
    for v in ODD:
        assert isinstance(argument_table(topic=v), pd.DataFrame)
        assert argument_map(historian=v) is not None


# ---------------------------------------------------------------- essay

def test_every_evidence_id_exists_and_is_classified():
    ids = {n: set(load(n)["id"]) for n in ("events", "quotes", "claims")}
    for item in ESSAY_EVIDENCE:
        assert any(item["id"] in s for s in ids.values()), item["id"]
        assert item["supports"] and set(item["supports"]) <= set(THESES)
        assert item["note"] and item["caution"]
    assert len({i["id"] for i in ESSAY_EVIDENCE}) == len(ESSAY_EVIDENCE)
    for thesis in THESES:  # each explanation has evidence for it and against it
        assert sum(thesis in i["supports"] for i in ESSAY_EVIDENCE) >= 3
    table = essay_evidence()
    assert list(table["id"]) == [i["id"] for i in ESSAY_EVIDENCE]
    assert table["cited"].str.len().min() > 0
    assert set(MODEL_EVIDENCE) <= {i["id"] for i in ESSAY_EVIDENCE}


def test_one_sided_evidence_is_told_so():
    fb = check_essay("ideology", ONE_SIDED, LONG)
    assert fb.valid and not fb.correct
    assert "One-sided" in fb.message
    assert fb.details["rivals_missing"] == ["security", "power"]


def test_balanced_evidence_passes():
    fb = check_essay("ideology", BALANCED, LONG)
    assert fb.valid and fb.correct and fb.score == 1.0
    assert "Balanced" in fb.message
    assert fb.details["backing"] == ["q-hoxha-firmness-not-flatteries", "c-marku-2019-ideology-most-important"]


def test_partly_balanced_names_the_missing_rival():
    fb = check_essay("ideology", ONE_SIDED[:2] + ["q-kapo-194-spies"], LONG)
    assert not fb.correct and fb.details["rivals_missing"] == ["power"]
    assert "nothing for Hoxha's own power" in fb.message


def test_each_item_is_judged_against_the_thesis():
    fb = check_essay("power", BALANCED, LONG)
    assert "q-hoxha-firmness-not-flatteries: counter-evidence: it points to ideology" in fb.message
    assert "q-malinovskii-going-away: bears out your thesis" in fb.message
    assert "Only 1 of your items bears out your thesis" in fb.message
    assert not fb.correct


def test_the_model_answer_passes_its_own_checker():
    fb = check_essay(MODEL_THESIS, list(MODEL_EVIDENCE), MODEL_TEXT)
    assert fb.correct
    shown = model_essay()
    assert all(i in shown.text for i in MODEL_EVIDENCE)


def test_thesis_accepts_words_and_labels():
    for value in ("Power", "Hoxha's own power", THESES["security"], " ideology "):
        assert check_essay(value, BALANCED, LONG).valid


@pytest.mark.parametrize("value", ODD)
def test_odd_input_gets_a_message_not_a_traceback(value):
    for args in ((value, BALANCED, LONG), ("power", value, LONG), ("power", BALANCED, value)):
        fb = check_essay(*args)
        assert isinstance(fb.message, str) and fb.message
        json.dumps(fb.to_dict())


def test_specific_messages():
    assert "Choose a thesis" in check_essay(None, BALANCED, LONG).message
    fb = check_essay("power", BALANCED + ["q-no-such-quote"], LONG)
    assert not fb.valid and "q-no-such-quote" in fb.message
    fb = check_essay("power", ["1960-06-bucharest-meeting"] + BALANCED, LONG)  # real id, not on the list
    assert not fb.valid and "not on this essay's evidence list" in fb.message
    assert "between 3 and 6" in check_essay("power", BALANCED[:2], LONG).message
    assert "between 3 and 6" in check_essay("power", [i["id"] for i in ESSAY_EVIDENCE[:7]], LONG).message
    assert "Write your argument" in check_essay("power", BALANCED, "  ").message
    fb = check_essay("power", ";".join(BALANCED), "😀 " * 5)
    assert fb.valid and "5 words" in fb.message
    fb = check_essay("power", BALANCED, "word " * 5000)
    assert fb.valid and fb.details["cut"] and "only the first" in fb.message


def test_essay_is_saved_and_restored(tmp_path):
    assert saved_essay() is None
    fb = check_essay("security", BALANCED, LONG, save=True)
    assert fb.saved
    rec = progress.saved_answer(ESSAY_EXERCISE)
    assert rec["lesson"] == "10" and rec["kind"] == "essay"
    back = saved_essay()
    assert back["thesis"] == "security" and back["evidence"] == BALANCED and back["text"] == LONG
    box = write_essay()  # the widget restores it
    radios = [c for c in box.children if c.__class__.__name__ == "RadioButtons"][0]
    text = [c for c in box.children if c.__class__.__name__ == "Textarea"][0]
    assert radios.value == "security" and text.value == LONG
    ticked = [row.children[0].description.split(" — ")[0] for row in box.children
              if row.__class__.__name__ == "VBox" and row.children and row.children[0].value is True]
    assert ticked == [i for i in (x["id"] for x in ESSAY_EVIDENCE) if i in BALANCED]


def test_unchecked_twin_does_not_save():
    check_essay("power", BALANCED, LONG)
    assert saved_essay() is None


def test_a_draft_with_odd_evidence_is_still_saved():
    fb = check_essay("power", None, "my draft so far", save=True)
    assert not fb.valid and fb.saved
    assert saved_essay()["text"] == "my draft so far"


def test_widget_builds_without_saved_answer():
    box = write_essay()
    assert len(box.children) > len(ESSAY_EVIDENCE)
