"""Save answers in a loop, for the crash-safety tests in test_progress.py.

Usage: python tests/crash_saver.py PREFIX COUNT

Saves answers ``PREFIX-0``, ``PREFIX-1``, ... to the progress file named by
``COMRADES_APART_PROGRESS`` and prints each exercise id on its own line only
after its save has returned, so every id printed must survive a SIGKILL.
"""

from __future__ import annotations

import sys

from helpers.progress import save_answer


def main(argv: list[str]) -> int:
    prefix, count = argv[1], int(argv[2])
    for i in range(count):
        exercise = f"{prefix}-{i}"
        result = save_answer("00", exercise, "crash-test", f"answer {i} \u00eb\U0001F600", score=1.0, correct=True)
        if not result.saved:
            print(f"ERROR {result.message}", flush=True)
            return 1
        sys.stdout.write(exercise + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
