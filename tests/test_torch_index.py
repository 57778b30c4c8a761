"""tools/torch_index.py: the pip option the Makefile passes to get torch's CPU build, or nothing.

Every case without the network: a closed port on 127.0.0.1 stands for an index that cannot be
reached, and a small HTTP server on 127.0.0.1 for one that answers.
"""

from __future__ import annotations

import http.server
import importlib.util
import os
import socket
import subprocess
import sys
import threading

import pytest

from notebook_runner import REPO

TOOL = REPO / "tools" / "torch_index.py"
spec = importlib.util.spec_from_file_location("torch_index", TOOL)
torch_index = importlib.util.module_from_spec(spec)
spec.loader.exec_module(torch_index)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def index_server():
    """An index on 127.0.0.1 with a page for torch only: its base URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the name http.server calls)
            found = self.path == "/whl/cpu/torch/"
            self.send_response(200 if found else 404)
            self.end_headers()
            if found:
                self.wfile.write(b"<a href='torch-2.13.0+cpu.whl'>torch</a>")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/whl/cpu"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def linux_without_gpu(monkeypatch):
    monkeypatch.delenv("TORCH_INDEX", raising=False)
    monkeypatch.setattr(torch_index.platform, "system", lambda: "Linux")
    monkeypatch.setattr(torch_index.shutil, "which", lambda name: None)


def test_linux_without_a_gpu_wants_the_cpu_index(linux_without_gpu):
    assert torch_index.wanted_index() == torch_index.CPU_INDEX


def test_linux_with_an_nvidia_gpu_wants_no_index(linux_without_gpu, monkeypatch):
    monkeypatch.setattr(torch_index.shutil, "which",
                        lambda name: "/usr/bin/nvidia-smi" if name == "nvidia-smi" else None)
    assert torch_index.wanted_index() == ""


@pytest.mark.parametrize("system", ["Darwin", "Windows"])
def test_other_systems_want_no_index(linux_without_gpu, monkeypatch, system):
    """macOS and Windows wheels on PyPI are CPU (or MPS) builds already."""
    monkeypatch.setattr(torch_index.platform, "system", lambda: system)
    assert torch_index.wanted_index() == ""


@pytest.mark.parametrize("value, wanted", [("https://mirror.example/whl/cpu", None),
                                           ("  https://mirror.example/whl/cu128 ", None),
                                           ("", "")])
def test_torch_index_overrides_the_choice(linux_without_gpu, monkeypatch, value, wanted):
    monkeypatch.setenv("TORCH_INDEX", value)
    monkeypatch.setattr(torch_index.shutil, "which", lambda name: "/usr/bin/nvidia-smi")
    assert torch_index.wanted_index() == (value.strip() if wanted is None else wanted)


def test_an_empty_torch_index_prints_nothing_and_probes_nothing(monkeypatch, capsys):
    monkeypatch.setenv("TORCH_INDEX", "")
    monkeypatch.setattr(torch_index, "reachable", lambda *a, **k: pytest.fail("probed"))
    assert torch_index.main() == 0
    assert capsys.readouterr() == ("", "")


def test_a_reachable_index_becomes_an_extra_index(monkeypatch, capsys, index_server):
    monkeypatch.setenv("TORCH_INDEX", index_server)
    assert torch_index.main() == 0
    out, err = capsys.readouterr()
    assert out == f"--extra-index-url {index_server}\n" and err == ""


def test_an_index_without_torch_is_not_used(monkeypatch, capsys, index_server):
    monkeypatch.setenv("TORCH_INDEX", index_server.replace("/cpu", "/nothing"))
    assert torch_index.main() == 0
    out, err = capsys.readouterr()
    assert out == "" and "(HTTP 404)" in err and err.count("\n") == 1


def test_an_unreachable_index_falls_back_with_one_line():
    """The real command, as the Makefile runs it: nothing on stdout, one line on stderr."""
    index = f"http://127.0.0.1:{closed_port()}/whl/cpu"
    done = subprocess.run([sys.executable, str(TOOL)], capture_output=True, text=True,
                          env=dict(os.environ, TORCH_INDEX=index), timeout=60)
    assert done.returncode == 0 and done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(f"make: the torch index {index} cannot be reached (")
    assert done.stderr.rstrip().endswith("installing torch from pip's usual sources instead")


def test_the_probe_gives_up_after_its_timeout(monkeypatch):
    """An index that accepts the connection and never answers costs PROBE_TIMEOUT_S at most."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        problem = torch_index.reachable(f"http://127.0.0.1:{port}", timeout=0.5)
    assert problem and "timed out" in problem
