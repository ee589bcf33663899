"""Save every answer a learner gives, the moment it is given.

Answers live in one JSON file, by default ``~/comrades-apart/progress.json``
(visible in JupyterLab's file browser, so a learner can download it or hand it
in). The environment variable ``COMRADES_APART_PROGRESS`` names another file;
if it names a folder, ``progress.json`` inside it is used.

Every save takes a lock (``fcntl.flock`` on the sidecar ``progress.json.lock``),
re-reads the file, merges the new answer in, writes a temporary file in the
same folder, flushes it to disk and renames it over the old one
(``os.replace``). So two lessons open at once in two kernels lose nothing, and
a kernel killed in the middle of a save leaves the previous file whole.

A file that cannot be read as progress is never emptied: it is moved aside as
``progress.json.corrupt-YYYYMMDDTHHMMSS`` and reported in one sentence.

The file holds the learner's name and, per exercise, the newest answer::

    {"format": "comrades-apart-progress", "version": 1, "learner": "ana",
     "answers": {"quiz:q00-aqsh": {"lesson": "00", "exercise": "quiz:q00-aqsh",
                 "kind": "quiz-short", "answer": "Central State Archive",
                 "score": 1.0, "correct": true, "attempts": 1,
                 "timestamp": "2026-11-25T22:15:00.123456+00:00"}}}

Command line (registered by :func:`add_cli`): ``comrades-apart progress reset``,
``progress import FILE``, ``progress export [--csv]`` and ``class-report DIR``.

Examples
--------
>>> import pathlib, tempfile
>>> where = pathlib.Path(tempfile.mkdtemp()) / "progress.json"
>>> result = save_answer("00", "quiz:demo", "quiz-single", "AQSH", score=1.0, correct=True, path=where)
>>> result.saved, saved_answer("quiz:demo", path=where)["answer"]
(True, 'AQSH')
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import math
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas
    from ipywidgets import VBox

try:  # POSIX; on Windows saves are still atomic, only the cross-process lock is missing
    import fcntl
except ImportError:  # pragma: no cover - not on the course's platforms
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "ENV_VAR", "progress_path", "learner", "set_learner", "default_learner", "save_answer",
    "saved_answer", "all_answers", "read_progress", "SaveResult", "ProgressError",
    "progress_summary", "show_progress", "name_widget", "notices", "sanitise", "add_cli",
    "reset_progress", "import_progress", "export_rows", "class_report",
]

ENV_VAR = "COMRADES_APART_PROGRESS"
FORMAT = "comrades-apart-progress"
VERSION = 1
#: longest text kept for one answer (a long essay is kept whole up to this)
MAX_STORED = 20_000
ROW_FIELDS = ["learner", "lesson", "exercise", "kind", "answer", "score", "correct", "attempts", "timestamp"]

_thread_lock = threading.RLock()
_notices: list[str] = []


class ProgressError(Exception):
    """A progress file cannot be read or written; the message is one sentence for a learner."""


@dataclass
class SaveResult:
    """What became of one save: ``saved`` is False only when the disk refused it."""

    saved: bool
    record: dict = field(default_factory=dict)
    message: str = ""


# ----------------------------------------------------------------------------
# where


def progress_path() -> Path:
    """The progress file: ``COMRADES_APART_PROGRESS`` (a file, or a folder holding
    ``progress.json``), else ``~/comrades-apart/progress.json``.

    >>> progress_path().name
    'progress.json'
    """
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        p = Path(env).expanduser()
        if p.is_dir() or env.endswith(("/", os.sep)):
            return p / "progress.json"
        return p
    return Path.home() / "comrades-apart" / "progress.json"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%dT%H%M%S")


def _when(ts: Any) -> datetime:
    try:
        d = datetime.fromisoformat(str(ts))
        return d if d.tzinfo else d.replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return datetime.min.replace(tzinfo=UTC)


# ----------------------------------------------------------------------------
# making anything JSON-safe


def _clean_text(s: str) -> str:
    # surrogate pairs written as two code points become the real character;
    # a lone surrogate (not encodable as UTF-8) becomes U+FFFD
    if any("\ud800" <= c <= "\udfff" for c in s):
        s = s.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return s


def sanitise(value: Any, limit: int = MAX_STORED, _depth: int = 0) -> Any:
    """Turn any answer into something ``json.dumps`` writes as valid UTF-8.

    Text loses lone surrogates (replaced by U+FFFD) and is cut at ``limit``
    characters; numbers that JSON cannot hold (NaN, infinity) become text;
    anything else becomes its text form.

    >>> sanitise("ok \\ud800")
    'ok \\ufffd'
    >>> sanitise(float("nan"))
    'nan'
    >>> sanitise(("a", 1))
    ['a', 1]
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return _clean_text(value[:limit])
    if isinstance(value, int):
        return value if abs(value) < 2**63 else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, bytes):
        return _clean_text(value[:limit].decode("utf-8", "replace"))
    if _depth > 4:
        return _clean_text(repr(value)[:limit])
    if isinstance(value, dict):
        return {str(sanitise(k, 200, _depth + 1)): sanitise(v, limit, _depth + 1) for k, v in list(value.items())[:200]}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)[:200]
        if isinstance(value, (set, frozenset)):
            items = sorted(items, key=repr)
        return [sanitise(v, limit, _depth + 1) for v in items]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        try:
            return sanitise(value.item(), limit, _depth + 1)
        except Exception:
            pass
    try:
        return _clean_text(str(value)[:limit])
    except Exception:
        return "?"


