"""What the browser tests share: servers, the offline browser, and reading a rendered notebook.

Used by ``conftest.py`` (fixtures) and the ``test_browser_*.py`` modules. Nothing
here is a test. See ``README.md`` in this folder for what the suite checks.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
LESSONS_DIR = ROOT / "lessons"
ARTIFACTS = ROOT / "tests" / "artifacts"

INSTALL_HINT = "sudo apt-get install chromium"

#: Chromium's flags: no sandbox (containers, root), and nothing that phones home.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]

#: JupyterLab settings for the test server (labconfig/default_setting_overrides.json).
LAB_SETTINGS = {
    # render every cell: the default windowing ("contentVisibility"; "full" drops
    # outputs scrolled out of view) would hide outputs from the test
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
    # no news, no update check: both would reach for the internet
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    # the copy of a lesson is run, never saved: no autosave, so a reload finds the file as it was
    "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
}

#: Notebooks the fixtures write next to the lesson copies.
BARE_NOTEBOOK = "zz_bare_benchmark.ipynb"
LEARNER_NOTEBOOK = "zz_learner_actions.ipynb"

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}

#: Helpers that draw a plotly figure: a cell calling one must show a figure.
CHART_HELPERS = ("timeline", "explore", "relations_chart", "stances_chart", "places_map")
#: Helpers that show ipywidgets: a cell calling one must show a widget.
WIDGET_HELPERS = ("explore", "who_said_it", "order_events", "criticise", "quiz")

#: A widget's text repr shown where the widget should be (its front end is missing).
WIDGET_TEXT_REPR = re.compile(
    r"\b(?:IntSlider|IntRangeSlider|FloatSlider|VBox|HBox|GridBox|Box|FigureWidget|Dropdown|Button|Checkbox"
    r"|RadioButtons|SelectMultiple|Select|Text|Textarea|HTML|HTMLMath|Label|Output|Tab|Accordion|ToggleButtons"
    r"|Play|DatePicker|AnyWidget|Layout)\((?:children=|value=|description=|layout=|options=|outputs=|\{|\))"
)
WIDGET_ERROR_TEXTS = ("Error displaying widget", "model not found")


# ---------------------------------------------------------------------------
# finding the browser

def find_chromium() -> str | None:
    """The path of a Chromium binary Playwright can launch, or None.

    ``COMRADES_APART_CHROMIUM`` wins; then Debian's real binary (``/usr/bin/chromium``
    is a shell wrapper), then Playwright's own download if one exists.
    """
    explicit = os.environ.get("COMRADES_APART_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    for candidate in ("/usr/lib/chromium/chromium", "/usr/lib/chromium-browser/chromium-browser"):
        if Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            bundled = pw.chromium.executable_path
        if bundled and Path(bundled).is_file():
            return bundled
    except Exception:
        pass
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------
# servers

@dataclass
class Server:
    """A JupyterLab or Voila server in its own process group, on loopback."""

    kind: str
    proc: subprocess.Popen
    port: int
    token: str
    workdir: Path
    root: Path
    log: Path
    progress: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def origin(self) -> str:
        return self.base

    def url(self, path: str = "/", **query: str) -> str:
        q = "&".join([*(f"{k}={v}" if v != "" else k for k, v in query.items()), f"token={self.token}"])
        return f"{self.base}{path}?{q}"

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""

    def api(self, method: str, path: str, timeout: float = 10) -> Any:
        req = urllib.request.Request(f"{self.base}{path}", method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Delete every session (and its kernel), as closing the notebook does."""
        if self.kind != "lab" or self.proc.poll() is not None:
            return
        try:
            for s in self.api("GET", "/api/sessions"):
                self.api("DELETE", f"/api/sessions/{s['id']}")
        except (OSError, urllib.error.URLError, ValueError):
            pass

    def stop(self) -> None:
        """Terminate, wait, kill: the server by its id, then anything left in its own process group."""
        proc = self.proc
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        try:  # kernels it started share its process group (start_new_session): none may outlive it
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _isolated_env(workdir: Path) -> tuple[dict[str, str], Path]:
    """Environment for a server: Jupyter's config, data and runtime dirs and the progress file in ``workdir``.

    ``sys.prefix/share/jupyter`` stays on the path, so the installed lab extensions
    (ipywidgets, plotly, anywidget) are found as a learner's server finds them.
    """
    cfg, data, runtime = workdir / "config", workdir / "data", workdir / "runtime"
    for d in (cfg / "labconfig", data, runtime):
        d.mkdir(parents=True, exist_ok=True)
    (cfg / "labconfig" / "default_setting_overrides.json").write_text(json.dumps(LAB_SETTINGS, indent=1), encoding="utf-8")
    progress = workdir / "progress" / "progress.json"
    env = dict(os.environ)
    env.update({
        "JUPYTER_CONFIG_DIR": str(cfg), "JUPYTER_DATA_DIR": str(data), "JUPYTER_RUNTIME_DIR": str(runtime),
        "JUPYTERLAB_SETTINGS_DIR": str(cfg / "lab" / "user-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(cfg / "lab" / "workspaces"),
        "JUPYTER_PLATFORM_DIRS": "1", "COMRADES_APART_PROGRESS": str(progress),
        "PYTHONUNBUFFERED": "1", "IPYTHONDIR": str(workdir / "ipython"),
    })
    env.pop("COMRADES_APART_DATA", None)
    env.pop("JUPYTER_TOKEN", None)
    return env, progress


def _wait_ready(proc: subprocess.Popen, port: int, token: str, log: Path, path: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{port}{path}"
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode}:\n"
                               f"{log.read_text(encoding='utf-8', errors='replace')[-3000:]}")
        try:
            req = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
            with urllib.request.urlopen(req, timeout=2):
                return
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return  # it answers
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"server not ready after {timeout:.0f} s:\n"
                               f"{log.read_text(encoding='utf-8', errors='replace')[-3000:]}")
        time.sleep(0.2)


