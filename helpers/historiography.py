"""Historians and their sources: the discrepancy explorer, the argument map and the guided essay.

The capstone lesson (10) asks three things of a learner: to weigh the records
behind the two articles where they disagree, to see how the articles argue
with other historians, and to answer a question of their own from the
evidence. Each interactive thing here has a plain twin:

====================================  ==========================================
widget or figure                      plain twin
====================================  ==========================================
``explore_discrepancies(...)``        ``find_discrepancies(...)`` (DataFrame),
                                      ``discrepancy_dossier(id)`` (Shown),
                                      ``discrepancy_evidence(id)`` (DataFrame)
``argument_map(...)`` (plotly)        ``argument_table(...)`` (DataFrame)
``write_essay()``                     ``check_essay(thesis, evidence_ids, text)``
                                      (Feedback), ``essay_evidence()``
                                      (DataFrame), ``model_essay()`` (Shown)
====================================  ==========================================

Nothing a learner types raises: odd input (``None``, numbers, 10 kB of text,
emoji, unknown ids) gets a message. Text from the data is HTML-escaped before
it is shown. The essay is saved through :mod:`helpers.progress` like every
other answer (exercise id ``essay:10-why-break``) and restored when the lesson
is reopened.

Examples
--------
>>> table = find_discrepancies(kind="reliability")
>>> set(table["kind"]) == {"reliability"}
True
>>> fb = check_essay("power", ["q-malinovskii-going-away", "c-mehilli-2017-no-intraparty-struggle",
...                            "c-marku-2019-commander-reputation"], "A short argument.")
>>> fb.valid, fb.correct
(True, False)
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd

from . import progress
from .data import load, unknown_id_message
from .display import Shown, cite, name_of, show_discrepancy
from .exercises import Feedback
from .matching import as_text

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from ipywidgets import VBox

__all__ = [
    "find_discrepancies", "discrepancy_evidence", "discrepancy_dossier", "explore_discrepancies",
    "argument_map", "argument_table", "ESSAY_QUESTION", "THESES", "ESSAY_EVIDENCE", "essay_evidence",
    "check_essay", "write_essay", "model_essay", "saved_essay",
]

LESSON = "10"
ESSAY_EXERCISE = "essay:10-why-break"
#: longest argument kept (characters); a longer one is cut and the learner told so
MAX_ESSAY = 6000
MIN_ITEMS, MAX_ITEMS = 3, 6
KINDS = ("between-sources", "within-source", "reliability")


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _ref(ref: str) -> str:
    """A ``work:locator`` reference as a readable citation."""
    work, _, loc = str(ref).partition(":")
    return cite(work, loc)


def _choices(value: Any) -> list[str] | None:
    """A filter value as a list of strings (None means no filter)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = [v for v in re.split(r"[;,]", value)]
    elif isinstance(value, int) and not isinstance(value, bool):
        value = [str(value)]
    elif not isinstance(value, Iterable):
        value = [as_text(value)]
    out = [as_text(v).strip() for v in value]
    return [v for v in out if v] or None


# ----------------------------------------------------------------------------
# the discrepancy explorer


def _empty_discrepancies(message: str) -> pd.DataFrame:
    out = pd.DataFrame(columns=["id", "topic", "kind", "lesson", "claim A", "cited A", "claim B", "cited B",
                                "teaching note"])
    out.attrs["message"] = message
    return out


def find_discrepancies(kind: Any = None, lesson: Any = None, topic: Any = None) -> pd.DataFrame:
    """The discrepancies a filter selects, side by side, as a table (the explorer's plain twin).

    Parameters
    ----------
    kind : ``between-sources``, ``within-source`` or ``reliability`` (or several, as a list or
        ``;``-separated); ``None`` for all.
    lesson : a lesson id (``"07"``, ``"7"`` or ``7``), or several; ``None`` for all.
    topic : a topic slug from ``discrepancies.csv`` (``"hoxha-diary"``), or several; ``None`` for all.

    Returns one row per discrepancy with both claims, both citations in words and
    the teaching note. A filter value that matches nothing in the data returns an
    empty table whose ``attrs["message"]`` names the value and the closest ones.

    Examples
    --------
    >>> list(find_discrepancies(lesson="10", topic="hoxha-diary")["id"])
    ['d-hoxha-diary-later-changes']
    """
    try:
        d = load("discrepancies")
    except Exception as exc:  # DataError: the data folder has a problem
        return _empty_discrepancies(f"The course data has a problem: {as_text(exc, 300)}")
    messages = []
    for name, value, column, pool in (
        ("kind", kind, "kind", list(KINDS)),
        ("lesson", lesson, "lesson", sorted(set(d["lesson"]))),
        ("topic", topic, "topic", sorted(set(d["topic"]))),
    ):
        wanted = _choices(value)
        if wanted is None:
            continue
        if name == "lesson":
            wanted = [w.zfill(2) if w.isdigit() else w for w in wanted]
        unknown = [w for w in wanted if w not in pool]
        messages += [unknown_id_message(name, u, pool, "discrepancies") for u in unknown]
        d = d[d[column].isin(wanted)]
    out = pd.DataFrame({
        "id": d["id"], "topic": d["topic"], "kind": d["kind"], "lesson": d["lesson"],
        "claim A": d["claim_a"], "cited A": [_ref(c) for c in d["cite_a"]],
        "claim B": d["claim_b"], "cited B": [_ref(c) for c in d["cite_b"]],
        "teaching note": d["teaching_note"],
    }).reset_index(drop=True)
    if messages:
        out.attrs["message"] = " ".join(messages)
    elif out.empty:
        out.attrs["message"] = "No discrepancy matches all of these filters at once."
    return out


def _cite_key(ref: str) -> tuple[str, str]:
    work, _, loc = str(ref).partition(":")
    return work.strip(), loc.strip()


