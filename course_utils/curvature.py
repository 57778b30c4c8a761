"""Curvature of the loss: the top Hessian eigenvalue (the "sharpness"), and how it moves.

On a bowl of curvature lambda, gradient descent goes straight down for lr < 2 / lambda and
overshoots beyond (notebook 07's first figure). A network's loss has one curvature per
direction; the largest, lambda_max, sets the limit. On the running example (`sum`, seed 0)
lambda_max is about 1,507 at the initial weights, so 2 / lambda_max = 1.33e-3; it is not
fixed, it moves with the weights as training goes (`sharpness_along_run`).

    top_hessian_eigenvalue  power iteration on Hessian-vector products (any loss)
    sharpness               lambda_max of the running example at a model's weights
    initial_sharpness       the same at the initial weights, computed once per process
    sharpness_along_run     lambda_max measured every few steps of one training run
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
from .training import check_arguments, gradient_step, running_example_tensors


def power_iteration(loss_function: Callable[[], torch.Tensor],
                    parameters: Sequence[torch.Tensor], iterations: int = 300,
                    relative_tolerance: float = 1e-6, start: Sequence[torch.Tensor] | None = None,
                    seed: int = 0) -> tuple[float, list[torch.Tensor]]:
    """(eigenvalue, eigenvector) of the Hessian's eigenvalue of largest SIZE |lambda|.

    The vector v <- H v / |H v| turns towards the eigenvector whose eigenvalue is largest in
    size, whatever its sign; v . H v (v of length 1) is then that eigenvalue, sign included.
    `start`: a first vector (e.g. the last one found, a few steps of training earlier: it is
    already close, so far fewer products are needed). Otherwise a seeded random one.
    """
    parameters = list(parameters)
    gradients = torch.autograd.grad(loss_function(), parameters, create_graph=True)
    if start is None:
        generator = torch.Generator().manual_seed(seed)
        start = [torch.randn(p.shape, generator=generator, dtype=p.dtype) for p in parameters]
    vector, eigenvalue = list(start), math.nan
    for _ in range(iterations):
        length = torch.sqrt(sum((v * v).sum() for v in vector))
        vector = [v / length for v in vector]
        product = torch.autograd.grad(gradients, parameters, vector, retain_graph=True)
        estimate = float(sum((v * hv).sum() for v, hv in zip(vector, product, strict=True)))
        if abs(estimate - eigenvalue) <= relative_tolerance * abs(estimate):
            return estimate, vector
        eigenvalue, vector = estimate, [hv.detach() for hv in product]
    return eigenvalue, vector


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
    float64 parameters. On the running example that takes about 150 products (0.1-0.3 s).
    It finds the largest in SIZE: at the running example's start that is lambda_max = +1,507
    (the most negative eigenvalue is smaller in size, so it never wins).

    Example (a bowl with curvatures 1 and 3):
        >>> w = torch.zeros(2, dtype=torch.float64, requires_grad=True)
        >>> top_hessian_eigenvalue(lambda: 0.5 * (w[0] ** 2 + 3 * w[1] ** 2), [w])  # ~3.0
    """
    return power_iteration(loss_function, parameters, iterations, relative_tolerance,
                           seed=seed)[0]


def _float64_copy(model: nn.Module | None, seed: int) -> nn.Module:
    measured = problem.build_model(seed, torch.float64)
    if model is not None:
        measured.load_state_dict({k: v.double() for k, v in model.state_dict().items()})
    return measured


def sharpness(model: nn.Module | None = None, reduction: str = "sum",
              seed: int = problem.SEED) -> float:
    """lambda_max, the top Hessian eigenvalue of the running example's loss at `model`'s weights.

    Default: the initial weights (about 1,500 with `sum`; 640 times less with `mean`).
    The model is copied to float64 for the measurement; it is not changed.
    """
    check_arguments(reduction=reduction)
    measured = _float64_copy(model, seed)
    x, y = running_example_tensors(seed, torch.float64)
    return top_hessian_eigenvalue(lambda: F.mse_loss(measured(x), y, reduction=reduction),
                                  list(measured.parameters()))


def initial_sharpness(reduction: str = "sum", seed: int = problem.SEED) -> float:
    """`sharpness()` at the initial weights, computed once per process (about 0.2 s)."""
    return _initial_eigenpair(reduction, seed)[0]


@functools.lru_cache(maxsize=4)
def _initial_eigenpair(reduction: str, seed: int) -> tuple[float, tuple[torch.Tensor, ...]]:
    check_arguments(reduction=reduction)
    model = problem.build_model(seed, torch.float64)
    x, y = running_example_tensors(seed, torch.float64)
    value, vector = power_iteration(lambda: F.mse_loss(model(x), y, reduction=reduction),
                                    list(model.parameters()))
    return value, tuple(vector)


@dataclass(frozen=True, eq=False)  # compared by identity: it holds arrays
class SharpnessRun:
    """One training run with lambda_max measured along the way.

    steps:      shape (M,), the steps at which lambda_max was measured (before that update).
    sharpness:  shape (M,), lambda_max at those steps.
    losses:     shape (steps taken,), the loss at every step, as in `History.losses`.
    """

    learning_rate: float
    steps: np.ndarray = field(repr=False)
    sharpness: np.ndarray = field(repr=False)
    losses: np.ndarray = field(repr=False)


def sharpness_along_run(learning_rate: float, steps: int, every: int = 3,
                        reduction: str = "sum", seed: int = problem.SEED,
                        products: int = 10) -> SharpnessRun:
    """Train the running example (float64) and measure lambda_max every `every` steps.

    The first measurement is `initial_sharpness` (converged, cached); each later one starts from
    the previous eigenvector, which is still close a few steps on, and takes `products`
    Hessian-vector products (10: within about 1% of the converged value on this problem,
    at a fifteenth of the cost).
    Example: sharpness_along_run(8e-4, 60) shows lambda_max growing from 1,507 past 2 / lr
    (progressive sharpening) before the loss spikes.
    """
    check_arguments(learning_rate=learning_rate, steps=steps, reduction=reduction)
    model = problem.build_model(seed, torch.float64)
    x, y = running_example_tensors(seed, torch.float64)
    parameters = list(model.parameters())
    measured_at, values, losses = [0], [initial_sharpness(reduction, seed)], []
    vector = list(_initial_eigenpair(reduction, seed)[1])
    for step in range(steps):
        if step % every == 0 and step > 0:
            value, vector = power_iteration(
                lambda: F.mse_loss(model(x), y, reduction=reduction), parameters,
                iterations=products, start=vector)
            measured_at.append(step)
            values.append(value)
        losses.append(gradient_step(model, x, y, learning_rate, reduction))
        if not math.isfinite(losses[-1]):
            break
    return SharpnessRun(float(learning_rate), np.array(measured_at), np.array(values),
                        np.array(losses))