def _start(kind: str, workdir: Path, root: Path, make_cmd: Callable[[int, str], list[str]], ready_path: str,
           timeout: float = 90) -> Server:
    env, progress = _isolated_env(workdir)
    last_error: Exception | None = None
    for attempt in range(3):  # a free port can be taken between bind() and the server's listen()
        port, token = free_port(), secrets.token_hex(24)
        log = workdir / f"{kind}-server-{attempt}.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen(make_cmd(port, token), cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        server = Server(kind, proc, port, token, workdir, root, log, progress)
        try:
            _wait_ready(proc, port, token, log, ready_path, timeout)
            return server
        except RuntimeError as exc:
            server.stop()
            last_error = exc
            if "address already in use" not in str(exc).lower():
                break
    raise RuntimeError(f"could not start {kind}: {last_error}")


def start_lab(workdir: Path, root: Path) -> Server:
    """JupyterLab on 127.0.0.1, a free port and a random token, serving ``root``; ``window.jupyterapp`` exposed."""
    def cmd(port: int, token: str) -> list[str]:
        args = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
                "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
                "--LabApp.expose_app_in_browser=True", "--ServerApp.open_browser=False",
                "--LabApp.news_url=", "--ServerApp.shutdown_no_activity_timeout=1800"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.append("--allow-root")
        return args
    return _start("lab", workdir, root, cmd, "/api/status")


def start_voila(workdir: Path, notebook: Path) -> Server:
    """Voila on 127.0.0.1 presenting one notebook (code hidden), tracebacks shown so a failure is visible."""
    conn = workdir / "voila-connections"
    conn.mkdir(parents=True, exist_ok=True)

    def cmd(port: int, token: str) -> list[str]:
        return [sys.executable, "-m", "voila", str(notebook), "--no-browser", "--Voila.ip=127.0.0.1",
                f"--port={port}", "--Voila.port_retries=0", f"--token={token}", "--show_tracebacks=True",
                f"--Voila.connection_dir_root={conn}"]
    return _start("voila", workdir, notebook.parent, cmd, "/voila/static/")


# ---------------------------------------------------------------------------
# notebooks made for the tests

