"""Log axes (plots/ticks.py): ticks at the decades only, labels written as the course writes
numbers, at least two labels in view however narrow the range, and every log axis the course
draws made that way (so no figure pays for minor ticks and mathtext labels it does not need)."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from course_utils.curvature import SharpnessRun
from course_utils.digit_training import FitHistory
from course_utils.plots import (
    plot_accuracy_by_learning_rate,
    plot_fit_curves,
    plot_loss_and_gradient_norm,
    plot_loss_comparison,
    plot_loss_difference,
    plot_losses,
    plot_sharpness_runs,
)
from course_utils.plots.ticks import DecadeLocator, log_label, plain_log_axis


def visible_labels(low: float, high: float) -> list[str]:
    fig = Figure()
    ax = fig.add_subplot()
    ax.plot([0, 1], [low, high])
    ax.set_yscale("log")
    plain_log_axis(ax.yaxis)
    FigureCanvasAgg(fig).draw()
    bottom, top = ax.get_ylim()
    return [t.get_text() for t in ax.get_yticklabels()
            if t.get_text() and bottom <= t.get_position()[1] <= top]


def test_a_wide_range_is_labelled_at_its_decades_in_plain_text():
    assert visible_labels(1e-7, 1e-4) == ["1e-7", "1e-6", "1e-5", "1e-4"]
    assert visible_labels(0.5, 700) == ["1", "10", "100", "1e3"]


@pytest.mark.parametrize("low, high", [(2, 8), (2, 30), (3000, 9000), (0.011, 0.09)])
def test_a_narrow_range_still_shows_at_least_two_labels(low, high):
    assert len(visible_labels(low, high)) >= 2


def test_labels_read_like_the_course_text():
    assert [log_label(v) for v in (1e-3, 0.1, 1, 10, 100, 1e3, 2e-3)] == [
        "1e-3", "0.1", "1", "10", "100", "1e3", "0.002"]


def log_axes(fig: Figure) -> list:
    return [axis for ax in fig.axes for axis, scale in ((ax.xaxis, ax.get_xscale()),
                                                        (ax.yaxis, ax.get_yscale()))
            if scale == "log"]


def history(epochs: int) -> FitHistory:
    values = list(np.linspace(2.3, 0.1, epochs + 1))
    return FitHistory(values, values, values, values)


LOSSES = list(np.logspace(3, -6, 50))
FIGURES = {
    "plot_losses": lambda: plot_losses({"a": LOSSES}, title="t"),
    "plot_loss_difference": lambda: plot_loss_difference(
        LOSSES, [v * (1 + 1e-12) for v in LOSSES], labels=("a", "b"), title="t"),
    "plot_loss_comparison": lambda: plot_loss_comparison({"a": LOSSES}, title="t"),
    "plot_loss_and_gradient_norm": lambda: plot_loss_and_gradient_norm(
        {"a": LOSSES}, {"a": LOSSES}, title="t"),
    "plot_sharpness_runs": lambda: plot_sharpness_runs([SharpnessRun(
        2e-3, np.array([0, 3]), np.array([1500.0, 990.0]), np.array(LOSSES))]),
    "plot_fit_curves": lambda: plot_fit_curves({"a": history(5)}, title="t", log_loss=True)[0],
    "plot_accuracy_by_learning_rate": lambda: plot_accuracy_by_learning_rate(
        [1e-3, 1e-2, 0.1], [0.2, 0.5, 0.9], title="t")[0],
}


@pytest.mark.parametrize("name", FIGURES)
def test_every_log_axis_the_course_draws_ticks_at_decades_only(name):
    axes = log_axes(FIGURES[name]())
    assert axes, f"{name} has no log axis"
    for axis in axes:
        assert isinstance(axis.get_major_locator(), DecadeLocator)
        assert isinstance(axis.get_minor_locator(), NullLocator)
