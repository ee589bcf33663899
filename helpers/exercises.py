"""Exercises a learner does in a lesson, each with a plain twin.

====================================  ==========================================
widget (returns an ipywidgets VBox)   plain twin (returns a :class:`Feedback`)
====================================  ==========================================
``who_said_it(quote_id)``             ``check_speaker(quote_id, answer)``,
                                      ``check_chain(quote_id, answer)``
``order_events(event_ids)``           ``check_order(event_ids, answer)``
``criticise(source_or_quote_id)``     ``check_prompt(prompt_id, text, points)``,
                                      ``source_card(source_or_quote_id)``
``quiz(lesson)``                      ``check_quiz(question_id, answer)``
====================================  ==========================================

Widgets save every answer the moment it is checked (:mod:`helpers.progress`)
and show earlier answers again when a lesson is reopened. The twins check
without saving unless called with ``save=True``, so a lesson can demonstrate
them without recording an answer the learner never gave.

Nothing a learner types raises: ``None``, numbers, 10 kB of text, emoji,
right-to-left text or lone surrogates get a message. An unknown id gets a
message naming it and the closest existing ids. Text from the data is always
HTML-escaped before it is shown.

Examples
--------
>>> fb = check_quiz("q00-aqsh", "Arkivi Qendror i Shtetit")  # doctest: +SKIP
>>> fb.correct  # doctest: +SKIP
True
"""

from __future__ import annotations

import functools
import hashlib
import html
import inspect
import os
import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from . import progress
from .matching import MAX_ANSWER, NameIndex, as_text, close_enough, closest, normalise

if TYPE_CHECKING:
    from ipywidgets import VBox

__all__ = [
    "Feedback", "who_said_it", "check_speaker", "check_chain", "chain_choices", "speaker_choices",
    "order_events", "check_order", "criticise", "check_prompt", "source_card", "prompts_for",
    "quiz", "check_quiz", "exercise_ids", "order_exercise_id",
]

HEURISTICS = ("sourcing", "contextualization", "corroboration", "close-reading")
HEURISTIC_TEXT = {
    "sourcing": ("Sourcing", "Who made this record, when, for whom, and why?"),
    "contextualization": ("Contextualization", "What was happening when it was made, and how does that shape it?"),
    "corroboration": ("Corroboration", "What do other records say? Where do they agree or differ?"),
    "close-reading": ("Close reading", "What do the words themselves claim, stress, or leave out?"),
}

#: per source kind: what it is, for whom it was usually made, what to keep in mind
SOURCE_KINDS: dict[str, tuple[str, str, str]] = {
    "politburo-record": (
        "the minutes of a Politburo meeting",
        "the party leadership itself: an internal record, not meant for publication",
        "minutes keep what the leadership chose to write down; they are one party's internal account",
    ),
    "telegram": (
        "a telegram",
        "its recipient, usually the sender's superiors at home",
        "a telegram is written fast, on the spot, for a superior: close to the event, but shaped by "
        "what the sender saw and what he thought his reader wanted",
    ),
    "letter": ("a letter", "its addressee", "a letter argues a case to one reader: ask what it wanted that reader to do"),
    "conversation-record": (
        "a record of a conversation",
        "the note-taker's own leadership",
        "it was written up by one side's note-taker, so what it says the other side said is that side's "
        "version, summarised and sometimes sharpened",
    ),
    "speech": (
        "a speech",
        "its audience, and later the readers of its published text",
        "a speech is a performance for an audience, and a published text may have been edited afterwards",
    ),
    "diary": (
        "a diary",
        "its writer, at first; some diaries were later edited for publication",
        "a diary is written close to the day but by one person, and a published one may have been revised",
    ),
    "memoir": (
        "a memoir",
        "the public, years after the events",
        "a memoir is written years later, from memory, by someone with a reputation to defend",
    ),
    "newspaper": (
        "a newspaper article",
        "the public at home and abroad",
        "a party newspaper prints what the leadership wanted the public, and other parties, to read",
    ),
    "embassy-report": (
        "an embassy report",
        "the foreign ministry and party leadership at home",
        "diplomats report what they heard and what they think their superiors need: second-hand by nature",
    ),
    "party-document": (
        "a party document",
        "party members, or other parties",
        "an official document states the line that was agreed or imposed, not the debate behind it",
    ),
    "collected-works": (
        "a text in a leader's published collected works",
        "readers of the leader's works, published by his own party",
        "collected works were published, often years later, by the leader's party, and texts may have "
        "been edited to suit later politics",
    ),
}

_FIRST_HAND_WORDS = {
    "first hand", "firsthand", "first hand own words", "direct", "directly", "own words", "his own words",
    "her own words", "their own words", "none", "nobody", "no one", "noone", "not reported", "no one else",
    "first hand his own words", "in person",
}
_CHAIN_SPLIT = re.compile(r"\s*(?:→|->|=>|>|,|;|/|\bthen\b|\bvia\b|\bthrough\b|\band\b|\bto\b|\bby\b)\s*", re.I)


# ----------------------------------------------------------------------------
# Feedback


@dataclass
class Feedback:
    """The verdict on one answer, as data.

    Attributes
    ----------
    correct: the answer is right.
    message: what to tell the learner (plain text; lines separated by newlines).
    expected: the right answer, in words (empty when the call itself was wrong).
    hint: where to look next, when the answer is not right.
    score: 0 to 1; partial credit where the exercise gives it.
    valid: False when the answer or the call could not be checked at all
        (empty answer, unknown id, malformed input): nothing was marked wrong.
    exercise: the exercise id under which the answer is saved.
    details: anything else a widget or a teacher may want (parsed answer, notes).
    saved: whether the answer was saved (only with ``save=True`` or in a widget).

    Examples
    --------
    >>> fb = Feedback(True, "Yes.", expected="Enver Hoxha", score=1.0)
    >>> str(fb)
    'Yes.'
    """

    correct: bool
    message: str
    expected: str = ""
    hint: str = ""
    score: float = 0.0
    valid: bool = True
    exercise: str = ""
    details: dict = field(default_factory=dict)
    saved: bool = False

    def __str__(self) -> str:
        return self.message + (f"\nHint: {self.hint}" if self.hint and not self.correct else "")

    def to_dict(self) -> dict:
        """The feedback as a JSON-safe dict."""
        return progress.sanitise(asdict(self))

    def html(self, show_hint: bool = True) -> str:
        """The feedback as escaped HTML, announced to screen readers (role=status)."""
        mark = "✓ " if self.correct else ("" if not self.valid else "✗ ")
        lines = [ln for ln in self.message.split("\n") if ln.strip()]
        body = "".join(
            f"<p style='margin:0.2em 0'>{html.escape(mark if i == 0 else '')}{html.escape(ln)}</p>"
            for i, ln in enumerate(lines)
        )
        if show_hint and self.hint and not self.correct:
            body += f"<p style='margin:0.2em 0'><b>Hint:</b> {html.escape(self.hint)}</p>"
        return f"<div role='status' aria-live='polite'>{body}</div>"

    def _repr_html_(self) -> str:
        return self.html()


def _invalid(message: str, hint: str = "", exercise: str = "", **details: Any) -> Feedback:
    return Feedback(False, message, hint=hint, valid=False, exercise=exercise, details=details)


# ----------------------------------------------------------------------------
# the catalogue: the data, loaded once, indexed


@dataclass
class _Catalog:
    key: Any
    quotes: dict[str, dict]
    people: dict[str, dict]
    orgs: dict[str, dict]
    sources: dict[str, dict]
    events: dict[str, dict]
    works: dict[str, dict]
    lessons: dict[str, dict]
    prompts: dict[str, dict]
    quiz: dict[str, dict]
    names: NameIndex
    spans: dict[str, Any]


_CAT: _Catalog | None = None


def _records(frame) -> dict[str, dict]:
    out = {}
    for rec in frame.to_dict("records"):
        out[str(rec.get("id", ""))] = {k: _plain_value(v) for k, v in rec.items()}
    return out


def _plain_value(v: Any) -> Any:
    """Missing values (None, NaN, NaT, NA) as empty text; everything else as it is."""
    if isinstance(v, list):
        return v
    if v is None or (isinstance(v, float) and v != v) or str(v) in ("NaT", "<NA>", "nan"):
        return ""
    return v