def write_notebook(path: Path, cells: Iterable[str]) -> Path:
    """A stripped .ipynb of code cells (a markdown cell when a source starts with '#md ')."""
    nb_cells = []
    for i, src in enumerate(cells):
        if src.startswith("#md "):
            nb_cells.append({"cell_type": "markdown", "id": f"c{i}", "metadata": {}, "source": src[4:]})
        else:
            nb_cells.append({"cell_type": "code", "id": f"c{i}", "metadata": {}, "execution_count": None,
                             "outputs": [], "source": src})
    nb = {"cells": nb_cells, "metadata": {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return path


def code_sources(path: Path) -> list[tuple[int, str]]:
    """(cell number counting from 1 over all cells, source) of each code cell of a notebook file."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [(i, "".join(c["source"]) if isinstance(c["source"], list) else c["source"])
            for i, c in enumerate(nb["cells"], start=1) if c["cell_type"] == "code"]


def lessons() -> list[Path]:
    """Every lessons/NN_slug.ipynb present now (the lessons are being written while the suite grows)."""
    return sorted(LESSONS_DIR.glob("[0-9][0-9]_*.ipynb"))


# ---------------------------------------------------------------------------
# the offline browser

@dataclass
class OfflineGuard:
    """Routes every request of a browser context: the loopback server only; the rest is aborted and recorded."""

    origin: str
    blocked: list[str] = field(default_factory=list)

    def install(self, context) -> None:
        context.route("**/*", self._route)

    def _route(self, route) -> None:
        url = route.request.url
        if url == self.origin or url.startswith(self.origin + "/"):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def hosts(self) -> list[str]:
        out: list[str] = []
        for u in self.blocked:
            short = u if len(u) < 110 else u[:107] + "..."
            if short not in out:
                out.append(short)
        return out


#: Runs in every page before its own scripts: remember when an output last changed.
INIT_SCRIPT = r"""
(() => {
  window.__ca = {last: null, t0: null, runAll: null};
  const inOutput = (n) => {
    const el = n && (n.nodeType === 1 ? n : n.parentElement);
    return !!(el && el.closest && el.closest('.jp-OutputArea, .jp-OutputArea-output'));
  };
  const obs = new MutationObserver((records) => {
    for (const r of records) {
      if (inOutput(r.target)) { window.__ca.last = performance.now(); return; }
    }
  });
  const start = () => obs.observe(document, {subtree: true, childList: true, characterData: true});
  start();
})();
"""

#: The notebook panel of a path in JupyterLab, and its kernel's state.
_PANEL_JS = r"""
window.__caPanel = (path) => {
  const app = window.jupyterapp;
  if (!app || !app.shell) return null;
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path === path && w.content && w.content.widgets) return w;
  }
  return null;
};
window.__caKernel = (path) => {
  const p = window.__caPanel(path);
  const s = p && p.sessionContext;
  const k = s && s.session && s.session.kernel;
  return k ? {status: k.status, connection: k.connectionStatus, ready: p.context.isReady && s.isReady} : null;
};
"""

#: Everything the checks need, per code cell (JupyterLab: model and DOM; Voila: DOM).
COLLECT_JS = r"""
(args) => {
  const FIG = '.js-plotly-plot, .jp-RenderedPlotly, .plotly-graph-div';
  const text = (el, n) => ((el && (el.innerText || el.textContent)) || '').slice(0, n || 4000);
  const domOutputs = (area) => {
    if (!area) return [];
    return [...area.querySelectorAll(':scope > .jp-OutputArea-child')].map((child) => {
      const out = child.querySelector(':scope > .jp-OutputArea-output') || child;
      return {
        mime: out.dataset.mimeType || '',
        cls: out.className,
        text: text(out, 600),
        widgetView: !!out.querySelector('.jupyter-widgets, .js-plotly-plot') && !out.dataset.mimeType,
      };
    });
  };
  const figures = (root) => [...new Set(root.querySelectorAll(FIG))].filter(
    (f) => !f.parentElement || !f.parentElement.closest(FIG));
  const describe = (node, src, model, prompt) => {
    const area = node.querySelector('.jp-OutputArea');
    const all = area || node;
    const figs = figures(all).map((f) => ({svg: !!f.querySelector('svg.main-svg'), png: !!f.querySelector('img')}));
    return {
      source: src, prompt: prompt, model: model,
      outputs: domOutputs(area),
      text: text(all, 20000),
      figures: figs,
      widgets: all.querySelectorAll('.jupyter-widgets').length,
      errorWidgets: [...all.querySelectorAll('.jupyter-widgets-error-widget')].map(
        (e) => (e.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 300)),
      alerts: [...all.querySelectorAll('[role=alert]')].map((e) => text(e, 300)).filter((t) => t.trim()),
      stderr: [...all.querySelectorAll('.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]')]
                .map((e) => text(e, 3000)),
    };
  };
  if (args.path) {
    const panel = window.__caPanel(args.path);
    const cells = [];
    panel.content.widgets.forEach((cell, index) => {
      if (cell.model.type !== 'code') return;
      const model = cell.model.outputs.toJSON().map((o) => ({
        type: o.output_type, name: o.name || '', mimes: Object.keys(o.data || {}),
        plain: o.data && o.data['text/plain'] ? [].concat(o.data['text/plain']).join('').slice(0, 300) : '',
        ename: o.ename || '', evalue: (o.evalue || '').slice(0, 300),
        stream: o.output_type === 'stream' ? [].concat(o.text).join('').slice(0, 3000) : '',
      }));
      const prompt = (cell.node.querySelector('.jp-InputArea-prompt') || {}).textContent || '';
      const d = describe(cell.node, cell.model.sharedModel.getSource(), model, prompt);
      d.index = index + 1;
      cells.push(d);
    });
    return cells;
  }
  // Voila: the cells in page order, code cells only
  return [...document.querySelectorAll('.jp-Cell.jp-CodeCell')].map((node, i) => {
    const d = describe(node, null, null, null);
    d.index = i + 1;
    return d;
  });
}
"""

#: Figures that have not drawn yet, and widget views still pending, anywhere in the page.
PENDING_JS = r"""
() => {
  const FIG = '.js-plotly-plot, .jp-RenderedPlotly, .plotly-graph-div';
  const figs = [...document.querySelectorAll(FIG)];
  return figs.filter((f) => !f.querySelector('svg.main-svg')).length;
}
"""


def setup_page(context) -> None:
    context.add_init_script(INIT_SCRIPT + _PANEL_JS)


# ---------------------------------------------------------------------------
# driving JupyterLab

class LessonTimeout(AssertionError):
    pass


def open_notebook(page, server: Server, name: str, timeout_ms: int = 120_000) -> None:
    """Open ``name`` in a fresh workspace and wait until its kernel is idle (the status bar reads "| Idle")."""
    page.goto(server.url(f"/lab/tree/{name}", reset=""), wait_until="domcontentloaded", timeout=timeout_ms)
    wait_kernel_idle(page, name, timeout_ms)


def wait_kernel_idle(page, name: str, timeout_ms: int = 120_000) -> None:
    try:
        page.wait_for_function("(p) => window.__caKernel && (k => k && k.ready && k.status === 'idle' "
                               "&& k.connection === 'connected')(window.__caKernel(p))", arg=name, timeout=timeout_ms,
                               polling=100)
        page.locator(".jp-StatusBar-Widget").get_by_text(re.compile(r"\|\s*Idle")).first.wait_for(timeout=timeout_ms)
    except Exception as exc:
        raise LessonTimeout(f"{name}: the kernel never became idle after opening ({type(exc).__name__}); "
                            "is window.jupyterapp exposed and the python3 kernel installed?") from exc


def run_all(page, name: str, timeout_ms: int = 300_000, quiet_ms: int = 1500, grace_ms: int = 20_000) -> float:
    """Run every cell; wait until done and every output has rendered. Returns seconds from "run all" to the last output.

    Done means: the run-all command returned, no ``[*]`` prompt is left, the kernel
    is idle, no output changed for ``quiet_ms``, and every plotly figure has drawn
    (or ``grace_ms`` passed since the run ended, for the checks to report it).
    """
    page.evaluate(r"""(path) => {
        const panel = window.__caPanel(path);
        window.jupyterapp.shell.activateById(panel.id);
        window.__ca.last = null;
        window.__ca.runAll = {done: false};
        window.__ca.t0 = performance.now();
        window.jupyterapp.commands.execute('notebook:run-all-cells').then(
          (ok) => { window.__ca.runAll = {done: true, ok: ok, t: performance.now()}; },
          (err) => { window.__ca.runAll = {done: true, ok: false, error: String(err), t: performance.now()}; });
    }""", name)
    try:
        page.wait_for_function(
            r"""([path, quiet, grace]) => {
                const ca = window.__ca, k = window.__caKernel(path);
                if (!ca.runAll || !ca.runAll.done || !k || k.status !== 'idle') return false;
                const panel = window.__caPanel(path);
                const running = [...panel.node.querySelectorAll('.jp-InputArea-prompt')].some((p) => p.textContent.includes('*'));
                if (running) return false;
                const now = performance.now();
                if (now - (ca.last || ca.runAll.t) < quiet) return false;
                const undrawn = [...panel.node.querySelectorAll('.js-plotly-plot, .jp-RenderedPlotly, .plotly-graph-div')]
                    .filter((f) => !f.querySelector('svg.main-svg')).length;
                return undrawn === 0 || now - ca.runAll.t > grace;
            }""", arg=[name, quiet_ms, grace_ms], timeout=timeout_ms, polling=200)
    except Exception as exc:
        raise LessonTimeout(f"{name}: cells still running or outputs still changing after {timeout_ms / 1000:.0f} s "
                            f"({type(exc).__name__})") from exc
    ca = page.evaluate("window.__ca")
    last = ca["last"] if ca["last"] is not None else ca["runAll"]["t"]
    return max(0.0, (last - ca["t0"]) / 1000)


def collect_lab(page, name: str) -> list[dict]:
    return page.evaluate(COLLECT_JS, {"path": name})


def wait_voila_rendered(page, timeout_ms: int = 240_000, quiet_ms: int = 2500, grace_ms: int = 20_000) -> float:
    """Wait until Voila's page has executed and rendered (no output change for ``quiet_ms``); seconds to the last output."""
    page.wait_for_function(
        r"""([quiet, grace]) => {
            if (document.readyState !== 'complete') return false;
            if (document.querySelector('#loading, .voila-spinner-color1') &&
                getComputedStyle(document.querySelector('#loading, .voila-spinner-color1')).display !== 'none') return false;
            if (!document.querySelector('.jp-Cell')) return false;
            const ca = window.__ca, now = performance.now();
            if (!ca.seen) ca.seen = now;
            if (now - (ca.last || ca.seen) < quiet) return false;
            const undrawn = [...document.querySelectorAll('.js-plotly-plot, .jp-RenderedPlotly, .plotly-graph-div')]
                .filter((f) => !f.querySelector('svg.main-svg')).length;
            return undrawn === 0 || now - ca.seen > grace;
        }""", arg=[quiet_ms, grace_ms], timeout=timeout_ms, polling=250)
    last = page.evaluate("window.__ca.last || window.__ca.seen")
    return last / 1000


