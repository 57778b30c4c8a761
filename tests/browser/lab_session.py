"""Start JupyterLab and headless Chromium for a browser test, drive a notebook, stop both.

What a learner sees is what these tests check: a notebook opened in JupyterLab 4, "Run All"
from the menu, widgets rendered (not their text repr), and a key press on a slider.

Isolation: the server runs on 127.0.0.1 on a free port with token authentication on, in a
temporary root holding COPIES of the notebooks (JupyterLab autosaves), with its own
settings, workspaces, runtime, data, config and IPython folders, and the news popup and
update check turned off. The kernel is the `python3` kernelspec of this very environment
(sys.prefix), so the widgets' kernel and the JupyterLab front end match.

Every process is stopped by its own PID (the server, its kernels, the browser), failures
included: see `stop_processes`.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import psutil

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "build" / "browser"

CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def install_hint(path: str = CHROMIUM) -> str:
    return (f"the browser tests need Chromium at {path}. On Debian: `sudo apt-get install "
            "chromium`. Elsewhere set COURSE_CHROMIUM to a Chromium or Chrome binary, e.g. "
            "/snap/bin/chromium (Ubuntu) or '/Applications/Google Chrome.app/Contents/MacOS/"
            "Google Chrome' (macOS). Playwright's own browser download is not needed.")


INSTALL_HINT = install_hint()


SERVER_START_S = 60
KERNEL_IDLE_S = 60
RUN_ALL_S = 90  # notebook 07 (sweep, curvature) runs in ~20 s idle, ~60 s on a busy 2-core box
WIDGET_RENDER_S = 20
# The status bar's kernel item; the toolbar's indicator says idle before a kernel exists.
KERNEL_IDLE = "Python 3 (ipykernel) | Idle"

# A widget whose front end is missing shows its text repr, e.g.
# `VBox(children=(IntSlider(value=7, description='n', max=10), Label(value='7 squared is 49')))`.
WIDGET_REPR = re.compile(r"\b[A-Z]\w*\((?:value|children|description|options|layout)=")


# --- processes ------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def process_tree(pid: int) -> list[psutil.Process]:
    """`pid` and all its descendants (kernels, renderer processes), parents first."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def stop_processes(processes: list[psutil.Process], grace_s: float = 10) -> list[int]:
    """Terminate each process by its PID, kill those still alive after `grace_s`.

    Returns the PIDs that had to be killed. Processes already gone are fine.
    """
    for process in processes:
        try:
            process.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(processes, timeout=grace_s)
    for process in alive:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=grace_s)
    return [p.pid for p in alive]


# --- JupyterLab -----------------------------------------------------------------------------


@dataclass
class LabServer:
    """A running JupyterLab: its process, address, token, root folder and log file."""

    process: subprocess.Popen
    base_url: str
    token: str
    root: Path
    log: Path
    # psutil.Process objects, not bare PIDs: they refuse to signal a PID reused by another
    # process (the machine is shared), since they remember each process's start time.
    seen: dict[int, psutil.Process] = field(default_factory=dict)

    def notebook_url(self, name: str) -> str:
        # `reset` starts from an empty workspace: only this notebook open.
        return f"{self.base_url}/lab/tree/{name}?token={self.token}&reset"

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def remember_children(self) -> None:
        """Note the PIDs of the server's kernels, so they can be stopped even if orphaned."""
        self.seen.update((p.pid, p) for p in process_tree(self.process.pid))

    def stop(self) -> None:
        """Stop the server, then any kernel it started that outlived it, by PID."""
        self.remember_children()
        stop_processes(process_tree(self.process.pid))
        stop_processes([p for p in self.seen.values() if p.is_running()])


def empty_lab_state(state: Path) -> dict[str, str]:
    """Environment variables giving a server its own empty Jupyter folders under `state`."""
    folders = {name: state / name for name in
               ("settings", "workspaces", "runtime", "data", "config", "ipython")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    return {
        "JUPYTERLAB_SETTINGS_DIR": str(folders["settings"]),
        "JUPYTERLAB_WORKSPACES_DIR": str(folders["workspaces"]),
        "JUPYTER_RUNTIME_DIR": str(folders["runtime"]),
        # An empty user data dir: no kernelspec of the user's shadows this environment's.
        "JUPYTER_DATA_DIR": str(folders["data"]),
        "JUPYTER_CONFIG_DIR": str(folders["config"]),
        "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter"),
        "IPYTHONDIR": str(folders["ipython"]),
    }


def _lab_state(state: Path) -> dict[str, str]:
    """Own empty folders (empty_lab_state), plus settings that keep pop-ups off the page."""
    env = empty_lab_state(state)
    # The "would you like to receive Jupyter news?" toast covers the notebook: never ask.
    notification = Path(env["JUPYTERLAB_SETTINGS_DIR"]) / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True, exist_ok=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    # And never fetch the news or look for updates (the machine may be offline).
    (Path(env["JUPYTER_CONFIG_DIR"]) / "jupyter_server_config.json").write_text(json.dumps({
        "LabApp": {"news_url": None, "check_for_updates_class": "jupyterlab.NeverCheckForUpdate"},
    }))
    return env


