"""Shared test setup: nothing a test does may touch a learner's real files.

The progress file and working copies go to a temporary folder for the whole
session (set in the environment before any kernel starts, so notebooks run by
nbval inherit it), and again per test for unit tests.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="comrades-apart-tests-"))


def pytest_configure(config):
    os.environ["COMRADES_APART_PROGRESS"] = str(_SESSION_DIR / "progress.json")
    os.environ.pop("COMRADES_APART_DATA", None)
    os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")


@pytest.fixture(autouse=True)
def _private_progress(tmp_path, monkeypatch):
    """Each unit test saves progress in its own temporary folder."""
    monkeypatch.setenv("COMRADES_APART_PROGRESS", str(tmp_path / "progress" / "progress.json"))
    monkeypatch.delenv("COMRADES_APART_DATA", raising=False)
    yield


@pytest.fixture
def fresh_data(monkeypatch):
    """Point the helpers at another data folder for one test, and forget caches after."""
    from helpers import data

    def use(folder):
        monkeypatch.setenv("COMRADES_APART_DATA", str(folder))
        data.clear_cache()
        return folder

    yield use
    data.clear_cache()
