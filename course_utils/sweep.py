"""The learning-rate sweep: one training run per learning rate, and the zones it reveals.

`sweep` trains the running example once per learning rate of a grid with exactly
`training.train` (a diverged run stops early, so the high end costs little). It trains
`sum` only: with `mean` every gradient is the `sum` gradient divided by N * D_out = 640, so
`mean` at 640 x lr takes the same steps as `sum` at lr (notebook 06 shows it; `train`'s
tests check it to 1e-9 in float64). The `mean` runs are those runs, relabelled: grid times
640, losses divided by 640. Both panels of the sweep figure are the same picture, moved by
exactly 640.

`find_edge` narrows a boundary down by bisection, and `find_zones` puts it together
(running example, `sum`, seed 0):

    monotone            no rise above 10% of the lowest loss so far   lr < rises_from (7.2e-4)
    edge of stability   the loss falls 100x, then spikes late         up to 2 / lambda_0 (1.33e-3)
    catapult            the loss rises within the first steps         up to diverges_from (2.58e-3)
    divergence          the loss runs away to inf or NaN              from diverges_from on

Everything is cached for the rest of the process (a notebook, the explorer and a check
asking for the same sweep share one computation). A `Sweep` cannot be changed: its
histories are read-only, so sharing it is safe.

Example:
    >>> zones = find_zones("sum")
    >>> zones.zone_of(1e-4), zones.zone_of(1e-3), zones.zone_of(2e-3), zones.zone_of(1e-2)
    ('monotone', 'edge of stability', 'catapult', 'divergence')
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import torch

from . import problem
from .curvature import initial_sharpness
from .training import History, check_arguments, running_example_tensors, train

MEAN_SCALE = problem.N * problem.D_OUT  # 640
EXPLORER_GRID = tuple(float(lr) for lr in np.logspace(-7, -1, 19))
"""The notebook's grid (`sum`): 1e-7 to 0.1, three learning rates per factor of ten (19 in
all). The `mean` grid is the same times 640 (6.4e-5 to 64); both reach divergence."""
EXPLORER_SWEEP_STEPS = 100
"""Steps per run of the notebook's sweep. Measured on the running example: more than 5% away
from an edge, every rise starts by step 44 and every blow-up by step 11; at the edges
themselves they come later (a rise at step 60 at 7.23e-4, a blow-up at step 13 at 2.58e-3),
still within 100 steps (the first edge is ragged: at 7.27e-4 the loss does not rise). So 100
steps sort each grid rate into the same zone as 500 steps would, at a fifth of the cost."""

ZONES = ("monotone", "edge of stability", "catapult", "divergence")


def as_mean(history: History) -> History:
    """The `sum` run `history`, told as the `mean` run that takes the same steps (lr x 640)."""
    losses = history.losses / MEAN_SCALE
    losses.flags.writeable = False
    return History(history.learning_rate * MEAN_SCALE, "mean", history.steps, losses,
                   history.diverged_at, history.rose_at)


def as_sum(history: History) -> History:
    """The `mean` run `history`, told as the `sum` run that takes the same steps (lr / 640)."""
    losses = history.losses * MEAN_SCALE
    losses.flags.writeable = False
    return History(history.learning_rate / MEAN_SCALE, "sum", history.steps, losses,
                   history.diverged_at, history.rose_at)


@dataclass(frozen=True, eq=False)  # compared by identity: it holds arrays
class Sweep:
    """One `History` per learning rate of a grid, for each reduction. Read-only.

    histories[reduction][k]: the k-th run (a tuple, increasing learning rates).
    """

    histories: Mapping[str, tuple[History, ...]]

    def learning_rates(self, reduction: str) -> np.ndarray:
        """Shape (K,): the grid for `reduction` (the `mean` grid is the `sum` grid x 640)."""
        return np.array([h.learning_rate for h in self.histories[reduction]])

    def final_losses(self, reduction: str) -> np.ndarray:
        """Shape (K,): the final loss of each run, NaN where it diverged."""
        return np.array([np.nan if h.diverged else h.final_loss
                         for h in self.histories[reduction]])

    def largest_stable(self, reduction: str) -> float:
        """The largest learning rate of the grid that did not diverge (NaN if none)."""
        stable = [h.learning_rate for h in self.histories[reduction] if not h.diverged]
        return max(stable) if stable else math.nan

    def smallest_diverged(self, reduction: str) -> float:
        """The smallest learning rate of the grid that diverged (NaN if none)."""
        diverged = [h.learning_rate for h in self.histories[reduction] if h.diverged]
        return min(diverged) if diverged else math.nan


def sweep(learning_rates: Sequence[float] = EXPLORER_GRID, steps: int = EXPLORER_SWEEP_STEPS,
          seed: int = problem.SEED, dtype: torch.dtype = torch.float32,
          cache: bool = True) -> Sweep:
    """Train the running example once per learning rate (`sum`), and tell each run as `mean` too.

    learning_rates: the `sum` grid; the `mean` runs have 640 times each of them.
    Each run is exactly `train(lr, steps, "sum", seed=seed, dtype=dtype)`. With cache=True
    (the default) the result is kept for the rest of the process: asking again for the
    same grid returns the same (read-only) `Sweep` at once.

    Example: sweep().smallest_diverged("sum")   # 4.64e-3, the first grid rate past the edge
    """
    grid = tuple(sorted(float(lr) for lr in learning_rates))
    if not grid:
        raise ValueError("learning_rates is empty: give at least one learning rate")
    for lr in grid:
        check_arguments(learning_rate=lr)
    check_arguments(steps=steps)
    return (_cached_sweep if cache else _run_sweep)(grid, steps, seed, dtype)


def _run_sweep(grid: tuple[float, ...], steps: int, seed: int, dtype: torch.dtype) -> Sweep:
    data = running_example_tensors(seed, dtype)
    total = tuple(train(lr, steps, "sum", data=data, seed=seed, dtype=dtype) for lr in grid)
    return Sweep(MappingProxyType({"sum": total, "mean": tuple(as_mean(h) for h in total)}))


_cached_sweep = functools.lru_cache(maxsize=8)(_run_sweep)


def find_edge(below: float, above: float, crossed: Callable[[History], bool],
              reduction: str = "sum", steps: int = EXPLORER_SWEEP_STEPS,
              relative_tolerance: float = 0.02, seed: int = problem.SEED,
              dtype: torch.dtype = torch.float32) -> tuple[float, float]:
    """Narrow [below, above] down by bisection on a log scale, training at the midpoint.

    below: a learning rate whose run has not `crossed`; above: one whose run has.
    crossed(history) -> bool, e.g. `lambda h: h.diverged`.
    Returns (largest rate found not crossed, smallest found crossed), within
    `relative_tolerance` of each other. Close to an edge the outcome can flip back and forth
    between neighbouring rates; this finds AN edge between the two you gave.
    """
    check_arguments(learning_rate=below, steps=steps, reduction=reduction)
    check_arguments(learning_rate=above)
    if not above > below or not relative_tolerance > 0:
        raise ValueError(f"need 0 < below < above and relative_tolerance > 0, got below={below!r}"
                         f", above={above!r}, relative_tolerance={relative_tolerance!r}")
    data = running_example_tensors(seed, dtype)
    while above / below > 1 + relative_tolerance:
        middle = math.sqrt(below * above)
        if crossed(train(middle, steps, reduction, data=data, seed=seed, dtype=dtype)):
            above = middle
        else:
            below = middle
    return below, above


def find_divergence_point(stable: float, diverged: float, reduction: str = "sum",
                          steps: int = EXPLORER_SWEEP_STEPS, relative_tolerance: float = 0.02
                          ) -> tuple[float, float]:
    """(largest stable, smallest diverged) learning rate, by bisection between the two given."""
    return find_edge(stable, diverged, lambda h: h.diverged, reduction, steps,
                     relative_tolerance)


@dataclass(frozen=True)
class Zones:
    """Where the four zones of the learning rate begin, for one reduction (measured).

    two_over_lambda: 2 / lambda_0, lambda_0 the top Hessian eigenvalue at the initial weights.
    rises_from:      the smallest learning rate found whose loss rose (edge of stability starts).
    diverges_from:   the smallest learning rate found that diverged.
    """

    reduction: str
    two_over_lambda: float
    rises_from: float
    diverges_from: float

    def edges(self) -> tuple[float, float, float]:
        """(rises_from, two_over_lambda, diverges_from): where each zone after the first starts."""
        return self.rises_from, self.two_over_lambda, self.diverges_from

    def zone_of(self, learning_rate: float) -> str:
        """"monotone", "edge of stability", "catapult" or "divergence", from the measured edges."""
        passed = sum(learning_rate >= edge for edge in self.edges())
        return ZONES[passed]


def find_zones(reduction: str = "sum", grid: tuple[float, ...] = EXPLORER_GRID,
               steps: int = EXPLORER_SWEEP_STEPS) -> Zones:
    """Sweep `grid`, then bisect each edge to 2%: the zones for `reduction` (cached).

    Costs the sweep (shared with anyone who asked for it) plus about a dozen short runs.
    The `mean` zones are the `sum` zones times 640, 2 / lambda_0 included: the same runs (see
    the module docstring), and the `mean` Hessian is the `sum` Hessian / 640 (tests/
    test_curvature.py measures both), so a second power iteration would only repeat the first.
    """
    check_arguments(reduction=reduction, steps=steps)
    total = _sum_zones(tuple(float(lr) for lr in grid), steps)
    if reduction == "sum":
        return total
    return Zones("mean", total.two_over_lambda * MEAN_SCALE, total.rises_from * MEAN_SCALE,
                 total.diverges_from * MEAN_SCALE)


@functools.lru_cache(maxsize=4)
def _sum_zones(grid: tuple[float, ...], steps: int) -> Zones:
    histories = sweep(grid, steps=steps).histories["sum"]

    def bracket(crossed: Callable[[History], bool]) -> tuple[float, float]:
        first = next((k for k, h in enumerate(histories) if crossed(h)), None)
        if not first:  # None (never crossed) or 0 (crossed from the start)
            raise ValueError(f"the grid {grid[0]:.2g}..{grid[-1]:.2g} does not bracket an edge")
        return histories[first - 1].learning_rate, histories[first].learning_rate

    def rose(history: History) -> bool:
        return history.rose_at is not None or history.diverged

    def diverged(history: History) -> bool:
        return history.diverged

    _, rises_from = find_edge(*bracket(rose), rose, "sum", steps)
    _, diverges_from = find_edge(*bracket(diverged), diverged, "sum", steps)
    return Zones("sum", 2 / initial_sharpness("sum"), rises_from, diverges_from)