def discrepancy_evidence(discrepancy_id: Any) -> pd.DataFrame:
    """The events, quotations, sources, figures and claims tied to one discrepancy.

    A row of the course data is tied to a discrepancy when it is cited to the
    same note or paragraph as one of its two claims (``same place as claim A``
    or ``B``); a quotation's record is added with it; a historian's claim is
    also tied when it is filed under the same topic. Columns: ``table``, ``id``,
    ``date``, ``what``, ``cited``, ``why linked``. The table is empty when the
    data holds nothing tied to it (``attrs["message"]`` then says so, or names
    an unknown id).

    Examples
    --------
    >>> ev = discrepancy_evidence("d-intraparty-struggle")
    >>> "c-mehilli-2017-no-intraparty-struggle" in set(ev["id"])
    True
    """
    cols = ["table", "id", "date", "what", "cited", "why linked"]
    try:
        d = load("discrepancies")
    except Exception as exc:
        out = pd.DataFrame(columns=cols)
        out.attrs["message"] = f"The course data has a problem: {as_text(exc, 300)}"
        return out
    did = as_text(discrepancy_id).strip()
    hit = d[d["id"] == did]
    if hit.empty:
        out = pd.DataFrame(columns=cols)
        out.attrs["message"] = unknown_id_message("discrepancy", did, d["id"], "discrepancies")
        return out
    r = hit.iloc[0]
    places = {_cite_key(r["cite_a"]): "same place as claim A", _cite_key(r["cite_b"]): "same place as claim B"}
    rows: list[dict] = []
    seen: set[tuple[str, str]] = set()

    def add(table: str, id_: str, date: str, what: str, work: str, loc: str, why: str) -> None:
        if (table, id_) in seen:
            return
        seen.add((table, id_))
        rows.append({"table": table, "id": id_, "date": date, "what": what, "cited": cite(work, loc),
                     "why linked": why})

    events, quotes = load("events"), load("quotes")
    sources, figures, claims = load("sources"), load("figures"), load("claims")
    for e in events.itertuples():
        why = places.get((e.work, e.locator))
        if why:
            add("event", e.id, e.date_label, e.title, e.work, e.locator, why)
    linked_sources: dict[str, str] = {}
    for q in quotes.itertuples():
        why = places.get((q.work, q.locator))
        if why:
            add("quote", q.id, q.date_label, f"{name_of(q.speaker)}: “{q.text}”", q.work, q.locator, why)
            if q.source:
                linked_sources.setdefault(q.source, f"the record of quotation {q.id}")
    for s in sources.itertuples():
        why = places.get((s.work, s.locator)) or linked_sources.get(s.id)
        if why:
            add("source", s.id, s.date_label, f"{s.title} — keep in mind: {s.reliability}", s.work, s.locator, why)
    for f in figures.itertuples():
        why = places.get((f.work, f.locator))
        if why:
            add("figure", f.id, f.date_label, f"{f.what}: {f.value_text}", f.work, f.locator, why)
    for c in claims.itertuples():
        why = places.get((c.work, c.locator)) or ("same topic" if c.topic == r["topic"] else None)
        if why:
            add("claim", c.id, "", f"{_historian_label(c.historian)}: {c.claim}", c.work, c.locator, why)
    out = pd.DataFrame(rows, columns=cols)
    if out.empty:
        out.attrs["message"] = ("Nothing else in the course data is cited to the same place or filed under the same "
                                "topic: read the two passages in the articles themselves.")
    return out


def _table_html(frame: pd.DataFrame, columns: list[str]) -> str:
    head = "".join(f"<th style='text-align:left'>{_e(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td style='text-align:left;vertical-align:top'>{_e(row[c])}</td>" for c in columns) + "</tr>"
        for _, row in frame.iterrows()
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def discrepancy_dossier(discrepancy_id: Any) -> Shown:
    """One discrepancy with both claims, their citations, the teaching note and the evidence tied to it.

    What the explorer shows when a discrepancy is chosen; returns a message for an unknown id.

    Examples
    --------
    >>> "Why it matters" in discrepancy_dossier("d-hoxha-diary-later-changes").text
    True
    """
    did = as_text(discrepancy_id).strip()
    try:
        base = show_discrepancy(did)
    except KeyError as exc:  # UnknownId
        msg = str(exc)
        return Shown(f"<p role='alert'>{_e(msg)}</p>", msg)
    except Exception as exc:
        msg = f"This discrepancy cannot be shown ({type(exc).__name__}: {as_text(exc, 200)})."
        return Shown(f"<p role='alert'>{_e(msg)}</p>", msg)
    ev = discrepancy_evidence(did)
    if ev.empty:
        note = ev.attrs.get("message", "")
        return Shown(base.html + f"<p><i>{_e(note)}</i></p>", base.text + "\n" + note)
    cols = ["table", "id", "date", "what", "cited", "why linked"]
    text_rows = "\n".join(f"- [{r['table']}] {r['id']} ({r['date'] or 'undated'}): {r['what']} — {r['cited']}; "
                          f"{r['why linked']}" for _, r in ev.iterrows())
    return Shown(base.html + "<p><b>Tied to it in the course data</b></p>" + _table_html(ev, cols),
                 base.text + "\nTied to it in the course data:\n" + text_rows)


