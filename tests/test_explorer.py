"""The learning-rate explorer, driven headless by setting widget values from code.

These tests hold the contract the browser tests rely on (see course_utils/explorer.py):
the CSS classes, the readout's phrases and live region, one SVG <img> with an alt text that
changes with the curve, and invalid values refused without breaking anything.
"""

import base64
import math
import re

import ipywidgets as widgets
import numpy as np
import pytest

from course_utils import explorer as explorer_module
from course_utils import training as training_module
from course_utils.explorer import MAX_PINS, LearningRateExplorer, readout_html
from course_utils.explorer_figure import Curve, figure_svg, zone_label_boxes
from course_utils.palette import ZONE_COLOURS
from course_utils.sweep import Zones, find_zones
from course_utils.training import train

STEPS = 60  # short runs keep the tests quick; every zone shows within 60 steps here


@pytest.fixture
def explorer():
    return LearningRateExplorer(steps=STEPS)


def shown_svg(explorer) -> str:
    images = re.findall(r'<img src="data:image/svg\+xml;base64,([^"]+)"', explorer.plot.value)
    assert len(images) == 1, f"the plot should hold exactly one image, it holds {len(images)}"
    return base64.b64decode(images[0]).decode()


def alt_text(explorer) -> str:
    return re.search(r'alt="([^"]*)"', explorer.plot.value).group(1)


