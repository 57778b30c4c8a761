"""Loss curves (notebooks 01-03): log scale, labels, divergence shown as such."""

import math

import numpy as np

from course_utils.plots import figure_png, plot_loss_difference, plot_losses
from course_utils.plots.losses import first_non_finite, relative_difference


def test_loss_curves_are_on_a_log_scale_with_title_labels_and_legend():
    fig = plot_losses({"a": [700.0, 10.0, 0.1], "b": [700.0, 100.0, 1.0]}, title="Training")
    (ax,) = fig.axes
    assert ax.get_title() == "Training" and ax.get_yscale() == "log"
    assert ax.get_xlabel() == "step" and "log scale" in ax.get_ylabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    assert figure_png(fig).startswith(b"\x89PNG")


def test_first_non_finite_finds_the_divergence_step():
    assert first_non_finite([1.0, 2.0, math.inf, math.nan]) == 2
    assert first_non_finite([1.0, math.nan]) == 1
    assert first_non_finite([1.0, 0.5]) is None


def test_a_diverged_run_is_cut_at_its_last_finite_loss_and_labelled():
    fig = plot_losses({"randn": [1e7, 1e11, 1e60, math.inf, math.nan]}, title="Divergence")
    (ax,) = fig.axes
    assert ax.get_legend().get_texts()[0].get_text() == "randn (diverged: inf/NaN at step 3)"
    curve, marker = ax.get_lines()
    assert list(curve.get_xdata()) == [0, 1, 2]
    assert marker.get_marker() == "X" and list(marker.get_ydata()) == [1e60]


def test_a_ceiling_keeps_one_exploding_run_from_flattening_the_others():
    fig = plot_losses({"ok": [700.0, 1.0], "boom": [1e7, 1e11, 1e60, math.inf]},
                      title="t", ceiling=1e12)
    (ax,) = fig.axes
    assert ax.get_ylim()[1] == 1e12
    label = ax.get_legend().get_texts()[1].get_text()
    assert "above 1e+12 from step 2" in label and "inf/NaN at step 3" in label
    boom = ax.get_lines()[1]
    assert max(boom.get_ydata()) == 1e12


def test_relative_difference_per_step():
    assert np.allclose(relative_difference([1.0, 2.2], [1.0, 2.0]), [0.0, 0.1])


def test_loss_difference_shows_both_curves_and_their_difference():
    fig = plot_loss_difference([700.0, 10.0, 0.1], [700.0, 10.000001, 0.1000002],
                               labels=("torch", "numpy"), title="Same run twice")
    left, right = fig.axes
    assert fig.get_suptitle() == "Same run twice"
    assert left.get_yscale() == "log" and "log scale" in left.get_ylabel()
    assert left.get_xlabel() == right.get_xlabel() == "step"
    assert right.get_title() == "|torch - numpy| / numpy"
    assert right.get_yscale() == "log" and right.get_ylabel() == "relative difference (log scale)"
    assert "exactly equal at 1 of 3 steps" in right.get_legend().get_texts()[0].get_text()


def test_identical_runs_say_so_instead_of_an_empty_log_panel():
    fig = plot_loss_difference([3.0, 2.0], [3.0, 2.0], labels=("a", "b"), title="t")
    right = fig.axes[1]
    assert right.get_yscale() == "linear" and "all zero" in right.get_ylabel()
    assert any("difference exactly 0" in t.get_text() for t in right.texts)
    assert "exactly equal at 2 of 2 steps" in right.get_legend().get_texts()[0].get_text()