def _catalog() -> _Catalog:
    """Every table the exercises need, loaded once per data folder (raises DataError)."""
    global _CAT
    from . import data, dates

    data.load("lessons")  # validates the package once and fills data's cache
    folder = data.data_dir()
    folder = folder.resolve() if folder.exists() else folder
    frames = data._cache.get(folder)
    if _CAT is not None and frames is not None and _CAT.key is frames:
        return _CAT
    t = {name: (frames[name] if frames is not None else data.load(name)) for name in (
        "quotes", "people", "organizations", "sources", "events", "works", "lessons", "prompts", "quiz")}
    people, orgs = _records(t["people"]), _records(t["organizations"])
    names = NameIndex()
    for pid, p in people.items():
        names.add(pid, p.get("name", ""), p.get("aliases") or [])
    for oid, o in orgs.items():
        names.add(oid, o.get("name", ""), [], o.get("abbreviation", ""))
    events = _records(t["events"])
    spans = {}
    for eid, e in events.items():
        try:
            spans[eid] = dates.parse(e.get("date", ""))
        except ValueError:
            spans[eid] = None
    quiz = _records(t["quiz"])
    for row in quiz.values():
        row["lesson"] = str(row.get("lesson", "")).zfill(2)
    _CAT = _Catalog(
        key=frames, quotes=_records(t["quotes"]), people=people, orgs=orgs, sources=_records(t["sources"]),
        events=events, works=_records(t["works"]), lessons=_records(t["lessons"]), prompts=_records(t["prompts"]),
        quiz=quiz, names=names, spans=spans,
    )
    return _CAT


def _data_problem(exc: Exception) -> str:
    return (f"The course data has a problem, so this exercise cannot be shown: {exc}. "
            "Ask your teacher, or run `comrades-apart validate`.")


def _public(run: Callable, fn: Callable) -> Callable:
    """Give ``run`` the name, docs and signature of ``fn`` without its first (catalogue) parameter."""
    functools.update_wrapper(run, fn)
    sig = inspect.signature(fn)
    run.__signature__ = sig.replace(parameters=list(sig.parameters.values())[1:])  # type: ignore[attr-defined]
    return run


def _with_catalog(fn: Callable[..., Feedback]) -> Callable[..., Feedback]:
    """Run a checker with the catalogue; any failure becomes a Feedback, never a traceback."""
    def run(*args: Any, **kwargs: Any) -> Feedback:
        try:
            cat = _catalog()
        except Exception as exc:  # DataError, or an unreadable data folder
            return _invalid(_data_problem(exc))
        try:
            return fn(cat, *args, **kwargs)
        except Exception as exc:  # a bug must not reach the learner as a traceback
            return _invalid(
                f"Sorry: this answer could not be checked ({type(exc).__name__}: {as_text(exc, 200)}). "
                "Please tell your teacher; your answer was not lost."
            )
    return _public(run, fn)


# ----------------------------------------------------------------------------
# words for ids, notes and dates


def _name(cat: _Catalog, id_: str) -> str:
    if id_ in cat.people:
        return cat.people[id_].get("name") or id_
    if id_ in cat.orgs:
        o = cat.orgs[id_]
        abbr = o.get("abbreviation")
        return f"{o.get('name') or id_}" + (f" ({abbr})" if abbr and abbr != o.get("name") else "")
    return id_


def _plain_name(cat: _Catalog, id_: str) -> str:
    """A name without the abbreviation: 'Soviet Union'."""
    if id_ in cat.orgs:
        return cat.orgs[id_].get("name") or id_
    return _name(cat, id_)


def _names(cat: _Catalog, ids: Iterable[str]) -> str:
    ns = [_name(cat, i) for i in ids]
    if not ns:
        return ""
    return ns[0] if len(ns) == 1 else ", ".join(ns[:-1]) + " and " + ns[-1]


def _who_is(cat: _Catalog, id_: str) -> str:
    """'Hysni Kapo (Albania; Politburo member)'."""
    if id_ in cat.people:
        p = cat.people[id_]
        bits = [_plain_name(cat, p["country"]) if p.get("country") else "", p.get("roles", "")]
        bits = [b for b in bits if b]
        return p.get("name", id_) + (f" ({'; '.join(bits)})" if bits else "")
    if id_ in cat.orgs:
        o = cat.orgs[id_]
        kind = o.get("kind", "")
        where = _plain_name(cat, o["country"]) if o.get("country") else ""
        return _name(cat, id_) + (f" ({', '.join(b for b in (kind, where) if b)})" if kind or where else "")
    return id_


def _work_label(cat: _Catalog, work_id: str) -> str:
    w = cat.works.get(work_id)
    if not w:
        return work_id
    first = str(w.get("authors", "")).split(";")[0].strip()
    surname = first.split(",")[0].strip() if "," in first else (first.split()[-1] if first.split() else work_id)
    year = str(w.get("year", "")).strip()
    return f"{surname} ({year})" if year else surname


def _locator_text(loc: str) -> str:
    loc = str(loc or "").strip()
    m = re.fullmatch(r"n(\d+)", loc)
    if m:
        return f"note {m.group(1)}"
    m = re.fullmatch(r"§\s*(.+?)\s*¶\s*(\d+)", loc)
    if m:
        return f"section “{m.group(1)}”, paragraph {m.group(2)}"
    if loc.startswith("§"):
        return f"section “{loc[1:].strip()}”"
    return loc


def _cite(cat: _Catalog, row: dict) -> str:
    return f"{_work_label(cat, row.get('work', ''))}, {_locator_text(row.get('locator', ''))}"


def _date_label(row: dict) -> str:
    return str(row.get("date_label") or row.get("date") or "undated")


def _hindsight(q: dict) -> str:
    """The hindsight warning of a quotation that looks back to an earlier time; "" otherwise."""
    from .dates import hindsight_note

    return hindsight_note(_date_label(q), str(q.get("looks_back_to_label") or ""))


def _seed_rng(*parts: str) -> random.Random:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "replace")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _current_lesson() -> str:
    """The lesson number of the notebook this kernel runs, if Jupyter says (``JPY_SESSION_NAME``)."""
    name = os.environ.get("JPY_SESSION_NAME", "")
    m = re.search(r"(?:^|[/\\])(\d{2})_[^/\\]*\.ipynb$", name)
    return m.group(1) if m else ""


def _lesson_of_events(cat: _Catalog, ids: Iterable[str]) -> str:
    found = [cat.events[i].get("lesson", "") for i in ids if i in cat.events]
    return max(set(found), key=found.count) if found else ""


def _lesson_for(cat: _Catalog, explicit: Any, event_ids: Iterable[str] = ()) -> str:
    if explicit not in (None, ""):
        return _lesson_id(explicit)
    return _current_lesson() or _lesson_of_events(cat, event_ids)


def _lesson_id(value: Any) -> str:
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return f"{value:02d}" if 0 <= value < 100 else str(value)
    text = as_text(value, 20).strip()
    return text.zfill(2) if text.isdigit() and len(text) <= 2 else text


def _id_arg(value: Any) -> str:
    return as_text(value, 200).strip()


def _unknown(kind: str, value: Any, pool: Iterable[str]) -> Feedback:
    text = _id_arg(value)
    near = closest(text, pool)
    shown = f'"{text}"' if text else "an empty id"
    msg = f"There is no {kind} {shown} in the course data."
    if near:
        msg += " Did you mean " + " or ".join(f'"{n}"' for n in near) + "?"
    return Feedback(False, msg, valid=False, details={"unknown": text, "closest": near})


# ----------------------------------------------------------------------------
# who said it


def _speaker_country(cat: _Catalog, id_: str) -> str:
    if id_ in cat.people:
        return cat.people[id_].get("country", "")
    if id_ in cat.orgs:
        o = cat.orgs[id_]
        return o.get("country") or (id_ if o.get("kind") == "state" else "")
    return ""


def _creator_country(cat: _Catalog, creator: str) -> str:
    creator = str(creator or "").strip()
    if creator in cat.people or creator in cat.orgs:
        return _speaker_country(cat, creator)
    res = cat.names.resolve(creator)
    return _speaker_country(cat, res.id) if res.id else ""


def _chain_path_text(cat: _Catalog, q: dict, path: Sequence[str]) -> str:
    speaker = _name(cat, q["speaker"])
    if not path:
        return f"First-hand: {speaker}'s own words, with nobody in between"
    hops = [_name(cat, p) for p in path]
    via = hops[0] if len(hops) == 1 else ", then ".join(hops)
    return f"Reported: from {speaker} through {via} to the record"


