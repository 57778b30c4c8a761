"""Pictures of notebook 04: what a reader relies on (titles, labels, shapes, the bound)."""

from __future__ import annotations

import math

import torch
from matplotlib.patches import Rectangle
from torch import nn

from course_utils.plots import draw_init_histogram, draw_weight_rows, figure_png


def test_weight_rows_names_the_shape_and_labels_rows_and_columns():
    layer = nn.Linear(4, 3)
    fig = draw_weight_rows(layer)
    (ax,) = fig.axes
    assert "nn.Linear(4, 3).weight is (3, 4) = (out, in)" in ax.get_title()
    assert "row j holds output unit j's weights" in ax.get_title()
    assert "input feature" in ax.get_xlabel() and "in_features = 4" in ax.get_xlabel()
    assert "output unit" in ax.get_ylabel() and "out_features = 3" in ax.get_ylabel()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "2", "3"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0", "1", "2"]
    assert figure_png(fig).startswith(b"\x89PNG")


def test_weight_rows_draws_every_number_and_y_equals_W_x_plus_b():
    torch.manual_seed(0)
    layer = nn.Linear(4, 3)
    x = torch.tensor([1.0, -2.0, 0.5, 3.0])
    (ax,) = draw_weight_rows(layer, x).axes
    cells = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_fill()]
    assert len(cells) == 4 + 3 * 4 + 3 + 3  # x, W, b, y
    texts = [t.get_text() for t in ax.texts]
    y = (layer(x)).detach()
    for value in [*layer.weight.detach().reshape(-1), *layer.bias.detach(), *y]:
        assert f"{value.item():+.2f}" in texts
    outlines = [p for p in ax.patches if isinstance(p, Rectangle) and not p.get_fill()]
    assert len(outlines) == 3  # one per output unit (row)


def test_init_histogram_draws_the_bound_and_both_parameters():
    layer = nn.Linear(1000, 100)
    fig = draw_init_histogram(layer)
    weight_ax, bias_ax = fig.axes
    bound = 1 / math.sqrt(1000)
    assert "nn.Linear(1000, 100)" in fig._suptitle.get_text()
    assert weight_ax.get_title() == "weight (100, 1000): 100,000 values"
    assert bias_ax.get_title() == "bias (100,): 100 values"
    for ax, name in ((weight_ax, "weight"), (bias_ax, "bias")):
        assert ax.get_xlabel() == f"{name} value" and ax.get_ylabel() == "count"
        lines = [line.get_xdata()[0] for line in ax.get_lines()]
        assert sorted(lines) == [-bound, bound]
        assert "±0.0316" in ax.get_legend().get_texts()[0].get_text()
    heights = [bar.get_height() for bar in weight_ax.patches]
    assert sum(heights) == 100_000  # every weight lies inside the bound


def test_init_histogram_of_a_layer_without_bias_has_one_panel():
    fig = draw_init_histogram(nn.Linear(50, 5, bias=False))
    assert len(fig.axes) == 1 and "±1/√50" in fig.axes[0].get_legend().get_texts()[0].get_text()


def test_init_histogram_draws_bins_beyond_the_bound_and_they_are_empty():
    torch.manual_seed(0)
    fig = draw_init_histogram(nn.Linear(1000, 100))
    bound = 1 / math.sqrt(1000)
    for ax in fig.axes:
        bars = ax.patches
        left = min(bar.get_x() for bar in bars)
        right = max(bar.get_x() + bar.get_width() for bar in bars)
        assert left < -1.15 * bound and right > 1.15 * bound  # the range passes the bound
        tolerance = 1e-12
        outside = [bar.get_height() for bar in bars if bar.get_x() >= bound - tolerance
                   or bar.get_x() + bar.get_width() <= -bound + tolerance]
        assert outside and sum(outside) == 0  # bins beyond the red lines exist, and are empty
        edges = [bar.get_x() for bar in bars] + [right]
        for line in (-bound, bound):  # no bin straddles a red line: the bars stop at it
            assert min(abs(edge - line) for edge in edges) < tolerance
