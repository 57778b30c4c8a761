"""Pictures of notebook 07: what a reader relies on (titles, axes, log scales, zones)."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from course_utils.curvature import SharpnessRun
from course_utils.plots import (
    describe_sweep,
    draw_zones,
    figure_png,
    plot_quadratic_steps,
    plot_sharpness_runs,
    plot_sweep,
)
from course_utils.plots.curves import quadratic_descent
from course_utils.plots.ticks import DecadeLocator
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


def test_draw_zones_shades_four_hatched_zones_and_marks_two_over_lambda():
    fig = Figure()
    ax = fig.add_subplot(xscale="log", xlim=(1e-7, 10))
    artists = draw_zones(ax, ZONES)
    labels = [a.get_label() for a in artists]
    assert labels[:4] == ["monotone zone", "edge of stability zone", "catapult zone",
                          "divergence zone"]
    assert any(label.startswith("2/λ₀ = 0.0013") for label in labels)
    hatches = [a.get_hatch() for a in artists[:4]]
    assert len(set(hatches)) == 4  # colour is not the only signal
    for artist in artists:
        artist.remove()
    assert len(ax.patches) == len(ax.lines) == 0


def test_sweep_figure_has_a_panel_per_reduction_on_log_axes():
    result = sweep()
    zones = {r: find_zones(r) for r in ("sum", "mean")}
    fig = plot_sweep(result, zones)
    sum_ax, mean_ax = fig.axes
    for ax, reduction in ((sum_ax, "sum"), (mean_ax, "mean")):
        assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
        for axis in (ax.xaxis, ax.yaxis):  # decades only, plain labels (plots/ticks.py)
            assert isinstance(axis.get_major_locator(), DecadeLocator)
        assert f"reduction='{reduction}'" in ax.get_title()
        assert "loss" in ax.get_ylabel()
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert "divergence (at the top)" in legend
        assert any(text.startswith("lowest final loss: lr = ") for text in legend)
        markers = {line.get_marker() for line in ax.lines}
        assert {"o", "s", "^", "X"} <= markers  # each zone its own marker
    assert mean_ax.get_xlabel() == "learning rate (log scale)"
    assert "100 steps" in fig._suptitle.get_text()
    assert figure_png(fig).startswith(b"\x89PNG")
    words = describe_sweep(result, zones)
    assert "lowest final loss, which lies in the edge of stability zone" in words
    assert "moved right by exactly 640" in words


def test_sharpness_figure_draws_two_over_lr_next_to_each_run():
    run = SharpnessRun(2e-3, np.array([0, 3]), np.array([1500.0, 990.0]),
                       np.array([714.0, 800.0, 300.0, 100.0]))
    fig = plot_sharpness_runs([run])
    top, bottom = fig.axes
    assert top.get_title() == "lr = 0.002"
    assert any("2 / lr = 1,000" in t.get_text() for t in top.get_legend().get_texts())
    assert bottom.get_yscale() == "log"