def start_lab(root: Path, state: Path) -> LabServer:
    """Start JupyterLab from this environment serving `root`; return once it answers.

    The `python3` kernelspec's `python` is replaced by the server's own interpreter
    (jupyter_client does this), which is `sys.executable`: the kernel runs in this venv.
    """
    token = secrets.token_hex(16)
    port = free_port()
    env = dict(os.environ)
    env.update(_lab_state(state))
    env.update({"MPLBACKEND": "Agg", "PYDEVD_DISABLE_FILE_VALIDATION": "1"})
    env.setdefault("COURSE_THREADS", "1")
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # CI containers run as root
    log = state / "jupyterlab.log"
    with open(log, "wb") as log_file:
        process = subprocess.Popen(command, env=env, cwd=root, stdout=log_file,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = LabServer(process, f"http://127.0.0.1:{port}", token, root, log)
    try:
        _wait_until_answering(server)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_until_answering(server: LabServer) -> None:
    deadline = time.monotonic() + SERVER_START_S
    status = f"{server.base_url}/api/status?token={server.token}"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with code {server.process.returncode}:\n"
                               f"{server.log_tail()}")
        try:
            with urllib.request.urlopen(status, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"JupyterLab did not answer within {SERVER_START_S} s:\n"
                       f"{server.log_tail()}")


def copy_notebooks(root: Path, source: Path = REPO / "notebooks") -> None:
    """Copy every course notebook into the server's root: JupyterLab autosaves, so it must
    never serve the repository's own files (notebook 00's map links to all of them)."""
    root.mkdir(parents=True, exist_ok=True)
    for path in source.glob("[0-9][0-9]_*.ipynb"):
        shutil.copy2(path, root / path.name)


# --- Chromium -------------------------------------------------------------------------------


def chromium_available(path: str = CHROMIUM) -> bool:
    return Path(path).is_file() and os.access(path, os.X_OK)


def require_chromium(path: str = CHROMIUM) -> None:
    """Skip the test with an install hint when Chromium is missing; fail instead on CI."""
    import pytest

    if chromium_available(path):
        return
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(f"CI=true, so the browser tests must run, but {install_hint(path)}")
    pytest.skip(install_hint(path))


@dataclass
class Chromium:
    """Playwright, the headless Chromium it launched, and the PIDs of both."""

    playwright: object
    browser: object
    processes: list[psutil.Process]  # the Playwright driver and Chromium, found at launch

    def stop(self) -> None:
        """Close politely, then stop whatever is left of Playwright and Chromium by PID."""
        processes = {p.pid: p for p in self.processes}
        for process in self.processes:  # renderers started since launch
            try:
                processes.update((p.pid, p) for p in process.children(recursive=True))
            except psutil.NoSuchProcess:
                pass
        for close in (getattr(self.browser, "close", None), self.playwright.stop):
            try:
                if close is not None:
                    close()
            except Exception:  # noqa: BLE001 - already gone; the PIDs below still stop it
                pass
        stop_processes([p for p in processes.values() if p.is_running()])


def start_chromium() -> Chromium:
    """Launch Debian's Chromium headless through Playwright; note its PIDs to stop it later.

    Playwright's driver is a child of this process and Chromium a child of the driver:
    the PIDs are the new children that appear while starting them.
    """
    from playwright.sync_api import sync_playwright

    me = psutil.Process()
    before = {p.pid for p in me.children()}
    playwright = sync_playwright().start()
    chromium = Chromium(playwright, None, [])
    try:
        chromium.browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
    finally:
        drivers = [p for p in me.children() if p.pid not in before]
        chromium.processes = [p for driver in drivers for p in process_tree(driver.pid)]
        if chromium.browser is None:
            chromium.stop()
    return chromium


# --- a notebook in the page -----------------------------------------------------------------


