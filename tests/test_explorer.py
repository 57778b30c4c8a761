"""The learning-rate explorer, driven headless by setting widget values from code.

These tests hold the contract the browser tests rely on (see course_utils/explorer.py):
the CSS classes, the readout's phrases, one PNG in the plot that changes with the curve.
"""

import base64
import re

import ipywidgets as widgets
import pytest

from course_utils import explorer as explorer_module
from course_utils.explorer import MAX_PINS, LearningRateExplorer, readout_html
from course_utils.sweep import find_zones
from course_utils.training import train

STEPS = 60  # short runs keep the tests quick; every zone shows within 60 steps here


@pytest.fixture
def explorer():
    return LearningRateExplorer(steps=STEPS)


def shown_png(explorer) -> bytes:
    outputs = explorer.plot.outputs
    assert len(outputs) == 1, f"the plot should hold exactly one image, it holds {len(outputs)}"
    return base64.b64decode(outputs[0]["data"]["image/png"])


def test_widgets_carry_the_contract(explorer):
    expected = {
        "explorer-lr": (explorer.learning_rate, widgets.FloatLogSlider),
        "explorer-reduction": (explorer.reduction, widgets.ToggleButtons),
        "explorer-steps": (explorer.steps, widgets.IntSlider),
        "explorer-pin": (explorer.pin_button, widgets.Button),
        "explorer-clear": (explorer.clear_button, widgets.Button),
        "explorer-readout": (explorer.readout, widgets.HTML),
        "explorer-plot": (explorer.plot, widgets.Output),
    }
    for css_class, (widget, kind) in expected.items():
        assert isinstance(widget, kind) and css_class in widget._dom_classes
    slider = explorer.learning_rate
    assert (slider.base ** slider.min, slider.base ** slider.max) == pytest.approx((1e-7, 10))
    assert slider.continuous_update is False and slider.description == "learning rate"
    assert explorer.steps.continuous_update is False
    assert list(explorer.reduction.options) == ["sum", "mean"]
    assert explorer.pin_button.description == "pin this curve"
    assert explorer.clear_button.description == "clear pins"


def test_it_starts_drawn_with_a_png_and_a_readout(explorer):
    assert shown_png(explorer).startswith(b"\x89PNG")
    text = explorer.readout_text()
    assert re.search(r"final loss \d", text) and "pinned: 0" in text
    assert "diverged" not in text


def test_displaying_it_displays_the_widget_box(explorer):
    bundle = explorer._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == \
        explorer.widget.model_id


def test_setting_the_learning_rate_from_code_retrains_and_redraws(explorer):
    before = shown_png(explorer)
    explorer.learning_rate.value = 1e-3
    assert shown_png(explorer) != before
    assert (1e-3, "sum", STEPS) in explorer.runs
    assert "lr = 0.001" in explorer.readout_text()


def test_divergence_shows_a_banner_not_a_nan_plot(explorer):
    explorer.learning_rate.value = 1e-2
    run = explorer.current_run()
    assert run.diverged
    assert f"diverged at step {run.diverged_at}" in explorer.readout_text()
    assert "background:#c62828" in explorer.readout.value  # the red banner
    xs, ys = explorer.curve.get_data()
    assert len(ys) and all(y == y and y < float("inf") for y in ys)  # only finite points drawn
    assert "diverged at step" in explorer.loss_ax.get_title()


def test_the_catapult_is_named(explorer):
    explorer.learning_rate.value = 2e-3
    text = explorer.readout_text()
    assert "rose, then recovered" in text and "diverged" not in text
    assert "sweep zone: catapult" in text


def test_a_rise_not_yet_recovered_is_not_called_recovered():
    run = train(2.4e-3, steps=4)  # stopped at the peak of the catapult
    text = re.sub("<[^>]+>", " ", readout_html(run, find_zones("sum"), 0))
    assert "rose, not recovered yet" in text and "rose, then recovered" not in text


def test_returning_to_a_setting_uses_the_cache(explorer, monkeypatch):
    explorer.learning_rate.value = 5e-4
    first_png = shown_png(explorer)
    explorer.learning_rate.value = 1e-4

    def no_training(*args, **kwargs):
        raise AssertionError("trained again for a cached setting")

    monkeypatch.setattr(explorer_module, "train", no_training)
    explorer.learning_rate.value = 5e-4
    assert shown_png(explorer) == first_png


def test_reduction_and_steps_are_part_of_the_setting(explorer):
    explorer.reduction.value = "mean"
    assert explorer.current_run().reduction == "mean"
    assert "sweep zone: monotone" in explorer.readout_text()   # 1e-4 with mean: tiny steps
    assert explorer.zone_ax.get_title().startswith("zones for reduction='mean'")
    explorer.steps.value = 20
    assert len(explorer.current_run().losses) == 20
    assert len(explorer.runs) == 3


def test_pins_are_counted_drawn_and_cleared(explorer):
    explorer.pin_button.click()
    assert "pinned: 1" in explorer.readout_text()
    explorer.pin_button.click()  # the same curve twice is pinned once
    assert "pinned: 1" in explorer.readout_text()
    explorer.learning_rate.value = 2e-3
    explorer.pin_button.click()
    assert "pinned: 2" in explorer.readout_text() and len(explorer.pin_lines) == 2
    with_pins = shown_png(explorer)
    explorer.clear_button.click()
    assert "pinned: 0" in explorer.readout_text() and explorer.pin_lines == []
    assert shown_png(explorer) != with_pins


def test_pins_keep_only_the_latest(explorer):
    for k in range(MAX_PINS + 2):
        explorer.learning_rate.value = 10 ** (-5 + 0.1 * k)
        explorer.pin()
    assert len(explorer.pins) == MAX_PINS
    assert explorer.pins[-1] is explorer.current_run()


def test_a_diverged_curve_can_be_pinned(explorer):
    explorer.learning_rate.value = 10.0
    explorer.pin()
    explorer.learning_rate.value = 1e-4
    assert "pinned: 1" in explorer.readout_text()
    assert shown_png(explorer).startswith(b"\x89PNG")


@pytest.mark.parametrize("value, expected", [(1e-9, 1e-7), (1e-7, 1e-7), (10.0, 10.0),
                                             (1e3, 10.0)])
def test_extreme_values_set_from_code(explorer, value, expected):
    explorer.learning_rate.value = value
    run = explorer.current_run()
    assert run.learning_rate == pytest.approx(expected)
    if expected == 10.0:
        assert run.diverged and "diverged at step" in explorer.readout_text()
    else:
        assert run.outcome == "descended"


def test_the_figure_is_reused_not_rebuilt(explorer):
    figure, curve = explorer.figure, explorer.curve
    explorer.learning_rate.value = 3e-4
    explorer.reduction.value = "mean"
    assert explorer.figure is figure and explorer.curve is curve
    assert len(explorer.figure.axes) == 2
    assert explorer.loss_ax.get_yscale() == "log"
    assert explorer.loss_ax.get_xlabel() == "step"
    assert explorer.loss_ax.get_ylabel() == "loss (log scale)"


def test_notebook_07_shows_the_explorer_in_a_cell_the_browser_test_can_find():
    import nbformat

    from notebook_runner import NOTEBOOKS

    notebook = nbformat.read(NOTEBOOKS / "07_learning_rate_explorer.ipynb", as_version=4)
    cells = [c for c in notebook.cells if c.cell_type == "code"
             and "LearningRateExplorer(" in c.source]
    assert len(cells) == 1
    assert cells[0].source.strip().splitlines()[-1] == "explorer"  # displayed as the last value
