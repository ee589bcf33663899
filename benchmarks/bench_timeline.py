"""How much one filter change in ``explore()`` costs, against rebuilding the chart.

Run from anywhere, with the course package installed (``pip install -e .``)::

    python benchmarks/bench_timeline.py            # 100, 1,000 and 10,000 events
    python benchmarks/bench_timeline.py 500 20000  # other sizes

For each size it writes a synthetic data package into a temporary folder
(``helpers.synthetic``), builds one explorer, and times, per filter change
(median of several changes: the year slider, the search box, a capital, a
certainty box):

(a) ``explore``: setting the widget's value, which filters and swaps the
    arrays of the existing plotly FigureWidget inside one ``batch_update``
    (what a learner waits for in the kernel);
(b) ``px.timeline``: the same selection drawn again from scratch with
    ``plotly.express.timeline`` and serialised with ``to_json()``, as
    displaying a new figure would.

It is a script, not a timed test: numbers depend on the machine.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.express as px

from helpers import data, synthetic
from helpers.timeline import CAPITAL_LANES, _mask, explore

SIZES = (100, 1_000, 10_000)
REPEATS = 3  # passes over the list of changes below


def _changes(ex) -> list[tuple[object, object]]:
    """(widget, value) pairs; applied in turn, each is one filter change."""
    y0, y1 = ex.years.min, ex.years.max
    return [
        (ex.years, (1956, 1961)), (ex.years, (1960, 1960)), (ex.years, (y0, y1)),
        (ex.search, "event 1"), (ex.search, "event 12"), (ex.search, ""),
        (ex.capitals["Moscow"], False), (ex.capitals["Moscow"], True),
        (ex.certainty["disputed"], False), (ex.certainty["disputed"], True),
        (ex.years, (1946, 1970)), (ex.years, (y0, y1)),
    ]


def _px_rebuild(ex) -> tuple[float, int]:
    """Rebuild the current selection with plotly.express.timeline and serialise it; ms and bytes."""
    t0 = time.perf_counter()
    ev = ex.ev
    rows = ex._universe & _mask(ev, **ex.filters())
    idx = np.flatnonzero(rows)
    lanes = [(k, c) for k in idx for c in ev.capitals[k]]
    k = np.array([a for a, _ in lanes], dtype=int)
    frame = pd.DataFrame({
        "lane": [c for _, c in lanes],
        "start": pd.to_datetime(ev.start_ms[k], unit="ms"),
        "end": pd.to_datetime(np.nan_to_num(ev.end_ms[k], nan=ex._axis_full[1]), unit="ms"),
        "title": ev.df["title"].to_numpy(dtype=object)[k],
        "date": ev.df["date_label"].to_numpy(dtype=object)[k],
        "citation": (ev.df["work"] + ", " + ev.df["locator"]).to_numpy(dtype=object)[k],
    })
    fig = px.timeline(frame, x_start="start", x_end="end", y="lane", color="lane",
                      hover_data=["title", "date", "citation"],
                      category_orders={"lane": list(CAPITAL_LANES)})
    payload = fig.to_json()
    return (time.perf_counter() - t0) * 1000, len(payload)


def _explorer(n: int, folder: Path):
    synthetic.make_data_dir(folder, n_events=n)
    os.environ["COMRADES_APART_DATA"] = str(folder)
    data.clear_cache()
    t0 = time.perf_counter()
    ex = explore()
    return ex, (time.perf_counter() - t0) * 1000


def kernel_run(sizes: list[int]) -> dict[int, list[float]]:
    """Run inside a Jupyter kernel: (a) only, where widget messages really go out on the comm."""
    out = {}
    with tempfile.TemporaryDirectory(prefix="bench-timeline-kernel-") as tmp:
        for n in sizes:
            ex, _ = _explorer(n, Path(tmp) / f"n{n}")
            times = []
            for _ in range(REPEATS):
                for widget, value in _changes(ex):
                    t0 = time.perf_counter()
                    widget.value = value
                    times.append((time.perf_counter() - t0) * 1000)
            out[n] = [statistics.median(times), max(times)]
    return out


def in_kernel(sizes: tuple[int, ...]) -> dict[int, list[float]] | None:
    """Measure (a) in a fresh ipykernel (as in JupyterLab); None if no kernel can be started."""
    try:
        import json

        from jupyter_client.manager import start_new_kernel
    except ImportError:
        return None
    try:
        km, kc = start_new_kernel(kernel_name="python3")
    except Exception as exc:  # no kernelspec, no ipykernel...
        print(f"  (no kernel: {exc})", file=sys.stderr)
        return None
    code = (f"import json, runpy; _m = runpy.run_path({str(Path(__file__).resolve())!r}); "
            f"print('RESULT' + json.dumps(_m['kernel_run']({list(sizes)!r})))")
    try:
        msg_id = kc.execute(code)
        text = ""
        while True:
            msg = kc.get_iopub_msg(timeout=900)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                text += msg["content"]["text"]
            elif msg["msg_type"] == "error":
                print("  kernel error: " + msg["content"]["evalue"], file=sys.stderr)
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    line = next((x for x in text.splitlines() if x.startswith("RESULT")), None)
    return {int(k): v for k, v in json.loads(line[6:]).items()} if line else None


def bench(n: int, folder: Path) -> dict[str, float]:
    ex, build_ms = _explorer(n, folder)
    widget_ms, rebuild_ms, sizes = [], [], []
    for _ in range(REPEATS):
        for widget, value in _changes(ex):
            t0 = time.perf_counter()
            widget.value = value  # the observer filters and updates the FigureWidget in place
            widget_ms.append((time.perf_counter() - t0) * 1000)
            ms, size = _px_rebuild(ex)
            rebuild_ms.append(ms)
            sizes.append(size)
    assert abs(ex.last_update_ms - widget_ms[-1]) < widget_ms[-1] + 5  # the observer did run
    return {
        "events": n, "build_ms": build_ms,
        "explore_ms": statistics.median(widget_ms), "explore_max_ms": max(widget_ms),
        "px_ms": statistics.median(rebuild_ms), "json_kb": statistics.median(sizes) / 1024,
    }


def main(argv: list[str]) -> int:
    sizes = tuple(int(a.replace(",", "").replace("_", "")) for a in argv) or SIZES
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-timeline-") as tmp:
        for n in sizes:
            results.append(bench(n, Path(tmp) / f"n{n}"))
            print(f"  measured {n:,} events", file=sys.stderr)
    kernel = in_kernel(sizes)
    print(f"  measured in a kernel: {'yes' if kernel else 'no'}", file=sys.stderr)
    head = (f"{'events':>8} | {'(a) explore, in process':>23} | {'(a) explore, in a kernel':>24} | "
            f"{'(b) px.timeline + JSON':>22} | {'JSON':>7} | {'(b)/(a)':>7}")
    print(head)
    print("-" * len(head))
    for r in results:
        k = kernel.get(r["events"]) if kernel else None
        kern = f"{k[0]:>6.1f} ms (max {k[1]:>3.0f})" if k else "not measured"
        a = k[0] if k else r["explore_ms"]
        print(f"{r['events']:>8,} | {r['explore_ms']:>6.1f} ms (max {r['explore_max_ms']:>3.0f}) | {kern:>24} | "
              f"{r['px_ms']:>19.1f} ms | {r['json_kb']:>4.0f} KB | {r['px_ms'] / a:>6.1f}x")
    print(f"\n(a) median (and max) of {REPEATS * 12} widget changes, each updating the FigureWidget in place;")
    print("    'in a kernel' runs them in a fresh ipykernel, where the widget messages really go out.")
    print("(b) median of as many plotly.express.timeline rebuilds of the same selection, with fig.to_json().")
    print("(b)/(a) uses the kernel median where measured.")
    print("Explorer build (first, includes loading the data): " +
          ", ".join(f"{r['events']:,}: {r['build_ms']:.0f} ms" for r in results))
    worst = [(r["events"], (kernel or {}).get(r["events"], [r["explore_ms"]])[0]) for r in results]
    slow = [n for n, ms in worst if ms > 50]
    if slow:
        print("NOTE: above the 50 ms budget at", ", ".join(f"{n:,}" for n in slow), "events")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
