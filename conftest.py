"""Session-wide isolation for every pytest run, whatever paths it is given.

Lives at the repository root so that `pytest lessons/03_x.ipynb` is covered as
well as `pytest tests/`: the progress file goes to a temporary folder before
any notebook kernel starts (kernels inherit the environment), so no test ever
touches a learner's real ~/comrades-apart.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_SESSION_DIR = Path(tempfile.mkdtemp(prefix="comrades-apart-tests-"))


def pytest_configure(config):
    os.environ["COMRADES_APART_PROGRESS"] = str(_SESSION_DIR / "progress.json")
    os.environ.pop("COMRADES_APART_DATA", None)
    os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
