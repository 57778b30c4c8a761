"""Notebook 07 in a real JupyterLab: the learning-rate explorer answers its controls,
from the keyboard alone.

The explorer's contract (course_utils/explorer.py): the cell with `LearningRateExplorer(`
shows widgets carrying these CSS classes: `explorer-lr` (FloatLogSlider), `explorer-zoom`
(Checkbox), `explorer-reduction` (ToggleButtons "sum"/"mean"), `explorer-steps` (IntSlider),
`explorer-pin` and `explorer-clear` (buttons), `explorer-readout` (HTML with a
`role="status"` live region: the final loss, "diverged at step k", the kind of rise, "pinned:
k") and `explorer-plot` (HTML holding one SVG <img> with an alt text).

Everything after Run All is done with the keyboard: Tab to reach a control, arrows to move a
slider, typing and Enter in the slider's box, Enter or Space on buttons and the checkbox.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

import lab_session
from lab_session import error_outputs

# The bound guards against a hang; the usual time is printed with the screenshot.
pytestmark = [pytest.mark.browser, pytest.mark.timeout(480)]
RUN_ALL_S = 240  # 07 trains and measures curvature: ~20 s idle, minutes on a crowded machine

NOTEBOOK = "07_learning_rate_explorer.ipynb"
UPDATE_S = 30  # one retrain + redraw; about a second on an idle machine
DIVERGING_LR = "1e-2"  # the running example (sum) blows up within a few steps
CATAPULT_LR = "2e-3"  # above 2/lambda_0 ~ 1.3e-3, below the divergence edge ~ 2.6e-3
MAX_TABS = 25


class Explorer:
    """The explorer's widgets in the page, found by their CSS classes."""

    def __init__(self, notebook):
        self.notebook = notebook
        self.page = notebook.page
        self.cell = notebook.code_cell("LearningRateExplorer(")
        find = self.cell.locator
        self.lr = find(".explorer-lr")
        self.zoom = find(".explorer-zoom")
        self.reduction = find(".explorer-reduction")
        self.steps = find(".explorer-steps")
        self.pin = find(".explorer-pin")
        self.clear = find(".explorer-clear")
        self.readout = find(".explorer-readout")
        self.images = find(".explorer-plot img")

    def state(self) -> tuple[str, str]:
        """(readout text, image src) as shown now."""
        return self.readout.text_content() or "", self.images.first.get_attribute("src") or ""

    def wait_for_update(self, before: tuple[str, str], *, readout_changes: bool = True,
                        image_changes: bool = True) -> tuple[str, str]:
        """Wait until the readout (and the image) differ from `before` and stop changing."""
        deadline = time.monotonic() + UPDATE_S
        last, same_since = None, time.monotonic()
        while time.monotonic() < deadline:
            now = self.state() if self.images.count() == 1 else None
            if now != last:
                last, same_since = now, time.monotonic()
            changed = (now is not None and (now[0] != before[0] or not readout_changes)
                       and (now[1] != before[1] or not image_changes))
            settled = (time.monotonic() - same_since > 0.6 and self.notebook.kernel_idle()
                       and "training:" not in now[0] if now else False)
            if changed and settled:
                return now
            time.sleep(0.1)
        raise AssertionError(
            f"the explorer did not update within {UPDATE_S} s: before {before[0]!r}, "
            f"now {self.readout.text_content()!r}, images {self.images.count()}, "
            f"image changed: {last is not None and last[1] != before[1]}")

    def focused(self, target) -> bool:
        return target.evaluate("e => e === document.activeElement || "
                               "e.contains(document.activeElement)")

    def tab_to(self, target) -> None:
        """Press Tab (Shift+Tab when `target` comes earlier in the page) until it has the focus."""
        for _ in range(MAX_TABS):
            if self.focused(target):
                return
            behind = target.evaluate("e => !!(e.compareDocumentPosition(document.activeElement)"
                                     " & Node.DOCUMENT_POSITION_FOLLOWING)")
            self.page.keyboard.press("Shift+Tab" if behind else "Tab")
        raise AssertionError(f"{MAX_TABS} presses of Tab did not reach {target}")

    def type_learning_rate(self, value: str) -> None:
        """Tab to the slider's box, type a value and press Enter, as a learner can."""
        self.tab_to(self.lr.locator(".widget-readout"))
        self.page.keyboard.press("Control+a")
        self.page.keyboard.type(value)
        self.page.keyboard.press("Enter")

    def active_reduction(self) -> str:
        return self.reduction.locator("button.mod-active").text_content() or ""

    def press_reduction(self, name: str) -> None:
        self.tab_to(self.reduction.get_by_role("button", name=name, exact=True))
        self.page.keyboard.press("Enter")


