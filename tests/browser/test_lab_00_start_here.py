"""Notebook 00 in a real JupyterLab: the smoke-test slider renders and drives its label."""

from __future__ import annotations

import re
import sys

import pytest
from playwright.sync_api import expect

from lab_session import error_outputs

# The bound guards against a hang; the usual time is printed with the screenshot.
pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

NOTEBOOK = "00_start_here.ipynb"


def test_start_here_slider_renders_and_moves_the_label(open_notebook):
    notebook = open_notebook(NOTEBOOK)
    notebook.run_all()

    cell = notebook.code_cell("widgets.IntSlider(")
    cell.scroll_into_view_if_needed()  # as a learner would; the screenshot shows it
    slider = cell.locator(".widget-slider")
    assert slider.count() == 1, "the slider did not render as a widget"
    expect(cell.locator("label.widget-label")).to_have_text("n")  # the slider's description
    label = cell.locator("div.widget-label")
    readout = cell.locator(".widget-readout")

    # The widgets render a moment after the cells finish; a later cell set slider.value.
    expect(label).to_have_text(re.compile(r"^\d+ squared is \d+$"))
    expect(readout).to_have_text(re.compile(r"^\d+$"))
    start = int(readout.text_content())
    expect(label).to_have_text(f"{start} squared is {start ** 2}")

    handle = slider.locator(".noUi-handle")
    handle.focus()
    for _ in range(2):
        handle.press("ArrowRight")
    # Each key press is its own update: wait for the final one, not for "any change".
    end = start + 2
    expect(label).to_have_text(f"{end} squared is {end ** 2}", timeout=15_000)
    expect(readout).to_have_text(str(end))

    assert notebook.text_reprs_of_widgets() == []
    notebook.screenshot("00_start_here")

    saved = notebook.save_and_read()
    assert error_outputs(saved) == []
    report = next(c for c in saved.cells if "environment_report()" in c.source)
    printed = "".join(o.get("text", "") for o in report.outputs)
    assert sys.executable in printed, (
        f"the kernel is not this environment's Python ({sys.executable}):\n{printed}")
