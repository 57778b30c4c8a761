"""Pictures of notebook 06: what a reader relies on (titles, labels, log scale, legend)."""

from __future__ import annotations

import numpy as np

from course_utils.plots import figure_png, plot_loss_and_gradient_norm, plot_loss_comparison


def test_loss_comparison_has_title_labels_log_scale_and_one_line_per_curve():
    losses = np.geomspace(700, 1e-5, 50)
    curves = {"sum, lr=1e-4": losses, "mean x 640": losses}
    fig = plot_loss_comparison(curves, title="Same trajectory")
    (ax,) = fig.axes
    assert ax.get_title() == "Same trajectory"
    assert ax.get_xlabel() == "step" and "log" in ax.get_ylabel()
    assert ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(curves)
    first, second = ax.get_lines()
    assert first.get_linestyle() != second.get_linestyle()  # coinciding curves stay visible
    assert len(first.get_xdata()) == 50
    assert figure_png(fig).startswith(b"\x89PNG")


def test_loss_and_gradient_norm_has_two_labelled_log_panels():
    losses = {"with zero_grad": [3.0, 2.0, 1.0], "without": [3.0, 2.5, 2.8]}
    norms = {"with zero_grad": [5.0, 4.0, 3.0], "without": [5.0, 9.0, 12.0]}
    fig = plot_loss_and_gradient_norm(losses, norms, title="Forgetting zero_grad")
    loss_ax, norm_ax = fig.axes
    assert fig._suptitle.get_text() == "Forgetting zero_grad"
    assert loss_ax.get_title() == "loss" and "gradient norm" in norm_ax.get_title()
    for ax in (loss_ax, norm_ax):
        assert ax.get_xlabel() == "step" and "log" in ax.get_ylabel()
        assert ax.get_yscale() == "log"
        assert [t.get_text() for t in ax.get_legend().get_texts()] == list(losses)
    assert list(norm_ax.get_lines()[1].get_ydata()) == [5.0, 9.0, 12.0]