def explore_discrepancies(kind: Any = None, lesson: Any = None, topic: Any = None) -> VBox:
    """Every discrepancy in the course, filtered by kind, lesson and topic; choose one to read it whole.

    The widget's first filter values are ``kind``, ``lesson`` and ``topic``. Twin:
    :func:`find_discrepancies` (the list) and :func:`discrepancy_dossier` (one of them).

    Examples
    --------
    >>> explore_discrepancies(kind="reliability")  # doctest: +SKIP
    """
    import ipywidgets as w

    try:
        d = load("discrepancies")
    except Exception as exc:
        return w.VBox([w.HTML(f"<p role='alert'>The course data has a problem: {_e(as_text(exc, 300))}</p>")])
    any_ = "(any)"

    def first(value: Any, pool: list[str]) -> str:
        wanted = _choices(value)
        if not wanted:
            return any_
        v = wanted[0].zfill(2) if wanted[0].isdigit() else wanted[0]
        return v if v in pool else any_

    kinds, lessons, topics = list(KINDS), sorted(set(d["lesson"])), sorted(set(d["topic"]))
    style = {"description_width": "initial"}
    k = w.Dropdown(options=[any_] + kinds, value=first(kind, kinds), description="Kind", style=style)
    les = w.Dropdown(options=[any_] + lessons, value=first(lesson, lessons), description="Lesson", style=style)
    top = w.Dropdown(options=[any_] + topics, value=first(topic, topics), description="Topic", style=style)
    count = w.HTML()
    pick = w.Select(options=[], rows=8, description="Discrepancy", style=style, layout=w.Layout(width="95%"))
    out = w.HTML()

    def refresh(_=None) -> None:
        try:
            table = find_discrepancies(None if k.value == any_ else k.value, None if les.value == any_ else les.value,
                                       None if top.value == any_ else top.value)
            options = [(f"{r['topic']} · {r['kind']} · lesson {r['lesson']} — {r['id']}", r["id"])
                       for _, r in table.iterrows()]
            pick.options = options
            count.value = f"<p role='status'>{len(options)} of {len(d)} discrepancies match.</p>"
            if options:
                pick.value = options[0][1]
            else:
                out.value = f"<p>{_e(table.attrs.get('message', 'Nothing matches.'))}</p>"
        except Exception as exc:
            out.value = f"<p role='alert'>Sorry: the list could not be filtered ({_e(type(exc).__name__)}).</p>"

    def show(_=None) -> None:
        try:
            if pick.value:
                out.value = discrepancy_dossier(pick.value).html
        except Exception as exc:
            out.value = f"<p role='alert'>Sorry: this discrepancy could not be shown ({_e(type(exc).__name__)}).</p>"

    pick.observe(show, "value")
    for dd in (k, les, top):
        dd.observe(refresh, "value")
    refresh()
    show()
    intro = w.HTML("<p><b>Where the sources disagree.</b> Narrow the list by kind, lesson or topic, then choose a "
                   "discrepancy to read both claims, their citations, what to do with it, and what else in the "
                   "course data is tied to it.</p>")
    return w.VBox([intro, w.HBox([k, les, top]), count, pick, out])


# ----------------------------------------------------------------------------
# the argument map

#: the historians the lesson maps, in column order, with the works that carry their arguments
HISTORIANS: dict[str, tuple[str, ...]] = {
    "Marku": ("marku-2019",),
    "Griffith": ("griffith-1963",),
    "Lüthi": ("luthi-2008", "luthi-2015", "luthi-2007"),
    "Mëhilli": ("mehilli-2017",),
    "Li & Xia": ("li-xia-2018", "li-xia-2008"),
    "Mingjiang Li": ("li-2012",),
    "Biberaj": ("biberaj-1986",),
    "Lange": ("lange-1989",),
    "Selivanov": ("selivanov",),
}
_STANCE_STYLE = {  # colour-blind-safe colours, and a dash pattern so colour is never the only cue
    "endorses": ("#009E73", "solid", "endorses it"),
    "disputes": ("#D55E00", "dash", "disputes it"),
    "qualifies": ("#E69F00", "dot", "qualifies it"),
    "reports": ("#777777", "dashdot", "reports it"),
}
_SEED_NAMES = {"marku-2019": "Marku", "selivanov": "Selivanov"}
_TOPIC_ORDER = ["role-of-ideology", "motives-of-hoxha", "origin-of-the-break", "intraparty-struggle",
                "origin-of-albanian-support", "bucharest-tactics", "albania-as-chinese-instrument",
                "nature-of-sino-albanian-alliance", "why-no-intervention", "truce-1959-1961", "historiography"]


def _historian_label(work_id: str) -> str:
    for label, works in HISTORIANS.items():
        if work_id in works:
            return label
    try:
        works = load("works").set_index("id")
        if work_id in works.index:
            authors = str(works.loc[work_id, "authors"])
            first = authors.split(";")[0].split(" and ")[0].split(",")[0].strip()
            return first.split()[-1] if first else work_id
    except Exception:
        pass
    return str(work_id)


def argument_table(topic: Any = None, historian: Any = None, everyone: bool = False) -> pd.DataFrame:
    """The historians' claims as a table: the argument map's text twin.

    Parameters
    ----------
    topic : a topic slug of ``claims.csv`` (or several); ``None`` for all.
    historian : a historian's label (``"Lüthi"``, ``"Li & Xia"``; diacritics optional) or a work id
        (``"luthi-2008"``), or several; ``None`` for the nine historians the lesson maps.
    everyone : include the claims of every other work cited in ``claims.csv`` too.

    Columns: ``topic``, ``historian``, ``claim``, ``weighed by`` (the seed article that
    reports it), ``stance`` (how that article treats it: endorses, disputes,
    qualifies, reports; an article's own argument is ``own argument``), ``cited``, ``id``.

    Examples
    --------
    >>> t = argument_table(topic="intraparty-struggle")
    >>> sorted(set(t["historian"]))
    ['Lüthi', 'Mëhilli']
    """
    cols = ["topic", "historian", "claim", "weighed by", "stance", "cited", "id"]
    try:
        c = load("claims")
    except Exception as exc:
        out = pd.DataFrame(columns=cols)
        out.attrs["message"] = f"The course data has a problem: {as_text(exc, 300)}"
        return out
    messages = []
    wanted_topics = _choices(topic)
    if wanted_topics:
        pool = sorted(set(c["topic"]))
        messages += [unknown_id_message("topic", t, pool, "claims") for t in wanted_topics if t not in pool]
        c = c[c["topic"].isin(wanted_topics)]
    mapped = {w for works in HISTORIANS.values() for w in works}
    wanted_h = _choices(historian)
    if wanted_h:
        from .matching import normalise

        by_label = {normalise(label): works for label, works in HISTORIANS.items()}
        works: set[str] = set()
        for h in wanted_h:
            if h in set(c["historian"]) or h in mapped:
                works.add(h)
            elif normalise(h) in by_label:
                works |= set(by_label[normalise(h)])
            else:
                messages.append(unknown_id_message("historian", h, list(HISTORIANS) + sorted(set(c["historian"]))))
        c = c[c["historian"].isin(works)]
    elif not everyone:
        c = c[c["historian"].isin(mapped)]
    out = pd.DataFrame({
        "topic": c["topic"], "historian": [_historian_label(h) for h in c["historian"]], "claim": c["claim"],
        "weighed by": [_SEED_NAMES.get(w, _historian_label(w)) for w in c["work"]],
        "stance": ["own argument" if h == w else s for h, w, s in zip(c["historian"], c["work"], c["stance"])],
        "cited": [cite(w, loc) for w, loc in zip(c["work"], c["locator"])], "id": c["id"],
    }).reset_index(drop=True)
    if messages:
        out.attrs["message"] = " ".join(messages)
    return out


