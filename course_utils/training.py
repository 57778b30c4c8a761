"""Training with a history: what happened at every step, and whether it went wrong.

`train` runs plain gradient descent on the running example (or on any model and data)
and returns a `History`: the loss before each step, the step where training diverged
(or None), and the step where the loss first rose (or None). It never raises on NaN or
inf: a run that blows up stops early and says so.

What can happen as the learning rate grows (running example, `sum`, seed 0, 500 steps):
    descends     no rise of more than 10% (RISE_FACTOR) above the lowest loss so far
                 (lr up to about 7.2e-4; smaller rises, up to ~8%, occur near that edge)
    spikes late  the loss falls 100x or more, then spikes and comes back down: the
                 edge-of-stability behaviour (about 7.2e-4 to 1.33e-3 = 2 / lambda_0)
    rises early  the loss rises within the first steps, then comes down: the catapult phase
                 (2 / lambda_0 up to about 2.58e-3; from about 2.1e-3 it often lands on a
                 plateau instead of a low loss)
    diverges     the loss runs away to inf or NaN (from about 2.58e-3)
With `mean` every one of these learning rates is 640 = N * D_out times larger. The
curvature lambda_0 (and how it moves) is measured in `course_utils.curvature`; the sweep
over many learning rates lives in `course_utils.sweep`.

Example:
    >>> history = train(learning_rate=1e-4, steps=500)
    >>> history.diverged_at is None, round(history.losses[0], 1)
    (True, 714.4)
    >>> train(learning_rate=1e-2).diverged_at      # blows up within a few steps
    2
    >>> train(learning_rate=2e-3).outcome           # an early rise, then a low loss
    'rose, then recovered to a low loss'
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import problem, run_record

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
LATE_SPIKE_FALL = 100.0
"""A rise after the loss had fallen LATE_SPIKE_FALL times or more is a late spike (edge of
stability); a rise before that is an early rise (catapult)."""
LOW_LOSS_FRACTION = 1e-3
"""After a rise, "recovered to a low loss" means a final loss below LOW_LOSS_FRACTION x the
initial loss (0.71 on the running example, whose runs that recover end near 1e-5)."""
PLATEAU_FALL = 0.1
"""Otherwise "stuck on a plateau" when the run went on for at least PLATEAU_STEPS after its
peak and its last fifth brought the loss down by less than PLATEAU_FALL (10%); else it has
"not settled yet" (more steps will tell)."""
PLATEAU_STEPS = 50
BARELY_MOVED = 1e-3
"""No rise and a final loss within BARELY_MOVED (0.1%) of the start: "barely moved"."""


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
    def fall_before_rise(self) -> float:
        """How many times the loss had fallen before it rose: losses[0] / lowest before rose_at."""
        if self.rose_at is None:
            return math.nan
        return float(self.losses[0] / np.min(self.losses[:self.rose_at]))

    @property
    def rise_kind(self) -> str | None:
        """"late spike" (after falling LATE_SPIKE_FALL x: edge of stability), "early rise"
        (a catapult), or None when the loss did not rise (or the run diverged)."""
        if self.rose_at is None or self.diverged:
            return None
        return "late spike" if self.fall_before_rise >= LATE_SPIKE_FALL else "early rise"

    @property
    def landing(self) -> str:
        """After a rise: "recovered to a low loss", "stuck on a plateau" or "not settled yet"
        (see LOW_LOSS_FRACTION, PLATEAU_STEPS and PLATEAU_FALL for the numbers)."""
        if self.final_loss < LOW_LOSS_FRACTION * self.losses[0]:
            return "recovered to a low loss"
        peak = int(np.argmax(self.losses[self.rose_at or 0:])) + (self.rose_at or 0)
        tail = self.losses[-max(10, len(self.losses) // 5):]
        if len(self.losses) - peak >= PLATEAU_STEPS and 1 - tail[-1] / tail[0] < PLATEAU_FALL:
            return "stuck on a plateau"
        return "not settled yet"

    @property
    def recovered(self) -> bool:
        """It rose, did not diverge, and ended at a low loss (below LOW_LOSS_FRACTION x start)."""
        return (self.rose_at is not None and not self.diverged
                and self.landing == "recovered to a low loss")

    @property
    def outcome(self) -> str:
        """In words: "descended", "barely moved", "diverged", or "rose, then " + `landing`
        ("rose, then recovered to a low loss", "rose, then stuck on a plateau", "rose, not
        settled yet")."""
        if self.diverged:
            return "diverged"
        if self.rose_at is None:
            moved = self.final_loss < (1 - BARELY_MOVED) * self.losses[0]
            return "descended" if moved else "barely moved"
        landing = self.landing
        return "rose, not settled yet" if landing == "not settled yet" else f"rose, then {landing}"


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
          dtype: torch.dtype = torch.float32,
          progress: Callable[[list[float]], None] | None = None) -> History:
    """Plain gradient descent for `steps` steps; the loss of every step, and what went wrong.

    By default it trains a fresh copy of the running example (`problem.build_model(seed)`,
    `make_data(seed)`, in `dtype`). Pass `model` and `data=(x, y)` to train something else:
    the model is trained IN PLACE, so you can look at its weights afterwards.
    reduction: "sum" (the course's default) or "mean" (nn.MSELoss's default), which divides
    the loss, and so every gradient, by N * D_out = 640.

    Stops at the first step whose loss is inf, NaN or above DIVERGENCE_FACTOR times the
    initial loss; never raises for those. Raises one clear ValueError for arguments it cannot
    use (`check_arguments`; a model without parameters; y not shaped like the model's output).
    progress(losses so far): called after every step (the explorer draws the curve as it grows).

    Example:
        >>> h = train(learning_rate=3e-3)
        >>> h.outcome, h.diverged_at, len(h.losses)
        ('diverged', 5, 6)
    """
    check_arguments(learning_rate=learning_rate, steps=steps, reduction=reduction)
    running_example = model is None and data is None
    if model is None:
        model = problem.build_model(seed, dtype)
    if not any(p.requires_grad for p in model.parameters()):
        raise ValueError("the model has no parameters that require grad: nothing to train")
    x, y = data if data is not None else running_example_tensors(seed, dtype)
    if data is not None:
        _check_data(model, x, y)
    losses: list[float] = []
    diverged_at = None
    for step in range(steps):
        loss = gradient_step(model, x, y, learning_rate, reduction)
        losses.append(loss)
        if progress is not None:
            progress(losses)
        if not math.isfinite(loss) or loss > DIVERGENCE_FACTOR * losses[0]:
            diverged_at = step
            break
    as_array = np.asarray(losses, dtype=np.float64)
    as_array.flags.writeable = False
    history = History(float(learning_rate), reduction, steps, as_array, diverged_at,
                      first_rise(as_array))
    if running_example:  # the same arguments give the same run: see run_record
        run_record.remember(run_record.run_key(learning_rate, steps, reduction, seed, dtype),
                            history)
    return history


