"""Synthetic course data, for tests and benchmarks only.

:func:`make_data_dir` writes a complete, valid data package of any size into a
folder, so tests can point ``COMRADES_APART_DATA`` at it and benchmarks can
measure 100, 1,000 or 10,000 events. Nothing here is history: every title says
it is synthetic, and the lessons never use it.

Examples
--------
>>> import tempfile, pathlib
>>> folder = make_data_dir(pathlib.Path(tempfile.mkdtemp()), n_events=50)
>>> from helpers.data import validate
>>> validate(folder).ok
True
"""

from __future__ import annotations

import csv
import json
import random
import shutil
from pathlib import Path

from .data import shipped_data_dir

__all__ = ["make_data_dir", "CAPITAL_ACTORS"]

#: organization ids that put an event in each capital's lane
CAPITAL_ACTORS = {"Moscow": "ussr", "Beijing": "prc", "Tirana": "albania", "Hanoi": "drv"}

_ORGS = [
    ("ussr", "Soviet Union", "USSR", "state", ""),
    ("prc", "People's Republic of China", "PRC", "state", ""),
    ("albania", "Albania", "PRA", "state", ""),
    ("drv", "Democratic Republic of Vietnam", "DRV", "state", ""),
    ("yugoslavia", "Yugoslavia", "", "state", ""),
    ("cpsu", "Communist Party of the Soviet Union", "CPSU", "party", "ussr"),
    ("ccp", "Chinese Communist Party", "CCP", "party", "prc"),
    ("pla", "Party of Labour of Albania", "PLA", "party", "albania"),
    ("vwp", "Vietnam Workers' Party", "VWP", "party", "drv"),
    ("warsaw-pact", "Warsaw Pact", "", "military", ""),
]
_PEOPLE = [
    ("khrushchev", "Nikita Khrushchev", "Khrushchev;Nikita Khrushchev", "ussr"),
    ("hoxha", "Enver Hoxha", "Hoxha", "albania"),
    ("kapo", "Hysni Kapo", "Kapo", "albania"),
    ("deng-xiaoping", "Deng Xiaoping", "Deng", "prc"),
    ("ho-chi-minh", "Hồ Chí Minh", "Ho Chi Minh;Uncle Ho;Ho", "drv"),
    ("andropov", "Yuri Andropov", "Andropov", "ussr"),
    ("zhou-enlai", "Zhou Enlai", "Zhou", "prc"),
    ("le-duan", "Lê Duẩn", "Le Duan", "drv"),
]
_PLACES = [
    ("moscow", "Moscow", 55.7558, 37.6173, "ussr"),
    ("beijing", "Beijing", 39.9042, 116.4074, "prc"),
    ("tirana", "Tirana", 41.3275, 19.8187, "albania"),
    ("hanoi", "Hanoi", 21.0278, 105.8342, "drv"),
]
_LANE_SETS = [["ussr", "cpsu"], ["prc", "ccp"], ["albania", "pla"], ["drv", "vwp"], ["yugoslavia"],
              ["ussr", "albania"], ["prc", "albania"], ["ussr", "drv"]]
_CERTAINTY = ["documented", "reported", "disputed", "inferred"]


def _date(rng: random.Random) -> str:
    """A random date in one of the forms the course uses, between 1946 and 1991."""
    y = rng.randint(1946, 1990)
    m = rng.randint(1, 12)
    d = rng.randint(1, 28)
    form = rng.random()
    if form < 0.55:
        return f"{y}-{m:02d}-{d:02d}"
    if form < 0.70:
        return f"{y}-{m:02d}"
    if form < 0.78:
        return f"{y}-{m:02d}~"
    if form < 0.84:
        return f"{y}-{rng.choice([21, 22, 23])}"
    if form < 0.90:
        return f"{y}-{m:02d}-{d:02d}/{y}-{m:02d}-{min(d + 2, 28):02d}"
    if form < 0.95:
        return str(y)
    if form < 0.98:
        return f"{y}-{m:02d}?"
    return f"{y}-{m:02d}/{y + 1}-{m:02d}"


def _write(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def make_data_dir(folder: Path, n_events: int = 100, seed: int = 1960) -> Path:
    """Write a valid synthetic data package with ``n_events`` events into ``folder``.

    Every event is assigned to lesson ``00`` (whose period covers the whole
    course). Returns ``folder``.
    """
    rng = random.Random(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    shipped = shipped_data_dir()
    descriptor = json.loads((shipped / "datapackage.json").read_text(encoding="utf-8"))
    shutil.copy(shipped / "datapackage.json", folder / "datapackage.json")
    headers = {r["name"]: [f["name"] for f in r["schema"]["fields"]] for r in descriptor["resources"]}
    shutil.copy(shipped / "lessons.csv", folder / "lessons.csv")
    cite = ["synthetic", "§Introduction ¶1"]
    _write(folder / "works.csv", headers["works"], [
        ["synthetic", "Test Author", 2020, "Synthetic events for tests", "seed-article", "", 10, "", ""],
    ])
    _write(folder / "organizations.csv", headers["organizations"],
           [[i, n, a, k, c, "", ""] + cite for i, n, a, k, c in _ORGS])
    _write(folder / "people.csv", headers["people"],
           [[i, n, a, c, "synthetic person"] + cite for i, n, a, c in _PEOPLE])
    _write(folder / "places.csv", headers["places"], [list(p) + cite for p in _PLACES])
    events = []
    for k in range(n_events):
        actors = rng.choice(_LANE_SETS)
        people = rng.sample([p[0] for p in _PEOPLE], rng.randint(0, 2))
        date = _date(rng)
        events.append([
            f"e{k:05d}", date, f"synthetic date {date}", f"Synthetic event {k}",
            f"A synthetic event number {k} for tests, involving {' and '.join(actors)}.",
            ";".join(actors), ";".join(people), rng.choice(_PLACES)[0], "00",
            "synthetic", f"n{rng.randint(1, 10)}", rng.choice(_CERTAINTY),
        ])
    _write(folder / "events.csv", headers["events"], events)
    _write(folder / "sources.csv", headers["sources"], [
        ["s-record", "Synthetic record", "conversation-record", "pla", "1960-11-12", "nowhere", "ref 1",
         "A synthetic record kept by one side only."] + cite,
    ])
    first = events[0][0] if events else ""
    _write(folder / "quotes.csv", headers["quotes"], [
        ["q-synthetic", "Synthetic words [with an insertion].", "khrushchev", "hoxha", "", "1960-11-12",
         first, "s-record"] + cite + ["Said at a synthetic meeting.", "andropov;kapo;deng-xiaoping", ""],
    ])
    for name in ("claims", "discrepancies", "relations", "stances", "figures", "glossary", "prompts", "quiz"):
        _write(folder / f"{name}.csv", headers[name], [])
    return folder