# ---------------------------------------------------------------------------
# the checks

def calls(source: str, names: Iterable[str]) -> list[str]:
    return [n for n in names if re.search(rf"(?<![\w.]){re.escape(n)}\s*\(", source or "")]


def _snippet(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 3] + "..."


def _cell_label(cell: dict) -> str:
    src = (cell.get("source") or "").strip().splitlines()
    first = _snippet(src[0], 50) if src else ""
    return f"cell {cell['index']}" + (f" `{first}`" if first else "")


def _cells(numbers: list[int]) -> str:
    return ("cell " if len(numbers) == 1 else "cells ") + ", ".join(map(str, numbers))


def check_rendered(cells: list[dict], sources: list[tuple[int, str]] | None = None, *,
                   expect_run: bool = True) -> list[str]:
    """What a learner would see wrong in a rendered notebook, as sentences (empty: all is well).

    ``cells`` comes from :data:`COLLECT_JS`; ``sources`` (Voila, from :func:`code_sources`)
    gives the number and code of each code cell when the page does not show them.
    """
    if sources is not None:
        for cell, (number, src) in zip(cells, sources, strict=False):
            cell["index"], cell["source"] = number, src
        if len(cells) != len(sources):
            return [f"the page shows {len(cells)} code cells, the notebook has {len(sources)}"]
    problems: list[str] = []
    as_text: list[tuple[dict, str]] = []
    error_widgets: list[tuple[dict, str]] = []
    figure_total = sum(len(c["figures"]) for c in cells)
    fig_no = 0
    for cell in cells:
        label = _cell_label(cell)
        src = cell.get("source") or ""
        # ---- did it run; tracebacks
        if expect_run and cell.get("prompt") is not None and src.strip() and not re.search(r"\d", cell["prompt"]):
            problems.append(f"{label} did not run (prompt {cell['prompt'].strip() or '[ ]'}; an earlier cell failed?)")
        for o in cell.get("model") or []:
            if o["type"] == "error":
                problems.append(f"{label} raised {o['ename']}: {_snippet(o['evalue'], 120)}")
            elif o["type"] == "stream" and o["name"] == "stderr" and "Traceback" in o["stream"]:
                problems.append(f"{label} printed a traceback: {_snippet(o['stream'][-200:], 160)}")
        model_errors = any(o["type"] == "error" or "Traceback" in o["stream"] for o in cell.get("model") or [])
        if not model_errors:
            for err in cell["stderr"]:
                if "Traceback" in err:
                    problems.append(f"{label} shows a traceback: {_snippet(err[-200:], 160)}")
        if "There was an error when executing cell" in cell["text"]:
            problems.append(f"{label} failed (Voila: 'There was an error when executing cell')")
        # ---- widgets
        for out in cell["outputs"]:
            if out["mime"] in ("text/plain", "application/vnd.jupyter.stdout", "") and WIDGET_TEXT_REPR.search(out["text"]):
                as_text.append((cell, out["text"]))
        model = cell.get("model")
        if model is not None:
            for i, o in enumerate(model):
                if "application/vnd.jupyter.widget-view+json" in o["mimes"]:
                    dom = cell["outputs"][i] if i < len(cell["outputs"]) else None
                    if dom is None or not dom["widgetView"]:
                        if not any(c is cell and t.startswith(o["plain"][:20]) for c, t in as_text):
                            if dom is not None and dom["mime"] == "text/plain":
                                as_text.append((cell, o["plain"] or dom["text"]))
                            else:
                                shows = (dom["mime"] or "an empty box") if dom else "nothing"
                                problems.append(f"{label}: widget output {i + 1} did not render (shows {shows})")
        error_widgets.extend((cell, err) for err in cell["errorWidgets"])
        for bad in WIDGET_ERROR_TEXTS:
            if bad in cell["text"] and not cell["errorWidgets"]:
                problems.append(f"{label} shows '{bad}'")
        shown_as_text = any(c is cell for c, _ in as_text)
        wanted = calls(src, WIDGET_HELPERS)
        if wanted and not cell["widgets"] and not shown_as_text and not cell["errorWidgets"]:
            problems.append(f"{label} calls {wanted[0]}() but shows no widget")
        # ---- figures
        drawn = 0
        for f in cell["figures"]:
            fig_no += 1
            if f["svg"]:
                drawn += 1
            else:
                how = " (a static PNG shown instead)" if f["png"] else ""
                problems.append(f"plotly figure {fig_no} of {figure_total} ({label}) has no svg.main-svg"
                                f"{how} (plotly.js did not load?)")
        charts = calls(src, CHART_HELPERS)
        if charts and not cell["figures"]:
            why = ("its widgets are shown as text" if shown_as_text else
                   "its widget failed" if cell["errorWidgets"] else "plotly.js did not load?")
            problems.append(f"{label} calls {charts[0]}() but shows no plotly figure ({why})")
        # ---- messages the helpers show instead of a traceback
        for alert in cell["alerts"]:
            problems.append(f"{label} shows an error message: '{_snippet(alert, 140)}'")
    if error_widgets:
        where = sorted({c["index"] for c, _ in error_widgets})
        problems.insert(0, f"{len(error_widgets)} error widget{'s' if len(error_widgets) != 1 else ''} "
                           f"(.jupyter-widgets-error-widget): '{_snippet(error_widgets[0][1], 120)}' "
                           f"({_cells(where)})")
    if as_text:
        where = sorted({c["index"] for c, _ in as_text})
        problems.insert(0, f"{len(as_text)} widget{'s' if len(as_text) != 1 else ''} shown as text: "
                           f"'{_snippet(as_text[0][1], 40)}' ({_cells(where)};"
                           " is the ipywidgets front end, @jupyter-widgets/jupyterlab-manager, installed and enabled?)")
    return problems