def argument_map(topic: Any = None, historian: Any = None, everyone: bool = False) -> go.Figure:
    """The historians' arguments as a map: who argues what, and how the two articles treat it.

    Each row is a topic, each column a historian; a node is one historian's
    argument on that topic (hover to read it, with its citation). An edge runs
    from the article that weighs the argument (Marku's column or Selivanov's)
    to the node, coloured and dashed by how the article treats it: endorses
    (solid green), disputes (dashed vermilion), qualifies (dotted orange),
    reports (grey). A ring marks an article's own argument. Same arguments as
    :func:`argument_table`, which is this figure's text twin.

    Examples
    --------
    >>> fig = argument_map(topic="intraparty-struggle")
    >>> len(fig.data) > 0
    True
    """
    import plotly.graph_objects as go

    table = argument_table(topic, historian, everyone)
    fig = go.Figure()
    message = table.attrs.get("message", "")
    if table.empty:
        fig.add_annotation(text=_e(message or "No claims match."), showarrow=False, x=0.5, y=0.5,
                           xref="paper", yref="paper")
        fig.update_layout(xaxis={"visible": False}, yaxis={"visible": False}, height=200)
        return fig
    columns = [h for h in HISTORIANS if h in set(table["historian"]) or h in ("Marku", "Selivanov")]
    columns = [h for h in columns if h != "Selivanov"] + sorted(set(table["historian"]) - set(HISTORIANS)) + ["Selivanov"]
    topics = [t for t in _TOPIC_ORDER if t in set(table["topic"])] + sorted(set(table["topic"]) - set(_TOPIC_ORDER))
    x_of = {h: i for i, h in enumerate(columns)}
    y_of = {t: -i for i, t in enumerate(topics)}
    offset = {"Marku": -0.12, "Selivanov": 0.12}
    # edges, one trace per stance (legend), None between segments
    seg: dict[str, tuple[list, list]] = {s: ([], []) for s in _STANCE_STYLE}
    nodes: dict[tuple[str, str], list] = {}
    for _, r in table.iterrows():
        nodes.setdefault((r["historian"], r["topic"]), []).append(r)
        if r["stance"] == "own argument" or r["weighed by"] not in x_of:
            continue
        dy = offset.get(r["weighed by"], 0.0)
        xs, ys = seg.setdefault(r["stance"], ([], []))
        xs += [x_of[r["weighed by"]], x_of[r["historian"]], None]
        ys += [y_of[r["topic"]] + dy, y_of[r["topic"]] + dy, None]
    for stance, (xs, ys) in seg.items():
        if not xs:
            continue
        colour, dash, words = _STANCE_STYLE.get(stance, ("#777777", "solid", stance))
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": colour, "dash": dash, "width": 2.5},
                                 name=f"the article {words}", hoverinfo="skip"))
    # nodes
    nx, ny, ntext, ncolour, nline = [], [], [], [], []
    for (hist, top), rows in nodes.items():
        nx.append(x_of[hist])
        ny.append(y_of[top])
        parts = [f"<b>{_e(hist)}</b> · {_e(top)}"]
        for r in rows:
            claim = _e(r["claim"])
            wrapped = "<br>".join(claim[i:i + 90] for i in range(0, len(claim), 90))
            how = "its own argument" if r["stance"] == "own argument" else f"{_e(r['weighed by'])} {_e(r['stance'])} it"
            parts.append(f"{wrapped}<br><i>{how}; {_e(r['cited'])}</i>")
        ntext.append("<br><br>".join(parts))
        stances = [r["stance"] for r in rows]
        main = next((s for s in ("disputes", "qualifies", "endorses", "reports") if s in stances), "own argument")
        ncolour.append(_STANCE_STYLE.get(main, ("#0072B2",))[0] if main != "own argument" else "#0072B2")
        nline.append(3 if "own argument" in stances else 1)
    fig.add_trace(go.Scatter(x=nx, y=ny, mode="markers", name="a historian's argument (hover to read)",
                             marker={"size": 16, "color": ncolour, "line": {"width": nline, "color": "#222"}},
                             hovertext=ntext, hoverinfo="text"))
    fig.update_layout(
        title="Who argues what, and how the two articles weigh it",
        xaxis={"tickmode": "array", "tickvals": list(range(len(columns))), "ticktext": [_e(c) for c in columns],
               "side": "top", "range": [-0.6, len(columns) - 0.4], "showgrid": True},
        yaxis={"tickmode": "array", "tickvals": [y_of[t] for t in topics],
               "ticktext": [_e(t.replace("-", " ")) for t in topics], "range": [-len(topics) + 0.4, 0.6]},
        height=max(320, 70 + 42 * len(topics)), margin={"l": 220, "r": 20, "t": 90, "b": 40},
        legend={"orientation": "h", "y": -0.02, "yanchor": "top"}, plot_bgcolor="white",
        hoverlabel={"align": "left"},
    )
    fig.update_xaxes(gridcolor="#eee")
    fig.update_yaxes(gridcolor="#eee")
    if message:
        fig.add_annotation(text=_e(message), showarrow=False, x=0, y=1.12, xref="paper", yref="paper",
                           xanchor="left")
    return fig


# ----------------------------------------------------------------------------
# the guided essay

ESSAY_QUESTION = "Was Albania's break with Moscow about ideology, security or Hoxha's own power?"

