"""Training with a history: what happened at every step, and whether it went wrong.

`train` runs plain gradient descent on the running example (or on any model and data)
and returns a `History`: the loss before each step, the step where training diverged
(or None), and the step where the loss first rose (or None). It never raises on NaN or
inf: a run that blows up stops early and says so.

Three things can happen as the learning rate grows (running example, `sum`, seed 0):
    descends   the loss goes down at every step                  (lr up to about 7e-4)
    rises      the loss climbs, then comes back down: a catapult  (up to about 2.5e-3)
    diverges   the loss runs away to inf or NaN                   (beyond that)
With `mean` every one of these learning rates is 640 = N * D_out times larger.

`sharpness` measures the curvature lambda_max (the top eigenvalue of the loss's Hessian):
on a bowl of curvature lambda, gradient descent goes straight down for lr < 2 / lambda
and overshoots beyond. At the initial weights 2 / lambda_max = 1.33e-3; the curvature
grows as the loss falls (to about 2,900), which is why rises begin already near 7e-4.
The sweep over many learning rates lives in `course_utils.sweep`.

Example:
    >>> history = train(learning_rate=1e-4, steps=500)
    >>> history.diverged_at is None, round(history.losses[0], 1)
    (True, 714.4)
    >>> train(learning_rate=1e-2).diverged_at      # blows up within a few steps
    2
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import problem

REDUCTIONS = ("sum", "mean")
DIVERGENCE_FACTOR = 1e4
"""A loss above DIVERGENCE_FACTOR times the initial loss (or inf, or NaN) counts as diverged.
Catapults on the running example peak below 3x the initial loss; runaways pass 1e4x within a
few steps, so the exact factor hardly moves the measured edge."""
RISE_FACTOR = 1.1
"""The loss "rose" when it climbed 10% above the lowest loss seen so far..."""
NOISE_FLOOR = 1e-7
"""...and that lowest loss was above NOISE_FLOOR times the initial loss. Below it, rounding
(float32 keeps about 7 digits) makes the loss jitter up and down without meaning."""


@dataclass(frozen=True, eq=False)  # compared by identity: it holds an array
class History:
    """What one training run did.

    losses:       shape (steps taken,), losses[t] is the loss at step t, before update t.
                  Shorter than `steps` when the run diverged and stopped early.
    diverged_at:  the step whose loss was inf, NaN or above DIVERGENCE_FACTOR x losses[0]
                  (the last entry of `losses`), or None.
    rose_at:      the first step where the loss climbed above 1.1x its lowest value so far,
                  or None when it went down all the way.
    """

    learning_rate: float
    reduction: str
    steps: int
    losses: np.ndarray = field(repr=False)
    diverged_at: int | None
    rose_at: int | None

    @property
    def final_loss(self) -> float:
        """The last loss recorded (inf or NaN included, when the run diverged)."""
        return float(self.losses[-1])

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def recovered(self) -> bool:
        """It rose, did not diverge, and ended below where it started."""
        return (self.rose_at is not None and not self.diverged
                and self.final_loss < self.losses[0])

    @property
    def outcome(self) -> str:
        """In words: "descended", "rose, then recovered", "rose, not recovered yet", "diverged"."""
        if self.diverged:
            return "diverged"
        if self.rose_at is None:
            return "descended"
        return "rose, then recovered" if self.recovered else "rose, not recovered yet"


def running_example_tensors(seed: int = problem.SEED, dtype: torch.dtype = torch.float32
                            ) -> tuple[torch.Tensor, torch.Tensor]:
    """x (N, D_in) = (64, 1000) and y (N, D_out) = (64, 10) of the running example as tensors."""
    x, y = problem.make_data(seed)
    return torch.tensor(x, dtype=dtype), torch.tensor(y, dtype=dtype)


def gradient_step(model: nn.Module, x: torch.Tensor, y: torch.Tensor, learning_rate: float,
                  reduction: str) -> float:
    """One step of plain gradient descent; returns the loss BEFORE the update, as a float.

    The same as the course's loop (`loss.backward()`, then `p -= lr * p.grad` under
    `torch.no_grad()`), written so it does no more work than that loop:
    `torch.autograd.grad` hands the gradients back instead of storing them in `.grad`
    (so there is nothing to zero), and one `_foreach_add_` updates every parameter.
    """
    parameters = [p for p in model.parameters() if p.requires_grad]
    loss = F.mse_loss(model(x), y, reduction=reduction)
    value = loss.item()
    if not math.isfinite(value):
        return value  # no update: the gradients of an inf/NaN loss are meaningless
    gradients = torch.autograd.grad(loss, parameters)
    with torch.no_grad():
        torch._foreach_add_(parameters, gradients, alpha=-learning_rate)
    return value


def train(learning_rate: float = problem.LEARNING_RATE, steps: int = problem.STEPS,
          reduction: str = "sum", *, model: nn.Module | None = None,
          data: tuple[torch.Tensor, torch.Tensor] | None = None, seed: int = problem.SEED,
          dtype: torch.dtype = torch.float32) -> History:
    """Plain gradient descent for `steps` steps; the loss of every step, and what went wrong.

    By default it trains a fresh copy of the running example (`problem.build_model(seed)`,
    `make_data(seed)`, in `dtype`). Pass `model` and `data=(x, y)` to train something else:
    the model is trained IN PLACE, so you can look at its weights afterwards.
    reduction: "sum" (the course's default) or "mean" (nn.MSELoss's default), which divides
    the loss, and so every gradient, by N * D_out = 640.

    Stops at the first step whose loss is inf, NaN or above DIVERGENCE_FACTOR times the
    initial loss; never raises for those.

    Example:
        >>> h = train(learning_rate=3e-3)
        >>> h.outcome, h.diverged_at, len(h.losses)
        ('diverged', 5, 6)
    """
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be 'sum' or 'mean', not {reduction!r}")
    if model is None:
        model = problem.build_model(seed, dtype)
    x, y = data if data is not None else running_example_tensors(seed, dtype)
    losses: list[float] = []
    diverged_at = None
    for step in range(steps):
        loss = gradient_step(model, x, y, learning_rate, reduction)
        losses.append(loss)
        if not math.isfinite(loss) or loss > DIVERGENCE_FACTOR * losses[0]:
            diverged_at = step
            break
    as_array = np.asarray(losses, dtype=np.float64)
    as_array.flags.writeable = False
    return History(float(learning_rate), reduction, steps, as_array, diverged_at,
                   first_rise(as_array))


def first_rise(losses: Sequence[float]) -> int | None:
    """The first step whose loss is above RISE_FACTOR x the lowest loss before it, or None.

    Rounding noise is ignored: a rise from below NOISE_FLOOR x losses[0] does not count.
    Example: first_rise([10, 5, 4, 6, 1]) == 3; first_rise([10, 5, 4, 4.1, 1]) is None.
    """
    values = np.asarray(losses, dtype=np.float64)
    if len(values) < 2:
        return None
    with np.errstate(invalid="ignore"):
        lowest_before = np.minimum.accumulate(values)[:-1]
        later = values[1:]
        rose = ~(later <= RISE_FACTOR * lowest_before)  # NaN counts as a rise
        rose &= lowest_before > NOISE_FLOOR * values[0]
    steps = np.flatnonzero(rose)
    return int(steps[0]) + 1 if len(steps) else None


# ----------------------------------------------------------------------------- curvature


def top_hessian_eigenvalue(loss_function: Callable[[], torch.Tensor],
                           parameters: Sequence[torch.Tensor], iterations: int = 300,
                           relative_tolerance: float = 1e-6, seed: int = 0) -> float:
    """The eigenvalue of the loss's Hessian with the largest size, by power iteration.

    loss_function(): computes the scalar loss from `parameters` (tensors that require grad).
    The Hessian H (P x P for P parameters, 101,110 for the running example: far too big to
    build) is never formed: `torch.autograd.grad` of the gradient gives H @ v for any v
    (a Hessian-vector product). Power iteration repeats v <- H v / |H v|; v turns towards
    the eigenvector of the largest |eigenvalue|, and v . H v towards that eigenvalue.
    Stops when it changes by less than `relative_tolerance` from one step to the next. Use
    float64 parameters. On the running example that takes about 150 products (0.1-0.3 s) and
    lands within 0.01% of the converged value (1,506.8 against 1,506.9).

    Example (a bowl with curvatures 1 and 3):
        >>> w = torch.zeros(2, dtype=torch.float64, requires_grad=True)
        >>> top_hessian_eigenvalue(lambda: 0.5 * (w[0] ** 2 + 3 * w[1] ** 2), [w])  # ~3.0
    """
    parameters = list(parameters)
    gradients = torch.autograd.grad(loss_function(), parameters, create_graph=True)
    generator = torch.Generator().manual_seed(seed)
    vector = [torch.randn(p.shape, generator=generator, dtype=p.dtype) for p in parameters]
    eigenvalue = math.nan
    for _ in range(iterations):
        length = torch.sqrt(sum((v * v).sum() for v in vector))
        vector = [v / length for v in vector]
        product = torch.autograd.grad(gradients, parameters, vector, retain_graph=True)
        estimate = float(sum((v * hv).sum() for v, hv in zip(vector, product, strict=True)))
        if abs(estimate - eigenvalue) <= relative_tolerance * abs(estimate):
            return estimate
        eigenvalue, vector = estimate, [hv.detach() for hv in product]
    return eigenvalue


def sharpness(model: nn.Module | None = None, reduction: str = "sum",
              seed: int = problem.SEED) -> float:
    """lambda_max, the top Hessian eigenvalue of the running example's loss at `model`'s weights.

    Default: the initial weights (about 1,500 with `sum`; 640 times less with `mean`).
    The model is copied to float64 for the measurement; it is not changed.
    """
    measured = problem.build_model(seed, torch.float64)
    if model is not None:
        measured.load_state_dict({k: v.double() for k, v in model.state_dict().items()})
    x, y = running_example_tensors(seed, torch.float64)
    return top_hessian_eigenvalue(lambda: F.mse_loss(measured(x), y, reduction=reduction),
                                  list(measured.parameters()))


@functools.lru_cache(maxsize=4)
def initial_sharpness(reduction: str = "sum", seed: int = problem.SEED) -> float:
    """`sharpness()` at the initial weights, computed once per process (about 0.2 s)."""
    return sharpness(reduction=reduction, seed=seed)