# ----------------------------------------------------------------------------
# reading


def _empty(learner_name: str | None = None) -> dict:
    return {"format": FORMAT, "version": VERSION, "learner": learner_name or "", "created": _now(), "answers": {}}


def _valid(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("answers", {}), dict) and (
        "answers" in data or data.get("format") == FORMAT
    )


def _parse(raw: bytes) -> dict:
    """Progress data from file bytes; raises ValueError when it is not progress."""
    data = json.loads(raw.decode("utf-8"))
    if not _valid(data):
        raise ValueError("not a progress file")
    data.setdefault("answers", {})
    data["answers"] = {str(k): v for k, v in data["answers"].items() if isinstance(v, dict)}
    return data


def _set_aside(path: Path, tag: str) -> Path:
    """Rename ``path`` to ``<name>.<tag>-<timestamp>`` beside it (never over an existing file); return the new path."""
    target = path.with_name(f"{path.name}.{tag}-{_stamp()}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.{tag}-{_stamp()}-{n}")
        n += 1
    os.replace(path, target)
    return target


def _move_aside(path: Path, why: str) -> Path:
    """Keep an unreadable file beside the new one, under a timestamped name."""
    target = _set_aside(path, "corrupt")
    _notices.append(
        f"Your progress file {path} could not be read ({why}), so it was kept as {target.name} "
        "and a new one was started; your teacher can help recover answers from it."
    )
    return target


def _read_locked(path: Path) -> dict:
    """Read the progress file (caller holds the lock); move a corrupt one aside."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return _empty()
    except IsADirectoryError:
        raise ProgressError(f"{path} is a folder, not a progress file; set {ENV_VAR} to a file name.") from None
    except OSError as exc:
        raise ProgressError(f"Your progress file {path} cannot be read ({exc.strerror or exc}).") from None
    try:
        return _parse(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        why = "it is empty" if not raw.strip() else "it is not valid progress JSON" if isinstance(exc, ValueError) else "it is not UTF-8 text"
        try:
            _move_aside(path, why)
        except OSError as exc2:
            raise ProgressError(
                f"Your progress file {path} is damaged and could not be moved aside ({exc2.strerror or exc2})."
            ) from None
        return _empty()


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold the progress lock: a thread lock, and flock on ``<file>.lock``."""
    with _thread_lock:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ProgressError(f"The folder {path.parent} cannot be created ({exc.strerror or exc}).") from None
        if fcntl is None:  # pragma: no cover
            yield
            return
        lock_path = path.with_name(path.name + ".lock")
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise ProgressError(f"The lock file {lock_path} cannot be opened ({exc.strerror or exc}).") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def _write_locked(path: Path, data: dict) -> None:
    """Write atomically: temp file in the same folder, fsync, os.replace, fsync the folder."""
    data["updated"] = _now()
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False)
    payload = text.encode("utf-8")
    # temp files of saves that were killed mid-write (we hold the lock, so none is live)
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        with contextlib.suppress(OSError):
            stale.unlink()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(OSError):
            if path.exists():
                os.chmod(tmp, path.stat().st_mode & 0o777)
            else:
                os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def read_progress(path: str | os.PathLike | None = None) -> dict:
    """The whole progress file as a dict (an empty one if there is none yet).

    A corrupt file is moved aside and reported through :func:`notices`.
    """
    p = Path(path) if path is not None else progress_path()
    with _locked(p):
        return _read_locked(p)