#: the three explanations a learner can defend, with the claim each makes
THESES: dict[str, str] = {
    "ideology": ("Ideology: Hoxha broke with Moscow because he rejected de-Stalinization and Khrushchev's "
                 "'revisionism', and shared Beijing's reading of Marxism-Leninism."),
    "security": ("Security: the break was about Albania's safety, above all from Yugoslavia and Greece, and a Soviet "
                 "patron that would not stand by Tirana against its neighbours."),
    "power": ("Hoxha's own power: the break protected Hoxha's personal rule from a Moscow that could split his "
              "leadership and question his cult."),
}
_THESIS_WORDS = {"ideology": "ideology", "security": "security", "power": "Hoxha's own power"}

#: the evidence a learner chooses from: ids (events, quotes, claims) that exist in the course data,
#: which explanation(s) each bears out, and what to keep in mind about where it comes from
ESSAY_EVIDENCE: tuple[dict, ...] = (
    # ideology
    {"id": "q-hoxha-firmness-not-flatteries", "supports": ("ideology",),
     "note": "In private notes on the Soviet paper at Bucharest, Hoxha sides with the Chinese view point by point.",
     "caution": "Handwritten notes nobody else was meant to read: strong evidence of belief, but Marku's reading."},
    {"id": "q-hoxha-stalin-declaration", "supports": ("ideology",),
     "note": "In Moscow Hoxha makes Stalin's memory a matter of party honour.",
     "caution": "Marku quotes the text prepared in Tirana before the conference, not a transcript of the delivery."},
    {"id": "c-marku-2019-ideology-most-important", "supports": ("ideology",),
     "note": "Marku's own verdict: ideology was perhaps the weightiest force pulling Tirana to Beijing.",
     "caution": "A historian's conclusion, not a record: check it against his own section on Moscow."},
    {"id": "c-luthi-2008-vital-role-of-ideology", "supports": ("ideology",),
     "note": "Lüthi gives ideology a vital role in the Sino-Soviet split as a whole.",
     "caution": "About Beijing and Moscow; Marku carries it over to Tirana."},
    {"id": "q-khrushchev-take-molotov", "supports": ("ideology",),
     "note": "Khrushchev (as Deng tells it) mocks the defence of Stalin and Molotov.",
     "caution": "Reported speech: Khrushchev's words reach us through Deng, who wanted Kapo to give up on Moscow."},
    {"id": "q-hoxha-uncle-ho", "supports": ("ideology",),
     "note": "Hoxha's diary scorns Hồ's mediation because, he writes, the quarrel was one of principle, not persons.",
     "caution": "A diary published in the 1980s that may have been revised (Selivanov, note 11)."},
    # security
    {"id": "q-kapo-194-spies", "supports": ("security",),
     "note": "At Bucharest Kapo reproaches Moscow for going soft on a Yugoslavia that sent spies into Albania.",
     "caution": "A number given in a quarrel; no other record in the articles checks it."},
    {"id": "1960-06-khrushchev-receives-venizelos", "supports": ("security",),
     "note": "Khrushchev passes on a Greek politician's complaints about the Greek minority in southern Albania.",
     "caution": "Known through Griffith (1963); how Hoxha took it is Marku's reading."},
    {"id": "q-hoxha-disagreed-since-1955", "supports": ("security", "ideology"),
     "note": "Hoxha dates the quarrel to 1955: Yugoslavia first, then Hungary and the criticism of Stalin.",
     "caution": "Said to his own Politburo after the break, when an older quarrel suited him."},
    {"id": "1959-03-vlora-base-agreement", "supports": ("security",),
     "note": "The Vlora base promised protection against Belgrade, yet put Soviet forces inside Albania.",
     "caution": "The agreement shows what was signed, not what Hoxha feared."},
    {"id": "q-hoxha-organized-attack", "supports": ("security",),
     "note": "Hoxha tells his congress that Greece, Yugoslavia and the US Sixth Fleet had plotted an attack.",
     "caution": "Gomułka called it a fabrication and Balluku scaled it down in Moscow (Marku, notes 99 and 101)."},
    {"id": "c-selivanov-national-interest-first", "supports": ("security",),
     "note": "Selivanov: after 1956 Tirana and Hanoi put national interest above Moscow's revised doctrine.",
     "caution": "A conclusion about both small capitals, not a finding about one decision."},
    # power
    {"id": "q-hoxha-two-tendencies", "supports": ("power", "security"),
     "note": "Hoxha's two complaints for Kapo: softness on Yugoslavia, and blaming the Albanian leadership.",
     "caution": "A telegram of instructions: it shows what Hoxha wanted said, which is not the same as why."},
    {"id": "q-malinovskii-going-away", "supports": ("power",),
     "note": "The Soviet defence minister blames the drift from Moscow on a personality cult.",
     "caution": "A Soviet accusation, known only from the Albanian delegation's report."},
    {"id": "q-ivanov-army-loyal", "supports": ("power",),
     "note": "The Soviet ambassador asks Albanian generals where the army's loyalty lies.",
     "caution": "Reported in an Albanian record; Marku calls a Soviet search for a breach a hypothesis."},
    {"id": "1960-22-belishova-purged", "supports": ("power",),
     "note": "Hoxha removes the most pro-Soviet member of his Politburo in summer 1960.",
     "caution": "Marku's two passages on the purge differ in timing (see d-belishova-purge-timing)."},
    {"id": "c-mehilli-2017-no-intraparty-struggle", "supports": ("power",),
     "note": "Mëhilli: there was no struggle inside the party by 1960; the story of one was made up later.",
     "caution": "Against Lüthi, who read Hoxha's published works and older studies."},
    {"id": "c-marku-2019-commander-reputation", "supports": ("power",),
     "note": "Marku suggests the Moscow speech was also staged to feed Hoxha's cult at home.",
     "caution": "Marku's inference about motives; he offers a second hypothesis beside it."},
    {"id": "c-marku-2019-ideology-instrumental", "supports": ("power",),
     "note": "Marku: dogma was a cover; Moscow's new course threatened the model Hoxha's rule was built on.",
     "caution": "Sits uneasily with Marku's own conclusion that ideology weighed most (see d-ideology-rank-within-marku)."},
    {"id": "c-marku-2019-personal-rule", "supports": ("power", "security"),
     "note": "Marku: the real quarrel was over Albania's security and the legitimacy of Hoxha's rule.",
     "caution": "A historian's judgement that joins two explanations; say which half you lean on."},
)
_EVIDENCE_BY_ID = {item["id"]: item for item in ESSAY_EVIDENCE}