def stderr_notes(cells: list[dict]) -> list[str]:
    """Text a learner sees on red (stderr) that is not a traceback: warnings, worth a lesson writer's look."""
    notes = []
    for cell in cells:
        texts = [o["stream"] for o in cell.get("model") or [] if o["type"] == "stream" and o["name"] == "stderr"]
        texts = texts or cell["stderr"]
        for t in texts:
            if "Traceback" not in t and t.strip():
                notes.append(f"cell {cell['index']}: {_snippet(t, 140)}")
    return notes


# ---------------------------------------------------------------------------
# screenshots

_SCROLLER_JS = r"""
() => {
  let best = null, most = 0;
  for (const e of document.querySelectorAll('*')) {
    const oy = getComputedStyle(e).overflowY;
    if (!/(auto|scroll)/.test(oy)) continue;
    const d = e.scrollHeight - e.clientHeight;
    if (d > most) { most = d; best = e; }
  }
  document.querySelectorAll('[data-ca-scroller]').forEach((e) => e.removeAttribute('data-ca-scroller'));
  if (!best) return 0;
  best.setAttribute('data-ca-scroller', '1');
  best.scrollTop = 0;
  // stop at the last cell, not at the blank space JupyterLab leaves to scroll past the end
  const top = best.getBoundingClientRect().top;
  const cells = best.querySelectorAll('.jp-Cell');
  if (!cells.length) return most;
  const bottom = cells[cells.length - 1].getBoundingClientRect().bottom - top + 24;
  return Math.max(0, Math.min(most, bottom - best.clientHeight));
}
"""