def _chain_story(cat: _Catalog, q: dict) -> str:
    src = cat.sources.get(q.get("source", ""), {})
    record = src.get("title") or q.get("source", "")
    hops = [_name(cat, q["speaker"])] + [_name(cat, r) for r in q.get("reported_by", [])]
    return " → ".join(hops) + f" → the record: {record}"


def _why_chain(cat: _Catalog, q: dict) -> str:
    """Why the chain of transmission matters for this quotation."""
    src = cat.sources.get(q.get("source", ""), {})
    parts = []
    chain = q.get("reported_by", [])
    if chain:
        parts.append(
            f"These are not words we have from {_name(cat, q['speaker'])} directly: they are reported speech, "
            f"and {_names(cat, chain)} chose what to pass on and how to put it."
        )
    kind = SOURCE_KINDS.get(src.get("kind", ""))
    if kind:
        parts.append(f"The record is {kind[0]}, and {kind[2]}.")
    side_s = _speaker_country(cat, q["speaker"])
    side_c = _creator_country(cat, src.get("creator", ""))
    if side_s and side_c and side_s != side_c:
        parts.append(
            f"It is one side's record: the side that kept it ({_plain_name(cat, side_c)}) is not the "
            f"speaker's ({_plain_name(cat, side_s)})."
        )
    if src.get("reliability"):
        parts.append(f"Keep in mind: {src['reliability']}")
    return " ".join(parts)


def _quote_story(cat: _Catalog, q: dict, chain: bool = True) -> list[str]:
    """Speaker, addressee, date, note; with ``chain``, also how the words reach us and why that matters."""
    lines = [f"Speaker: {_who_is(cat, q['speaker'])}."]
    if q.get("addressee"):
        lines.append(f"Addressed to: {_names(cat, q['addressee'])}.")
    lines.append(f"Date: {_date_label(q)}.")
    back = _hindsight(q)
    if back:
        lines.append(back)
    if chain:
        lines.append(f"How it reaches us: {_chain_story(cat, q)}.")
    lines.append(f"Note: {_cite(cat, q)}.")
    why = _why_chain(cat, q) if chain else ""
    if why:
        lines.append(f"Why the chain matters: {why}")
    return lines


def _quote_hint(cat: _Catalog, q: dict) -> str:
    src = cat.sources.get(q.get("source", ""), {})
    where = f"{_cite(cat, q)}"
    held = f", which cites {src.get('title')}" if src.get("title") else ""
    return f"Look at {where}{held}: it says whose words these are."


def speaker_choices(quote_id: str, learner_name: str | None = None) -> list[tuple[str, str]]:
    """The four (label, id) choices of a quotation, shuffled the same way for the same learner.

    Examples
    --------
    >>> [i for _, i in speaker_choices("q-synthetic", "ana")]  # doctest: +SKIP
    ['kapo', 'khrushchev', 'deng-xiaoping', 'andropov']
    """
    cat = _catalog()
    q = cat.quotes[quote_id]
    ids = [q["speaker"]] + [d for d in q.get("distractors", []) if d != q["speaker"]]
    name = learner_name if learner_name is not None else progress.learner()
    _seed_rng(name, quote_id, "speaker").shuffle(ids)
    labels = [_name(cat, i) for i in ids]
    return [(lab if labels.count(lab) == 1 else f"{lab} [{i}]", i) for lab, i in zip(labels, ids, strict=True)]


def _chain_options(cat: _Catalog, q: dict) -> list[tuple[str, ...]]:
    truth = tuple(q.get("reported_by", []))
    speaker = q["speaker"]
    addressees = [a for a in q.get("addressee", []) if a != speaker]
    distractors = [d for d in q.get("distractors", []) if d != speaker]
    wrong: list[tuple[str, ...]] = []
    if truth:
        wrong.append(())
        if len(truth) > 1:
            wrong.append(tuple(reversed(truth)))
            wrong.append(truth[:1])
        for d in distractors + addressees:
            if d not in truth:
                wrong.append((d,) + truth[1:])
    else:
        for a in addressees:
            wrong.append((a,))
        for d in distractors:
            wrong.append((d,))
        if addressees and distractors:
            wrong.append((distractors[0], addressees[0]))
    seen, options = {truth}, [truth]
    for w in wrong:
        if w not in seen and speaker not in w:
            seen.add(w)
            options.append(w)
        if len(options) == 4:
            break
    return options


def chain_choices(quote_id: str, learner_name: str | None = None) -> list[tuple[str, tuple[str, ...]]]:
    """The (label, chain of ids) choices for "how do we know", shuffled per learner.

    The chain lists the people or bodies the words passed through, from the
    speaker to the record; an empty chain means first-hand.
    """
    cat = _catalog()
    q = cat.quotes[quote_id]
    opts = _chain_options(cat, q)
    name = learner_name if learner_name is not None else progress.learner()
    _seed_rng(name, quote_id, "chain").shuffle(opts)
    return [(_chain_path_text(cat, q, o), o) for o in opts]


@_with_catalog
def check_speaker(cat: _Catalog, quote_id: str, answer: Any, *, save: bool = False, lesson: Any = None) -> Feedback:
    """Check who said a quotation.

    Accepts any spelling the data knows: with or without diacritics, any alias,
    an organization's name or abbreviation when a body speaks, any case and
    spacing, a small typo, or a surname alone when only one person bears it.

    Parameters
    ----------
    quote_id: a quote id from quotes.csv.
    answer: the name the learner gives (anything; odd input gets a message).
    save: also save the answer to the progress file.
    lesson: lesson id to save under (default: the notebook's, else the quote's event's).

    Examples
    --------
    >>> check_speaker("q-synthetic", "Krushchev").correct  # doctest: +SKIP
    True
    """
    qid = _id_arg(quote_id)
    q = cat.quotes.get(qid)
    if q is None:
        return _unknown("quote", quote_id, cat.quotes)
    exercise = f"speaker:{qid}"
    speaker = q["speaker"]
    expected = _name(cat, speaker)
    typed = as_text(answer, MAX_ANSWER)
    if not normalise(typed):
        return _invalid(
            "Type the name of the person (or the body) you think said these words.",
            hint=_quote_hint(cat, q), exercise=exercise,
        )
    m = cat.names.resolve(typed)
    # the chain is the next question (check_chain), so it is not given away here
    story = _quote_story(cat, q, chain=False)
    if m.id == speaker:
        lines = [f"Yes: {_who_is(cat, speaker)} said it."] + story[1:]
        lines.append("Next: how do we know? Through whom do these words reach us?")
        fb = Feedback(True, "\n".join(lines), expected=expected,
                      score=1.0, exercise=exercise, details={"matched": m.id, "how": m.how})
    elif m.id is None and speaker in m.ambiguous:
        who = ", ".join(_name(cat, a) for a in m.ambiguous)
        return _invalid(f'"{typed[:60]}" could mean more than one person ({who}); type a fuller name.',
                        hint=_quote_hint(cat, q), exercise=exercise)
    else:
        lines = []
        if m.id:
            lines.append(f"No: {_who_is(cat, m.id)} did not say these words.")
            if m.id in q.get("reported_by", []):
                lines.append(f"{_name(cat, m.id)} passed the words on, but they are someone else's.")
            elif m.id in q.get("addressee", []):
                lines.append(f"{_name(cat, m.id)} was the one they were addressed to.")
        elif m.ambiguous:
            lines.append(f'"{typed[:60]}" could mean {", ".join(_name(cat, a) for a in m.ambiguous)}; '
                         "none of them said these words.")
        else:
            lines.append(f'"{typed[:60]}" is not a name in the course\'s list of people and bodies.')
            lines.append("The choices are: " + ", ".join(lab for lab, _ in speaker_choices(qid)) + ".")
        fb = Feedback(False, "\n".join(lines), expected=expected, hint=_quote_hint(cat, q), score=0.0,
                      exercise=exercise, details={"matched": m.id or "", "how": m.how})
    if save:
        _save(cat, fb, lesson, [q.get("event", "")], "speaker", m.id or typed)
    return fb