#: the model answer: its thesis, the evidence it uses, and the text (the course's own words)
MODEL_THESIS = "power"
MODEL_EVIDENCE = ("q-hoxha-two-tendencies", "q-malinovskii-going-away", "c-mehilli-2017-no-intraparty-struggle",
                  "q-kapo-194-spies", "q-hoxha-firmness-not-flatteries", "c-marku-2019-ideology-most-important")
MODEL_TEXT = """\
Hoxha's own power is the thread that ties the other two explanations together, though neither of them is false.

Begin with the Soviet side of the record. In October 1960 the Soviet defence minister, Malinovskii, told visiting Albanian generals that their \
people were drifting away from Moscow because of a personality cult: the charge was aimed at Hoxha himself, and we know \
it only through the Albanian delegation's report (Marku, note 61). That summer Hoxha had already removed Liri Belishova, \
and Mëhilli argues that by 1960 no struggle inside the party was left to fight; the tale of one was written afterwards \
(Marku, note 79). When Hoxha told Kapo what to say in Bucharest, the second danger he named was Moscow's habit of blaming \
the Albanian leadership (note 41). He read Soviet pressure as a bid to divide the men around him.

The same telegram names a first danger, Moscow's softness on Yugoslavia, and security was no pretext. Kapo reproached \
Khrushchev with the spies Belgrade had sent into Albania. But here security and power meet: a Yugoslavia reconciled with \
Moscow threatened Albania's borders and Hoxha's rule at once, since he had blamed Belgrade for the criticism he faced in \
1956 (note 13).

Ideology is the strongest counter-case. Hoxha's private notes on the Soviet paper at Bucharest take Beijing's side point \
by point (note 44), and Marku's conclusion ranks ideology as perhaps the weightiest factor. Yet Marku also writes that \
Tirana and Beijing used dogma as a cover, and what Khrushchev's new course endangered was the Stalinist legitimacy on \
which Hoxha ruled. Ideology gave the break its language; security gave it urgency; power decided it.

Two cautions. Almost all of this comes from records kept by Hoxha's own party, so Soviet words reach us in Albanian \
hands. And the question leaves out a fourth factor an essay could add: money and bread, since China paid for the \
five-year plan when Moscow would not (note 92)."""


def _item_row(item: dict, tables: dict[str, pd.DataFrame]) -> dict:
    """One evidence item as plain strings: kind, who/when, what it says, citation."""
    id_ = item["id"]
    q, e, c = tables["quotes"], tables["events"], tables["claims"]
    if id_ in set(q["id"]):
        r = q[q["id"] == id_].iloc[0]
        chain = list(r["reported_by"])
        how = (" (reported by " + " → ".join(name_of(x) for x in chain) + ")") if chain else ""
        return {"kind": "quotation", "who and when": f"{name_of(r['speaker'])}, {r['date_label']}{how}",
                "what": f"“{r['text']}”", "cited": cite(r["work"], r["locator"])}
    if id_ in set(e["id"]):
        r = e[e["id"] == id_].iloc[0]
        return {"kind": "event", "who and when": str(r["date_label"]), "what": f"{r['title']}: {r['summary']}",
                "cited": cite(r["work"], r["locator"])}
    if id_ in set(c["id"]):
        r = c[c["id"] == id_].iloc[0]
        return {"kind": "historian's claim", "who and when": _historian_label(r["historian"]), "what": r["claim"],
                "cited": cite(r["work"], r["locator"])}
    raise KeyError(id_)


def essay_evidence() -> pd.DataFrame:
    """The evidence list of the guided essay, with citations and what each item bears out.

    Columns: ``id``, ``kind`` (quotation, event, historian's claim), ``who and when``,
    ``what``, ``cited``, ``bears out`` (which explanation(s)), ``why it matters``,
    ``keep in mind`` (where the evidence comes from and what that means).

    Examples
    --------
    >>> len(essay_evidence()) == len(ESSAY_EVIDENCE)
    True
    """
    tables = {n: load(n) for n in ("quotes", "events", "claims")}
    rows = []
    for item in ESSAY_EVIDENCE:
        base = _item_row(item, tables)
        rows.append({"id": item["id"], **base, "bears out": "; ".join(_THESIS_WORDS[s] for s in item["supports"]),
                     "why it matters": item["note"], "keep in mind": item["caution"]})
    return pd.DataFrame(rows)


def _parse_thesis(value: Any) -> str | None:
    text = as_text(value).strip().lower()
    if not text:
        return None
    if text in THESES:
        return text
    for key, label in THESES.items():
        if text == label.lower() or text == _THESIS_WORDS[key].lower():
            return key
    found = [k for k in THESES if re.search(rf"\b{k}\b", text)]
    return found[0] if len(found) == 1 else None


def _parse_ids(value: Any) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, (str, bytes)):
        parts = re.split(r"[;,\s]+", as_text(value, 2000))
    elif isinstance(value, Iterable) and not isinstance(value, dict):
        parts = []
        for i, v in enumerate(value):
            if i >= 50:
                break
            parts.append(as_text(v, 200))
    else:
        return None
    out: list[str] = []
    for p in parts:
        p = p.strip()
        if p and p not in out:
            out.append(p)
    return out


def _invalid(message: str, hint: str = "", **details: Any) -> Feedback:
    return Feedback(False, message, hint=hint, valid=False, exercise=ESSAY_EXERCISE, details=details)


def _short(item_id: str) -> str:
    item = _EVIDENCE_BY_ID.get(item_id)
    return f"{item_id} ({item['note']})" if item else item_id


