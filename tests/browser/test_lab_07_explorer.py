"""Notebook 07 in a real JupyterLab: the learning-rate explorer answers its controls.

The explorer's contract (course_utils/explorer.py): the cell with `LearningRateExplorer(`
shows widgets carrying these CSS classes: `explorer-lr` (FloatLogSlider), `explorer-reduction`
(ToggleButtons "sum"/"mean"), `explorer-steps` (IntSlider), `explorer-pin` and
`explorer-clear` (buttons), `explorer-readout` (HTML: the final loss, "diverged at step k",
"rose, then recovered", "pinned: k") and `explorer-plot` (an Output holding one PNG image).
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from lab_session import error_outputs

# The bound guards against a hang; the usual time is printed with the screenshot.
pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

NOTEBOOK = "07_learning_rate_explorer.ipynb"
UPDATE_S = 30  # one retrain + redraw; about a second on an idle machine
DIVERGING_LR = "1e-2"  # the running example (sum) blows up within a few steps
CATAPULT_LR = "2e-3"  # above 2/lambda_max ~ 1.3e-3, below the divergence edge ~ 2.6e-3


class Explorer:
    """The explorer's widgets in the page, found by their CSS classes."""

    def __init__(self, notebook):
        self.notebook = notebook
        self.page = notebook.page
        self.cell = notebook.code_cell("LearningRateExplorer(")
        find = self.cell.locator
        self.lr = find(".explorer-lr")
        self.reduction = find(".explorer-reduction")
        self.steps = find(".explorer-steps")
        self.pin = find(".explorer-pin")
        self.clear = find(".explorer-clear")
        self.readout = find(".explorer-readout")
        self.images = find(".explorer-plot img")

    def state(self) -> tuple[str, str]:
        """(readout text, image src) as shown now."""
        return self.readout.text_content() or "", self.images.first.get_attribute("src") or ""

    def wait_for_update(self, before: tuple[str, str], *, image_changes: bool = True
                        ) -> tuple[str, str]:
        """Wait until the readout (and the image) differ from `before` and stop changing."""
        deadline = time.monotonic() + UPDATE_S
        last, same_since = None, time.monotonic()
        while time.monotonic() < deadline:
            now = self.state() if self.images.count() == 1 else None
            if now != last:
                last, same_since = now, time.monotonic()
            changed = (now is not None and now[0] != before[0]
                       and (now[1] != before[1] or not image_changes))
            settled = time.monotonic() - same_since > 0.6 and self.notebook.kernel_idle()
            if changed and settled:
                return now
            time.sleep(0.1)
        raise AssertionError(
            f"the explorer did not update within {UPDATE_S} s: before {before[0]!r}, "
            f"now {self.readout.text_content()!r}, images {self.images.count()}, "
            f"image changed: {last is not None and last[1] != before[1]}")

    def type_learning_rate(self, value: str) -> None:
        """Type a value into the slider's readout and press Enter, as a learner can."""
        box = self.lr.locator(".widget-readout")
        box.click()
        self.page.keyboard.press("Control+a")
        self.page.keyboard.type(value)
        self.page.keyboard.press("Enter")

    def active_reduction(self) -> str:
        return self.reduction.locator("button.mod-active").text_content() or ""

    def choose_reduction(self, name: str) -> None:
        self.reduction.get_by_role("button", name=name, exact=True).click()


def test_explorer_answers_its_controls(open_notebook):
    notebook = open_notebook(NOTEBOOK)
    notebook.run_all()
    explorer = Explorer(notebook)
    explorer.cell.scroll_into_view_if_needed()

    for name in ("lr", "reduction", "steps", "pin", "clear", "readout"):
        assert getattr(explorer, name).count() == 1, f"no widget with class explorer-{name}"
    assert explorer.lr.locator(".noUi-handle").count() == 1, "explorer-lr is not a slider"
    assert explorer.steps.locator(".noUi-handle").count() == 1, "explorer-steps is not a slider"
    for option in ("sum", "mean"):
        expect(explorer.reduction.get_by_role("button", name=option, exact=True)).to_be_visible()
    expect(explorer.pin).to_have_text("pin this curve")
    expect(explorer.clear).to_have_text("clear pins")
    expect(explorer.images).to_have_count(1)
    expect(explorer.readout).to_have_text(re.compile(r"\d"))
    start = explorer.state()
    assert start[1].startswith("data:image/png"), f"the plot is not a PNG: {start[1][:40]!r}"

    # One key press on the learning-rate handle: a new run, a new readout, a new curve.
    handle = explorer.lr.locator(".noUi-handle")
    handle.focus()
    handle.press("ArrowRight")
    moved = explorer.wait_for_update(start)

    # The notebook's later cells leave the explorer where they set it; the zones below are
    # those of `sum`.
    if explorer.active_reduction() != "sum":
        explorer.choose_reduction("sum")
        moved = explorer.wait_for_update(moved)

    # Above 2/lambda_max the loss rises before it comes back down.
    explorer.type_learning_rate(CATAPULT_LR)
    catapult = explorer.wait_for_update(moved)
    assert "rose, then recovered" in catapult[0], catapult[0]

    # Far above it, the run blows up, and the readout says when.
    explorer.type_learning_rate(DIVERGING_LR)
    diverged = explorer.wait_for_update(catapult)
    assert re.search(r"diverged at step \d+", diverged[0]), diverged[0]

    # Back to a learning rate that converges; pin its curve.
    explorer.type_learning_rate("1e-4")
    converging = explorer.wait_for_update(diverged)
    assert "diverged" not in converging[0], converging[0]
    explorer.pin.click()
    pinned = explorer.wait_for_update(converging, image_changes=False)
    assert "pinned: 1" in pinned[0], pinned[0]

    # Switching the reduction changes the curve; the pinned one stays.
    explorer.choose_reduction("mean")
    mean = explorer.wait_for_update(pinned)
    assert "pinned: 1" in mean[0], mean[0]
    assert notebook.text_reprs_of_widgets() == []
    explorer.lr.evaluate("slider => slider.scrollIntoView({block: 'start'})")  # all of it in view
    notebook.screenshot("07_learning_rate_explorer")

    # Clearing the pins leaves the same current curve alone: the picture loses the pinned one.
    explorer.clear.click()
    cleared = explorer.wait_for_update(mean)
    assert "pinned: 0" in cleared[0] or "pinned" not in cleared[0], cleared[0]

    saved = notebook.save_and_read()
    assert error_outputs(saved) == []
