"""`make lab` opens the learner's workspace on notebook 00, `make lab-solutions` the committed
notebooks; both on 127.0.0.1, with token authentication on, and the printed link lands on 00."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from notebook_runner import REPO


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


@pytest.mark.parametrize("target, shows, says", [
    ("lab", "raise NotImplementedError()", "Your workspace:"),
    ("lab-solutions", "return n_examples * n_features", "AS COMMITTED, solutions filled in"),
])
def test_make_lab_serves_notebook_00_on_loopback_with_a_token(target, shows, says, tmp_path):
    port = free_port()
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"))
    log = tmp_path / "lab.log"
    with log.open("w") as out:
        lab = subprocess.Popen(
            ["make", "--no-print-directory", target, f"WORKSPACE={tmp_path / 'workspace'}",
             f"LAB_ARGS=--no-browser --ServerApp.port={port} --ServerApp.port_retries=0"],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = None
        deadline = time.monotonic() + 180
        while url is None and time.monotonic() < deadline and lab.poll() is None:
            time.sleep(0.5)
            match = re.search(rf"http://127\.0\.0\.1:{port}/\S*\?token=(\w+)", log.read_text())
            url = match and match.group(0)
        text = log.read_text()
        assert url, f"JupyterLab did not start; its log:\n{text[-2000:]}"
        # The printed link opens notebook 00, not the Launcher (also with --no-browser).
        assert url.startswith(f"http://127.0.0.1:{port}/lab/tree/00_start_here.ipynb?token=")
        assert says in text
        token = re.search(r"token=(\w+)", url).group(1)
        base = f"http://127.0.0.1:{port}"
        notebook = f"{base}/api/contents/00_start_here.ipynb"
        assert fetch(notebook)[0] == 403, "the server answered without a token"
        status, body = fetch(f"{notebook}?token={token}")
        assert status == 200
        cells = json.loads(body)["content"]["cells"]
        exercise = next(c["source"] for c in cells if "def count_inputs" in c["source"])
        assert shows in exercise  # the workspace's blank copy, or the committed solution
        # it listens on loopback only: the port is not open on the machine's other addresses
        other = socket.gethostbyname(socket.gethostname())
        if not other.startswith("127."):
            with socket.socket() as s:
                s.settimeout(2)
                assert s.connect_ex((other, port)) != 0, f"JupyterLab also listens on {other}"
    finally:
        os.killpg(lab.pid, signal.SIGTERM)  # make and the server it started, by their group
        try:
            lab.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(lab.pid, signal.SIGKILL)
            lab.wait()


def test_the_news_pop_up_is_switched_off_inside_the_venv_only():
    """The override `make lab` installs lives in .venv, never in the learner's home."""
    dry_run = subprocess.run(["make", "--no-print-directory", "-n", "-B", "lab", "LAB_ARGS="],
                             cwd=REPO, text=True, capture_output=True, check=True).stdout
    copy = next(line for line in dry_run.splitlines() if line.startswith("cp lab/overrides.json"))
    assert copy.split()[-1].startswith(".venv/share/jupyter/lab/settings/")
    override = json.loads((REPO / "lab" / "overrides.json").read_text())
    assert override["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"


def test_the_install_shows_pips_progress_and_ends_with_what_went_where():
    """The long step runs without --quiet; the last line names the venv and its size."""
    # --no-print-directory: under `make test` this make is a sub-make, which would add
    # "make[1]: Leaving directory ..." lines
    dry_run = subprocess.run(["make", "--no-print-directory", "-n", "-B", ".venv/.installed"],
                             cwd=REPO, text=True, capture_output=True,
                             check=True).stdout.splitlines()
    installs = [line for line in dry_run if "pip install" in line and "-e" in line.split()]
    assert installs and not any("--quiet" in line or " -q" in line for line in installs)
    last = subprocess.run(["sh", "-c", dry_run[-1]], cwd=REPO, text=True, capture_output=True,
                          check=True).stdout
    assert last.startswith("Installed:") and str(REPO / ".venv") in last
    assert re.search(r"\(\d[\d.,]*[KMG]i?B? on disk\)", last), last


def test_make_lab_restore_reaches_the_workspace_command(tmp_path):
    """`make lab RESTORE=...`: each name becomes a --restore of the sync, which restores it."""
    ws = tmp_path / "workspace"
    dry_run = subprocess.run(
        ["make", "--no-print-directory", "-n", "lab", "RESTORE=00 07_learning_rate_explorer",
         f"WORKSPACE={ws}", "LAB_ARGS="], cwd=REPO, text=True, capture_output=True,
        check=True).stdout
    start = dry_run.index("-m course_utils.workspace")
    command = dry_run[dry_run.rindex("\n", 0, start) + 1:dry_run.index("\n", start)]
    assert command.split()[-3:] == ["--restore", "07_learning_rate_explorer", "\\"], command
    assert f"--workspace {ws} --restore 00 --restore 07_learning_rate_explorer" in command
    assert command.startswith(".venv/bin/python ")
    # The same line, run: a notebook the learner deleted comes back only when asked for.
    sync = command.removesuffix("\\").strip()
    subprocess.run(["sh", "-c", sync.replace(" --restore 00 --restore 07_learning_rate_explorer",
                                             "")], cwd=REPO, check=True, capture_output=True)
    (ws / "00_start_here.ipynb").unlink()
    again = subprocess.run(["sh", "-c", sync], cwd=REPO, text=True, capture_output=True,
                           check=True).stdout
    assert "restored      00_start_here.ipynb" in again, again
    assert (ws / "00_start_here.ipynb").is_file()


def say_python_line(target: str, *assignments: str, env: dict | None = None) -> str:
    """The line of `make -n TARGET` that says which Python .venv runs."""
    if env is None:  # a PYTHON of the caller's environment would count as asked for
        env = {k: v for k, v in os.environ.items() if k != "PYTHON"}
    dry_run = subprocess.run(["make", "--no-print-directory", "-n", target, "LAB_ARGS=",
                              *assignments], cwd=REPO, text=True, capture_output=True,
                             check=True, env=env).stdout
    lines = [line for line in dry_run.splitlines() if "tools/venv_python.py" in line]
    assert len(lines) == 1, dry_run
    return lines[0]


@pytest.mark.parametrize("target", ["lab", "lab-solutions", "test"])
def test_every_run_says_which_python_the_venv_runs(target):
    line = say_python_line(target)
    # no PYTHON= given: nothing to compare with
    assert line.rstrip().endswith("tools/venv_python.py .venv"), line
    done = subprocess.run(["sh", "-c", line], cwd=REPO, text=True, capture_output=True,
                          check=True)
    version = sys.version.split()[0]
    assert done.stdout == (f"make: .venv runs Python {version} "
                           f"({os.path.realpath(sys._base_executable)})\n")
    assert done.stderr == ""


def test_python_given_for_an_existing_venv_gets_one_line_of_warning(tmp_path):
    """PYTHON=... cannot change an existing .venv: a different Python is named, and the cure."""
    other = tmp_path / "python3.13"
    other.write_text("#!/bin/sh\necho 3.13.1 /opt/python3.13/bin/python3.13\n")
    other.chmod(0o755)
    same = os.path.realpath(sys._base_executable)
    for assignments, env in [((f"PYTHON={other}",), None),
                             ((), dict(os.environ, PYTHON=str(other))),
                             ((f"PYTHON={same}",), None)]:
        line = say_python_line("test", *assignments, env=env)
        done = subprocess.run(["sh", "-c", line], cwd=REPO, text=True, capture_output=True,
                              check=True)
        assert done.stdout.startswith("make: .venv runs Python "), done.stdout
        if str(other) in line:
            assert done.stderr.count("\n") == 1, done.stderr
            assert done.stderr.startswith(f"make: warning: PYTHON={other} is Python 3.13.1 "
                                          "(/opt/python3.13/bin/python3.13), but .venv was made "
                                          f"with Python {sys.version.split()[0]}")
            assert "rm -rf .venv" in done.stderr
        else:
            assert done.stderr == "", done.stderr  # the Python .venv was made with: all quiet