def check_essay(thesis: Any, evidence_ids: Any, text: Any, *, save: bool = False) -> Feedback:
    """Feedback on a guided essay: does the evidence bear out the thesis, and does it weigh the rivals?

    Parameters
    ----------
    thesis : ``"ideology"``, ``"security"`` or ``"power"`` (or the words of one of :data:`THESES`).
    evidence_ids : 3 to 6 ids from :data:`ESSAY_EVIDENCE` (a list, or one string separated by ``;``).
    text : the learner's argument, a paragraph or two.
    save : save the essay in the progress file (the widget does; the twin does not unless asked).

    Returns a :class:`~helpers.exercises.Feedback`: ``correct`` when at least two items bear
    out the thesis, the evidence also weighs both rival explanations, and the
    argument has at least 40 words. ``score`` gives partial credit. Odd input gets
    a message (``valid=False``), never an exception.

    Examples
    --------
    >>> one_sided = check_essay("ideology", ["q-hoxha-firmness-not-flatteries", "q-hoxha-stalin-declaration",
    ...                                      "c-marku-2019-ideology-most-important"], "word " * 60)
    >>> one_sided.correct, "One-sided" in one_sided.message
    (False, True)
    """
    try:
        return _check_essay(thesis, evidence_ids, text, save)
    except Exception as exc:  # a bug must reach the learner as a sentence, not a traceback
        return _invalid(f"Sorry: this essay could not be checked ({type(exc).__name__}: {as_text(exc, 200)}). "
                        "Your text was not lost: copy it somewhere safe and tell your teacher.")


def _check_essay(thesis: Any, evidence_ids: Any, text: Any, save: bool) -> Feedback:
    raw_text = as_text(text, MAX_ESSAY + 1)
    cut = len(raw_text) > MAX_ESSAY
    essay_text = raw_text[:MAX_ESSAY]
    key = _parse_thesis(thesis)
    ids = _parse_ids(evidence_ids)
    answer = {"thesis": key or as_text(thesis, 200), "evidence": ids or [], "text": essay_text}

    def done(fb: Feedback) -> Feedback:
        if save and (essay_text.strip() or ids or key):
            res = progress.save_answer(LESSON, ESSAY_EXERCISE, "essay", answer,
                                       score=fb.score if fb.valid else None, correct=fb.correct if fb.valid else None)
            fb.saved = res.saved
            if not res.saved and res.message:
                fb.details.setdefault("progress", []).append(res.message)
        return fb

    if key is None:
        return done(_invalid("Choose a thesis first: " + "; ".join(f"“{k}” — {v}" for k, v in THESES.items()),
                             hint="Pass one of the words ideology, security or power."))
    if ids is None or not ids:
        return done(_invalid(f"Tick {MIN_ITEMS} to {MAX_ITEMS} pieces of evidence from the list, so your argument "
                             "rests on the sources.", hint="The ids are in the first column of essay_evidence()."))
    unknown = [i for i in ids if i not in _EVIDENCE_BY_ID]
    if unknown:
        msgs = []
        for u in unknown[:5]:
            msgs.append(unknown_id_message("item", u, list(_EVIDENCE_BY_ID), None).replace(
                f'There is no item "{u[:200]}".', f'"{u[:200]}" is not on this essay\'s evidence list.'))
        return done(_invalid(" ".join(msgs), hint="Choose only ids listed by essay_evidence()."))
    if not (MIN_ITEMS <= len(ids) <= MAX_ITEMS):
        return done(_invalid(f"You chose {len(ids)} piece{'s' if len(ids) != 1 else ''} of evidence: choose "
                             f"between {MIN_ITEMS} and {MAX_ITEMS}, the ones your argument really uses."))
    if not essay_text.strip():
        return done(_invalid("Write your argument first (a paragraph or two): the feedback weighs your evidence "
                             "against what you claim with it."))

    others = [k for k in THESES if k != key]
    lines = [f"Your thesis: {THESES[key]}", "Your evidence:"]
    backing, covered, cautions = [], set(), []
    for i in ids:
        item = _EVIDENCE_BY_ID[i]
        sup = set(item["supports"])
        rival = sorted(sup - {key}, key=others.index)
        if key in sup and rival:
            verdict = f"bears out your thesis, and also {', '.join(_THESIS_WORDS[r] for r in rival)}"
        elif key in sup:
            verdict = "bears out your thesis"
        else:
            verdict = f"counter-evidence: it points to {' and '.join(_THESIS_WORDS[r] for r in rival)}"
        if key in sup:
            backing.append(i)
        covered |= set(rival)
        lines.append(f"• {i}: {verdict}. {item['note']}")
        cautions.append(f"{i}: {item['caution']}")
    missing = [o for o in others if o not in covered]
    if len(backing) < 2:
        lines.append(f"Only {len(backing)} of your items bear{'s' if len(backing) == 1 else ''} out your thesis: "
                     "an argument needs at least two pieces of its own evidence.")
    if not missing:
        lines.append("Balanced: you weigh evidence for both rival explanations ("
                     f"{' and '.join(_THESIS_WORDS[o] for o in others)}). Say in your text why it does not overturn "
                     "your thesis.")
    elif len(missing) == len(others):
        suggest = {o: next(x["id"] for x in ESSAY_EVIDENCE if o in x["supports"] and key not in x["supports"])
                   for o in others}
        lines.append("One-sided: every item bears out your own thesis. A good essay also faces the strongest "
                     "evidence for the other explanations, for example "
                     + " and ".join(f"{s} for {_THESIS_WORDS[o]}" for o, s in suggest.items()) + ".")
    else:
        o = missing[0]
        s = next(x["id"] for x in ESSAY_EVIDENCE if o in x["supports"] and key not in x["supports"])
        lines.append(f"You weigh counter-evidence for {' and '.join(_THESIS_WORDS[c] for c in covered)}, but nothing "
                     f"for {_THESIS_WORDS[o]}: answer its best case too, for example {s}.")
    words = len(essay_text.split())
    if words < 40:
        lines.append(f"Your argument has {words} word{'s' if words != 1 else ''}: aim for 100 to 300, naming the "
                     "evidence you use and where it comes from.")
    if cut:
        lines.append(f"Your text was longer than {MAX_ESSAY:,} characters: only the first {MAX_ESSAY:,} were kept. "
                     "A short argument is the aim here.")
    lines.append("Where the evidence comes from (say so in your argument):")
    lines += [f"– {c}" for c in cautions]
    score = 0.4 * min(len(backing), 2) / 2 + 0.4 * (len(others) - len(missing)) / len(others)
    score += 0.2 if words >= 40 else (0.1 if words else 0.0)
    correct = len(backing) >= 2 and not missing and words >= 40
    hint = "" if correct else "Compare your choice with the model answer, which weighs all three explanations."
    fb = Feedback(correct, "\n".join(lines), expected=f"The model answer argues: {THESES[MODEL_THESIS]}", hint=hint,
                  score=round(score, 2), exercise=ESSAY_EXERCISE,
                  details={"thesis": key, "evidence": ids, "backing": backing, "rivals_weighed": sorted(covered),
                           "rivals_missing": missing, "words": words, "cut": cut})
    return done(fb)


