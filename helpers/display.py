"""What a lesson shows between its paragraphs: quotations, cards, glossary, links.

Every function returns a small object that a notebook displays as HTML and
that prints as plain text (the same content, for screen readers, terminals and
tests). All text from the data is HTML-escaped, so a row holding ``<b>`` shows
``<b>`` literally.

Examples
--------
>>> card = lesson_card("00")
>>> "Start here" in card.text
True
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from .data import load, row, unknown_id_message
from .dates import hindsight_note

__all__ = [
    "Shown", "cite", "name_of", "show_quote", "show_quotes", "quote_attribution", "lesson_card",
    "glossary", "next_lesson", "show_discrepancy", "discrepancies_table", "claims_table", "figures_table",
]

NOTEBOOK = "{id}_{slug}.ipynb"


@dataclass(frozen=True)
class Shown:
    """Something a lesson displays: HTML for the notebook, plain text for everyone else."""

    html: str
    text: str

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _work_short(work_id: str) -> str:
    """'Marku (2019)' or 'Selivanov' for a work id."""
    works = load("works").set_index("id")
    if work_id not in works.index:
        return work_id
    w = works.loc[work_id]
    authors = str(w["authors"])
    first = authors.split(";")[0].split(" and ")[0].split("&")[0].strip()
    surname = first.split(",")[0].strip() if "," in first else first.split()[-1]
    if "Hồ" in first or "Ho Chi" in first:
        surname = first
    more = " et al." if (";" in authors or " and " in authors or "&" in authors) else ""
    year = w["year"]
    return f"{surname}{more} ({int(year)})" if pd.notna(year) else f"{surname}{more}"


def cite(work_id: str, locator: str) -> str:
    """A citation a reader can follow: 'Marku (2019), note 75' or 'Selivanov, §Meeting in Pitsunda ¶2'.

    >>> cite("marku-2019", "n75")
    'Marku (2019), note 75'
    """
    loc = str(locator)
    if loc.startswith("n") and loc[1:].isdigit():
        loc = f"note {loc[1:]}"
    return f"{_work_short(work_id)}, {loc}"


def name_of(id_: str) -> str:
    """The name of a person or organization id, as the articles spell it (the id itself if unknown)."""
    people = load("people").set_index("id")
    if id_ in people.index:
        return str(people.loc[id_, "name"])
    orgs = load("organizations").set_index("id")
    if id_ in orgs.index:
        return str(orgs.loc[id_, "name"])
    return id_


def _names(ids: list[str]) -> str:
    names = [name_of(i) for i in ids]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def quote_attribution(quote_id: str) -> dict[str, str]:
    """Who said it, to whom, when, how it reaches us, and where it is cited, as plain strings."""
    q = row("quotes", quote_id)
    chain = list(q["reported_by"])
    source_title, creator = "", ""
    sources = load("sources").set_index("id")
    if q["source"] in sources.index:
        source_title = str(sources.loc[q["source"], "title"])
        creator = str(sources.loc[q["source"], "creator"] or "")
    if chain:
        how = "Reported by " + " → ".join(name_of(c) for c in chain)
        how += f"; recorded in: {source_title}" if source_title else ""
    elif creator == q["speaker"]:
        how = f"First-hand, in the speaker's own record: {source_title}"
    else:
        how = f"Recorded in: {source_title} (the article names no one in between)" if source_title else \
            "The article names no record and no one in between"
    return {
        "speaker": name_of(q["speaker"]),
        "addressee": _names(list(q["addressee"])),
        "date": q["date_label"],
        "looks_back": hindsight_note(q["date_label"], str(q.get("looks_back_to_label") or "")),
        "how": how,
        "cite": cite(q["work"], q["locator"]),
        "context": str(q["context"]),
        "text": str(q["text"]),
    }


def show_quote(quote_id: str) -> Shown:
    """A quotation with speaker, addressee, date, chain of transmission and note.

    The words come from ``quotes.csv`` exactly as printed in the article; the
    lesson never retypes them.
    """
    a = quote_attribution(quote_id)
    to = f" to {a['addressee']}" if a["addressee"] else ""
    line = f"— {a['speaker']}{to}, {a['date']}"
    back = f"\n{a['looks_back']}" if a["looks_back"] else ""
    text = f"“{a['text']}”\n{line}{back}\n{a['how']}.\nSource: {a['cite']}. Context: {a['context']}"
    back_html = ""
    if a["looks_back"]:
        label, _, rest = a["looks_back"].partition(": ")
        back_html = f'<br><span class="ca-hindsight"><strong>{_e(label)}:</strong> {_e(rest)}</span>'
    body = (
        '<figure class="ca-quote" style="margin:0.8em 0;padding:0.6em 1em;border-left:4px solid #0072B2;'
        'background:rgba(0,114,178,0.06)">'
        f'<blockquote style="margin:0;font-size:1.05em">“{_e(a["text"])}”</blockquote>'
        f'<figcaption style="margin-top:0.4em">{_e(line)}{back_html}<br>'
        f'<small>{_e(a["how"])}. Source: {_e(a["cite"])}.</small><br>'
        f'<small><em>Context:</em> {_e(a["context"])}</small></figcaption></figure>'
    )
    return Shown(body, text)


def show_quotes(quote_ids: list[str]) -> Shown:
    """Several quotations, one after another."""
    shown = [show_quote(q) for q in quote_ids]
    return Shown("".join(s.html for s in shown), "\n\n".join(s.text for s in shown))


def lesson_card(lesson_id: str) -> Shown:
    """Title, period, time and what a learner will be able to do, from ``lessons.csv``."""
    les = row("lessons", lesson_id)
    text = (
        f"Lesson {les['id']}: {les['title']}\nPeriod: {les['period_label']} · "
        f"Time: about {les['minutes']} minutes\nAfter this lesson you will be able to: {les['objectives']}"
    )
    body = (
        '<div class="ca-card" style="border:1px solid #999;border-radius:6px;padding:0.6em 1em;margin:0.5em 0">'
        f'<strong>Lesson {_e(les["id"])}: {_e(les["title"])}</strong><br>'
        f'Period: {_e(les["period_label"])} · Time: about {_e(les["minutes"])} minutes<br>'
        f'<em>After this lesson you will be able to:</em> {_e(les["objectives"])}</div>'
    )
    return Shown(body, text)


def glossary(*terms: str) -> Shown:
    """The glossary entries for ``terms`` (all of them when none is given)."""
    g = load("glossary")
    if terms:
        known = dict(zip(g["term"].str.lower(), g.index))
        picked, missing = [], []
        for t in terms:
            idx = known.get(str(t).lower())
            (picked if idx is not None else missing).append(idx if idx is not None else t)
        if missing:
            return Shown(
                "<p>" + _e(" ".join(unknown_id_message("glossary term", m, g["term"], "glossary") for m in missing)) + "</p>",
                " ".join(unknown_id_message("glossary term", m, g["term"], "glossary") for m in missing),
            )
        g = g.loc[picked]
    rows_html = "".join(
        f"<tr><th style='text-align:left'>{_e(r.term)}</th><td style='text-align:left'>{_e(r.expansion)}</td>"
        f"<td style='text-align:left'>{_e(r.definition)}</td></tr>"
        for r in g.itertuples()
    )
    text = "\n".join(f"{r.term}" + (f" ({r.expansion})" if r.expansion else "") + f": {r.definition}" for r in g.itertuples())
    body = (
        "<table class='ca-glossary'><thead><tr><th>Term</th><th>Stands for</th><th>Meaning</th></tr></thead>"
        f"<tbody>{rows_html}</tbody></table>"
    )
    return Shown(body, text)


def next_lesson(lesson_id: str) -> Shown:
    """Links to the previous lesson, the contents and the next lesson."""
    lessons = load("lessons").reset_index(drop=True)
    ids = list(lessons["id"])
    if lesson_id not in ids:
        msg = unknown_id_message("lesson", lesson_id, ids, "lessons")
        return Shown(f"<p>{_e(msg)}</p>", msg)
    i = ids.index(lesson_id)
    parts_html, parts_text = [], []
    if i > 0:
        p = lessons.iloc[i - 1]
        f = NOTEBOOK.format(id=p["id"], slug=p["slug"])
        parts_html.append(f'<a href="{_e(f)}">← {_e(p["id"])} {_e(p["title"])}</a>')
        parts_text.append(f"Previous: {p['id']} {p['title']} ({f})")
    parts_html.append('<a href="README.md">Contents</a>')
    parts_text.append("Contents: README.md")
    if i + 1 < len(ids):
        n = lessons.iloc[i + 1]
        f = NOTEBOOK.format(id=n["id"], slug=n["slug"])
        parts_html.append(f'<a href="{_e(f)}"><strong>Next: {_e(n["id"])} {_e(n["title"])} →</strong></a>')
        parts_text.append(f"Next: {n['id']} {n['title']} ({f})")
    else:
        parts_html.append("<strong>This is the last lesson.</strong>")
        parts_text.append("This is the last lesson.")
    return Shown('<p class="ca-nav">' + " · ".join(parts_html) + "</p>", "\n".join(parts_text))


def show_discrepancy(discrepancy_id: str) -> Shown:
    """Two claims side by side, each with its citation, and why a student should care."""
    d = row("discrepancies", discrepancy_id)

    def side(claim: str, ref: str) -> tuple[str, str]:
        work, _, loc = ref.partition(":")
        return claim, cite(work, loc)

    (ca, sa), (cb, sb) = side(d["claim_a"], d["cite_a"]), side(d["claim_b"], d["cite_b"])
    kind = {"between-sources": "Two sources disagree", "within-source": "A source disagrees with itself",
            "reliability": "A warning about a source"}.get(d["kind"], d["kind"])
    topic = str(d["topic"]).replace("-", " ") if " " not in str(d["topic"]) else str(d["topic"])
    text = f"{kind}: {topic}\nA: {ca} ({sa})\nB: {cb} ({sb})\nWhy it matters: {d['teaching_note']}"
    cell = "style='vertical-align:top;text-align:left;padding:0.4em;border:1px solid #ccc;width:50%'"
    body = (
        f"<div class='ca-discrepancy'><strong>{_e(kind)}: {_e(topic)}</strong>"
        f"<table style='width:100%;border-collapse:collapse'><tr><td {cell}>{_e(ca)}<br><small>{_e(sa)}</small></td>"
        f"<td {cell}>{_e(cb)}<br><small>{_e(sb)}</small></td></tr></table>"
        f"<p><em>Why it matters:</em> {_e(d['teaching_note'])}</p></div>"
    )
    return Shown(body, text)


def discrepancies_table(lesson: str | None = None) -> pd.DataFrame:
    """The discrepancies (of one lesson, or all) as a table with readable citations."""
    d = load("discrepancies")
    if lesson is not None:
        d = d[d["lesson"] == lesson]
    out = pd.DataFrame({
        "id": d["id"], "topic": d["topic"], "kind": d["kind"],
        "claim A": d["claim_a"], "cited A": [cite(*c.split(":", 1)) for c in d["cite_a"]],
        "claim B": d["claim_b"], "cited B": [cite(*c.split(":", 1)) for c in d["cite_b"]],
        "lesson": d["lesson"],
    })
    return out.reset_index(drop=True)


def claims_table(topic: str | None = None) -> pd.DataFrame:
    """Historians' claims (on one topic, or all) with how the seed article treats each."""
    c = load("claims")
    if topic is not None:
        c = c[c["topic"] == topic]
    return pd.DataFrame({
        "historian": [_work_short(h) for h in c["historian"]], "claim": c["claim"], "topic": c["topic"],
        "treated by the article as": c["stance"], "cited": [cite(w, loc) for w, loc in zip(c["work"], c["locator"])],
    }).reset_index(drop=True)


def figures_table(event: str | None = None, lesson: str | None = None) -> pd.DataFrame:
    """Quantities the articles give, with their own words beside each number."""
    f = load("figures")
    if event is not None:
        f = f[f["event"] == event]
    if lesson is not None:
        ev = load("events")
        f = f[f["event"].isin(ev.loc[ev["lesson"] == lesson, "id"])]
    return pd.DataFrame({
        "what": f["what"], "value": f["value"], "about?": f["approximate"], "the article's words": f["value_text"],
        "unit": f["unit"], "when": f["date_label"], "cited": [cite(w, loc) for w, loc in zip(f["work"], f["locator"])],
    }).reset_index(drop=True)