def notices() -> list[str]:
    """One-sentence messages about the progress file (e.g. a corrupt file kept aside), once each."""
    out = list(dict.fromkeys(_notices))
    _notices.clear()
    return out


# ----------------------------------------------------------------------------
# the learner


def default_learner() -> str:
    """``JUPYTERHUB_USER`` if set, else the login name, else ``learner``."""
    name = os.environ.get("JUPYTERHUB_USER", "").strip()
    if name:
        return name
    try:
        import getpass

        return getpass.getuser() or "learner"
    except Exception:  # no login name in a container: getpass raises
        return "learner"


def _clean_name(name: Any) -> str:
    text = sanitise(name if isinstance(name, str) else "" if name is None else str(name), 100)
    return " ".join(str(text).split())


def learner(path: str | os.PathLike | None = None) -> str:
    """The learner's name as kept in the progress file, or :func:`default_learner`."""
    try:
        name = read_progress(path).get("learner") or ""
    except ProgressError:
        name = ""
    return str(name) or default_learner()


def has_learner(path: str | os.PathLike | None = None) -> bool:
    """True once a name is kept in the progress file."""
    try:
        return bool(read_progress(path).get("learner"))
    except ProgressError:
        return False


def set_learner(name: Any, path: str | os.PathLike | None = None) -> SaveResult:
    """Keep ``name`` as the learner's name in the progress file."""
    clean = _clean_name(name)
    if not clean:
        return SaveResult(False, {}, "Please type a name first: an empty name cannot be kept.")
    p = Path(path) if path is not None else progress_path()
    try:
        with _locked(p):
            data = _read_locked(p)
            data["learner"] = clean
            _write_locked(p, data)
    except (ProgressError, OSError) as exc:
        return SaveResult(False, {}, _failure(p, exc))
    return SaveResult(True, {"learner": clean}, f"Saved: you are {clean}.")


def _failure(path: Path, exc: BaseException) -> str:
    if isinstance(exc, ProgressError):
        return f"Not saved: {exc}"
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return (
        f"Not saved: your answer could not be written to {path} ({reason}); "
        f"set {ENV_VAR} to a folder you can write to."
    )


# ----------------------------------------------------------------------------
# answers


def _score(score: Any) -> float | None:
    try:
        f = float(score)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def save_answer(
    lesson: Any,
    exercise: str,
    kind: str,
    answer: Any,
    score: float | None = None,
    correct: bool | None = None,
    path: str | os.PathLike | None = None,
    **extra: Any,
) -> SaveResult:
    """Save one answer at once (atomically, under the lock). Never raises.

    Parameters
    ----------
    lesson: lesson id (``"03"``) or ``""`` when unknown.
    exercise: the exercise id, e.g. ``"speaker:q-khrushchev-base"`` or ``"quiz:q03-wftu"``.
    kind: ``speaker``, ``chain``, ``order``, ``prompt``, ``quiz-single``, ...
    answer: what the learner gave; made JSON-safe by :func:`sanitise`.
    score, correct: the checker's verdict (``None`` when there is none).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> where = pathlib.Path(tempfile.mkdtemp()) / "progress.json"
    >>> save_answer("00", "quiz:demo", "quiz-single", "AQSH", 1.0, True, path=where).saved
    True
    """
    p = Path(path) if path is not None else progress_path()
    record = {
        "lesson": str(sanitise(lesson, 20) or ""),
        "exercise": str(sanitise(exercise, 500)),
        "kind": str(sanitise(kind, 50)),
        "answer": sanitise(answer),
        "score": _score(score),
        "correct": None if correct is None else bool(correct),
        "timestamp": _now(),
    }
    for k, v in extra.items():
        record[str(k)] = sanitise(v)
    try:
        with _locked(p):
            data = _read_locked(p)
            if not data.get("learner"):
                data["learner"] = default_learner()
            old = data["answers"].get(record["exercise"])
            record["attempts"] = int(old.get("attempts", 1)) + 1 if isinstance(old, dict) and str(old.get("attempts", "1")).isdigit() else 1
            data["answers"][record["exercise"]] = record
            _write_locked(p, data)
    except (ProgressError, OSError, TypeError, ValueError) as exc:
        return SaveResult(False, record, _failure(p, exc))
    return SaveResult(True, record, "")