def saved_essay() -> dict | None:
    """The learner's saved essay (``thesis``, ``evidence``, ``text``), or ``None``."""
    rec = progress.saved_answer(ESSAY_EXERCISE)
    if not rec or not isinstance(rec.get("answer"), dict):
        return None
    a = rec["answer"]
    return {"thesis": str(a.get("thesis", "")), "evidence": [str(x) for x in (a.get("evidence") or [])
                                                            if isinstance(x, str)],
            "text": str(a.get("text", "")), "timestamp": rec.get("timestamp", "")}


def model_essay() -> Shown:
    """The model answer to the essay question, with the evidence it uses and where each item comes from.

    Examples
    --------
    >>> "Hoxha's own power" in model_essay().text
    True
    """
    tables = {n: load(n) for n in ("quotes", "events", "claims")}
    items = []
    for i in MODEL_EVIDENCE:
        base = _item_row(_EVIDENCE_BY_ID[i], tables)
        items.append((i, base))
    paras = [p for p in MODEL_TEXT.split("\n\n") if p.strip()]
    text = (f"Model answer. Thesis: {THESES[MODEL_THESIS]}\n\n" + "\n\n".join(paras) + "\n\nEvidence it uses:\n"
            + "\n".join(f"- {i}: {b['what']} ({b['who and when']}; {b['cited']})" for i, b in items))
    body = (f"<div class='ca-model-essay'><p><b>Model answer.</b> <i>{_e(THESES[MODEL_THESIS])}</i></p>"
            + "".join(f"<p>{_e(p)}</p>" for p in paras)
            + "<p><b>Evidence it uses</b></p><ul>"
            + "".join(f"<li><code>{_e(i)}</code> — {_e(b['what'])} <small>({_e(b['who and when'])}; "
                      f"{_e(b['cited'])})</small></li>" for i, b in items)
            + "</ul></div>")
    return Shown(body, text)


def write_essay() -> VBox:
    """The guided essay: pick a thesis, tick 3–6 pieces of evidence, write a short argument, get feedback.

    Everything is saved at once through :mod:`helpers.progress` and restored when
    the lesson is reopened; the model answer appears after a first attempt.
    Twins: :func:`check_essay`, :func:`essay_evidence`, :func:`model_essay`.

    Examples
    --------
    >>> write_essay()  # doctest: +SKIP
    """
    import ipywidgets as w

    try:
        ev = essay_evidence()
        model_html = model_essay().html
    except Exception as exc:
        return w.VBox([w.HTML(f"<p role='alert'>The essay cannot be shown: the course data has a problem "
                              f"({_e(as_text(exc, 300))}).</p>")])
    head = w.HTML(f"<h4>{_e(ESSAY_QUESTION)}</h4><p>1. Choose the thesis you will defend.</p>")
    thesis = w.RadioButtons(options=[(v, k) for k, v in THESES.items()], value=None,
                            layout=w.Layout(width="auto"))
    boxes, rows = [], []
    for _, r in ev.iterrows():
        box = w.Checkbox(value=False, indent=False, description=f"{r['id']} — {r['kind']}, {r['who and when']}",
                         layout=w.Layout(width="95%"))
        detail = w.HTML(f"<div style='margin:0 0 0.6em 1.8em'>{_e(r['what'])}<br><small>{_e(r['cited'])} · "
                        f"<i>keep in mind:</i> {_e(r['keep in mind'])}</small></div>")
        boxes.append(box)
        rows.append(w.VBox([box, detail]))
    pick_head = w.HTML(f"<p>2. Tick {MIN_ITEMS} to {MAX_ITEMS} pieces of evidence your argument will use. A strong "
                       "essay includes some that point the other way, and answers them.</p>")
    text = w.Textarea(placeholder="3. Your argument: a paragraph or two, naming the evidence you use…",
                      layout=w.Layout(width="95%", height="12em"))
    button = w.Button(description="Save and get feedback", button_style="primary",
                      tooltip="Save your essay and see feedback on the evidence you chose")
    status = w.HTML()
    model = w.HTML(layout=w.Layout(display="none"))

    def chosen() -> list[str]:
        return [str(b.description).split(" — ")[0] for b in boxes if b.value]

    def do(_=None) -> None:
        try:
            fb = check_essay(thesis.value, chosen(), text.value, save=True)
            saved = "<p role='status'><i>Saved.</i></p>" if fb.saved else ""
            notes = "".join(f"<p role='alert'>⚠ {_e(n)}</p>" for n in fb.details.get("progress", []))
            status.value = saved + notes + fb.html()
            if fb.valid:
                model.value = model_html
                model.layout.display = ""
        except Exception as exc:
            status.value = (f"<p role='alert'>Sorry: something went wrong ({_e(type(exc).__name__)}). "
                            "Copy your text somewhere safe.</p>")

    button.on_click(do)
    rec = saved_essay()
    if rec:
        if rec["thesis"] in THESES:
            thesis.value = rec["thesis"]
        for b in boxes:
            b.value = str(b.description).split(" — ")[0] in rec["evidence"]
        text.value = rec["text"]
        when = str(rec.get("timestamp", ""))[:16].replace("T", " ")
        fb = check_essay(rec["thesis"], rec["evidence"], rec["text"])
        status.value = f"<p><i>Saved essay restored{(' (' + _e(when) + ' UTC)') if when else ''}.</i></p>" + fb.html()
        if fb.valid:
            model.value = model_html
            model.layout.display = ""
    return w.VBox([head, thesis, pick_head] + rows + [text, button, status, model])
