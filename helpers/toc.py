"""Tables of contents generated from data/lessons.csv.

The README's lesson map and lessons/README.md are written from the lessons
table, never by hand, so they stay in step with the data. After editing
``lessons.csv`` run::

    python -m helpers.toc

and commit the two files; a test fails when they are out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .data import load

START, END = "<!-- lesson-map:start -->", "<!-- lesson-map:end -->"
ROOT = Path(__file__).resolve().parent.parent


def lesson_map(link_prefix: str = "lessons/") -> str:
    """The lessons as a Markdown table: number, title and link, period, minutes, what you will be able to do."""
    lessons = load("lessons")
    lines = [
        "| # | Lesson | Period | Minutes | After it you will be able to… |",
        "|---|---|---|---|---|",
    ]
    for row in lessons.itertuples():
        link = f"[{row.title}]({link_prefix}{row.id}_{row.slug}.ipynb)"
        lines.append(f"| {row.id} | {link} | {row.period_label} | {row.minutes} | {row.objectives} |")
    total = int(lessons["minutes"].sum())
    lines.append("")
    lines.append(f"Altogether about {total // 60} hours {total % 60} minutes of study.")
    return "\n".join(lines)


def lessons_readme() -> str:
    """The whole text of lessons/README.md."""
    return "\n".join([
        "# Lessons",
        "",
        "One notebook per lesson, in order. Each opens with a lesson card (questions, objectives,",
        "time, prerequisites) and ends with key points, discussion questions and a link to the next.",
        "This table is generated from `data/lessons.csv` by `python -m helpers.toc`; do not edit it by hand.",
        "",
        START,
        lesson_map(link_prefix=""),
        END,
        "",
    ])


def updated_readme(text: str) -> str:
    """``text`` (the top README) with its lesson map replaced by the current one."""
    if START not in text or END not in text:
        raise ValueError(f"README.md lacks the markers {START} and {END}")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{lesson_map()}\n{END}{tail}"


def main() -> int:
    readme = ROOT / "README.md"
    readme.write_text(updated_readme(readme.read_text(encoding="utf-8")), encoding="utf-8")
    (ROOT / "lessons" / "README.md").write_text(lessons_readme(), encoding="utf-8")
    print("README.md and lessons/README.md updated from data/lessons.csv.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
