"""Tests of helpers.progress: saving, merging, corruption, the summary, the CLI, and crashes."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import re
import select
import signal
import subprocess
import sys
import threading
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import data as hdata
from helpers import progress
from helpers.synthetic import make_data_dir

ROOT = Path(__file__).resolve().parent.parent
SAVER = Path(__file__).resolve().parent / "crash_saver.py"


def _append(path: Path, rows: list[dict]) -> None:
    with path.open(encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    with path.open("a", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        for r in rows:
            w.writerow({k: r.get(k, "") for k in header})


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    folder = make_data_dir(tmp_path_factory.mktemp("course"), n_events=8)
    cite = {"work": "synthetic", "locator": "n1"}
    _append(folder / "quiz.csv", [
        {"id": "qa", "lesson": "00", "kind": "single", "question": "A?", "choices": "x;y", "answer": "x",
         "feedback": "x.", **cite},
        {"id": "qb", "lesson": "00", "kind": "short", "question": "B?", "choices": "", "answer": "b",
         "feedback": "b.", **cite},
        {"id": "qc", "lesson": "02", "kind": "short", "question": "C?", "choices": "", "answer": "c",
         "feedback": "c.", **cite},
    ])
    assert hdata.validate(folder).ok
    return folder


@pytest.fixture(autouse=True)
def env(course, tmp_path, monkeypatch):
    monkeypatch.setenv("COMRADES_APART_DATA", str(course))
    path = tmp_path / "progress.json"
    monkeypatch.setenv("COMRADES_APART_PROGRESS", str(path))
    monkeypatch.setenv("JUPYTERHUB_USER", "ana")
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    hdata.clear_cache()
    progress.notices()
    yield path
    hdata.clear_cache()


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------
# where, and what a record holds


def test_path_file_folder_and_default(tmp_path, monkeypatch):
    monkeypatch.setenv("COMRADES_APART_PROGRESS", str(tmp_path / "mine.json"))
    assert progress.progress_path() == tmp_path / "mine.json"
    monkeypatch.setenv("COMRADES_APART_PROGRESS", str(tmp_path))
    assert progress.progress_path() == tmp_path / "progress.json"
    monkeypatch.setenv("COMRADES_APART_PROGRESS", str(tmp_path / "new-folder") + os.sep)
    assert progress.progress_path() == tmp_path / "new-folder" / "progress.json"
    monkeypatch.delenv("COMRADES_APART_PROGRESS")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert progress.progress_path() == tmp_path / "home" / "comrades-apart" / "progress.json"


def test_save_record(env):
    res = progress.save_answer("00", "quiz:qa", "quiz-single", "x", score=1, correct=True)
    assert res.saved and not res.message
    data = _read(env)
    assert data["learner"] == "ana" and data["format"] == "comrades-apart-progress"
    rec = data["answers"]["quiz:qa"]
    assert {k: rec[k] for k in ("lesson", "exercise", "kind", "answer", "score", "correct", "attempts")} == {
        "lesson": "00", "exercise": "quiz:qa", "kind": "quiz-single", "answer": "x", "score": 1.0,
        "correct": True, "attempts": 1}
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$", rec["timestamp"])
    progress.save_answer("00", "quiz:qa", "quiz-single", "y", score=0, correct=False)
    rec = _read(env)["answers"]["quiz:qa"]
    assert rec["answer"] == "y" and rec["attempts"] == 2
    assert not list(env.parent.glob(".progress.json.*.tmp"))
    assert (env.parent / "progress.json.lock").exists()


def test_odd_answers_are_saved_safely(env):
    odd = ["\ud800 lone", "x" * 50_000, float("nan"), b"\xff\xfe", {"a": {1, 2}}, ("t", None), 10**30,
           "\u202eRTL \U0001F600", object()]
    for i, a in enumerate(odd):
        assert progress.save_answer("00", f"odd:{i}", "odd", a, score=float("inf")).saved
    raw = env.read_bytes()
    raw.decode("utf-8")
    data = json.loads(raw)
    assert data["answers"]["odd:0"]["answer"] == "\ufffd lone"
    assert len(data["answers"]["odd:1"]["answer"]) == progress.MAX_STORED
    assert data["answers"]["odd:2"]["answer"] == "nan" and data["answers"]["odd:2"]["score"] is None


@settings(max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(value=st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.binary(max_size=20),
              st.text(alphabet=st.characters(codec=None, categories=None), max_size=30)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=4), inner, max_size=4),
                            st.tuples(inner, inner), st.frozensets(st.integers(), max_size=3)),
    max_leaves=6))
def test_sanitise_anything(value):
    clean = progress.sanitise(value)
    json.dumps(clean, ensure_ascii=False, allow_nan=False).encode("utf-8")
    assert progress.sanitise(clean) == clean  # idempotent


def test_learner_name(env):
    assert progress.learner() == "ana" and not progress.has_learner()
    assert not progress.set_learner("   ").saved
    res = progress.set_learner("  Liri   <b>B</b>  ")
    assert res.saved and progress.learner() == "Liri <b>B</b>" and progress.has_learner()
    progress.save_answer("00", "x", "k", "a")
    assert _read(env)["learner"] == "Liri <b>B</b>"  # kept, not overwritten by the default


def test_default_learner(monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_USER")
    assert progress.default_learner()
    monkeypatch.setenv("JUPYTERHUB_USER", "hub-user")
    assert progress.default_learner() == "hub-user"


# ----------------------------------------------------------------------------
# corruption


@pytest.mark.parametrize("content", [b"{not json", b"", b"[1, 2]", b"\xff\xfe\x00", b'{"answers": [1]}', b"null"])
def test_corrupt_file_moved_aside(env, content):
    env.write_bytes(content)
    res = progress.save_answer("00", "quiz:qa", "quiz-single", "x")
    assert res.saved
    kept = list(env.parent.glob("progress.json.corrupt-*"))
    assert len(kept) == 1 and re.fullmatch(r"progress\.json\.corrupt-\d{8}T\d{6}", kept[0].name)
    assert kept[0].read_bytes() == content  # never emptied
    assert list(_read(env)["answers"]) == ["quiz:qa"]
    msgs = progress.notices()
    assert len(msgs) == 1 and kept[0].name in msgs[0] and msgs[0].count(". ") == 0
    assert progress.notices() == []


def test_two_corruptions_keep_both(env):
    for text in (b"{bad", b"{worse"):
        env.write_bytes(text)
        progress.read_progress()
    assert sorted(p.read_bytes() for p in env.parent.glob("progress.json.corrupt-*")) == [b"{bad", b"{worse"]


def test_unreadable_place_gives_message(tmp_path, monkeypatch):
    (tmp_path / "dir.json").mkdir()
    monkeypatch.setenv("COMRADES_APART_PROGRESS", str(tmp_path / "dir.json" / "x" / "p.json"))
    (tmp_path / "dir.json" / "x").write_text("a file where a folder should be")
    res = progress.save_answer("00", "a", "k", "v")
    assert not res.saved and res.message.startswith("Not saved") and "\n" not in res.message


# ----------------------------------------------------------------------------
# two kernels at once (threads here; processes below)


def test_threads_lose_nothing(env):
    def work(prefix):
        for i in range(40):
            assert progress.save_answer("00", f"{prefix}-{i}", "k", i).saved

    threads = [threading.Thread(target=work, args=(p,)) for p in "abc"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(_read(env)["answers"]) == 120


# ----------------------------------------------------------------------------
# summary


def test_progress_summary(env, tmp_path):
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    nb = {"cells": [
        {"cell_type": "markdown", "source": "who_said_it('q-ignored')"},
        {"cell_type": "code", "source": ["from helpers import who_said_it, order_events, quiz\n",
                                         "who_said_it(\"q-synthetic\")"]},
        {"cell_type": "code", "source": "%matplotlib inline\norder_events(['e00001', 'e00002', 'e00003', 'e00004'])"},
        {"cell_type": "code", "source": "quiz('00')\nthis is not python"},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (lessons / "00_start_here.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    progress.save_answer("00", "quiz:qa", "quiz-single", "x", score=1.0, correct=True)
    progress.save_answer("00", "speaker:q-synthetic", "speaker", "khrushchev", score=0.0, correct=False)
    progress.save_answer("02", "quiz:qc", "quiz-short", "c", score=1.0, correct=True)
    progress.save_answer("", "speaker:q-elsewhere", "speaker", "x", score=0.5)
    table = progress.progress_summary(lessons)
    assert list(table.columns) == ["lesson", "title", "answered", "offered", "completion", "score"]
    row = table.set_index("lesson").loc["00"]
    # offered: qa, qb (quiz) + speaker and chain of q-synthetic + one order exercise
    assert row["offered"] == 5 and row["answered"] == 2
    assert row["completion"] == pytest.approx(2 / 5) and row["score"] == pytest.approx(0.5)
    row2 = table.set_index("lesson").loc["02"]
    assert row2["offered"] == 1 and row2["completion"] == 1.0
    assert table.set_index("lesson").loc["01"]["answered"] == 0
    assert "(none)" in set(table["lesson"])


def test_show_progress_widget(env):
    import ipywidgets as w

    progress.set_learner("<script>x</script>")
    box = progress.show_progress()
    assert isinstance(box, w.VBox)
    htmls = [c for c in _walk(box) if isinstance(c, w.HTML)]
    assert any("Your progress" in h.value for h in htmls)
    assert all("<script>" not in h.value for h in htmls)
    name = next(c for c in _walk(box) if isinstance(c, w.Text))
    assert name.value == "<script>x</script>" and name.description == "Your name"


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


# ----------------------------------------------------------------------------
# the command line


def _cli(*argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="comrades-apart")
    progress.add_cli(parser.add_subparsers(dest="command"))
    args = parser.parse_args(list(argv))
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = args.func(args)
    assert "Traceback" not in out.getvalue() + err.getvalue()
    return code, out.getvalue(), err.getvalue()


def test_cli_export(env):
    progress.save_answer("00", "quiz:qa", "quiz-single", "x, \"quoted\"", score=1.0, correct=True)
    progress.save_answer("00", "chain:q", "chain", ["kapo", "hoxha"], score=0.5, correct=False)
    code, out, _ = _cli("progress", "export", "--csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 2
    assert rows[1]["answer"] == 'x, "quoted"' and rows[1]["learner"] == "ana" and rows[1]["correct"] == "true"
    assert json.loads(rows[0]["answer"]) == ["kapo", "hoxha"]
    code, out, _ = _cli("progress", "export")
    assert code == 0 and json.loads(out)["answers"]["quiz:qa"]["score"] == 1.0
    code, _, err = _cli("progress", "export", "--file", str(env.parent / "nope.json"))
    assert code == 1 and "There is no file" in err


def test_cli_reset_keeps_old_file(env):
    progress.save_answer("00", "quiz:qa", "quiz-single", "x")
    code, out, _ = _cli("progress", "reset")
    assert code == 0 and "kept in progress.json.reset-" in out
    kept = list(env.parent.glob("progress.json.reset-*"))
    assert len(kept) == 1 and "quiz:qa" in _read(kept[0])["answers"]
    assert _read(env)["answers"] == {} and _read(env)["learner"] == "ana"
    env.unlink()
    code, out, _ = _cli("progress", "reset")
    assert code == 0 and "nothing to reset" in out


def test_cli_import(env, tmp_path):
    progress.save_answer("00", "quiz:qa", "quiz-single", "old")
    progress.save_answer("00", "quiz:qb", "quiz-short", "mine, newer")
    other = tmp_path / "download.json"
    stale = progress.read_progress()["answers"]["quiz:qb"]["timestamp"]
    other.write_text(json.dumps({"format": "comrades-apart-progress", "learner": "ana", "answers": {
        "quiz:qa": {"lesson": "00", "exercise": "quiz:qa", "answer": "new", "timestamp": "2999-01-01T00:00:00+00:00"},
        "quiz:qb": {"lesson": "00", "exercise": "quiz:qb", "answer": "theirs, older", "timestamp": "2000-01-01T00:00:00+00:00"},
        "quiz:qc": {"lesson": "02", "exercise": "quiz:qc", "answer": "only theirs", "timestamp": stale},
    }}), encoding="utf-8")
    code, out, _ = _cli("progress", "import", str(other))
    assert code == 0 and "1 new answer and 1 newer one" in out
    answers = _read(env)["answers"]
    assert answers["quiz:qa"]["answer"] == "new" and answers["quiz:qb"]["answer"] == "mine, newer"
    assert answers["quiz:qc"]["answer"] == "only theirs"


def test_cli_import_other_learner(env, tmp_path):
    progress.save_answer("00", "quiz:qa", "quiz-single", "x")
    other = tmp_path / "ben.json"
    other.write_text(json.dumps({"learner": "ben", "answers": {
        "quiz:qb": {"answer": "b", "timestamp": "2030-01-01T00:00:00+00:00"}}}), encoding="utf-8")
    code, _, err = _cli("progress", "import", str(other))
    assert code == 1 and "'ben'" in err and "'ana'" in err and "--force" in err
    assert "quiz:qb" not in _read(env)["answers"]
    code, _, _ = _cli("progress", "import", str(other), "--force")
    data = _read(env)
    assert code == 0 and "quiz:qb" in data["answers"] and data["learner"] == "ana" and data["imported_from"] == ["ben"]


@pytest.mark.parametrize("content, words", [(None, "There is no file"), ("{broken", "not a Comrades Apart progress file"),
                                            ("[]", "not a Comrades Apart progress file")])
def test_cli_import_bad_file(env, tmp_path, content, words):
    f = tmp_path / "in.json"
    if content is not None:
        f.write_text(content)
    code, _, err = _cli("progress", "import", str(f))
    assert code == 1 and words in err and err.count("\n") == 1


def test_cli_class_report(env, tmp_path):
    cls = tmp_path / "class"
    (cls / "sub").mkdir(parents=True)
    for name, answers in (("ana", {"quiz:qa": "x"}), ("ben", {"quiz:qa": "y", "quiz:qb": "b"})):
        p = cls / ("sub" if name == "ben" else ".") / f"{name}.json"
        p.write_text(json.dumps({"learner": name, "answers": {
            k: {"lesson": "00", "exercise": k, "kind": "quiz", "answer": v, "score": 1.0 if v == "x" else 0.0,
                "correct": v == "x", "timestamp": "2026-01-01T00:00:00+00:00"} for k, v in answers.items()}}))
    (cls / "nameless.json").write_text(json.dumps({"answers": {"quiz:qa": {"answer": "z", "lesson": "00"}}}))
    (cls / "carla").mkdir()
    (cls / "carla" / "progress.json").write_text(json.dumps({"answers": {"quiz:qb": {"answer": "c", "lesson": "00"}}}))
    (cls / "broken.json").write_text("{oops")
    (cls / "notes.txt").write_text("not json, not read")
    code, out, err = _cli("class-report", str(cls))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert {(r["learner"], r["lesson"], r["exercise"], r["answer"], r["score"]) for r in rows} == {
        ("ana", "00", "quiz:qa", "x", "1.0"), ("ben", "00", "quiz:qa", "y", "0.0"), ("ben", "00", "quiz:qb", "b", "0.0"),
        ("nameless", "00", "quiz:qa", "z", ""), ("carla", "00", "quiz:qb", "c", "")}
    assert "Skipped broken.json" in err and "5 answers from 4 learners" in err
    out_file = tmp_path / "report.csv"
    code, out, err = _cli("class-report", str(cls), "--out", str(out_file))
    assert code == 0 and out.startswith("Wrote ") and len(list(csv.DictReader(out_file.open()))) == 5
    code, _, err = _cli("class-report", str(tmp_path / "nowhere"))
    assert code == 1 and "There is no folder" in err


def test_cli_progress_without_subcommand():
    code, out, _ = _cli("progress")
    assert code == 2 and "reset" in out


# ----------------------------------------------------------------------------
# crash safety: real processes, SIGKILL


def _saver(prefix: str, count: int, env_path: Path) -> subprocess.Popen:
    env = dict(os.environ, COMRADES_APART_PROGRESS=str(env_path),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])))
    return subprocess.Popen([sys.executable, str(SAVER), prefix, str(count)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, cwd=ROOT)


def _complete_lines(raw: bytes) -> list[str]:
    text = raw.decode("utf-8", "replace")
    lines = text.split("\n")
    return [ln for ln in lines[:-1] if ln]  # the last piece has no newline: not proven saved


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_sigkill_loses_no_returned_save(env):
    rng = random.Random(1960)
    confirmed: set[str] = set()
    kills = mid_write = 0
    started = time.monotonic()
    for round_ in range(30):
        proc = _saver(f"r{round_}", 100_000, env)
        buf = b""
        # wait for the first confirmed save, then kill at a random moment
        deadline = time.monotonic() + 10
        while b"\n" not in buf and time.monotonic() < deadline:
            r, _, _ = select.select([proc.stdout], [], [], 0.5)
            if r:
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                buf += chunk
        assert b"\n" in buf, proc.stderr.read().decode()
        time.sleep(rng.uniform(0, 0.06))
        os.kill(proc.pid, signal.SIGKILL)
        rest, _ = proc.communicate(timeout=10)
        kills += proc.returncode == -signal.SIGKILL
        mid_write += bool(list(env.parent.glob(".progress.json.*.tmp")))
        lines = _complete_lines(buf + rest)
        assert not any(ln.startswith("ERROR") for ln in lines), lines
        confirmed.update(lines)
        data = json.loads(env.read_text(encoding="utf-8"))  # valid JSON after every kill
        missing = confirmed - set(data["answers"])
        assert not missing, f"after kill {round_ + 1}: {len(missing)} returned saves lost"
    elapsed = time.monotonic() - started
    assert kills == 30, kills
    assert len(confirmed) > 30
    print(f"\n30 SIGKILLs ({mid_write} mid-write), {len(confirmed)} confirmed saves, none lost, {elapsed:.1f} s")
    # stale temp files of killed saves are swept by the next save
    assert progress.save_answer("00", "after", "k", 1).saved
    assert not list(env.parent.glob(".progress.json.*.tmp"))


def test_two_processes_at_once_lose_nothing(env):
    n = 300
    procs = [_saver(p, n, env) for p in ("left", "right")]
    outs = [p.communicate(timeout=60) for p in procs]
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err.decode()
    answers = json.loads(env.read_text(encoding="utf-8"))["answers"]
    for prefix in ("left", "right"):
        assert {f"{prefix}-{i}" for i in range(n)} <= set(answers)
    assert len(answers) == 2 * n
    # the two really ran at once: their saves interleave in time
    stamps = sorted((answers[k]["timestamp"], k.split("-")[0]) for k in answers)
    switches = sum(a[1] != b[1] for a, b in zip(stamps, stamps[1:], strict=False))
    assert switches > 2, switches
