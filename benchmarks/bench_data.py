"""Data loading speed, side by side with plain pandas and Frictionless.

Run: python benchmarks/bench_data.py [--sizes 100 1000 10000] [--repeat 3]

For each size it prints, in one table:
- parse: helpers.dates.parse_many over every event date  vs  pandas.read_csv of events.csv;
- cold load: load("events") as the first call in a fresh process (imports and
  validation of the whole package included)  vs  read_csv + Frictionless
  validation of events.csv alone, also in a fresh process with its imports;
- import: `import helpers` vs importing pandas, plotly, ipywidgets and frictionless.
Times are medians in milliseconds; "ratio" is ours / baseline.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from helpers.synthetic import make_data_dir

COLD_OURS = """
import time, os
t = time.perf_counter()
from helpers.data import load
load("events")
print(time.perf_counter() - t)
"""
COLD_BASE = """
import time, sys
t = time.perf_counter()
import pandas as pd
from frictionless import Resource, Schema, system
import json
desc = json.load(open(sys.argv[1] + "/datapackage.json"))
schema = [r for r in desc["resources"] if r["name"] == "events"][0]["schema"]
schema = {k: v for k, v in schema.items() if k != "foreignKeys"}
pd.read_csv(sys.argv[1] + "/events.csv", dtype=str, keep_default_na=False)
with system.use_context(trusted=True):
    report = Resource(sys.argv[1] + "/events.csv", schema=Schema.from_descriptor(schema)).validate()
assert report.valid, report.flatten(["rowNumber", "fieldName", "type"])[:3]
print(time.perf_counter() - t)
"""
IMPORT_OURS = "import time; t = time.perf_counter(); import helpers; print(time.perf_counter() - t)"
IMPORT_BASE = ("import time; t = time.perf_counter(); import pandas, plotly.graph_objects, ipywidgets, frictionless; "
               "print(time.perf_counter() - t)")


def in_fresh_process(code: str, *args: str, env: dict | None = None) -> float:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def median_ms(fn, repeat: int) -> float:
    return statistics.median(fn() for _ in range(repeat)) * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    import os

    import pandas as pd

    from helpers import dates

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            folder = make_data_dir(Path(tmp) / f"d{n}", n_events=n)
            csv_path = folder / "events.csv"
            texts = pd.read_csv(csv_path, dtype=str, keep_default_na=False)["date"]

            def parse_once() -> float:
                dates.parse.cache_clear()
                t = time.perf_counter()
                dates.parse_many(texts)
                return time.perf_counter() - t

            def read_once() -> float:
                t = time.perf_counter()
                pd.read_csv(csv_path, dtype=str, keep_default_na=False)
                return time.perf_counter() - t

            env = {**os.environ, "COMRADES_APART_DATA": str(folder)}
            rows.append((n, "parse all dates vs read_csv", median_ms(parse_once, args.repeat * 3),
                         median_ms(read_once, args.repeat * 3)))
            rows.append((n, "cold load('events') vs read_csv + frictionless",
                         median_ms(lambda: in_fresh_process(COLD_OURS, env=env), args.repeat),
                         median_ms(lambda: in_fresh_process(COLD_BASE, str(folder)), args.repeat)))
    rows.append(("-", "import helpers vs its dependencies",
                 median_ms(lambda: in_fresh_process(IMPORT_OURS), args.repeat),
                 median_ms(lambda: in_fresh_process(IMPORT_BASE), args.repeat)))
    print(f"{'events':>7} | {'measure':<48} | {'ours ms':>9} | {'baseline ms':>11} | {'ratio':>6}")
    print("-" * 95)
    for n, what, ours, base in rows:
        print(f"{n!s:>7} | {what:<48} | {ours:9.1f} | {base:11.1f} | {ours / base:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
