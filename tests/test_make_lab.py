"""`make lab` opens JupyterLab on notebook 00, on 127.0.0.1, with token authentication on."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

from notebook_runner import REPO


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_make_lab_serves_notebook_00_on_loopback_with_a_token(tmp_path):
    port = free_port()
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"))
    log = tmp_path / "lab.log"
    with log.open("w") as out:
        lab = subprocess.Popen(
            ["make", "--no-print-directory", "lab", f"LAB_ARGS=--no-browser --ServerApp.port={port}"
             " --ServerApp.port_retries=0"],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = None
        deadline = time.monotonic() + 90
        while url is None and time.monotonic() < deadline and lab.poll() is None:
            time.sleep(0.5)
            match = re.search(rf"http://127\.0\.0\.1:{port}/lab\S*\?token=(\w+)", log.read_text())
            url = match and match.group(0)
        assert url, f"JupyterLab did not start; its log:\n{log.read_text()[-2000:]}"
        token = re.search(r"token=(\w+)", url).group(1)
        command = next(line for line in log.read_text().splitlines() if "jupyter lab" in line)
        assert command.rstrip().endswith("notebooks/00_start_here.ipynb"), command
        base = f"http://127.0.0.1:{port}"
        notebook = f"{base}/api/contents/00_start_here.ipynb"  # it serves the notebooks folder
        assert status(notebook) == 403, "the server answered without a token"
        assert status(f"{notebook}?token={token}") == 200
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