def test_widgets_carry_the_contract(explorer):
    expected = {
        "explorer-lr": (explorer.learning_rate, widgets.FloatLogSlider),
        "explorer-zoom": (explorer.zoom, widgets.Checkbox),
        "explorer-reduction": (explorer.reduction, widgets.ToggleButtons),
        "explorer-steps": (explorer.steps, widgets.IntSlider),
        "explorer-pin": (explorer.pin_button, widgets.Button),
        "explorer-clear": (explorer.clear_button, widgets.Button),
        "explorer-readout": (explorer.readout, widgets.HTML),
        "explorer-plot": (explorer.plot, widgets.HTML),
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


def test_it_starts_drawn_with_a_described_picture_and_a_live_readout(explorer):
    assert shown_svg(explorer).startswith("<svg")
    assert alt_text(explorer).startswith("Loss against step on a log scale")
    assert 'role="status"' in explorer.readout.value and 'aria-live="polite"' in \
        explorer.readout.value
    text = explorer.readout_text()
    assert re.search(r"final loss \d", text) and "pinned: 0" in text
    assert "diverged" not in text


def test_displaying_it_displays_the_widget_box(explorer):
    bundle = explorer._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == \
        explorer.widget.model_id


def test_setting_the_learning_rate_from_code_retrains_and_redraws(explorer):
    before = shown_svg(explorer)
    explorer.learning_rate.value = 1e-3
    assert shown_svg(explorer) != before
    assert (1e-3, "sum", STEPS) in explorer.runs
    assert "lr = 0.001" in explorer.readout_text()


def test_a_new_setting_is_drawn_while_it_trains(explorer, monkeypatch):
    monkeypatch.setattr(explorer_module, "FIRST_FEEDBACK_S", 0.0)
    monkeypatch.setattr(explorer_module, "PROGRESS_EVERY_S", 0.0)
    seen = []
    explorer.plot.observe(lambda change: seen.append(change["new"]), names="value")
    explorer.learning_rate.value = 4e-4
    assert len(seen) > 2                               # partial pictures, then the last one
    assert "Still training" in seen[0] and "Still training" not in seen[-1]


def test_divergence_shows_a_banner_and_an_x(explorer):
    explorer.learning_rate.value = 1e-2
    run = explorer.current_run()
    assert run.diverged
    assert f"diverged at step {run.diverged_at}" in explorer.readout_text()
    assert f"background:{ZONE_COLOURS['divergence']}" in explorer.readout.value  # the banner
    svg = shown_svg(explorer)
    assert "diverged at step" in svg and "nan" not in svg.lower() and "inf" not in svg


def test_both_kinds_of_rise_are_named(explorer):
    explorer.learning_rate.value = 2e-3
    text = explorer.readout_text()
    assert "early rise (catapult)" in text and "diverged" not in text
    assert "sweep zone: catapult" in text
    explorer.learning_rate.value = 8e-4
    text = explorer.readout_text()
    assert "late spike (edge of stability)" in text and "sweep zone: edge of stability" in text


@pytest.mark.parametrize("lr, steps, words", [
    (2.4e-3, 4, "not settled yet: try more steps"), (2e-3, 30, "not settled yet"),
    (2.3e-3, 500, "stuck on a plateau"),
    (2e-3, 500, "recovered to a low loss"), (1e-4, 500, "descended: no rise above 10%")])
def test_the_readout_says_where_a_run_landed(lr, steps, words):
    text = re.sub("<[^>]+>", " ", readout_html(train(lr, steps), find_zones("sum"), 0))
    assert words in text


def test_returning_to_a_setting_uses_the_cache(explorer, monkeypatch):
    explorer.learning_rate.value = 5e-4
    first = shown_svg(explorer)
    explorer.learning_rate.value = 1e-4

    def no_training(*args, **kwargs):
        raise AssertionError("trained again for a cached setting")

    monkeypatch.setattr(training_module, "train", no_training)
    explorer.learning_rate.value = 5e-4
    assert shown_svg(explorer) == first


def test_reduction_and_steps_are_part_of_the_setting(explorer):
    explorer.reduction.value = "mean"
    assert explorer.current_run().reduction == "mean"
    assert "sweep zone: monotone" in explorer.readout_text()   # 1e-4 with mean: tiny steps
    assert "zones for mean" in shown_svg(explorer)
    explorer.steps.value = 20
    assert len(explorer.current_run().losses) == 20
    assert len(explorer.runs) == 3


def test_pins_are_counted_drawn_and_cleared_without_training(explorer, monkeypatch):
    explorer.learning_rate.value = 2e-3
    monkeypatch.setattr(training_module, "train", lambda *a, **k: pytest.fail("retrained"))
    explorer.pin_button.click()
    assert "pinned: 1" in explorer.readout_text()
    explorer.pin_button.click()  # the same curve twice is pinned once
    assert "pinned: 1" in explorer.readout_text()
    monkeypatch.undo()
    explorer.learning_rate.value = 1e-4
    explorer.pin_button.click()
    assert "pinned: 2" in explorer.readout_text()
    with_pins = shown_svg(explorer)
    assert with_pins.count('stroke-dasharray="8 4"') == 2   # the first pin: line and legend
    explorer.clear_button.click()
    assert "pinned: 0" in explorer.readout_text() and explorer.pins == []
    assert shown_svg(explorer) != with_pins


def test_pins_keep_only_the_latest(explorer):
    for k in range(MAX_PINS + 2):
        explorer.learning_rate.value = 10 ** (-5 + 0.1 * k)
        explorer.pin()
    assert len(explorer.pins) == MAX_PINS
    assert explorer.pins[-1] is explorer.current_run()


@pytest.mark.parametrize("value, expected", [(1e-9, 1e-7), (1e-7, 1e-7), (10.0, 10.0),
                                             (1e3, 10.0)])
def test_extreme_values_set_from_code(explorer, value, expected):
    explorer.learning_rate.value = value
    run = explorer.current_run()
    assert run.learning_rate == pytest.approx(expected)
    if expected == 10.0:
        assert run.diverged and "diverged at step" in explorer.readout_text()
    else:
        assert run.outcome in ("descended", "barely moved")


@pytest.mark.parametrize("widget, value", [("learning_rate", math.nan), ("reduction", None)])
def test_invalid_widget_values_are_refused_and_the_explorer_keeps_working(explorer, widget,
                                                                          value):
    explorer.learning_rate.value = 3e-4
    getattr(explorer, widget).value = value
    assert explorer.learning_rate.value == pytest.approx(3e-4)
    assert explorer.reduction.value == "sum"
    assert "ignored an invalid value" in explorer.readout_text()
    explorer.learning_rate.value = 5e-4                 # and the next change works
    assert "lr = 0.0005" in explorer.readout_text()


def test_a_negative_learning_rate_is_clamped_by_the_slider(explorer):
    explorer.learning_rate.value = -1.0
    assert explorer.learning_rate.value == pytest.approx(1e-7)
    assert "lr = 1e-07" in explorer.readout_text()
    explorer.learning_rate.value = 5e-4
    assert "lr = 0.0005" in explorer.readout_text()


def test_zoom_narrows_the_slider_and_follows_the_reduction(explorer):
    explorer.learning_rate.value = 8e-4
    explorer.zoom.value = True
    assert (explorer.learning_rate.min, explorer.learning_rate.max) == (-4.0, -2.0)
    assert explorer.learning_rate.value == pytest.approx(8e-4)
    explorer.reduction.value = "mean"
    assert explorer.learning_rate.min == pytest.approx(-4 + math.log10(640))
    explorer.zoom.value = False
    assert (explorer.learning_rate.min, explorer.learning_rate.max) == (-7.0, 1.0)


@pytest.mark.parametrize("low, high", [(1e-7, 10.0), (1e-4, 1e-2), (6.4e-2, 6.4),
                                       (1e-7 * 640, 10.0)])
@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_zone_names_never_overlap(low, high, reduction):
    zones = find_zones(reduction)
    placed = zone_label_boxes(zones.edges(), zones.two_over_lambda, low, high)
    for k, (_, _, a, b, row) in enumerate(placed):
        for _, _, c, d, other_row in placed[k + 1:]:
            assert row != other_row or b <= c or d <= a, placed


def test_zone_names_fit_a_narrow_edge_too():
    zones = Zones("sum", 1.0e-3, 9.9e-4, 1.01e-3)  # three edges almost on top of each other
    placed = zone_label_boxes(zones.edges(), zones.two_over_lambda, 1e-7, 10.0)
    rows = [row for *_, row in placed]
    assert len(set(zip(rows, [round(a) for _, _, a, _, _ in placed], strict=True))) == 5


def test_the_svg_carries_hatching_as_well_as_colour():
    zones = find_zones("sum")
    svg = figure_svg([Curve(np.array([3.0, 2.0, 1.0]), "a curve")], 3, "title", zones.edges(),
                     zones.two_over_lambda, 1e-3, (1e-7, 10.0), "sum")
    for hatch in ("dots", "diagonal", "cross"):
        assert f"url(#hatch-{hatch})" in svg
    for name in ("monotone", "edge of stability", "catapult", "divergence", "2/λ₀"):
        assert f">{name}<" in svg


def test_notebook_07_shows_the_explorer_in_a_cell_the_browser_test_can_find():
    import nbformat

    from notebook_runner import NOTEBOOKS

    notebook = nbformat.read(NOTEBOOKS / "07_learning_rate_explorer.ipynb", as_version=4)
    cells = [c for c in notebook.cells if c.cell_type == "code"
             and "LearningRateExplorer(" in c.source]
    assert len(cells) == 1
    assert cells[0].source.strip().splitlines()[-1] == "explorer"  # displayed as the last value


def test_set_changes_several_controls_with_one_training(explorer, train_calls):
    explorer.set(reduction="mean", zoom=True, learning_rate=1.28)
    assert train_calls == [(1.28, STEPS, "mean")]
    assert explorer.zoom.value and explorer.learning_rate.value == pytest.approx(1.28)


def test_the_other_reduction_at_the_matching_rate_is_told_not_trained(explorer, monkeypatch):
    explorer.set(reduction="mean", learning_rate=1.28)
    monkeypatch.setattr(training_module, "train", lambda *a, **k: pytest.fail("retrained"))
    explorer.set(reduction="sum", learning_rate=2e-3)
    run = explorer.current_run()
    assert (run.reduction, run.learning_rate) == ("sum", pytest.approx(2e-3))
    np.testing.assert_allclose(run.losses, explorer.runs[(1.28, "mean", STEPS)].losses * 640)


def test_a_rate_a_cell_above_trained_is_shown_without_training_again(monkeypatch):
    trained = train(7e-4, STEPS)  # as notebook 07 trains 1e-4 before it builds the explorer
    monkeypatch.setattr(training_module, "train",
                        lambda *a, **k: pytest.fail("trained a run this process already has"))
    explorer = LearningRateExplorer(learning_rate=7e-4, steps=STEPS)
    assert explorer.current_run() is trained
    assert "lr = 0.0007" in explorer.readout_text()


def test_a_run_trained_on_other_data_or_weights_is_not_taken_for_the_running_example(
        train_calls):
    model = training_module.problem.build_model()
    train(7e-4, STEPS, model=model)                       # trained in place: not remembered
    train_calls.clear()
    LearningRateExplorer(learning_rate=7e-4, steps=STEPS)
    assert train_calls == [(7e-4, STEPS, "sum")]