def _parse_chain(cat: _Catalog, q: dict, answer: Any) -> tuple[tuple[str, ...] | None, str]:
    """The chain a learner gave, as ids; or None and a message saying what was not understood."""
    if isinstance(answer, (list, tuple)):
        if not answer:
            return (), ""
        parts = [as_text(a, MAX_ANSWER) for a in list(answer)[:12]]
    else:
        text = as_text(answer, MAX_ANSWER)
        key = normalise(text)
        for path in _chain_options(cat, q):
            if normalise(_chain_path_text(cat, q, path)) == key:
                return path, ""
        if key in _FIRST_HAND_WORDS or key.startswith("first hand") or key.startswith("firsthand"):
            return (), ""
        parts = [p for p in _CHAIN_SPLIT.split(text) if p and p.strip()]
    ids, unknown = [], []
    for p in parts:
        key = normalise(p)
        if not key or key in ("reported", "reported by", "recorded", "record", "the record", "passed on"):
            continue
        m = cat.names.resolve(p)
        if m.id:
            ids.append(m.id)
        else:
            unknown.append(p.strip()[:40])
    if unknown:
        return None, "Not recognised: " + ", ".join(f'"{u}"' for u in unknown[:3]) + "."
    # the speaker at the start, and repeats, add nothing to the chain
    while ids and ids[0] == q["speaker"]:
        ids.pop(0)
    out: list[str] = []
    for i in ids:
        if not out or out[-1] != i:
            out.append(i)
    return tuple(out), ""


def _lcs(a: Sequence[str], b: Sequence[str]) -> int:
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            table[i + 1][j + 1] = table[i][j] + 1 if x == y else max(table[i][j + 1], table[i + 1][j])
    return table[-1][-1]


@_with_catalog
def check_chain(cat: _Catalog, quote_id: str, answer: Any, *, save: bool = False, lesson: Any = None) -> Feedback:
    """Check "how do we know": through whom a quotation reaches its record.

    ``answer`` may be one of :func:`chain_choices`' labels, a list of names
    (the people or bodies the words passed through, in order), a string such
    as ``"Kapo → Hoxha"``, or ``"first-hand"`` when nobody stood between.
    Partial credit: the share of the chain named in the right order.

    Examples
    --------
    >>> check_chain("q-synthetic", "first-hand").correct  # doctest: +SKIP
    True
    """
    qid = _id_arg(quote_id)
    q = cat.quotes.get(qid)
    if q is None:
        return _unknown("quote", quote_id, cat.quotes)
    exercise = f"chain:{qid}"
    truth = tuple(q.get("reported_by", []))
    expected = _chain_path_text(cat, q, truth)
    if answer is None or (not isinstance(answer, (list, tuple)) and not normalise(answer)):
        return _invalid("Say through whom these words reach us: name the people in order, "
                        "or answer “first-hand” if nobody stood between speaker and record.",
                        hint=_quote_hint(cat, q), exercise=exercise)
    path, problem = _parse_chain(cat, q, answer)
    if path is None:
        return _invalid(problem + " Name people or bodies from the course, in order, or answer “first-hand”.",
                        hint=_quote_hint(cat, q), exercise=exercise)
    story = _quote_story(cat, q)
    if path == truth:
        head = f"Yes. {expected}."
        fb = Feedback(True, "\n".join([head] + story), expected=expected, score=1.0, exercise=exercise,
                      details={"chain": list(path)})
    else:
        score = _lcs(path, truth) / max(len(path), len(truth)) if truth and path else 0.0
        given = _chain_path_text(cat, q, path)
        lines = [f"Not quite: you answered “{given}”."]
        if truth and not path:
            lines.append("These words did not reach the record first-hand: someone passed them on.")
        elif path and not truth:
            lines.append("Nobody stood between the speaker and the record here.")
        elif score:
            lines.append(f"Part of the chain is right ({round(score * 100)}%).")
        fb = Feedback(False, "\n".join(lines), expected=expected, score=round(score, 3), exercise=exercise,
                      hint=f"Read {_cite(cat, q)}: who wrote these words down, and who told them?",
                      details={"chain": list(path)})
    if save:
        _save(cat, fb, lesson, [q.get("event", "")], "chain", list(path))
    return fb


def _save(cat: _Catalog, fb: Feedback, lesson: Any, event_ids: Iterable[str], kind: str, answer: Any) -> None:
    res = progress.save_answer(_lesson_for(cat, lesson, event_ids), fb.exercise, kind, answer,
                               score=fb.score, correct=fb.correct)
    _after_save(fb, res)


def _after_save(fb: Feedback, res: progress.SaveResult) -> None:
    """Note on the feedback whether the answer was saved, and anything the progress file reported."""
    fb.saved = res.saved
    extra = ([] if res.saved else [res.message]) + progress.notices()
    if extra:
        fb.message += "\n" + "\n".join(extra)
        fb.details["progress"] = extra


# ----------------------------------------------------------------------------
# order events


def order_exercise_id(event_ids: Iterable[str]) -> str:
    """The exercise id of an ordering exercise: ``order:`` and its ids, sorted."""
    return "order:" + ",".join(sorted(as_text(e, 200) for e in event_ids))


