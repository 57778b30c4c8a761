"""Log axes the way the course writes numbers: ticks at the decades only, "1e-3" as text.

matplotlib's default log axis adds 8 minor ticks per decade (tens of tick objects, each
measured again by every layout pass) and typesets its major labels as mathematics
(10 to the power -3, parsed by mathtext). Both cost drawing time in a course that draws
about thirty figures, and neither helps the reader: the figures compare orders of magnitude,
and the course writes 1e-3 in its text, so the axes do too.

Example:
    >>> ax.set_yscale("log")
    >>> plain_log_axis(ax.yaxis)      # ticks 1e-6, 1e-4, 0.01, 1, 100, ...
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.axis import Axis
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator


class DecadeLocator(LogLocator):
    """Ticks at 1, 10, 100, ...; at 1, 2, 5, 10, ... when fewer than two decades are in view."""

    def tick_values(self, vmin: float, vmax: float) -> np.ndarray:
        low, high = sorted((vmin, vmax))
        decades = super().tick_values(vmin, vmax)
        if np.count_nonzero((decades >= low) & (decades <= high)) >= 2:
            return decades
        return LogLocator(subs=(1.0, 2.0, 5.0)).tick_values(vmin, vmax)


def plain_log_axis(axis: Axis) -> None:
    """Ticks at the decades of a log axis only, labelled as plain text ("1e-3")."""
    axis.set_major_locator(DecadeLocator())
    axis.set_minor_locator(NullLocator())
    axis.set_major_formatter(FuncFormatter(log_label))


def log_label(value: float, _position: int | None = None) -> str:
    """A log axis label as the course writes numbers: 1e-3, 0.1, 1, 10, 1e3."""
    exponent = math.log10(value) if value > 0 else 0.0
    if exponent.is_integer() and not -1 <= exponent <= 2:
        return f"1e{int(exponent)}"
    return f"{value:g}"
