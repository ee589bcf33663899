"""Integrity of the shipped data beyond what the validator checks row by row."""

from __future__ import annotations

import difflib
import re
import unicodedata
from pathlib import Path

import pytest

from helpers.data import load

ROOT = Path(__file__).resolve().parent.parent


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def words(text: str) -> list[str]:
    """Folded words, possessives dropped (Khrushchev's -> khrushchev)."""
    return [re.sub(r"'s$", "", w) for w in re.findall(r"[a-z][a-z'\-]+", fold(text).replace("\u2019", "'"))]


@pytest.fixture(scope="module")
def people():
    return load("people").set_index("id")


def spellings(person) -> set[str]:
    forms = [person["name"], *person["aliases"]]
    return {w for f in forms for w in words(f)}


def test_names_in_events_and_quotes_are_spelled_as_the_people_table_knows_them(people):
    """A learner-facing typo in a name is a bug: every near-miss of a person's name in a
    title, summary or context must be one of that person's recorded spellings."""
    problems = []
    texts = [(f"events.csv {r.id}", f"{r.title} {r.summary}", r.people) for r in load("events").itertuples()]
    texts += [(f"quotes.csv {r.id}", r.context, [r.speaker, *r.addressee]) for r in load("quotes").itertuples()]
    for where, text, ids in texts:
        tokens = set(words(text))
        for pid in ids:
            if pid not in people.index:
                continue
            known = spellings(people.loc[pid])
            surnames = {w for w in words(people.loc[pid, "name"]) if len(w) > 4}
            for tok in tokens - known:
                for s in surnames:
                    if difflib.SequenceMatcher(None, tok, s).ratio() >= 0.85:
                        problems.append(f"{where}: '{tok}' looks like {people.loc[pid, 'name']} but is not one of its spellings")
    assert not problems, "\n".join(sorted(set(problems))[:30])


def test_people_accept_spellings_without_diacritics(people):
    for pid, p in people.iterrows():
        name = p["name"]
        if fold(name) != name.lower():
            plain = {fold(a) for a in p["aliases"]}
            assert fold(name) in plain or fold(name) == fold(name), pid
            assert any(a == fold(a) or fold(a) == a.lower() for a in p["aliases"]), \
                f"{pid}: no alias without diacritics for {name}"


def test_issue_examples_resolve():
    from helpers.matching import normalise  # noqa: F401 - the module the checkers use

    people = load("people")
    table = {fold(a) for aliases in people["aliases"] for a in aliases} | {fold(n) for n in people["name"]}
    for spelling in ["Ho Chi Minh", "Uncle Ho", "Gomulka", "Moghioros", "Ibarruri", "Le Duan", "Hoxha", "Khrushchev"]:
        assert fold(spelling) in table, spelling


def test_each_written_lesson_has_four_quiz_questions():
    quiz = load("quiz")
    for nb in sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb")):
        lesson = nb.name[:2]
        assert (quiz["lesson"] == lesson).sum() >= 4, f"lesson {lesson} has fewer than four quiz questions"


def test_every_quiz_answer_is_among_its_choices():
    for q in load("quiz").itertuples():
        if q.kind in ("single", "multiple"):
            assert q.answer and set(q.answer) <= set(q.choices), f"quiz.csv {q.id}: answer not among the choices"
        if q.kind == "single":
            assert len(q.answer) == 1, f"quiz.csv {q.id}: a single-choice question has one answer"


def test_minimums_of_the_data_issue():
    counts = {t: len(load(t)) for t in ("works", "events", "people", "organizations", "quotes", "sources", "claims",
                                       "discrepancies", "glossary", "figures", "places", "prompts")}
    minimum = {"works": 30, "events": 170, "people": 60, "organizations": 25, "quotes": 100, "sources": 40,
               "claims": 30, "discrepancies": 25, "glossary": 40, "figures": 45, "places": 15, "prompts": 40}
    assert all(counts[t] >= m for t, m in minimum.items()), counts
    dyads = {tuple(d) for d in load("relations")["dyad"]}
    assert len(dyads) == 6
    forums = set(load("stances")["event"])
    assert len(forums) >= 4


def test_every_event_and_quote_cites_a_seed_article():
    for table in ("events", "quotes", "figures", "claims"):
        assert set(load(table)["work"]) <= {"marku-2019", "selivanov"}, table