def test_explorer_answers_the_keyboard_alone(open_notebook, monkeypatch):
    monkeypatch.setattr(lab_session, "RUN_ALL_S", max(lab_session.RUN_ALL_S, RUN_ALL_S))
    notebook = open_notebook(NOTEBOOK)
    notebook.run_all()
    explorer = Explorer(notebook)
    explorer.cell.scroll_into_view_if_needed()

    for name in ("lr", "zoom", "reduction", "steps", "pin", "clear", "readout"):
        assert getattr(explorer, name).count() == 1, f"no widget with class explorer-{name}"
    assert explorer.lr.locator(".noUi-handle").count() == 1, "explorer-lr is not a slider"
    assert explorer.steps.locator(".noUi-handle").count() == 1, "explorer-steps is not a slider"
    for option in ("sum", "mean"):
        expect(explorer.reduction.get_by_role("button", name=option, exact=True)).to_be_visible()
    expect(explorer.pin).to_have_text("pin this curve")
    expect(explorer.clear).to_have_text("clear pins")
    expect(explorer.images).to_have_count(1)
    expect(explorer.readout.locator('[role="status"]')).to_have_count(1)
    start = explorer.state()
    assert start[1].startswith("data:image/svg+xml"), f"the plot is not an SVG: {start[1][:40]!r}"
    assert (explorer.images.first.get_attribute("alt") or "").startswith("Loss against step")
    # Run All leaves it where the text above it says: 8e-4, sum, the 2e-3 curve pinned.
    assert "lr = 0.0008, sum" in start[0] and "pinned: 1" in start[0], start[0]
    assert "late spike (edge of stability)" in start[0], start[0]

    # Keyboard from here on. The slider's handle takes the arrow keys.
    handle = explorer.lr.locator(".noUi-handle")
    handle.focus()
    explorer.page.keyboard.press("ArrowRight")
    moved = explorer.wait_for_update(start)

    # Untick the zoom with Space: the slider and the strip cover 1e-7..10 again.
    explorer.tab_to(explorer.zoom.locator("input"))
    explorer.page.keyboard.press("Space")
    moved = explorer.wait_for_update(moved, readout_changes=False)
    expect(explorer.zoom.locator("input")).not_to_be_checked()

    # Above 2/lambda_0 the loss rises within the first steps, then comes down.
    explorer.type_learning_rate(CATAPULT_LR)
    catapult = explorer.wait_for_update(moved)
    assert "early rise (catapult)" in catapult[0], catapult[0]

    # Far above it, the run blows up, and the readout says when.
    explorer.type_learning_rate(DIVERGING_LR)
    diverged = explorer.wait_for_update(catapult)
    assert re.search(r"diverged at step \d+", diverged[0]), diverged[0]

    # Back to a learning rate that converges; pin its curve with Enter.
    explorer.type_learning_rate("1e-4")
    converging = explorer.wait_for_update(diverged)
    assert "diverged" not in converging[0], converging[0]
    explorer.tab_to(explorer.pin)
    explorer.page.keyboard.press("Enter")
    pinned = explorer.wait_for_update(converging)
    assert "pinned: 2" in pinned[0], pinned[0]

    # Switching the reduction with the keyboard changes the curve; the pins stay.
    explorer.press_reduction("mean")
    mean = explorer.wait_for_update(pinned)
    assert explorer.active_reduction() == "mean"
    assert "mean" in mean[0] and "pinned: 2" in mean[0], mean[0]

    # The steps slider takes the arrow keys too.
    explorer.tab_to(explorer.steps.locator(".noUi-handle"))
    explorer.page.keyboard.press("ArrowLeft")
    fewer = explorer.wait_for_update(mean)
    assert "490 steps" in fewer[0], fewer[0]
    assert notebook.text_reprs_of_widgets() == []
    explorer.lr.evaluate("slider => slider.scrollIntoView({block: 'start'})")  # all of it in view
    notebook.screenshot("07_learning_rate_explorer")

    # Clearing the pins, with Enter, redraws without the pinned curves.
    explorer.tab_to(explorer.clear)
    explorer.page.keyboard.press("Enter")
    cleared = explorer.wait_for_update(fewer)
    assert "pinned: 0" in cleared[0], cleared[0]

    saved = notebook.save_and_read()
    assert error_outputs(saved) == []
