"""A matrix product drawn as rectangles: `(64, 1000) @ (1000, 100) -> (64, 100)`.

Each matrix is a rectangle whose height is its number of rows and whose width its number
of columns (on a square-root scale, so that 10 and 1000 both fit on one line). The two
inner sizes, which must be equal, are drawn in the same colour; the result keeps the two
outer sizes.

Example:
    >>> fig = draw_matmuls([("x", (64, 1000), "w1", (1000, 100), "h")])
    >>> show_figure(fig)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..palette import FIRST, SECOND

Product = tuple[str, tuple[int, int], str, tuple[int, int], str]
"""(left name, left shape, right name, right shape, result name)."""

INNER_COLOUR = SECOND  # colour-blind-safe pair (palette.py); the sizes are also written out
OUTER_COLOUR = FIRST
BOX_COLOURS = ("#c6dbef", "#fdd0a2", "#c7e9c0")  # left, right, result


def matmul_text(left: tuple[int, int], right: tuple[int, int]) -> str:
    """The product in words: "(64, 1000) @ (1000, 100) -> (64, 100)", or why it fails."""
    shapes = f"{tuple(left)} @ {tuple(right)}"
    if left[1] != right[0]:
        return f"{shapes} -> error: inner sizes {left[1]} and {right[0]} differ"
    return f"{shapes} -> {(left[0], right[1])}"


def _side(size: int) -> float:
    """Length drawn for `size` rows or columns (square-root scale)."""
    return 0.12 * math.sqrt(size)


def _matrix(ax: Axes, x: float, shape: tuple[int, int], name: str, colour: str,
            row_colour: str, column_colour: str) -> float:
    """Draw one matrix with its left edge at x, centred on y=0; return its right edge."""
    rows, columns = shape
    width, height = _side(columns), _side(rows)
    ax.add_patch(Rectangle((x, -height / 2), width, height, facecolor=colour,
                           edgecolor="0.2", lw=1.2))
    ax.text(x + width / 2, -height / 2 - 0.08, name, ha="center", va="top", fontsize=12,
            weight="bold")
    ax.text(x + width / 2, height / 2 + 0.08, f"{columns} columns", ha="center", va="bottom",
            fontsize=9, color=column_colour)
    ax.text(x - 0.08, 0, f"{rows}\nrows", ha="right", va="center", fontsize=9, color=row_colour)
    return x + width


def _draw_product(ax: Axes, product: Product) -> None:
    left_name, left, right_name, right, result_name = product
    fits = left[1] == right[0]
    x = 1.0
    x = _matrix(ax, x, left, left_name, BOX_COLOURS[0], OUTER_COLOUR, INNER_COLOUR)
    ax.text(x + 0.35, 0, "@", ha="center", va="center", fontsize=18)
    x = _matrix(ax, x + 1.5, right, right_name, BOX_COLOURS[1], INNER_COLOUR, OUTER_COLOUR)
    ax.text(x + 0.35, 0, "=" if fits else "✗", ha="center", va="center", fontsize=18,
            color="black" if fits else INNER_COLOUR)
    if fits:
        x = _matrix(ax, x + 1.5, (left[0], right[1]), result_name, BOX_COLOURS[2],
                    OUTER_COLOUR, OUTER_COLOUR)
    else:
        ax.text(x + 0.8, 0, f"error:\n{left[1]} ≠ {right[0]}", ha="left", va="center",
                fontsize=11, color=INNER_COLOUR)
        x += 2.2
    tallest = max(_side(left[0]), _side(right[0]))
    ax.set_xlim(0, max(x + 0.3, 9.0))
    ax.set_ylim(-tallest / 2 - 0.45, tallest / 2 + 0.4)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title(f"{left_name} @ {right_name}:  {matmul_text(left, right)}", fontsize=11,
                 family="monospace")
    if fits:
        ax.set_xlabel(f"inner sizes must match ({left[1]}, red); the result keeps the outer "
                      f"sizes ({left[0]}, {right[1]})", fontsize=9)
    else:
        ax.set_xlabel(f"the inner sizes ({left[1]} and {right[0]}, red) differ: numpy and torch "
                      "refuse this product", fontsize=9)


def draw_matmuls(products: Sequence[Product], title: str | None = None) -> Figure:
    """One row per matrix product, each drawn as rectangles with its shapes written out.

    products: a list of (left name, left shape, right name, right shape, result name),
        e.g. [("x", (64, 1000), "w1", (1000, 100), "h"), ("h_relu", (64, 100), "w2",
        (100, 10), "y_pred")]. A product whose inner sizes differ is drawn as an error.
    title: an optional title above all the rows.
    Sides are on a square-root scale (1000 is drawn 10 times as long as 10, not 100 times).
    """
    fig = Figure(figsize=(9, 3.0 * len(products) + (0.4 if title else 0)), layout="constrained")
    axes = fig.subplots(len(products), 1, squeeze=False)[:, 0]
    for ax, product in zip(axes, products, strict=True):
        _draw_product(ax, product)
    if title:
        fig.suptitle(title, fontsize=13)
    fig.text(0.99, 0.005, "side lengths on a square-root scale", ha="right", va="bottom",
             fontsize=8, color="0.4")
    return fig
