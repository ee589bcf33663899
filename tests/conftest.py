"""Shared test setup: nothing a test does may touch a learner's real files.

The repository's root conftest.py points the progress file at a temporary
folder for the whole session (notebook kernels inherit it); here each unit
test gets its own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


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
