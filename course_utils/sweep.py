"""The learning-rate sweep: one training run per learning rate, and the zones it reveals.

`sweep` trains the running example once per learning rate of a grid, for both reductions,
with exactly `training.train` (a diverged run stops early, so the high end costs little).
`find_edge` narrows a boundary down by bisection, and `find_zones` puts it together:

    monotone     the loss goes down at every step          lr below `rises_from`
    catapult     the loss rises, then comes back down      between the two edges
    divergence   the loss runs away to inf or NaN          lr from `diverges_from` on

Everything is cached for the rest of the process (a notebook, the explorer and a check
asking for the same sweep share one computation).

Example:
    >>> zones = find_zones("sum")
    >>> zones.zone_of(1e-4), zones.zone_of(2e-3), zones.zone_of(1e-2)
    ('monotone', 'catapult', 'divergence')
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from . import problem
from .training import REDUCTIONS, History, initial_sharpness, running_example_tensors, train

EXPLORER_GRID = tuple(float(lr) for lr in np.logspace(-7, 1, 25))
"""The notebook's grid: 1e-7 to 10, three learning rates per factor of ten (25 in all),
wide enough for both reductions to reach divergence."""
EXPLORER_SWEEP_STEPS = 100
"""Steps per run of the notebook's sweep. Measured on the running example: every rise starts
by step 44 and every divergence by step 11, so 100 steps sort each rate into the same zone
as 500 steps would, at a fifth of the cost (the whole sweep: about 1 s)."""

ZONES = ("monotone", "catapult", "divergence")


@dataclass(frozen=True, eq=False)  # compared by identity: it holds arrays
class Sweep:
    """One `History` per learning rate of a grid, for each reduction.

    learning_rates: shape (K,), increasing.
    histories[reduction][k]: the run with learning_rates[k] and that reduction.
    """

    learning_rates: np.ndarray
    histories: dict[str, list[History]]

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


def sweep(learning_rates: Sequence[float] = EXPLORER_GRID,
          reductions: Sequence[str] = REDUCTIONS, steps: int = EXPLORER_SWEEP_STEPS,
          seed: int = problem.SEED, dtype: torch.dtype = torch.float32,
          cache: bool = True) -> Sweep:
    """Train the running example once per learning rate and reduction, with `train`.

    Each run is exactly `train(lr, steps, reduction, seed=seed, dtype=dtype)`. With
    cache=True (the default) the result is kept for the rest of the process: asking again
    for the same grid returns the same `Sweep` at once.

    Example: sweep().smallest_diverged("sum")   # 3.16e-3, the first grid rate past the edge
    """
    arguments = (tuple(sorted(float(lr) for lr in learning_rates)), tuple(reductions), steps,
                 seed, dtype)
    return _cached_sweep(*arguments) if cache else _run_sweep(*arguments)


def _run_sweep(grid: tuple[float, ...], reductions: tuple[str, ...], steps: int, seed: int,
               dtype: torch.dtype) -> Sweep:
    data = running_example_tensors(seed, dtype)
    histories = {reduction: [train(lr, steps, reduction, data=data, seed=seed, dtype=dtype)
                             for lr in grid]
                 for reduction in reductions}
    return Sweep(np.array(grid), histories)


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
    """Where the three zones of the learning rate begin, for one reduction (measured).

    two_over_lambda: 2 / lambda_max at the initial weights.
    rises_from:      the smallest learning rate found whose loss rose (the catapult zone starts).
    diverges_from:   the smallest learning rate found that diverged.
    """

    reduction: str
    two_over_lambda: float
    rises_from: float
    diverges_from: float

    def zone_of(self, learning_rate: float) -> str:
        """"monotone", "catapult" or "divergence", from the measured edges."""
        if learning_rate >= self.diverges_from:
            return "divergence"
        return "catapult" if learning_rate >= self.rises_from else "monotone"


@functools.lru_cache(maxsize=4)
def find_zones(reduction: str = "sum", grid: tuple[float, ...] = EXPLORER_GRID,
               steps: int = EXPLORER_SWEEP_STEPS) -> Zones:
    """Sweep `grid`, then bisect each edge to 2%: the zones for `reduction` (cached).

    Costs the sweep (shared with anyone who asked for it) plus about a dozen short runs.
    """
    histories = sweep(grid, steps=steps).histories[reduction]

    def bracket(crossed: Callable[[History], bool]) -> tuple[float, float]:
        first = next((k for k, h in enumerate(histories) if crossed(h)), None)
        if not first:  # None (never crossed) or 0 (crossed from the start)
            raise ValueError(f"the grid {grid[0]:.2g}..{grid[-1]:.2g} does not bracket an edge")
        return histories[first - 1].learning_rate, histories[first].learning_rate

    def rose(history: History) -> bool:
        return history.rose_at is not None or history.diverged

    def diverged(history: History) -> bool:
        return history.diverged

    _, rises_from = find_edge(*bracket(rose), rose, reduction, steps)
    _, diverges_from = find_edge(*bracket(diverged), diverged, reduction, steps)
    return Zones(reduction, 2 / initial_sharpness(reduction), rises_from, diverges_from)
