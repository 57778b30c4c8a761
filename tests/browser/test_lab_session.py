"""The browser tests' own helpers, checked without a browser (these run everywhere)."""

from __future__ import annotations

import socket
import subprocess
import sys

import ipywidgets as widgets
import nbformat
import psutil
import pytest

from lab_session import (
    WIDGET_REPR,
    _execution_counts,
    error_outputs,
    free_port,
    require_chromium,
    stop_processes,
)


def test_widget_repr_pattern_matches_what_ipywidgets_prints_without_a_front_end():
    slider = widgets.IntSlider(value=7, max=10, description="n")
    box = widgets.VBox([slider, widgets.Label("7 squared is 49")])
    lr = widgets.FloatLogSlider(value=1e-4, min=-7, max=1)
    choice = widgets.ToggleButtons(options=["sum", "mean"])
    for widget in (slider, box, lr, choice):
        assert WIDGET_REPR.search(repr(widget)), repr(widget)


def test_widget_repr_pattern_leaves_ordinary_outputs_alone():
    for text in ("7 squared is 49", "Linear(in_features=1000, out_features=100, bias=True)",
                 "tensor([1., 2.])", "✓ passed: count_inputs(64, 1000) is 64000.",
                 "Sequential(\n  (0): Linear(in_features=1000, out_features=100, bias=True)"):
        assert not WIDGET_REPR.search(text), text


def test_execution_counts_read_only_finished_prompts():
    assert _execution_counts(["[1]:", "[*]:", "[ ]:", "[12]:"]) == [1, 12]


def test_error_outputs_name_the_cell_and_the_error():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# title"),
        nbformat.v4.new_code_cell("print('fine')", outputs=[
            nbformat.v4.new_output("stream", name="stderr", text="a warning\n")]),
        nbformat.v4.new_code_cell("1/0", outputs=[
            nbformat.v4.new_output("error", ename="ZeroDivisionError",
                                   evalue="division by zero", traceback=[])]),
    ]
    assert error_outputs(notebook) == ["code cell 2: ZeroDivisionError: division by zero"]


def test_free_port_can_be_listened_on():
    port = free_port()
    with socket.socket() as server:
        server.bind(("127.0.0.1", port))
        server.listen()


def test_stop_processes_kills_what_ignores_terminate():
    stubborn = subprocess.Popen([sys.executable, "-c",
                                 "import signal, time\n"
                                 "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                                 "print('ready', flush=True)\n"
                                 "time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert stubborn.stdout.readline().strip() == "ready"
        process = psutil.Process(stubborn.pid)
        assert stop_processes([process], grace_s=0.5) == [stubborn.pid]
        assert not process.is_running()
    finally:
        if stubborn.poll() is None:
            stubborn.kill()
            stubborn.wait()


def test_missing_chromium_skips_with_a_hint_on_a_laptop(monkeypatch, tmp_path):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        require_chromium(str(tmp_path / "no-chromium"))


def test_missing_chromium_fails_on_ci(monkeypatch, tmp_path):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        require_chromium(str(tmp_path / "no-chromium"))
