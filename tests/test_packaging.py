"""The promises of the README: two commands, one environment, a wheel that works on its own."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
RUN_CMD = 'python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/comrades-apart lab'
TEST_CMD = 'python3 -m venv .venv && .venv/bin/pip install -e ".[test]" && .venv/bin/python -m pytest'


def _block_after(marker: str) -> str:
    m = re.search(re.escape(marker) + r"\s*```bash\n(.*?)\n```", README, re.S)
    assert m, f"README lacks a bash block after {marker}"
    return m.group(1).strip()


def test_readme_commands_are_one_line_each():
    assert _block_after("<!-- run-command -->") == RUN_CMD
    assert _block_after("<!-- test-command -->") == TEST_CMD


def test_ci_runs_the_readme_test_command_word_for_word():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    awk = re.search(r"test_cmd=\$\(awk '(.*?)' README.md\)", script).group(1)
    out = subprocess.run(["awk", awk, "README.md"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    assert out == TEST_CMD
    assert 'bash -c "$test_cmd"' in script


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[]", req, maxsplit=1)[0].strip().lower()


def _spec(req: str) -> str:
    return req[len(_name(req)):].replace(" ", "")


def test_environment_yml_names_the_same_dependencies_as_pyproject():
    import yaml

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {_name(r): _spec(r) for r in project["dependencies"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda, pip = {}, {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for p in dep.get("pip", []):
                if not p.startswith("-e"):
                    pip[_name(p)] = _spec(p)
            assert "-e ." in dep.get("pip", []), "environment.yml must install the course itself with pip"
        else:
            conda[_name(dep)] = _spec(dep)
    got = {**conda, **pip}
    got.pop("python", None)
    got.pop("pip", None)
    assert got == wanted
    assert conda.get("python", "").startswith(">=3.11")
    assert env["channels"] == ["conda-forge"]


def test_lesson_maps_are_generated_from_lessons_csv():
    from helpers import toc

    assert toc.updated_readme(README) == README, "README's lesson map is stale: run python -m helpers.toc"
    assert (ROOT / "lessons" / "README.md").read_text(encoding="utf-8") == toc.lessons_readme(), \
        "lessons/README.md is stale: run python -m helpers.toc"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(out), str(ROOT)],
        capture_output=True, text=True,
    )
    if proc.returncode != 0 and "hatchling" in (proc.stderr + proc.stdout):
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(ROOT)], capture_output=True, text=True,
        )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return next(out.glob("comrades_apart-*.whl"))


def test_wheel_ships_data_and_lessons(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "helpers/course_data/datapackage.json" in names
    assert "helpers/course_data/events.csv" in names
    assert "helpers/course_lessons/00_start_here.ipynb" in names
    assert any(n.endswith("entry_points.txt") for n in names)


def test_installed_wheel_loads_data_and_runs_the_command(wheel, tmp_path):
    """A regular (non-editable) install finds its data through the package, from any folder."""
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(target)}
    env.pop("COMRADES_APART_DATA", None)
    code = (f"import helpers, helpers.data as d; assert helpers.__file__.startswith({str(target)!r}), helpers.__file__; "
            "print(len(d.load('events')), d.data_dir())")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "course_data" in out.stdout
    helped = subprocess.run([sys.executable, "-m", "helpers.cli", "lab", "--help"], cwd=tmp_path, env=env,
                            capture_output=True, text=True)
    assert helped.returncode == 0 and "00_start_here.ipynb" in helped.stdout


def test_lab_copies_lessons_and_never_overwrites_edits(tmp_path):
    from helpers.cli import copy_lessons, lessons_source

    target = tmp_path / "course"
    assert copy_lessons(target) == []
    start = target / "00_start_here.ipynb"
    assert start.read_bytes() == (lessons_source() / "00_start_here.ipynb").read_bytes()
    start.write_text(start.read_text(encoding="utf-8").replace("Start here", "My notes"), encoding="utf-8")
    fake_new = tmp_path / "new"
    fake_new.mkdir()
    (fake_new / "00_start_here.ipynb").write_text('{"cells": [], "newer": true}', encoding="utf-8")
    messages = copy_lessons(target, source=fake_new)
    assert "My notes" in start.read_text(encoding="utf-8"), "the learner's edit was overwritten"
    assert (target / "00_start_here.new.ipynb").read_text(encoding="utf-8") == '{"cells": [], "newer": true}'
    assert any("you have edited this lesson" in m for m in messages)


def test_lab_updates_untouched_lessons(tmp_path):
    from helpers.cli import copy_lessons

    target = tmp_path / "course"
    copy_lessons(target)
    newer = tmp_path / "newer"
    newer.mkdir()
    (newer / "00_start_here.ipynb").write_text('{"v": 2}', encoding="utf-8")
    messages = copy_lessons(target, source=newer)
    assert (target / "00_start_here.ipynb").read_text(encoding="utf-8") == '{"v": 2}'
    assert messages == ["00_start_here.ipynb: updated to the newer version."]


def test_lab_without_launch(tmp_path, capsys):
    from helpers.cli import main

    assert main(["lab", str(tmp_path / "c"), "--no-browser-launch"]) == 0
    assert (tmp_path / "c" / "00_start_here.ipynb").exists()


def test_import_helpers_is_light():
    """`import helpers` must not drag in plotly, ipywidgets or frictionless."""
    code = "import sys, helpers; print(sorted(m for m in ('plotly','ipywidgets','frictionless','pandas') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_function_exports_are_not_shadowed_by_submodules():
    """`from helpers import explore, timeline` must give the timeline function, in any order."""
    code = ("from helpers import explore, timeline, quiz, who_said_it; import helpers; "
            "assert callable(timeline) and not hasattr(timeline, '__path__') and timeline.__name__ == 'timeline'; "
            "assert helpers.timeline is timeline; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr[-1500:]