def saved_answer(exercise: str, path: str | os.PathLike | None = None) -> dict | None:
    """The newest saved record for one exercise, or ``None``."""
    try:
        rec = read_progress(path)["answers"].get(exercise)
    except ProgressError:
        return None
    return rec if isinstance(rec, dict) else None


def all_answers(path: str | os.PathLike | None = None) -> dict[str, dict]:
    """Every saved record, by exercise id."""
    try:
        return dict(read_progress(path)["answers"])
    except ProgressError:
        return {}


def _merge(mine: dict, theirs: dict) -> tuple[dict, int, int]:
    """Merge ``theirs`` into ``mine``: the newest answer per exercise wins.

    Returns the merged data, how many answers came in new, and how many
    replaced an older answer.
    """
    added = replaced = 0
    answers = mine.setdefault("answers", {})
    for key, rec in theirs.get("answers", {}).items():
        if not isinstance(rec, dict):
            continue
        rec = sanitise(rec)
        old = answers.get(key)
        if old is None:
            answers[key] = rec
            added += 1
        elif _when(rec.get("timestamp")) > _when(old.get("timestamp")):
            answers[key] = rec
            replaced += 1
    return mine, added, replaced


# ----------------------------------------------------------------------------
# summary


def _lessons_dirs() -> list[Path]:
    here = Path(__file__).resolve().parent
    # a source checkout, the learner's working copy (`comrades-apart lab`), the wheel's copy
    candidates = [here.parent / "lessons", progress_path().parent, progress_path().parent / "lessons",
                  here / "course_lessons"]
    return [c for c in candidates if c.is_dir() and any(c.glob("[0-9][0-9]_*.ipynb"))]


def _calls_in_notebook(path: Path) -> list[tuple[str, tuple]]:
    """(function name, literal arguments) of each exercise call in a notebook's code cells."""
    import ast

    names = {"who_said_it", "order_events", "criticise", "quiz"}
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    found = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else str(src)
        src = "\n".join(line for line in src.splitlines() if not line.lstrip().startswith(("%", "!")))
        try:
            tree = ast.parse(src)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                fname = node.func.id if isinstance(node.func, ast.Name) else node.func.attr if isinstance(node.func, ast.Attribute) else ""
                if fname in names:
                    try:
                        args = tuple(ast.literal_eval(a) for a in node.args)
                    except ValueError:
                        continue
                    found.append((fname, args))
    return found


def expected_exercises(lessons_dir: str | os.PathLike | None = None) -> dict[str, set[str]]:
    """Exercise ids each lesson offers: its quiz questions, and the exercises its notebook calls."""
    from . import exercises

    out: dict[str, set[str]] = {}
    try:
        quiz = exercises._catalog().quiz
    except Exception:
        quiz = {}
    for qid, row in quiz.items():
        out.setdefault(row["lesson"], set()).add(f"quiz:{qid}")
    dirs = [Path(lessons_dir)] if lessons_dir is not None else _lessons_dirs()
    for d in dirs[:1]:
        for nb in sorted(d.glob("[0-9][0-9]_*.ipynb")):
            lesson = nb.name[:2]
            for fname, args in _calls_in_notebook(nb):
                out.setdefault(lesson, set()).update(exercises.exercise_ids(fname, args))
    return out