def screenshot(page, path: Path, max_height: int = 8000) -> list[Path]:
    """Screenshots of the whole page from the top: the viewport is stretched to the content's height.

    The content scrolls inside JupyterLab's (and Voila's) panels, not the page, so
    the page's longest scrolling element is found and unrolled. Content taller than
    ``max_height`` is saved in parts: ``name.png``, ``name-2.png``, ...
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size or {"width": 1400, "height": 1000}
    saved: list[Path] = []
    try:
        hidden = page.evaluate(_SCROLLER_JS)
        page.set_viewport_size({"width": size["width"], "height": int(min(max_height, size["height"] + hidden))})
        page.wait_for_timeout(500)
        left = page.evaluate(_SCROLLER_JS)  # scrolled to the top again after the resize
        part = 1
        while True:
            target = path if part == 1 else path.with_name(f"{path.stem}-{part}{path.suffix}")
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp.png")
            bottom = page.evaluate("() => { const e = document.querySelector('[data-ca-scroller]');"
                                   " const c = e && e.querySelectorAll('.jp-Cell');"
                                   " return c && c.length ? c[c.length - 1].getBoundingClientRect().bottom + 24 : 0; }")
            vp = page.viewport_size
            clip = ({"x": 0, "y": 0, "width": vp["width"], "height": int(bottom)}
                    if 200 < bottom < vp["height"] else None)  # not the blank space below the last cell
            page.screenshot(path=str(tmp), timeout=60_000, clip=clip)
            os.replace(tmp, target)  # two runs at once: each file is whole
            saved.append(target)
            if left <= 0 or part >= 12:
                break
            step = page.evaluate("() => { const e = document.querySelector('[data-ca-scroller]'); if (!e) return 0;"
                                 " const before = e.scrollTop; e.scrollTop = before + e.clientHeight - 40;"
                                 " return e.scrollTop - before; }")
            if step <= 0:
                break
            left -= step
            part += 1
            page.wait_for_timeout(200)
        for stale in path.parent.glob(f"{path.stem}-*{path.suffix}"):  # parts of an earlier, longer run
            if stale not in saved and re.fullmatch(rf"{re.escape(path.stem)}-\d+", stale.stem):
                stale.unlink(missing_ok=True)
    finally:
        page.set_viewport_size(size)
    return saved


def copy_lessons(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for p in lessons():
        shutil.copy2(p, dest / p.name)
    return dest