def _as_id_list(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [p for p in re.split(r"[\s,;]+", as_text(value, 4000)) if p]
    if isinstance(value, (list, tuple)) or (hasattr(value, "__iter__") and hasattr(value, "__len__")
                                             and not isinstance(value, (dict, bytes, set, frozenset))):
        try:
            return [as_text(v, 200).strip() for v in list(value)[:100]]
        except Exception:
            return None
    return None


def _check_event_ids(cat: _Catalog, event_ids: Any) -> tuple[list[str] | None, Feedback | None]:
    ids = _as_id_list(event_ids)
    if ids is None:
        return None, _invalid("Give the events as a list of event ids, e.g. "
                              "[\"1960-06-bucharest-meeting\", \"1960-11-moscow-conference\"].")
    if len(ids) < 2:
        return None, _invalid(f"An ordering exercise needs at least two events; it was given {len(ids)}.")
    unknown = [i for i in ids if i not in cat.events]
    if unknown:
        fb = _unknown("event", unknown[0], cat.events)
        if len(unknown) > 1:
            fb.message = (f"{len(unknown)} of these event ids are not in the course data: "
                          + ", ".join(f'"{u[:60]}"' for u in unknown[:5]) + ". " + fb.message)
        return None, fb
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        return None, _invalid("Each event may appear only once; repeated: " + ", ".join(f'"{d}"' for d in dup) + ".")
    return ids, None


def _event_line(cat: _Catalog, eid: str) -> str:
    e = cat.events[eid]
    said = f" (the source: “{e['date_text']}”)" if e.get("date_text") else ""
    return f"{e.get('title') or eid} — {_date_label(e)}{said}"


def _sort_key(cat: _Catalog, eid: str):
    from datetime import date

    s = cat.spans.get(eid)
    start = s.start if s and s.start else date.min
    end = s.end if s and s.end else date.max
    return (start, end, eid)


@_with_catalog
def check_order(cat: _Catalog, event_ids: Sequence[str], answer: Any, *, save: bool = False,
                lesson: Any = None) -> Feedback:
    """Check the order a learner put events in (earliest first), with partial credit.

    The score is the share of pairs of events in the right order. Two events
    whose dates overlap (as spans: an uncertain or approximate date covers
    every day it might be) cannot be told apart, so either order is right for
    that pair, and the feedback says why.

    Parameters
    ----------
    event_ids: the events of the exercise.
    answer: the same ids, earliest first (a list, or a string separated by commas).

    Examples
    --------
    >>> fb = check_order(["e00001", "e00002"], ["e00002", "e00001"])  # doctest: +SKIP
    >>> fb.score  # doctest: +SKIP
    0.0
    """
    ids, problem = _check_event_ids(cat, event_ids)
    if problem:
        return problem
    exercise = order_exercise_id(ids)
    truth = sorted(ids, key=lambda e: _sort_key(cat, e))
    expected = " → ".join(cat.events[e].get("title") or e for e in truth)
    given = _as_id_list(answer)
    if given is None or not given:
        return _invalid("Put the events in order: give the list of their ids, earliest first.",
                        exercise=exercise)
    # accept titles as well as ids
    titles = {normalise(cat.events[e].get("title", "")): e for e in ids}
    given = [g if g in ids else titles.get(normalise(g), g) for g in given]
    unknown = [g for g in given if g not in ids]
    if unknown:
        near = closest(unknown[0], ids)
        return _invalid(
            "Your order names " + ", ".join(f'"{u[:60]}"' for u in unknown[:3])
            + " which " + ("is" if len(unknown) == 1 else "are") + " not among this exercise's events"
            + (f" (did you mean {' or '.join(near)}?)" if near else "") + ".", exercise=exercise)
    dup = sorted({g for g in given if given.count(g) > 1})
    if dup:
        return _invalid("Each event goes in one place only; you placed "
                        + ", ".join(f'"{d}"' for d in dup) + " more than once.", exercise=exercise)
    if len(given) != len(ids):
        missing = [e for e in ids if e not in given]
        return _invalid(f"Place all {len(ids)} events; missing: " + ", ".join(f'"{m}"' for m in missing) + ".",
                        exercise=exercise)
    pos = {e: i for i, e in enumerate(given)}
    right = ties = 0
    wrong_pairs, tie_pairs = [], []
    total = 0
    for i, a in enumerate(truth):
        for b in truth[i + 1:]:
            total += 1
            sa, sb = cat.spans.get(a), cat.spans.get(b)
            if sa is not None and sb is not None and sa.overlaps(sb):
                ties += 1
                tie_pairs.append((a, b))
            elif pos[a] < pos[b]:
                right += 1
            else:
                wrong_pairs.append((a, b))
    score = (right + ties) / total if total else 1.0
    correct = not wrong_pairs
    lines = []
    if correct:
        lines.append(f"Yes: all {len(ids)} events are in order.")
    else:
        lines.append(f"{total - len(wrong_pairs)} of {total} pairs are in the right order ({round(score * 100)}%).")
        for a, b in wrong_pairs[:4]:
            ta, tb = cat.events[a].get("title") or a, cat.events[b].get("title") or b
            lines.append(f"You put “{tb}” ({_date_label(cat.events[b])}) before “{ta}”, "
                         f"but “{ta}” ({_date_label(cat.events[a])}) came first.")
        if len(wrong_pairs) > 4:
            lines.append(f"… and {len(wrong_pairs) - 4} more pairs the other way round.")
    lines.append("Your order, with each event's date:")
    for k, e in enumerate(given, 1):
        lines.append(f"{k}. {_event_line(cat, e)}")
    for a, b in tie_pairs:
        lines.append(
            f"“{cat.events[a].get('title') or a}” ({_date_label(cat.events[a])}) and "
            f"“{cat.events[b].get('title') or b}” ({_date_label(cat.events[b])}): their dates overlap, so "
            "the sources cannot say which came first; either order counts as right."
        )
    fb = Feedback(correct, "\n".join(lines), expected=expected, score=round(score, 4), exercise=exercise,
                  hint="" if correct else "Compare the dates above: an interval or an approximate date "
                                          "covers every day it might be.",
                  details={"order": given, "right_order": truth, "ties": [list(t) for t in tie_pairs]})
    if save:
        _save(cat, fb, lesson, ids, "order", given)
    return fb


# ----------------------------------------------------------------------------
# criticise a source


def prompts_for(target: str) -> list[str]:
    """Prompt ids for a source or a quote, in the order of the four heuristics.

    For a source: its own prompts and those of the quotes that cite it. For a
    quote: its own prompts and those of its source.
    """
    cat = _catalog()
    return _prompts_for(cat, _id_arg(target))


def _prompts_for(cat: _Catalog, target: str) -> list[str]:
    targets = {target}
    if target in cat.sources:
        targets |= {qid for qid, q in cat.quotes.items() if q.get("source") == target}
    elif target in cat.quotes:
        targets.add(cat.quotes[target].get("source", ""))
    found = [p for p in cat.prompts.values() if p.get("target") in targets]
    order = {h: i for i, h in enumerate(HEURISTICS)}
    found.sort(key=lambda p: (p.get("target") != target, order.get(p.get("heuristic"), 9), p["id"]))
    return [p["id"] for p in found]


def source_card(source_id: str) -> dict:
    """The facts of a source card, as data (the twin of the card in :func:`criticise`).

    ``source_id`` may be a source id or a quote id (then the quote's source).
    Returns a dict with ``id``, ``title``, ``what``, ``who``, ``when``,
    ``for_whom``, ``kept``, ``reaches_us``, ``keep_in_mind``, ``quotes`` and
    ``prompts``; or ``{"error": message}`` for an unknown id.
    """
    try:
        cat = _catalog()
    except Exception as exc:
        return {"error": _data_problem(exc)}
    return _card(cat, _id_arg(source_id))


def _card(cat: _Catalog, target: str) -> dict:
    quote = cat.quotes.get(target)
    sid = quote.get("source", "") if quote else target
    src = cat.sources.get(sid)
    if src is None and quote is None:
        return {"error": _unknown("source or quote", target, list(cat.sources) + list(cat.quotes)).message}
    card: dict[str, Any] = {"id": sid, "target": target, "prompts": _prompts_for(cat, target)}
    if src:
        kind = SOURCE_KINDS.get(src.get("kind", ""), (src.get("kind", ""), "", ""))
        creator = str(src.get("creator", ""))
        card.update({
            "title": src.get("title", sid),
            "what": kind[0],
            "who": _name(cat, creator) if creator in cat.people or creator in cat.orgs else (creator or "not known"),
            "when": _date_label(src) if src.get("date") else "undated",
            "for_whom": kind[1] or "not known",
            "kept": ", ".join(x for x in (src.get("archive"), src.get("reference")) if x) or "not stated",
            "reaches_us": f"cited in {_cite(cat, src)}",
            "keep_in_mind": " ".join(x for x in (src.get("reliability", ""), (kind[2][:1].upper() + kind[2][1:] + ".") if kind[2] else "") if x),
        })
    else:
        card.update({"title": sid, "what": "", "who": "", "when": "", "for_whom": "", "kept": "",
                     "reaches_us": "", "keep_in_mind": ""})
    qs = [quote] if quote else [q for q in cat.quotes.values() if q.get("source") == sid]
    card["quotes"] = [
        {"id": q["id"], "text": q.get("text", ""), "speaker": _name(cat, q["speaker"]), "date": _date_label(q),
         "hindsight": _hindsight(q), "cite": _cite(cat, q)} for q in qs
    ]
    return card


@_with_catalog
def check_prompt(cat: _Catalog, prompt_id: str, answer: Any, points: Any = None, *, save: bool = False,
                 lesson: Any = None) -> Feedback:
    """Compare a written answer with the model answer; score the points the learner says they made.

    Parameters
    ----------
    prompt_id: a prompt id from prompts.csv.
    answer: the learner's text. The model answer is given only after an attempt.
    points: which look-for points the answer made: their numbers (0-based) or texts.

    Examples
    --------
    >>> check_prompt("p-s-record-sourcing", "One side kept it.", points=[0]).score  # doctest: +SKIP
    0.5
    """
    pid = _id_arg(prompt_id)
    p = cat.prompts.get(pid)
    if p is None:
        return _unknown("prompt", prompt_id, cat.prompts)
    exercise = f"prompt:{pid}"
    text = as_text(answer, progress.MAX_STORED) if not isinstance(answer, (list, tuple, dict)) else ""
    if not text.strip():
        return _invalid("Write your answer first: the model answer appears after an attempt.", exercise=exercise)
    look = list(p.get("look_for") or [])
    chosen, bad = _parse_points(points, look)
    lines = [f"Model answer: {p.get('model_answer', '')}"]
    if look:
        lines.append("A good answer makes these points:")
        lines += [f"{'☑' if i in chosen else '☐'} {pt}" for i, pt in enumerate(look)]
    if bad:
        lines.append("Not among the points (ignored): " + ", ".join(str(b)[:40] for b in bad[:3]) + ".")
    score = len(chosen) / len(look) if look else 1.0
    if look:
        lines.append(f"You say your answer made {len(chosen)} of {len(look)} points.")
    fb = Feedback(bool(look) and len(chosen) == len(look) or not look, "\n".join(lines),
                  expected=p.get("model_answer", ""), score=round(score, 4), exercise=exercise,
                  hint="Tick the points your answer made." if look and not chosen else "",
                  details={"points": sorted(chosen), "look_for": look})
    if save:
        res = progress.save_answer(_lesson_for(cat, lesson, _events_of_target(cat, p.get("target", ""))),
                                   exercise, "prompt", {"text": text, "points": sorted(chosen)},
                                   score=fb.score, correct=fb.correct)
        _after_save(fb, res)
    return fb


def _parse_points(points: Any, look: list[str]) -> tuple[set[int], list[Any]]:
    chosen: set[int] = set()
    bad: list[Any] = []
    if points is None:
        return chosen, bad
    if isinstance(points, (str, int)) and not isinstance(points, bool):
        points = [points]
    try:
        items = list(points)[:50]
    except TypeError:
        return chosen, [points]
    keys = {normalise(t): i for i, t in enumerate(look)}
    for it in items:
        if isinstance(it, bool):
            bad.append(it)
        elif isinstance(it, int) and 0 <= it < len(look):
            chosen.add(it)
        elif isinstance(it, str) and normalise(it) in keys:
            chosen.add(keys[normalise(it)])
        else:
            bad.append(as_text(it, 40))
    return chosen, bad


def _events_of_target(cat: _Catalog, target: str) -> list[str]:
    if target in cat.quotes:
        return [cat.quotes[target].get("event", "")]
    return [q.get("event", "") for q in cat.quotes.values() if q.get("source") == target]


# ----------------------------------------------------------------------------
# quiz


def _norm_choice(x: Any) -> str:
    return normalise(x)


@_with_catalog
def check_quiz(cat: _Catalog, question_id: str, answer: Any, *, save: bool = False, lesson: Any = None) -> Feedback:
    """Check one "check your understanding" question from quiz.csv.

    ``single``: one of the choices (text; case, accents and spacing do not
    matter). ``multiple``: a list of choices (or one string separated by ``;``);
    partial credit is right picks minus wrong picks over the right ones.
    ``short``: a short text, compared with the accepted variants as names are
    (accents, case, spacing, a small typo forgiven).

    Examples
    --------
    >>> check_quiz("q00-albanian-archive-names", ["AQSH", "AMPJ", "AQU"]).correct  # doctest: +SKIP
    True
    """
    qid = _id_arg(question_id)
    row = cat.quiz.get(qid)
    if row is None:
        return _unknown("quiz question", question_id, cat.quiz)
    exercise = f"quiz:{qid}"
    kind = row.get("kind", "single")
    choices = list(row.get("choices") or [])
    accepted = list(row.get("answer") or [])
    cite = _cite(cat, row)
    explain = f"{row.get('feedback', '')} ({cite})"
    hint = f"Look at {cite}."
    by_key = {_norm_choice(c): c for c in choices}
    if kind == "multiple":
        if isinstance(answer, str):
            picked_raw = [a for a in answer.split(";")] if ";" in answer else [answer]
        elif isinstance(answer, (list, tuple, set, frozenset)):
            picked_raw = list(answer)[:50]
        else:
            picked_raw = None
        if not picked_raw or all(not _norm_choice(a) for a in picked_raw):
            return _invalid("Tick every choice you think is right (one or more).", hint=hint, exercise=exercise)
        picked, unknown = [], []
        for a in picked_raw:
            c = by_key.get(_norm_choice(a))
            if c is None:
                if _norm_choice(a):
                    unknown.append(as_text(a, 60))
            elif c not in picked:
                picked.append(c)
        if unknown:
            return _invalid("Not among the choices: " + ", ".join(f'"{u}"' for u in unknown[:3])
                            + ". The choices are: " + "; ".join(choices) + ".", hint=hint, exercise=exercise)
        right = set(accepted)
        hits = len(right & set(picked))
        false = len(set(picked) - right)
        score = max(0, hits - false) / len(right) if right else 0.0
        correct = set(picked) == right
        if correct:
            msg = f"Right. {explain}"
        else:
            msg = (f"Not quite: {hits} of your picks {'is' if hits == 1 else 'are'} right"
                   + (f", {false} {'is' if false == 1 else 'are'} not" if false else "")
                   + (f", and {len(right) - hits} right one{'s are' if len(right) - hits != 1 else ' is'} missing"
                      if len(right) - hits else "") + ".")
        fb = Feedback(correct, msg, expected="; ".join(accepted), hint="" if correct else hint,
                      score=round(score, 4), exercise=exercise, details={"picked": picked, "explanation": explain})
        saved_answer: Any = picked
    elif kind == "single":
        if isinstance(answer, (list, tuple)) and len(answer) == 1:
            answer = answer[0]
        if answer is None or isinstance(answer, (list, tuple, dict, set)) or not _norm_choice(answer):
            return _invalid("Choose one of the answers: " + "; ".join(choices) + ".", hint=hint, exercise=exercise)
        c = by_key.get(_norm_choice(answer))
        if c is None:
            return _invalid(f'"{as_text(answer, 60)}" is not one of the choices: ' + "; ".join(choices) + ".",
                            hint=hint, exercise=exercise)
        correct = c in accepted
        fb = Feedback(correct, f"Right. {explain}" if correct else f"Not quite: “{c}” is not the answer.",
                      expected=accepted[0] if accepted else "", hint="" if correct else hint,
                      score=1.0 if correct else 0.0, exercise=exercise, details={"picked": c, "explanation": explain})
        saved_answer = c
    else:  # short
        typed = as_text(answer, MAX_ANSWER) if not isinstance(answer, (list, tuple, dict, set)) else ""
        key = _norm_choice(typed)
        if not key:
            return _invalid("Type a short answer.", hint=hint, exercise=exercise)
        variants = [_norm_choice(a) for a in accepted]
        key2 = re.sub(r"^(?:the|a|an) ", "", key)
        digits = re.sub(r"\D", "", key2)
        correct = any(
            key == v or key2 == re.sub(r"^(?:the|a|an) ", "", v)
            or (close_enough(key2, v) and digits == re.sub(r"\D", "", v))  # typos, but not in numbers
            for v in variants if v
        )
        fb = Feedback(correct, f"Right. {explain}" if correct else f"Not quite: “{typed[:60]}” is not what the sources say.",
                      expected=accepted[0] if accepted else "", hint="" if correct else hint,
                      score=1.0 if correct else 0.0, exercise=exercise, details={"explanation": explain})
        saved_answer = typed
    if save:
        res = progress.save_answer(_lesson_id(lesson) if lesson not in (None, "") else row["lesson"], exercise,
                                   f"quiz-{kind}", saved_answer, score=fb.score, correct=fb.correct)
        _after_save(fb, res)
    return fb


# ----------------------------------------------------------------------------
# exercise ids a lesson offers (used by helpers.progress for completion)


def exercise_ids(function: str, args: tuple) -> set[str]:
    """The exercise ids a widget call creates: ``exercise_ids("who_said_it", ("q-x",))``."""
    try:
        cat = _catalog()
    except Exception:
        return set()
    if not args:
        return set()
    first = args[0]
    if function == "who_said_it":
        return {f"speaker:{first}", f"chain:{first}"}
    if function == "order_events":
        ids = _as_id_list(first)
        return {order_exercise_id(ids)} if ids else set()
    if function == "criticise":
        return {f"prompt:{p}" for p in _prompts_for(cat, _id_arg(first))}
    if function == "quiz":
        lesson = _lesson_id(first)
        return {f"quiz:{q}" for q, row in cat.quiz.items() if row["lesson"] == lesson}
    return set()


# ----------------------------------------------------------------------------
# widgets


def _w():
    import ipywidgets as widgets

    return widgets


def _message_box(text: str) -> VBox:
    w = _w()
    return w.VBox([w.HTML(f"<div role='alert'><p>{html.escape(text)}</p></div>")])


def _notice_html() -> str:
    return "".join(f"<p role='alert'>⚠ {html.escape(n)}</p>" for n in progress.notices())


def _restored_html(rec: dict) -> str:
    when = str(rec.get("timestamp", ""))[:16].replace("T", " ")
    return f"<p><i>Saved answer restored{(' (' + html.escape(when) + ' UTC)') if when else ''}.</i></p>"


def _safe(callback: Callable, out) -> Callable:
    """Wrap a widget callback: any error becomes a one-sentence message in ``out``."""
    def run(*args: Any) -> None:
        try:
            callback(*args)
        except Exception as exc:
            out.value = (f"<p role='alert'>Sorry: something went wrong ({html.escape(type(exc).__name__)}: "
                         f"{html.escape(as_text(exc, 200))}). Your earlier answers are safe.</p>")
    return run


_INTRO_SHOWN = False


def _learner_intro():
    """The name box, shown once per kernel, and only until a name is kept in the progress file."""
    global _INTRO_SHOWN
    if progress.has_learner() or _INTRO_SHOWN:
        return []
    _INTRO_SHOWN = True
    w = _w()
    return [w.HTML("<p>Your answers are saved as you go. First, how should we call you?</p>"),
            progress.name_widget()]


def _guard_widget(build: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any):
        try:
            cat = _catalog()
        except Exception as exc:
            return _message_box(_data_problem(exc))
        try:
            progress.learner()  # reads the progress file first, so a problem with it is reported below
            return build(cat, *args, **kwargs)
        except Exception as exc:  # never a traceback in a lesson
            return _message_box(f"Sorry: this exercise could not be shown ({type(exc).__name__}: {as_text(exc, 200)}).")
    return _public(run, build)


def _redact(cat: _Catalog, text: str, speaker: str) -> str:
    """Hide the speaker's names in the occasion text, so it does not give the answer away."""
    names = set()
    if speaker in cat.people:
        p = cat.people[speaker]
        names |= {p.get("name", "")} | set(p.get("aliases") or [])
        if p.get("name"):
            names.add(p["name"].split()[-1])
    elif speaker in cat.orgs:
        o = cat.orgs[speaker]
        names |= {o.get("name", ""), o.get("abbreviation", "")}
    names = sorted((n for n in names if n and len(n) >= 3), key=len, reverse=True)
    if not names:
        return text
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(['’]s)?(?!\w)", re.I)
    return pattern.sub(lambda m: "[the speaker]" + (m.group(1) or ""), text)


@_guard_widget
def who_said_it(cat: _Catalog, quote_id: str, *, lesson: Any = None) -> VBox:
    """Who said it, and how do we know? A two-step exercise on one quotation.

    Shows the quotation and its occasion, asks who said it (the speaker among
    three others, in an order fixed per learner), then through whom the words
    reach us. Answers are saved at once and restored when the lesson reopens.
    Twins: :func:`check_speaker`, :func:`check_chain`.

    Examples
    --------
    >>> who_said_it("q-khrushchev-remove-base")  # doctest: +SKIP
    """
    w = _w()
    qid = _id_arg(quote_id)
    q = cat.quotes.get(qid)
    if q is None:
        return _message_box(_unknown("quote", quote_id, cat.quotes).message)
    event = cat.events.get(q.get("event", ""), {})
    occasion = _redact(cat, q.get("context", ""), q["speaker"])
    ev = ""
    if event:
        ev = f" — {html.escape(_redact(cat, event.get('title', ''), q['speaker']))} ({html.escape(_date_label(event))})"
    src = cat.sources.get(q.get("source", ""), {})
    head = w.HTML(
        f"{_notice_html()}<blockquote style='font-size:1.1em;border-left:4px solid #999;padding-left:0.8em'>"
        f"“{html.escape(q.get('text', ''))}”</blockquote>"
        f"<p><b>Occasion:</b> {html.escape(occasion)}{ev}</p>"
    )
    learner_name = progress.learner()
    # step 1: who
    options = speaker_choices(qid, learner_name)
    who = w.RadioButtons(options=options, value=None, description="Who said it?",
                         style={"description_width": "initial"}, layout=w.Layout(width="auto"))
    check1 = w.Button(description="Check who", tooltip="Check who said it", button_style="primary")
    out1 = w.HTML()
    show1 = w.Button(description="Show the answer", tooltip="Show who said it, and how we know",
                     layout=w.Layout(display="none"))
    # step 2: how do we know
    chains = chain_choices(qid, learner_name)
    how = w.RadioButtons(options=[(lab, i) for i, (lab, _) in enumerate(chains)], value=None,
                         description="How do we know?", style={"description_width": "initial"},
                         layout=w.Layout(width="auto"))
    check2 = w.Button(description="Check how", tooltip="Check through whom the words reach us", button_style="primary")
    out2 = w.HTML()
    record = html.escape(src.get("title") or q.get("source", ""))
    step2 = w.HTML(f"<p><b>How do we know?</b> The words are held in <i>{record}</i>. "
                   "Through whom do they reach that record?</p>")

    def do1(_=None):
        if who.value is None:
            out1.value = "<p role='status'>Choose a name first.</p>"
            return
        fb = check_speaker(qid, who.value, save=True, lesson=lesson)
        out1.value = fb.html()
        show1.layout.display = "none" if fb.correct else ""

    def do_show(_=None):
        lines = [f"The speaker: {_who_is(cat, q['speaker'])}."] + _quote_story(cat, q)[1:]
        out1.value = Feedback(True, "\n".join(lines)).html().replace("✓ ", "")

    def do2(_=None):
        if how.value is None:
            out2.value = "<p role='status'>Choose one first.</p>"
            return
        fb = check_chain(qid, list(chains[how.value][1]), save=True, lesson=lesson)
        out2.value = fb.html()

    check1.on_click(_safe(do1, out1))
    show1.on_click(_safe(do_show, out1))
    check2.on_click(_safe(do2, out2))
    restored = []
    rec = progress.saved_answer(f"speaker:{qid}")
    if rec and rec.get("answer") in [i for _, i in options]:
        who.value = rec["answer"]
        fb = check_speaker(qid, who.value)
        out1.value = _restored_html(rec) + fb.html()
        show1.layout.display = "none" if fb.correct else ""
        restored.append("speaker")
    rec = progress.saved_answer(f"chain:{qid}")
    if rec and isinstance(rec.get("answer"), list):
        saved_path = tuple(rec["answer"])
        for i, (_, path) in enumerate(chains):
            if path == saved_path:
                how.value = i
                out2.value = _restored_html(rec) + check_chain(qid, list(path)).html()
    return w.VBox(_learner_intro() + [head, who, w.HBox([check1, show1]), out1, step2, how, check2, out2])


@_guard_widget
def order_events(cat: _Catalog, event_ids: Sequence[str], *, lesson: Any = None) -> VBox:
    """Put 4 to 8 events in order, earliest first.

    Each event gets a drop-down of positions (1 = earliest), usable from the
    keyboard. Checking gives partial credit and each event's date; events whose
    dates overlap count as right in either order. Twin: :func:`check_order`.

    Examples
    --------
    >>> order_events(["1960-06-bucharest-meeting", "1960-11-moscow-conference",
    ...               "1961-10-22nd-congress", "1961-12-break"])  # doctest: +SKIP
    """
    w = _w()
    ids, problem = _check_event_ids(cat, event_ids)
    if problem:
        return _message_box(problem.message)
    if not 4 <= len(ids) <= 8:
        return _message_box(f"An ordering exercise takes 4 to 8 events; it was given {len(ids)}.")
    shown = list(ids)
    _seed_rng(progress.learner(), order_exercise_id(ids), "order").shuffle(shown)
    if shown == sorted(ids, key=lambda e: _sort_key(cat, e)) and len(shown) > 1:
        shown = shown[1:] + shown[:1]  # never show them already in order
    n = len(ids)
    opts = [("choose…", 0)] + [(f"{k}" + (" (earliest)" if k == 1 else " (latest)" if k == n else ""), k)
                               for k in range(1, n + 1)]
    drops = {}
    rows = []
    for e in shown:
        title = cat.events[e].get("title") or e
        d = w.Dropdown(options=opts, value=0, description=title if len(title) <= 70 else title[:67] + "…",
                       tooltip=title, style={"description_width": "65%"}, layout=w.Layout(width="95%"))
        drops[e] = d
        rows.append(d)
    check = w.Button(description="Check order", tooltip="Check the order you chose", button_style="primary")
    out = w.HTML()

    def do(_=None):
        positions = {e: d.value for e, d in drops.items()}
        if any(v == 0 for v in positions.values()):
            out.value = "<p role='status'>Give every event a position (1 = earliest).</p>"
            return
        used = [v for v in positions.values()]
        twice = sorted({v for v in used if used.count(v) > 1})
        if twice:
            out.value = (f"<p role='status'>Each position is used once; position{'s' if len(twice) > 1 else ''} "
                         f"{', '.join(map(str, twice))} {'are' if len(twice) > 1 else 'is'} given twice.</p>")
            return
        answer = sorted(positions, key=positions.get)
        out.value = check_order(ids, answer, save=True, lesson=lesson).html()

    check.on_click(_safe(do, out))
    rec = progress.saved_answer(order_exercise_id(ids))
    if rec and isinstance(rec.get("answer"), list) and sorted(rec["answer"]) == sorted(ids):
        for k, e in enumerate(rec["answer"], 1):
            drops[e].value = k
        out.value = _restored_html(rec) + check_order(ids, rec["answer"]).html()
    intro = w.HTML(f"{_notice_html()}<p><b>Put these events in order.</b> Give each a position, "
                   "1 for the earliest.</p>")
    return w.VBox(_learner_intro() + [intro] + rows + [check, out])


def _card_html(card: dict) -> str:
    e = html.escape
    rows = [
        ("What it is", f"{card['title']}" + (f" — {card['what']}" if card.get("what") else "")),
        ("Who made it", card.get("who", "")),
        ("When", card.get("when", "")),
        ("For whom (usually, for this kind of record)", card.get("for_whom", "")),
        ("Where it is kept", card.get("kept", "")),
        ("How it reaches us", card.get("reaches_us", "")),
        ("What to keep in mind", card.get("keep_in_mind", "")),
    ]
    body = "".join(f"<dt><b>{e(k)}</b></dt><dd>{e(str(v))}</dd>" for k, v in rows if v)
    quotes = "".join(
        f"<li>“{e(q['text'])}” — {e(q['speaker'])}, {e(q['date'])} ({e(q['cite'])})"
        + (f"<br><small>{e(q['hindsight'])}</small>" if q.get("hindsight") else "") + "</li>"
        for q in card.get("quotes", [])
    )
    if quotes:
        body += f"<dt><b>Words it holds, quoted in the course</b></dt><dd><ul>{quotes}</ul></dd>"
    return f"<section aria-label='Source card'><h4>Source card</h4><dl>{body}</dl></section>"


@_guard_widget
def criticise(cat: _Catalog, source_id: str, *, lesson: Any = None) -> VBox:
    """A source card, then the four historian's questions about the source.

    ``source_id`` is a source id (sources.csv) or a quote id (then its source).
    Each prompt has a text box; after an attempt the model answer and its
    points appear, and the learner ticks the points they made. Everything is
    saved at once. Twins: :func:`source_card`, :func:`check_prompt`.

    Examples
    --------
    >>> criticise("kapo-hoxha-1960-06-24")  # doctest: +SKIP
    """
    w = _w()
    target = _id_arg(source_id)
    card = _card(cat, target)
    if "error" in card:
        return _message_box(card["error"])
    parts = _learner_intro() + [w.HTML(_notice_html() + _card_html(card))]
    if not card["prompts"]:
        parts.append(w.HTML("<p>There are no questions about this source yet.</p>"))
    for pid in card["prompts"]:
        parts.append(_prompt_box(cat, pid, lesson))
    return w.VBox(parts)


def _save_status(fb: Feedback, ok: str) -> str:
    notes = fb.details.get("progress", [])
    head = f"<p role='status'>{html.escape(ok)}</p>" if fb.saved else ""
    if not fb.valid:
        head = f"<p role='alert'>{html.escape(fb.message.splitlines()[0])}</p>"
    return head + "".join(f"<p role='alert'>⚠ {html.escape(n)}</p>" for n in notes)


def _prompt_box(cat: _Catalog, pid: str, lesson: Any) -> VBox:
    w = _w()
    p = cat.prompts[pid]
    label, gloss = HEURISTIC_TEXT.get(p.get("heuristic", ""), (p.get("heuristic", ""), ""))
    head = w.HTML(f"<h4>{html.escape(label)}</h4><p><i>{html.escape(gloss)}</i></p>"
                  f"<p>{html.escape(p.get('prompt', ''))}</p>")
    text = w.Textarea(description="Your answer", placeholder="Write a few sentences…",
                      style={"description_width": "initial"}, layout=w.Layout(width="95%", height="7em"))
    button = w.Button(description="Save and compare", tooltip="Save your answer and see the model answer",
                      button_style="primary")
    status = w.HTML()
    model = w.HTML()
    look = list(p.get("look_for") or [])
    ticks = [w.Checkbox(value=False, description=pt, indent=False, layout=w.Layout(width="95%")) for pt in look]
    reveal = w.VBox([model, w.HTML("<p>Tick the points your answer made:</p>")] + ticks,
                    layout=w.Layout(display="none"))

    def points() -> list[int]:
        return [i for i, t in enumerate(ticks) if t.value]

    def do(_=None):
        if not text.value.strip():
            status.value = "<p role='status'>Write your answer first: the model answer appears after an attempt.</p>"
            return
        fb = check_prompt(pid, text.value, points(), save=True, lesson=lesson)
        status.value = _save_status(fb, "Saved.")
        model.value = f"<p><b>Model answer:</b> {html.escape(p.get('model_answer', ''))}</p>"
        reveal.layout.display = ""

    def ticked(_=None):
        if reveal.layout.display == "none" or not text.value.strip():
            return
        fb = check_prompt(pid, text.value, points(), save=True, lesson=lesson)
        status.value = _save_status(fb, f"Saved: your answer made {len(points())} of {len(look)} points.")

    button.on_click(_safe(do, status))
    rec = progress.saved_answer(f"prompt:{pid}")
    if rec and isinstance(rec.get("answer"), dict):
        text.value = str(rec["answer"].get("text", ""))
        for i in rec["answer"].get("points", []) or []:
            if isinstance(i, int) and 0 <= i < len(ticks):
                ticks[i].value = True
        model.value = f"<p><b>Model answer:</b> {html.escape(p.get('model_answer', ''))}</p>"
        reveal.layout.display = ""
        status.value = _restored_html(rec)
    for t in ticks:  # observe after restoring, so restoring does not save again
        t.observe(_safe(ticked, status), "value")
    return w.VBox([head, text, button, status, reveal])


@_guard_widget
def quiz(cat: _Catalog, lesson: Any) -> VBox:
    """The lesson's "check your understanding" questions (quiz.csv).

    Single choice as radio buttons, multiple choice as tick boxes, short
    answers as a text box; each question has its own Check button and
    feedback, and answers are saved at once. Twin: :func:`check_quiz`.

    Examples
    --------
    >>> quiz("00")  # doctest: +SKIP
    """
    w = _w()
    lid = _lesson_id(lesson)
    if lid not in cat.lessons:
        near = closest(lid, cat.lessons)
        return _message_box(f'There is no lesson "{lid}".' + (f" Did you mean {' or '.join(near)}?" if near else ""))
    rows = [r for r in cat.quiz.values() if r["lesson"] == lid]
    if not rows:
        return _message_box(f"Lesson {lid} has no check-your-understanding questions yet.")
    parts = _learner_intro() + [w.HTML(f"{_notice_html()}<h4>Check your understanding</h4>")]
    for k, row in enumerate(rows, 1):
        parts.append(_quiz_box(cat, row, k, len(rows)))
    return w.VBox(parts)


def _quiz_box(cat: _Catalog, row: dict, k: int, n: int) -> VBox:
    w = _w()
    qid, kind = row["id"], row.get("kind", "single")
    choices = list(row.get("choices") or [])
    head = w.HTML(f"<p><b>Question {k} of {n}.</b> {html.escape(row.get('question', ''))}</p>")
    out = w.HTML()
    show = w.Button(description="Show the answer", tooltip="Show the answer and why",
                    layout=w.Layout(display="none"))
    boxes: list = []
    if kind == "single":
        field_w = w.RadioButtons(options=choices, value=None, description="Your answer",
                                 style={"description_width": "initial"}, layout=w.Layout(width="auto"))
        get = lambda: field_w.value  # noqa: E731
        body = [field_w]
    elif kind == "multiple":
        boxes = [w.Checkbox(value=False, description=c, indent=False) for c in choices]
        get = lambda: [b.description for b in boxes if b.value]  # noqa: E731
        body = [w.HTML("<p>Tick all that apply:</p>")] + boxes
    else:
        field_w = w.Text(description="Your answer", placeholder="a short answer",
                         style={"description_width": "initial"}, layout=w.Layout(width="60%"))
        get = lambda: field_w.value  # noqa: E731
        body = [field_w]
    check = w.Button(description="Check", tooltip=f"Check your answer to question {k}", button_style="primary")

    def do(_=None):
        value = get()
        if value is None or value == [] or (isinstance(value, str) and not value.strip()):
            out.value = "<p role='status'>Give an answer first.</p>"
            return
        fb = check_quiz(qid, value, save=True)
        out.value = fb.html()
        show.layout.display = "" if fb.valid and not fb.correct else "none"

    def do_show(_=None):
        expl = check_quiz(qid, row.get("answer") if kind == "multiple" else (row.get("answer") or [""])[0])
        out.value = (f"<p><b>Answer:</b> {html.escape('; '.join(row.get('answer') or []))}</p>"
                     f"<p>{html.escape(expl.details.get('explanation', ''))}</p>")

    check.on_click(_safe(do, out))
    show.on_click(_safe(do_show, out))
    rec = progress.saved_answer(f"quiz:{qid}")
    if rec is not None:
        a = rec.get("answer")
        try:
            if kind == "multiple" and isinstance(a, list):
                for b in boxes:
                    b.value = b.description in a
            elif kind == "single" and a in choices:
                field_w.value = a
            elif kind == "short" and isinstance(a, str):
                field_w.value = a
            fb = check_quiz(qid, a)
            out.value = _restored_html(rec) + fb.html()
            show.layout.display = "" if fb.valid and not fb.correct else "none"
        except Exception:
            out.value = _restored_html(rec)
    return w.VBox([head] + body + [w.HBox([check, show]), out])