def progress_summary(lessons_dir: str | os.PathLike | None = None) -> pandas.DataFrame:
    """Each lesson's completion and score, as a table (displayed as HTML in a notebook).

    Columns: ``lesson``, ``title``, ``answered`` (exercises with a saved answer),
    ``offered`` (exercises the lesson has: its quiz and the exercises its
    notebook calls; 0 when unknown), ``completion`` (share of those answered,
    NaN when unknown), ``score`` (mean score of the scored answers, NaN if none).

    Examples
    --------
    >>> table = progress_summary()
    >>> list(table.columns)[:4]
    ['lesson', 'title', 'answered', 'offered']
    """
    import pandas as pd

    answers = all_answers()
    try:
        from .data import load

        lessons = load("lessons")[["id", "title"]].values.tolist()
    except Exception:
        lessons = []
    try:
        offered = expected_exercises(lessons_dir)
    except Exception:
        offered = {}
    titles = {str(i): str(t) for i, t in lessons}
    ids = list(titles) + sorted({str(r.get("lesson", "")) for r in answers.values()} - set(titles))
    rows = []
    for lid in ids:
        expected = offered.get(lid, set())
        mine = {k: r for k, r in answers.items() if str(r.get("lesson", "")) == lid or k in expected}
        scores = [float(r["score"]) for r in mine.values() if isinstance(r.get("score"), (int, float)) and not isinstance(r.get("score"), bool)]
        done = len(expected & set(answers))
        rows.append({
            "lesson": lid or "(none)",
            "title": titles.get(lid, ""),
            "answered": len(mine),
            "offered": len(expected),
            "completion": done / len(expected) if expected else float("nan"),
            "score": sum(scores) / len(scores) if scores else float("nan"),
        })
    return pd.DataFrame(rows, columns=["lesson", "title", "answered", "offered", "completion", "score"])


def _pct(x: float) -> str:
    return "—" if x != x else f"{round(100 * x)}%"


def name_widget() -> VBox:
    """A small widget to see and change the learner's name (kept in the progress file)."""
    import html

    import ipywidgets as w

    box = w.Text(value=learner(), description="Your name", placeholder="how your teacher knows you",
                 style={"description_width": "initial"})
    button = w.Button(description="Keep this name", tooltip="Save your name in your progress file")
    status = w.HTML()

    def keep(_=None):
        res = set_learner(box.value)
        status.value = html.escape(res.message)

    button.on_click(keep)
    return w.VBox([w.HBox([box, button]), status])


def show_progress(lessons_dir: str | os.PathLike | None = None) -> VBox:
    """Your name, where your answers are saved, and each lesson's completion and score."""
    import html

    import ipywidgets as w

    table = progress_summary(lessons_dir)
    rows = "".join(
        f"<tr><td>{html.escape(str(r.lesson))}</td><td>{html.escape(str(r.title))}</td>"
        f"<td>{r.answered}</td><td>{_pct(r.completion)}</td><td>{_pct(r.score)}</td></tr>"
        for r in table.itertuples()
    )
    head = "<tr><th>Lesson</th><th>Title</th><th>Answers saved</th><th>Completion</th><th>Score</th></tr>"
    note = "".join(f"<p>{html.escape(n)}</p>" for n in notices())
    where = html.escape(str(progress_path()))
    return w.VBox([
        name_widget(),
        w.HTML(f"{note}<p>Your answers are saved in <code>{where}</code>.</p>"
               f"<table><caption>Your progress</caption>{head}{rows}</table>"),
    ])


# ----------------------------------------------------------------------------
# reset, import, export, class report


def reset_progress(path: str | os.PathLike | None = None) -> tuple[Path | None, str]:
    """Start afresh; the old file is kept beside it as ``progress.json.reset-TIMESTAMP``.

    The learner's name is carried over. Returns the kept file (``None`` if there
    was nothing to keep) and a one-sentence message.
    """
    p = Path(path) if path is not None else progress_path()
    with _locked(p):
        if not p.exists():
            return None, f"There was no progress file at {p}; nothing to reset."
        try:
            name = _parse(p.read_bytes()).get("learner", "")
        except (ValueError, UnicodeDecodeError, OSError):
            name = ""
        kept = _set_aside(p, "reset")
        _write_locked(p, _empty(name))
    return kept, f"Progress reset: {p} starts afresh and your earlier answers are kept in {kept.name}."


def _load_file(path: Path) -> dict:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ProgressError(f"There is no file {path}.") from None
    except IsADirectoryError:
        raise ProgressError(f"{path} is a folder, not a progress file.") from None
    except OSError as exc:
        raise ProgressError(f"{path} cannot be read ({exc.strerror or exc}).") from None
    try:
        return _parse(raw)
    except (ValueError, UnicodeDecodeError):
        raise ProgressError(f"{path} is not a Comrades Apart progress file (it is not progress JSON).") from None