class NotebookInLab:
    """One notebook open in JupyterLab in a Playwright page, with what a test needs."""

    def __init__(self, page, server: LabServer, name: str):
        self.page = page
        self.server = server
        self.name = name
        self.started = time.monotonic()
        self.timings: dict[str, float] = {}  # seconds per phase, printed with the screenshot

    def open(self) -> None:
        """Open the notebook and wait until its kernel exists and is idle."""
        self.page.goto(self.server.notebook_url(self.name))
        # The toolbar's indicator says idle before a kernel exists; the status bar says
        # "Python 3 (ipykernel) | Idle" only once the kernel has started.
        self.page.get_by_text(KERNEL_IDLE).wait_for(timeout=KERNEL_IDLE_S * 1000)
        self.server.remember_children()
        self.timings["open"] = time.monotonic() - self.started

    def prompts(self) -> list[str]:
        """The input prompts of the code cells: "[3]:", "[*]:" (running) or "[ ]:"."""
        return self.page.locator(".jp-Notebook .jp-CodeCell .jp-InputPrompt").evaluate_all(
            "prompts => prompts.map(p => p.textContent.trim())")

    def kernel_idle(self) -> bool:
        return self.page.get_by_text(KERNEL_IDLE).is_visible()

    def run_all(self) -> None:
        """Run > Run All Cells, as a learner would; wait until every code cell has run.

        If the run stops early (a cell raised, so JupyterLab drops the rest), fail with the
        errors the notebook shows instead of waiting for the timeout.
        """
        before = max(_execution_counts(self.prompts()), default=0)
        self.page.get_by_role("menuitem", name="Run", exact=True).click()
        self.page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        deadline = time.monotonic() + RUN_ALL_S
        stopped_since = None
        while time.monotonic() < deadline:
            prompts = self.prompts()
            counts = _execution_counts(prompts)
            if prompts and len(counts) == len(prompts) and min(counts) > before:
                if self.kernel_idle():
                    self.timings["run all"] = time.monotonic() - self.started - self.timings["open"]
                    return
            elif "[*]:" not in prompts and self.kernel_idle():
                stopped_since = stopped_since or time.monotonic()
                if time.monotonic() - stopped_since > 3:
                    errors = error_outputs(self.save_and_read())
                    raise AssertionError(f"{self.name}: Run All stopped early: {errors}")
            else:
                stopped_since = None
            time.sleep(0.25)
        raise AssertionError(f"{self.name}: Run All did not finish within {RUN_ALL_S} s; "
                             f"prompts: {' '.join(self.prompts())}")

    def code_cell(self, containing: str, showing: str = ".jupyter-widgets"):
        """The one code cell whose source contains `containing` and whose output shows
        `showing` (a CSS selector)."""
        cells = self.page.locator(".jp-Notebook .jp-CodeCell").filter(
            has=self.page.locator(".jp-InputArea", has_text=containing))
        showing_it = cells.filter(has=self.page.locator(f".jp-OutputArea {showing}"))
        # Widget views render a moment after their cell has finished.
        deadline = time.monotonic() + WIDGET_RENDER_S
        while showing_it.count() != 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert showing_it.count() == 1, (
            f"{self.name}: expected one code cell containing {containing!r} whose output shows "
            f"{showing!r}; {cells.count()} contain it, {showing_it.count()} of them show it. "
            f"Widget classes shown there: {self._widget_classes(cells)}. "
            f"Widgets shown as text (no widget front end?): {self.text_reprs_of_widgets()}")
        return showing_it.first

    def _widget_classes(self, cells) -> list[str]:
        return sorted(set(cells.locator(".jupyter-widgets").evaluate_all(
            "nodes => nodes.flatMap(n => [...n.classList])")))

    def text_reprs_of_widgets(self) -> list[str]:
        """Output texts that look like a widget's repr (the widget did not render)."""
        # textContent, not innerText: cells scrolled out of view have no rendered text.
        texts = self.page.locator(".jp-OutputArea-output").evaluate_all(
            "outputs => outputs.map(o => o.textContent)")
        return [t.strip()[:160] for t in texts
                if WIDGET_REPR.search(t) or "Error displaying widget" in t]

    def save_and_read(self) -> nbformat.NotebookNode:
        """Save (Ctrl+S) and read the saved copy, outputs included."""
        path = self.server.root / self.name
        before = path.stat().st_mtime_ns
        self.page.locator(".jp-Notebook").first.click(position={"x": 5, "y": 5})
        self.page.keyboard.press("Control+s")
        deadline = time.monotonic() + 20
        while path.stat().st_mtime_ns == before and time.monotonic() < deadline:
            time.sleep(0.1)
        assert path.stat().st_mtime_ns != before, f"{self.name}: Ctrl+S did not save"
        # The server truncates, then writes: the new mtime may show a file still being written.
        while True:
            try:
                return nbformat.read(path, as_version=4)
            except ValueError:  # nbformat's NotJSONError: half a file
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def screenshot(self, stem: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        target = SCREENSHOTS / f"{stem}.png"
        self.page.screenshot(path=str(target), full_page=True)
        phases = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.timings.items())
        total = time.monotonic() - self.started
        print(f"screenshot of {self.name}: {target} ({phases}, {total:.1f} s so far)")
        return target


def error_outputs(notebook: nbformat.NotebookNode) -> list[str]:
    """'code cell N: Ename: evalue' for each error output in a saved notebook."""
    found = []
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    for number, cell in enumerate(code_cells, start=1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                found.append(f"code cell {number}: {output.get('ename')}: {output.get('evalue')}")
    return found


def _execution_counts(prompts: list[str]) -> list[int]:
    return [int(m.group(1)) for p in prompts if (m := re.fullmatch(r"\[(\d+)\]:", p))]
