"""The ``comrades-apart`` command.

``comrades-apart lab [DIR]``
    Put a working copy of the lessons in DIR (default ``~/comrades-apart``) and
    open JupyterLab there on the start-here lesson. A lesson the learner has
    edited is never overwritten: a newer version goes beside it, with a message.
``comrades-apart validate [DIR]``
    Check the course data (or an instructor's copy in DIR) and list every problem.

Other modules add their own subcommands through an ``add_cli(subparsers)``
function (progress, class reports, timeline export).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["main", "copy_lessons", "lessons_source", "DEFAULT_HOME"]

DEFAULT_HOME = Path("~/comrades-apart")
START = "00_start_here.ipynb"
MANIFEST = ".comrades-apart-lessons.json"
#: modules that contribute subcommands through add_cli(subparsers)
PLUGIN_MODULES = ("helpers.progress", "helpers.timelinejs")


def lessons_source() -> Path:
    """The shipped lessons: inside the wheel, or lessons/ in a source checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "course_lessons"
    return packaged if packaged.is_dir() else here.parent / "lessons"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy_lessons(target: Path, source: Path | None = None) -> list[str]:
    """Copy the shipped lessons into ``target`` without overwriting a learner's edits.

    A lesson is replaced only when the copy in ``target`` is exactly what was
    installed there last time (its hash is in the folder's manifest). An edited
    lesson is kept, and the newer version is written beside it as
    ``NN_slug.new.ipynb``. Returns one message per file that was not simply copied.

    >>> import tempfile; d = Path(tempfile.mkdtemp())
    >>> _ = copy_lessons(d); (d / START).exists()
    True
    """
    source = source or lessons_source()
    target.mkdir(parents=True, exist_ok=True)
    manifest_path = target / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    messages = []
    for src in sorted(source.glob("*.ipynb")):
        dst = target / src.name
        new_hash = _digest(src)
        if not dst.exists():
            shutil.copy2(src, dst)
        elif _digest(dst) == new_hash:
            pass
        elif manifest.get(src.name) == _digest(dst):
            shutil.copy2(src, dst)  # untouched by the learner: safe to update
            messages.append(f"{src.name}: updated to the newer version.")
        else:
            beside = dst.with_name(dst.stem + ".new.ipynb")
            shutil.copy2(src, beside)
            messages.append(
                f"{src.name}: you have edited this lesson, so it was kept as it is; "
                f"the newer version is beside it as {beside.name}."
            )
            continue
        manifest[src.name] = new_hash
    for extra in ("README.md",):
        if (source / extra).is_file() and not (target / "LESSONS.md").exists():
            shutil.copy2(source / extra, target / "LESSONS.md")
    tmp = manifest_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, manifest_path)
    return messages


def _cmd_lab(args: argparse.Namespace) -> int:
    target = Path(args.dir).expanduser() if args.dir else DEFAULT_HOME.expanduser()
    try:
        messages = copy_lessons(target)
    except OSError as exc:
        print(f"Could not put the lessons in {target}: {exc.strerror or exc}.", file=sys.stderr)
        return 1
    for m in messages:
        print(m)
    print(f"The lessons are in {target}.")
    if args.no_browser_launch:
        return 0
    cmd = [sys.executable, "-m", "jupyterlab", f"--notebook-dir={target}", f"--LabApp.default_url=/lab/tree/{START}"]
    cmd += getattr(args, "jupyter_args", [])
    try:
        return subprocess.call(cmd)
    except KeyboardInterrupt:
        return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from .data import validate

    report = validate(args.dir)
    print(report)
    return 0 if report.ok else 1


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with every module's subcommands."""
    parser = argparse.ArgumentParser(
        prog="comrades-apart",
        description="Comrades Apart: a Jupyter course on the Sino-Soviet split from Tirana and Hanoi.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    lab = sub.add_parser(
        "lab", help="copy the lessons to a folder and open JupyterLab there",
        description="Put a working copy of the lessons in DIR (default ~/comrades-apart) and open JupyterLab "
        "on 00_start_here.ipynb. Lessons you have edited are never overwritten: a newer version goes beside them. "
        "Options this command does not know (e.g. --port 8899) are passed on to JupyterLab.",
    )
    lab.add_argument("dir", nargs="?", help="where to put the lessons (default ~/comrades-apart)")
    lab.add_argument("--no-browser-launch", action="store_true", help="copy the lessons but do not start JupyterLab")
    lab.set_defaults(func=_cmd_lab)
    val = sub.add_parser(
        "validate", help="check the course data and list every problem",
        description="Check the course data (or an instructor's copy in DIR) and list every problem with file, "
        "row and column. Exits 1 when there is any.",
    )
    val.add_argument("dir", nargs="?", help="a data folder (default: COMRADES_APART_DATA or the shipped data)")
    val.set_defaults(func=_cmd_validate)
    for name in PLUGIN_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        add = getattr(module, "add_cli", None)
        if add is not None:
            add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit code."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and getattr(args, "command", None) != "lab":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.jupyter_args = extra  # `comrades-apart lab DIR --port 8899` passes --port on to JupyterLab
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