def import_progress(file: str | os.PathLike, force: bool = False, path: str | os.PathLike | None = None) -> tuple[int, str]:
    """Merge a downloaded progress file into this one: the newest answer per exercise wins.

    Refuses (exit code 1) when the two files name different learners, unless
    ``force``; then the current name is kept and the other is recorded under
    ``imported_from``. Returns an exit code and a one-sentence message.
    """
    p = Path(path) if path is not None else progress_path()
    src = Path(file).expanduser()
    try:
        theirs = _load_file(src)
        with _locked(p):
            mine = _read_locked(p)
            a, b = str(mine.get("learner") or ""), str(theirs.get("learner") or "")
            if a and b and a != b and not force:
                return 1, (
                    f"Not imported: {src} belongs to {b!r} but this progress file belongs to {a!r}; "
                    "add --force to merge anyway."
                )
            merged, added, replaced = _merge(mine, theirs)
            if not a and b:
                merged["learner"] = b
            elif b and b != a:
                others = merged.setdefault("imported_from", [])
                if b not in others:
                    others.append(b)
            _write_locked(p, merged)
    except ProgressError as exc:
        return 1, str(exc)
    except OSError as exc:
        return 1, f"Could not write {p} ({exc.strerror or exc})."
    return 0, f"Imported {src.name}: {added} new answer{'s' if added != 1 else ''} and {replaced} newer one{'s' if replaced != 1 else ''} merged into {p}."


def _answer_text(answer: Any) -> str:
    if answer is None:
        return ""
    if isinstance(answer, str):
        return answer
    return json.dumps(answer, ensure_ascii=False)


def export_rows(data: dict, learner_name: str | None = None) -> list[dict]:
    """One flat row per saved answer: learner, lesson, exercise, kind, answer, score, correct, attempts, timestamp."""
    name = learner_name if learner_name is not None else str(data.get("learner") or "")
    rows = []
    for key, rec in sorted(data.get("answers", {}).items(), key=lambda kv: (str(kv[1].get("lesson", "")), kv[0])):
        if not isinstance(rec, dict):
            continue
        rows.append({
            "learner": name,
            "lesson": str(rec.get("lesson", "")),
            "exercise": str(rec.get("exercise", key)),
            "kind": str(rec.get("kind", "")),
            "answer": _answer_text(rec.get("answer")),
            "score": "" if rec.get("score") is None else rec.get("score"),
            "correct": "" if rec.get("correct") is None else str(bool(rec.get("correct"))).lower(),
            "attempts": rec.get("attempts", ""),
            "timestamp": str(rec.get("timestamp", "")),
        })
    return rows


