"""How quickly the exercise checkers answer odd input, beside an ordinary answer.

Run: python benchmarks/bench_exercises.py

A learner's answer may be a name, or 10 kB of pasted text, emoji or
right-to-left script. The checkers cap what they fuzzy-match, so odd input
should cost about what an ordinary answer costs. For each checker this prints
the median time of an ordinary answer (the baseline) and of each odd input,
with the ratio. Uses the shipped course data.
"""

from __future__ import annotations

import statistics
import sys
import time

from helpers import exercises as ex
from helpers.data import load

ODD = {
    "empty": "",
    "None": None,
    "number": 1960,
    "10 kB text": "Khrushchev " * 1000,
    "emoji": "🙂🚩🇦🇱" * 50,
    "right-to-left": "خروشوف " * 40,
    "lone surrogate": "Hoxha\ud800",
}


def median_ms(fn, repeat: int = 30) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> int:
    quote = load("quotes").iloc[0]
    quiz = load("quiz")
    short = quiz[quiz["kind"] == "short"]
    quiz_id = (short if len(short) else quiz).iloc[0]["id"]
    events = list(load("events")["id"][:5])
    checkers = {
        "check_speaker": (lambda a: ex.check_speaker(quote["id"], a), "Khrushchev"),
        "check_chain": (lambda a: ex.check_chain(quote["id"], a), "first-hand"),
        "check_quiz": (lambda a: ex.check_quiz(quiz_id, a), "Tirana"),
        "check_order": (lambda a: ex.check_order(events, a if isinstance(a, list) else [a] * 5), events),
    }
    ex.check_speaker(quote["id"], "warm-up")
    print(f"{'checker':<14} | {'input':<15} | {'ms':>7} | {'baseline ms':>11} | {'ratio':>6}")
    print("-" * 64)
    for name, (fn, ordinary) in checkers.items():
        base = median_ms(lambda: fn(ordinary))
        for label, value in ODD.items():
            ms = median_ms(lambda: fn(value))
            print(f"{name:<14} | {label:<15} | {ms:7.2f} | {base:11.2f} | {ms / base:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
