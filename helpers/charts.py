"""Three charts beside the timeline: relations over time, stances at a forum, places on a map.

- :func:`relations_chart` — the six relations between the four capitals
  (``relations.csv``), 1948–1991, as coloured bands from −2 (rupture) to +2
  (alliance), with the evidence events in the hover. The scores are the
  course's own reading of the evidence, and the chart says so.
- :func:`stances_chart` — who sided with whom at one forum (``stances.csv``):
  with Moscow, neutral, silent, absent, with Beijing, grouped by region.
- :func:`places_map` — the places the articles name (``places.csv``) on a land
  outline shipped with the package (Natural Earth, public domain): no tile
  server, no topojson, nothing fetched from the network.

All three are also imported by :mod:`helpers.timeline` and exported from
``helpers``. Every data text is HTML-escaped before plotly sees it.

Examples
--------
>>> relations_chart(["ussr;albania"])            # doctest: +SKIP
>>> stances_chart("1960-06-bucharest-meeting")   # doctest: +SKIP
>>> places_map(lesson="04")                      # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from . import data as _data
from .timeline import (
    CAPITAL_OF_ACTOR,
    DAY_MS,
    LANE_COLOURS,
    OKABE_ITO,
    _closest,
    _esc,
    _iso,
    _ms,
    _select,
    _wrap,
)

__all__ = ["relations_chart", "stances_chart", "places_map", "SCORE_WORDS", "STANCES", "REGION_OF_STATE"]

RELATIONS_START = date(1948, 1, 1)
RELATIONS_END = date(1992, 1, 1)  # exclusive: to the end of 1991

#: how the course reads each relations score
SCORE_WORDS: dict[int, str] = {2: "alliance", 1: "friendly", 0: "cool, correct", -1: "strained", -2: "rupture"}
SCORE_COLOURS: dict[int, str] = {
    2: OKABE_ITO["blue"], 1: OKABE_ITO["sky blue"], 0: "#BBBBBB", -1: OKABE_ITO["orange"], -2: OKABE_ITO["vermillion"],
}

#: stances at a forum, left to right, with how each is drawn (colour and shape, never colour alone)
STANCES: dict[str, dict[str, Any]] = {
    "with-moscow": {"label": "with Moscow", "colour": LANE_COLOURS["Moscow"], "symbol": "square"},
    "neutral": {"label": "neutral", "colour": OKABE_ITO["sky blue"], "symbol": "circle"},
    "silent": {"label": "silent", "colour": "#5F5F5F", "symbol": "circle-open"},
    "absent": {"label": "absent", "colour": "#9A9A9A", "symbol": "x-thin-open"},
    "with-beijing": {"label": "with Beijing", "colour": LANE_COLOURS["Beijing"], "symbol": "diamond"},
}

#: the region of each state (organization id), for grouping parties at a forum
REGION_OF_STATE: dict[str, str] = {
    **{s: "Europe" for s in (
        "ussr", "albania", "bulgaria", "poland", "romania", "hungary", "czechoslovakia", "gdr", "yugoslavia",
        "greece", "france", "italy", "spain", "uk", "austria", "finland", "belgium", "netherlands", "frg",
        "sweden", "denmark", "norway", "portugal", "switzerland",
    )},
    **{s: "Asia" for s in (
        "prc", "drv", "srv", "dprk", "mongolia", "cambodia", "democratic-kampuchea", "laos", "afghanistan",
        "republic-of-vietnam", "japan", "india", "indonesia", "burma", "ceylon", "iraq", "iran", "syria",
    )},
    **{s: "Americas" for s in ("usa", "cuba", "canada", "brazil", "argentina", "chile", "mexico")},
}
REGIONS = ("Europe", "Asia", "Americas", "Africa", "International", "Elsewhere")


def _no_data(fig: go.Figure, text: str) -> go.Figure:
    fig.add_annotation(text=text, xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False,
                       font=dict(size=16, color="#333333"))
    return fig


def _table(name: str) -> pd.DataFrame:
    return _data.load(name)


def _org_frame() -> pd.DataFrame:
    return _table("organizations").set_index("id")


def _org_short(orgs: pd.DataFrame, oid: str) -> str:
    if oid in orgs.index:
        row = orgs.loc[oid]
        return str(row["abbreviation"] or row["name"] or oid)
    return oid


def _org_long(orgs: pd.DataFrame, oid: str) -> str:
    if oid in orgs.index:
        row = orgs.loc[oid]
        name, abbr = str(row["name"] or oid), str(row["abbreviation"] or "")
        return f"{name} ({abbr})" if abbr and abbr != name else name
    return oid


# ----------------------------------------------------------------------------
# relations


def _dyad_key(value: Any) -> tuple[str, str]:
    parts = [p.strip() for p in value.split(";")] if isinstance(value, str) else [str(p).strip() for p in value]
    parts = [p for p in parts if p]
    if len(parts) != 2:
        raise ValueError(f"dyad {value!r} is not two organization ids (e.g. 'ussr;albania')")
    return tuple(sorted(parts))  # type: ignore[return-value]


def relations_chart(dyads: Iterable[str | Sequence[str]] | None = None) -> go.Figure:
    """How the relations between the capitals changed, 1948–1991, as coloured bands.

    One band per dyad of ``relations.csv``, one stretch per period, coloured by
    the score (−2 rupture … +2 alliance; Okabe–Ito colours, the score also in
    words on the band); hovering shows the period, the score, the course's label
    and the titles of the evidence events.

    Parameters
    ----------
    dyads : which relations, as ``"ussr;albania"`` strings or pairs of ids, in
        either order (``None``: all).

    Returns
    -------
    plotly.graph_objects.Figure
        With a "No relations data yet" annotation when the table is empty.

    Raises
    ------
    ValueError
        For a dyad that is not in ``relations.csv`` (naming the ones that are).

    Examples
    --------
    >>> relations_chart(["ussr;albania", "prc;albania"])   # doctest: +SKIP
    """
    rel = _table("relations")
    fig = go.Figure()
    x_range = [_iso(_ms(RELATIONS_START)), _iso(_ms(RELATIONS_END))]
    fig.update_layout(
        template="plotly_white", height=420, margin=dict(l=10, r=20, t=100, b=50), font=dict(size=13),
        title=dict(text="Relations between the capitals, 1948–1991<br><sup>The scores are this course's reading of "
                        "the evidence (−2 rupture … +2 alliance), not the sources' words.</sup>", x=0, xanchor="left"),
        xaxis=dict(type="date", range=x_range, gridcolor="#DDDDDD", showline=True, linecolor="#888888"),
        yaxis=dict(showgrid=False, zeroline=False, fixedrange=True, automargin=True),
        hoverlabel=dict(align="left", bgcolor="white", font=dict(size=13, color="#111111")),
        barmode="overlay", legend=dict(orientation="h", x=0, y=1.0, yanchor="bottom", title=dict(text="Score: "),
                                       traceorder="normal"),
    )
    if rel.empty:
        return _no_data(fig, "<b>No relations data yet</b><br>relations.csv has no rows.")
    rel = rel.copy()
    rel["key"] = [_dyad_key(d) for d in rel["dyad"]]
    if dyads is not None:
        wanted = [_dyad_key(d) for d in ([dyads] if isinstance(dyads, str) else dyads)]
        have = list(dict.fromkeys(rel["key"]))
        bad = [";".join(k) for k in wanted if k not in have]
        if bad:
            raise ValueError(
                f"relations.csv has no dyad {', '.join(bad)}; it has: {', '.join(';'.join(k) for k in have)}"
            )
        rel = rel[rel["key"].isin(wanted)]
    orgs = _org_frame()
    events = _table("events").set_index("id")
    cap_order = {c: k for k, c in enumerate(LANE_COLOURS)}

    def order(key: tuple[str, str]) -> tuple:
        ranks = sorted(cap_order.get(CAPITAL_OF_ACTOR.get(k, ""), 9) for k in key)
        return (*ranks, key)

    keys = sorted(dict.fromkeys(rel["key"]), key=order)
    names = {k: " – ".join(_org_short(orgs, x) for x in _dyad_in_file_order(rel, k)) for k in keys}
    ypos = {k: i for i, k in enumerate(keys)}
    lo, hi = _ms(RELATIONS_START), _ms(RELATIONS_END)
    starts = rel["period_start"].map(lambda v: _ms(v) if pd.notna(v) else lo).to_numpy(dtype=float)
    ends = rel["period_end"].map(lambda v: _ms(v) + DAY_MS if pd.notna(v) else hi).to_numpy(dtype=float)
    scores = rel["score"].astype(int).to_numpy()
    for score in sorted(SCORE_WORDS, reverse=True):
        sel = np.flatnonzero(scores == score)
        hover, text, cd = [], [], []
        for i in sel:
            r = rel.iloc[i]
            titles = []
            for e in r["evidence"]:
                if e in events.index:
                    titles.append(f"{events.at[e, 'date_label']}: {events.at[e, 'title']}")
                else:
                    titles.append(e)
            lines = [
                f"<b>{_esc(names[r['key']])}</b>",
                _wrap(f"{r['period_label'] or r['period']}"),
                _wrap(f"Score {score:+d}: {SCORE_WORDS[score]} — {r['label']}"),
                "<i>Evidence (the course's reading):</i>",
                *[_wrap("• " + t) for t in titles],
            ]
            hover.append("<br>".join(lines))
            text.append(_esc(r["label"]))
            cd.append([";".join(r["key"]), hover[-1]])
        fig.add_trace(go.Bar(
            name=f"{score:+d} {SCORE_WORDS[score]}" if score else f"0 {SCORE_WORDS[0]}",
            orientation="h", base=starts[sel], x=ends[sel] - starts[sel], y=[ypos[rel.iloc[i]["key"]] for i in sel],
            width=0.7, marker=dict(color=SCORE_COLOURS[score], line=dict(color="white", width=1)),
            text=text, textposition="inside", insidetextanchor="middle", textfont=dict(size=11),
            customdata=np.array(cd, dtype=object).reshape(-1, 2), hovertemplate="%{customdata[1]}<extra></extra>",
            meta={"role": "relations", "score": score},
        ))
    fig.update_yaxes(tickmode="array", tickvals=list(ypos.values()), ticktext=[_esc(names[k]) for k in keys],
                     range=[len(keys) - 0.5, -0.5])
    fig.update_layout(height=max(300, 170 + 48 * len(keys)))
    return fig


def _dyad_in_file_order(rel: pd.DataFrame, key: tuple[str, str]) -> list[str]:
    first = rel.loc[rel["key"] == key, "dyad"].iloc[0]
    return list(first)


# ----------------------------------------------------------------------------
# stances


def _region(orgs: pd.DataFrame, oid: str) -> str:
    state = oid
    if oid in orgs.index:
        row = orgs.loc[oid]
        if row["kind"] == "international":
            return "International"
        state = row["country"] or oid
    return REGION_OF_STATE.get(state, REGION_OF_STATE.get(oid, "Elsewhere"))


def stances_chart(event_id: str) -> go.Figure:
    """Who sided with whom at one forum: each organization's stance, grouped by region.

    Columns from left to right: with Moscow, neutral, silent, absent, with
    Beijing (colour and shape both tell the stance); rows are organizations
    (names from ``organizations.csv``), grouped Europe, Asia, ... Hovering shows
    the evidence and the citation.

    Raises
    ------
    ValueError
        When ``event_id`` is not an event, naming it and the closest ids.

    Examples
    --------
    >>> stances_chart("1960-06-bucharest-meeting")   # doctest: +SKIP
    """
    events = _table("events")
    stances = _table("stances")
    ids = events["id"].tolist()
    if event_id not in set(ids):
        pool = list(dict.fromkeys(list(stances["event"]) + ids))
        raise ValueError(f"stances_chart: there is no event {_closest([event_id], pool)}")
    ev = events.set_index("id").loc[event_id]
    fig = go.Figure()
    fig.update_layout(
        template="plotly_white", font=dict(size=13), margin=dict(l=10, r=110, t=100, b=40),
        title=dict(text=f"Who sided with whom: {_esc(ev['title'])}<br><sup>{_esc(ev['date_label'] or ev['date'])} · "
                        f"{_esc(ev['work'])}, {_esc(ev['locator'])}</sup>", x=0, xanchor="left"),
        hoverlabel=dict(align="left", bgcolor="white", font=dict(size=13, color="#111111")),
        legend=dict(orientation="h", x=0, y=1.0, yanchor="bottom", itemclick=False, itemdoubleclick=False),
        xaxis=dict(tickmode="array", tickvals=list(range(len(STANCES))), ticktext=[s["label"] for s in STANCES.values()],
                   range=[-0.6, len(STANCES) - 0.4], side="top", showgrid=True, gridcolor="#E5E5E5", fixedrange=True),
        yaxis=dict(showgrid=False, zeroline=False, fixedrange=True, automargin=True),
    )
    rows = stances[stances["event"] == event_id]
    if rows.empty:
        fig.update_layout(height=320)
        return _no_data(fig, "<b>No stances recorded for this event</b><br>stances.csv has no rows for it yet.")
    orgs = _org_frame()
    quotes = _table("quotes").set_index("id")
    ev_titles = events.set_index("id")["title"]
    stance_rank = {s: k for k, s in enumerate(STANCES)}
    rows = rows.assign(
        region=[_region(orgs, o) for o in rows["organization"]],
        name=[_org_long(orgs, o) for o in rows["organization"]],
    )
    rows = rows.assign(
        r_rank=[REGIONS.index(r) for r in rows["region"]], s_rank=[stance_rank[s] for s in rows["stance"]],
    ).sort_values(["r_rank", "s_rank", "name"]).reset_index(drop=True)
    y, pos, last = [], 0.0, None
    bands = []
    for region in rows["region"]:
        if last is not None and region != last:
            pos += 0.8
        y.append(pos)
        if region != last:
            bands.append([region, pos, pos])
        bands[-1][2] = pos
        last = region
        pos += 1
    rows["y"] = y
    for s, style in STANCES.items():
        sub = rows[rows["stance"] == s]
        hover = []
        for r in sub.itertuples(index=False):
            ev_lines = []
            for e in r.evidence:
                if e in ev_titles.index:
                    ev_lines.append(f"event: {ev_titles[e]}")
                elif e in quotes.index:
                    ev_lines.append(f"quote: “{quotes.at[e, 'text']}”")
                else:
                    ev_lines.append(e)
            hover.append("<br>".join([
                f"<b>{_wrap(r.name)}</b>", _wrap(f"{r.region}: {style['label']}"),
                *[_wrap(t) for t in ev_lines], _wrap(f"Cited: {r.work}, {r.locator}"),
            ]))
        fig.add_trace(go.Scatter(
            name=style["label"], x=[stance_rank[s]] * len(sub), y=sub["y"].tolist(), mode="markers",
            marker=dict(color=style["colour"], symbol=style["symbol"], size=15,
                        line=dict(width=2, color=style["colour"])),
            customdata=np.array([[o, h] for o, h in zip(sub["organization"], hover, strict=False)], dtype=object).reshape(-1, 2),
            hovertemplate="%{customdata[1]}<extra></extra>", meta={"role": "stance", "stance": s},
        ))
    shapes, annotations = [], []
    for k, (region, a, b) in enumerate(bands):
        shapes.append(dict(type="rect", xref="paper", x0=0, x1=1, yref="y", y0=a - 0.45, y1=b + 0.45, layer="below",
                           line=dict(width=0), fillcolor="#F2F2F2" if k % 2 == 0 else "#FAFAFA"))
        annotations.append(dict(text=f"<b>{_esc(region)}</b>", xref="paper", x=1.01, xanchor="left", yref="y",
                                y=(a + b) / 2, showarrow=False, font=dict(size=13, color="#333333")))
    fig.update_layout(
        shapes=shapes, annotations=annotations, height=int(max(300, 150 + 30 * pos)),
    )
    fig.update_yaxes(tickmode="array", tickvals=rows["y"].tolist(), ticktext=[_esc(n) for n in rows["name"]],
                     range=[pos - 0.3, -0.7])
    return fig


# ----------------------------------------------------------------------------
# places


@lru_cache(maxsize=1)
def _land() -> tuple[list, list]:
    text = resources.files("helpers").joinpath("assets", "world_land.json").read_text(encoding="utf-8")
    doc = json.loads(text)
    return doc["lon"], doc["lat"]


def places_map(
    events: Sequence[str] | pd.DataFrame | None = None, *, lesson: str | int | None = None,
    start: Any = None, end: Any = None,
) -> go.Figure:
    """The places the articles name, on a map that needs no network.

    Drawn with plain ``go.Scatter`` on longitude and latitude over a land
    outline shipped with the package (Natural Earth, public domain; no borders,
    which would be today's). No tile server, no topojson, no CDN.

    Parameters
    ----------
    events, lesson, start, end : as for :func:`helpers.timeline`. With none of
        them, every place in ``places.csv``; otherwise only the places of the
        events selected.

    Returns
    -------
    plotly.graph_objects.Figure
        Hover: the place's name, its country and the events there.

    Examples
    --------
    >>> places_map(lesson="04")   # doctest: +SKIP
    """
    places = _table("places")
    sel = _select(events, lesson, start, end)
    ev = sel.ev
    idx = np.flatnonzero(sel.rows)
    place_of = ev.df["place"].to_numpy(dtype=object)[idx]
    by_place: dict[str, list[int]] = {}
    for k, p in zip(idx, place_of, strict=False):
        if p:
            by_place.setdefault(p, []).append(int(k))
    filtered = events is not None or lesson is not None or start is not None or end is not None
    if filtered:
        places = places[places["id"].isin(by_place)]
    try:
        orgs = _org_frame()
    except Exception:
        orgs = pd.DataFrame(columns=["name", "abbreviation", "kind", "country"])
    lon, lat = _land()
    fig = go.Figure(go.Scatter(
        x=lon, y=lat, mode="lines", fill="toself", fillcolor="#E4E4E0", line=dict(color="#C9C9C3", width=0.6),
        hoverinfo="skip", showlegend=False, name="land", meta={"role": "land"},
    ))
    fig.update_layout(
        template="plotly_white", font=dict(size=13), margin=dict(l=10, r=10, t=70, b=40), height=560,
        title=dict(text="Places the articles name" + (f"<br><sup>{_esc(sel.title)}</sup>" if sel.title else ""),
                   x=0, xanchor="left"),
        plot_bgcolor="#EEF4F8", hoverlabel=dict(align="left", bgcolor="white", font=dict(size=13, color="#111111")),
        dragmode="pan", showlegend=False,
    )
    fig.add_annotation(text="Land: Natural Earth (public domain). No borders are drawn: today's would mislead.",
                       xref="paper", yref="paper", x=0, y=-0.06, xanchor="left", showarrow=False,
                       font=dict(size=11, color="#555555"))
    axis = dict(showgrid=False, zeroline=False, showticklabels=False, ticks="", showline=False)
    if places.empty:
        fig.update_xaxes(range=[-15, 150], **axis)
        fig.update_yaxes(range=[-5, 75], **axis)
        return _no_data(fig, "<b>No places to show</b><br>" + (
            "None of the events chosen has a place." if filtered else "places.csv has no rows yet."))
    titles = ev.df["title"].to_numpy(dtype=object)
    labels = ev.df["date_label"].to_numpy(dtype=object)
    hover, size, colour = [], [], []
    for p in places.itertuples(index=False):
        here = sorted(by_place.get(p.id, []), key=lambda k: (np.nan_to_num(ev.start_ms[k], nan=-np.inf), ev.ids[k]))
        country = _org_long(orgs, p.country) if p.country in orgs.index else p.country
        lines = [f"<b>{_esc(p.name)}</b>", _esc(country)]
        if here:
            lines.append(f"{len(here)} event{'s' if len(here) != 1 else ''} here:")
            lines += [_wrap(f"• {labels[k]}: {titles[k]}") for k in here[:12]]
            if len(here) > 12:
                lines.append(f"… and {len(here) - 12} more")
        else:
            lines.append("<i>no event of this selection here</i>")
        hover.append("<br>".join(lines))
        size.append(9 + 5 * math.sqrt(len(here)))
        cap = CAPITAL_OF_ACTOR.get(p.country)
        colour.append(LANE_COLOURS.get(cap, "#444444"))
    fig.add_trace(go.Scatter(
        x=places["lon"].tolist(), y=places["lat"].tolist(), mode="markers+text",
        text=[_esc(n) for n in places["name"]], textposition="top center", textfont=dict(size=12, color="#222222"),
        marker=dict(size=size, color=colour, line=dict(color="white", width=1.2), opacity=0.9),
        customdata=np.array([[i, h] for i, h in zip(places["id"], hover, strict=False)], dtype=object).reshape(-1, 2),
        hovertemplate="%{customdata[1]}<extra></extra>", cliponaxis=False, meta={"role": "places"},
    ))
    x0, x1 = float(places["lon"].min()), float(places["lon"].max())
    y0, y1 = float(places["lat"].min()), float(places["lat"].max())
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w = max((x1 - x0) / 2 * 1.15 + 4, 20)
    half_h = max((y1 - y0) / 2 * 1.2 + 4, 12)
    lat0 = max(min(cy, 70), -70)
    fig.update_xaxes(range=[max(cx - half_w, -180), min(cx + half_w, 180)], **axis)
    fig.update_yaxes(range=[max(cy - half_h, -90), min(cy + half_h, 90)], scaleanchor="x",
                     scaleratio=1 / math.cos(math.radians(lat0)), **axis)
    return fig