def _csv_text(rows: list[dict], fields: list[str]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def class_report(folder: str | os.PathLike) -> tuple[list[dict], list[str]]:
    """Merge a class's progress files into one list of rows.

    Reads every ``*.json`` file under ``folder`` (recursively). Returns the rows
    (learner, lesson, exercise, kind, answer, score, correct, attempts,
    timestamp, file) and one message per file skipped. A file with no learner
    name is reported under its file name.
    """
    root = Path(folder).expanduser()
    rows: list[dict] = []
    skipped: list[str] = []
    for f in sorted(p for p in root.rglob("*.json") if p.is_file()):
        try:
            data = _load_file(f)
        except ProgressError as exc:
            skipped.append(f"Skipped {f.relative_to(root)}: {exc}")
            continue
        # a nameless file is reported under its file name, or its folder's for a plain progress.json
        fallback = f.parent.name if f.stem == "progress" and f.parent != root else f.stem
        name = str(data.get("learner") or fallback)
        for r in export_rows(data, name):
            r["file"] = str(f.relative_to(root))
            rows.append(r)
    return rows, skipped


def _say(msg: str, err: bool = False) -> None:
    print(msg, file=sys.stderr if err else sys.stdout)


def _write_out(text: str, out: str | None) -> tuple[int, str]:
    if not out:
        sys.stdout.write(text)
        return 0, ""
    try:
        Path(out).expanduser().write_text(text, encoding="utf-8")
    except OSError as exc:
        return 1, f"Could not write {out} ({exc.strerror or exc})."
    return 0, f"Wrote {out}."


def _guard(fn):
    def run(args: argparse.Namespace) -> int:
        try:
            return fn(args)
        except KeyboardInterrupt:
            _say("Interrupted.", err=True)
            return 130
        except Exception as exc:  # one sentence, never a traceback
            _say(f"Failed: {type(exc).__name__}: {exc}".rstrip(".") + ".", err=True)
            return 1
    run.__name__ = fn.__name__
    run.__doc__ = fn.__doc__
    return run


@_guard
def _cmd_reset(args: argparse.Namespace) -> int:
    try:
        _, msg = reset_progress(args.file)
    except (ProgressError, OSError) as exc:
        _say(str(exc) if isinstance(exc, ProgressError) else f"Could not reset: {exc}.", err=True)
        return 1
    _say(msg)
    return 0


@_guard
def _cmd_import(args: argparse.Namespace) -> int:
    code, msg = import_progress(args.source, force=args.force, path=args.file)
    _say(msg, err=bool(code))
    return code


@_guard
def _cmd_export(args: argparse.Namespace) -> int:
    p = Path(args.file) if args.file else progress_path()
    if not args.file and not p.exists():
        data = _empty(default_learner())
        _say(f"No answers are saved yet ({p} does not exist).", err=True)
    else:
        try:
            data = _load_file(p)
        except ProgressError as exc:
            _say(str(exc), err=True)
            return 1
    if args.csv:
        text = _csv_text(export_rows(data), ROW_FIELDS)
    else:
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    code, msg = _write_out(text, args.out)
    if msg:
        _say(msg, err=bool(code))
    return code


@_guard
def _cmd_class_report(args: argparse.Namespace) -> int:
    root = Path(args.folder).expanduser()
    if not root.is_dir():
        _say(f"There is no folder {root}.", err=True)
        return 1
    rows, skipped = class_report(root)
    for s in skipped:
        _say(s, err=True)
    code, msg = _write_out(_csv_text(rows, ROW_FIELDS + ["file"]), args.out)
    learners = len({r["learner"] for r in rows})
    if msg:
        _say(msg, err=bool(code))
    if code == 0:
        _say(f"{len(rows)} answers from {learners} learner{'s' if learners != 1 else ''}"
             f"{f'; {len(skipped)} file(s) skipped' if skipped else ''}.", err=True)
    return code


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    """Register ``progress reset|import|export`` and ``class-report`` on the CLI.

    Each command's handler is stored as ``func`` (``set_defaults``): call
    ``args.func(args)``; it returns an exit code and prints one-sentence
    messages, never a traceback.

    Examples
    --------
    >>> parser = argparse.ArgumentParser(prog="comrades-apart")
    >>> add_cli(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["progress", "export", "--csv"])
    >>> args.csv, callable(args.func)
    (True, True)
    """
    prog = subparsers.add_parser("progress", help="reset, import or export your saved answers",
                                 description="Manage your saved answers (the progress file).")
    sub = prog.add_subparsers(dest="progress_command", metavar="{reset,import,export}")
    prog.set_defaults(func=_guard(lambda a: (prog.print_help(), 2)[1]))

    def file_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--file", default=None,
                       help=f"the progress file (default: ${ENV_VAR} or ~/comrades-apart/progress.json)")

    p = sub.add_parser("reset", help="start afresh, keeping the old file beside the new one")
    file_option(p)
    p.set_defaults(func=_cmd_reset)

    p = sub.add_parser("import", help="merge a downloaded progress file into yours (newest answer wins)")
    p.add_argument("source", metavar="FILE", help="the progress file to merge in")
    p.add_argument("--force", action="store_true", help="merge even if the file names another learner")
    file_option(p)
    p.set_defaults(func=_cmd_import)

    p = sub.add_parser("export", help="print your answers as JSON, or as CSV with --csv")
    p.add_argument("--csv", action="store_true", help="one row per answer instead of JSON")
    p.add_argument("--out", default=None, help="write to this file instead of standard output")
    file_option(p)
    p.set_defaults(func=_cmd_export)

    p = subparsers.add_parser("class-report", help="merge a class's progress files into one CSV table",
                              description="Read every *.json progress file under DIR and print one CSV table "
                                          "(learner, lesson, exercise, kind, answer, score, correct, ...).")
    p.add_argument("folder", metavar="DIR", help="folder holding the learners' progress files")
    p.add_argument("--out", default=None, help="write the CSV to this file instead of standard output")
    p.set_defaults(func=_cmd_class_report)