def recall_or_train(learning_rate: float, steps: int = problem.STEPS, reduction: str = "sum",
                    *, seed: int = problem.SEED, dtype: torch.dtype = torch.float32,
                    progress: Callable[[list[float]], None] | None = None) -> History:
    """`train(learning_rate, steps, reduction, seed=seed, dtype=dtype)` of the running example,
    or the very same run if this process already trained it (see `run_record`).

    A remembered run comes back at once, without calling `progress`; `train` itself always
    trains (the benchmarks time it).

    Example:
        >>> first = train(1e-4)              # trains, and remembers
        >>> recall_or_train(1e-4) is first   # no second training
        True
    """
    check_arguments(learning_rate=learning_rate, steps=steps, reduction=reduction)
    known = run_record.recalled(run_record.run_key(learning_rate, steps, reduction, seed, dtype))
    if known is not None:
        return known
    return train(learning_rate, steps, reduction, seed=seed, dtype=dtype, progress=progress)


def check_arguments(*, learning_rate: object = 1.0, steps: object = 1,
                    reduction: object = "sum") -> None:
    """Raise ONE clear ValueError for a learning rate, step count or reduction `train` cannot use.

    learning_rate: a real number, finite and > 0 (0 would never move, a negative one climbs
    the loss: gradient ascent). steps: a whole number >= 1. reduction: "sum" or "mean".
    """
    if not isinstance(learning_rate, numbers.Real) or isinstance(learning_rate, bool):
        raise ValueError(f"learning_rate must be a number, not {type(learning_rate).__name__} "
                         f"{learning_rate!r}")
    if not math.isfinite(learning_rate) or learning_rate <= 0:
        raise ValueError(f"learning_rate must be finite and above 0, not {learning_rate!r} "
                         "(a negative rate climbs the loss instead of descending it)")
    if not isinstance(steps, numbers.Integral) or isinstance(steps, bool) or steps < 1:
        raise ValueError(f"steps must be a whole number of at least 1, not {steps!r}")
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be 'sum' or 'mean', not {reduction!r}")


def _check_data(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> None:
    if not (isinstance(x, torch.Tensor) and isinstance(y, torch.Tensor)):
        raise ValueError("data must be a pair of tensors (x, y)")
    with torch.no_grad():
        prediction = model(x)
    if prediction.shape != y.shape:
        raise ValueError(f"y has shape {tuple(y.shape)} but the model's output has shape "
                         f"{tuple(prediction.shape)}: they must be equal (broadcasting them "
                         "would train on the wrong loss)")


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
