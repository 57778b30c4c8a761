"""Pictures of notebook 07: what a reader relies on (titles, axes, log scales, zones)."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from course_utils.plots import draw_zones, figure_png, plot_quadratic_steps, plot_sweep
from course_utils.plots.curves import quadratic_descent
from course_utils.sweep import Zones, find_zones, sweep

ZONES = Zones("sum", two_over_lambda=1.3e-3, rises_from=7e-4, diverges_from=2.6e-3)


def test_quadratic_descent_multiplies_by_one_minus_lr_c():
    path = quadratic_descent(curvature=4.0, learning_rate=0.4, start=1.0, steps=3)
    np.testing.assert_allclose(path, [1.0, -0.6, 0.36, -0.216])


@pytest.mark.parametrize("lr, verdict", [(0.2, "converges"), (0.4, "oscillates, converges"),
                                         (0.52, "diverges")])
def test_quadratic_panels_say_what_happens(lr, verdict):
    fig = plot_quadratic_steps(4.0, [lr])
    ax = fig.axes[0]
    assert ax.get_title().split("\n")[0].endswith(verdict)
    assert ax.get_xlabel() == "w" and "f(w)" in ax.get_ylabel()
    assert "2 / c = 0.5" in fig._suptitle.get_text()


def test_draw_zones_shades_three_zones_and_marks_two_over_lambda():
    fig = Figure()
    ax = fig.add_subplot(xscale="log")
    artists = draw_zones(ax, ZONES)
    labels = [a.get_label() for a in artists]
    assert {"monotone zone", "catapult zone", "divergence zone"} <= set(labels)
    assert any(label.startswith("2/λ at start = 0.0013") for label in labels)
    assert {t.get_text() for t in ax.texts} >= {"monotone", "catapult", "divergence"}
    for artist in artists:
        artist.remove()
    assert len(ax.patches) == len(ax.lines) == len(ax.texts) == 0


def test_sweep_figure_has_a_panel_per_reduction_on_log_axes():
    result = sweep()
    fig = plot_sweep(result, {r: find_zones(r) for r in ("sum", "mean")})
    sum_ax, mean_ax = fig.axes
    for ax, reduction in ((sum_ax, "sum"), (mean_ax, "mean")):
        assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
        assert f"reduction='{reduction}'" in ax.get_title()
        assert "loss" in ax.get_ylabel()
        assert "diverged" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert mean_ax.get_xlabel() == "learning rate (log scale)"
    assert "100 steps" in fig._suptitle.get_text()
    assert figure_png(fig).startswith(b"\x89PNG")
