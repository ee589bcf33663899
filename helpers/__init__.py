"""Comrades Apart: helpers for an open Jupyter course on the Sino-Soviet split.

Lessons import what they need from here, for example::

    from helpers import load, timeline, who_said_it

Names are resolved lazily, so ``import helpers`` stays fast and a lesson that
only reads data never pays for plotly or ipywidgets.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    # data
    "load": "data", "validate": "data", "DataError": "data", "data_dir": "data",
    # dates
    "parse": "dates", "Span": "dates",
    # timelines and charts
    "timeline": "timeline", "explore": "timeline", "timeline_table": "timeline",
    "relations_chart": "timeline", "stances_chart": "timeline", "places_map": "timeline",
    "to_timelinejs": "timeline",
    # exercises
    "who_said_it": "exercises", "check_speaker": "exercises", "order_events": "exercises",
    "check_order": "exercises", "criticise": "exercises", "quiz": "exercises",
    "check_quiz": "exercises", "Feedback": "exercises", "check_chain": "exercises",
    "check_prompt": "exercises", "source_card": "exercises",
    # progress
    "progress_summary": "progress", "show_progress": "progress",
    # lesson display
    "show_quote": "display", "show_quotes": "display", "lesson_card": "display", "glossary": "display",
    "next_lesson": "display", "cite": "display", "show_discrepancy": "display",
    "discrepancies_table": "display", "claims_table": "display", "figures_table": "display",
    "find_discrepancies": "historiography",
    "discrepancy_evidence": "historiography",
    "discrepancy_dossier": "historiography",
    "explore_discrepancies": "historiography",
    "argument_map": "historiography",
    "argument_table": "historiography",
    "essay_evidence": "historiography",
    "check_essay": "historiography",
    "write_essay": "historiography",
    "model_essay": "historiography",
    "saved_essay": "historiography",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'helpers' has no attribute {name!r}")
    mod = importlib.import_module(f"{__name__}.{module}")
    # Importing helpers.timeline makes Python bind the *module* to helpers.timeline;
    # the public name must stay the function, so bind every export of that module now.
    for public, owner in _EXPORTS.items():
        if owner == module:
            globals()[public] = getattr(mod, public)
    return globals()[name]


def __dir__() -> list[str]:
    return __all__
