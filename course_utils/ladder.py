"""The same training run four ways: the rungs of the ladder from numpy to torch.nn.

1. `run_numpy`     numpy arrays, forward and backward written by hand
2. `run_tensors`   the same code with torch tensors
3. `run_autograd`  torch computes the backward pass (`loss.backward()`)
4. `run_nn`        nn.Sequential(Linear, ReLU, Linear) and model.parameters()

All four start from `problem.initial_weights()`, all four have biases, all four use
the loss summed over all elements. Each returns a `LadderRun` whose weights are in the
numpy layout (in, out), so the rungs can be compared number for number.

Example:
    >>> a, b = run_numpy(steps=5), run_nn(steps=5, dtype=torch.float64)
    >>> abs(a.losses - b.losses).max() < 1e-8
    True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from . import problem


@dataclass
class LadderRun:
    """What one rung produced: the loss before each step and the final weights.

    losses:  shape (steps,), losses[t] is the loss at step t, before that step's update
    weights: w1 (D_in, H), b1 (H,), w2 (H, D_out), b2 (D_out,), as float64 numpy arrays
    """

    losses: np.ndarray
    weights: dict[str, np.ndarray]


def run_numpy(steps: int = problem.STEPS, lr: float = problem.LEARNING_RATE,
              dtype: type = np.float64, seed: int = problem.SEED) -> LadderRun:
    """Rung 1: numpy, every gradient derived by hand with the chain rule."""
    x, y = (a.astype(dtype) for a in problem.make_data(seed))
    w = {k: v.astype(dtype) for k, v in problem.initial_weights(seed).items()}
    w1, b1, w2, b2 = w["w1"], w["b1"], w["w2"], w["b2"]
    losses = []
    for _ in range(steps):
        h = x @ w1 + b1                          # (N, H)
        h_relu = np.maximum(h, 0)                # (N, H)
        y_pred = h_relu @ w2 + b2                # (N, D_out)
        losses.append(float(np.square(y_pred - y).sum()))
        grad_y_pred = 2.0 * (y_pred - y)         # (N, D_out)
        grad_w2 = h_relu.T @ grad_y_pred         # (H, D_out)
        grad_b2 = grad_y_pred.sum(axis=0)        # (D_out,)
        grad_h = (grad_y_pred @ w2.T) * (h > 0)  # (N, H): ReLU passes gradient where h > 0
        grad_w1 = x.T @ grad_h                   # (D_in, H)
        grad_b1 = grad_h.sum(axis=0)             # (H,)
        w1 -= lr * grad_w1
        b1 -= lr * grad_b1
        w2 -= lr * grad_w2
        b2 -= lr * grad_b2
    return _finish(losses, {"w1": w1, "b1": b1, "w2": w2, "b2": b2})


def run_tensors(steps: int = problem.STEPS, lr: float = problem.LEARNING_RATE,
                dtype: torch.dtype = torch.float64, seed: int = problem.SEED) -> LadderRun:
    """Rung 2: the numpy code with torch tensors (`@`, `.clamp(min=0)`, `.T`)."""
    x, y = _data(dtype, seed)
    w = problem.as_tensors(problem.initial_weights(seed), dtype)
    w1, b1, w2, b2 = w["w1"], w["b1"], w["w2"], w["b2"]
    losses = []
    for _ in range(steps):
        h = x @ w1 + b1
        h_relu = h.clamp(min=0)
        y_pred = h_relu @ w2 + b2
        losses.append((y_pred - y).pow(2).sum().item())
        grad_y_pred = 2.0 * (y_pred - y)
        grad_w2 = h_relu.T @ grad_y_pred
        grad_b2 = grad_y_pred.sum(dim=0)
        grad_h = (grad_y_pred @ w2.T) * (h > 0)
        grad_w1 = x.T @ grad_h
        grad_b1 = grad_h.sum(dim=0)
        w1 -= lr * grad_w1
        b1 -= lr * grad_b1
        w2 -= lr * grad_w2
        b2 -= lr * grad_b2
    return _finish(losses, {"w1": w1, "b1": b1, "w2": w2, "b2": b2})


def run_autograd(steps: int = problem.STEPS, lr: float = problem.LEARNING_RATE,
                 dtype: torch.dtype = torch.float64, seed: int = problem.SEED) -> LadderRun:
    """Rung 3: tensors that require grad; `loss.backward()` fills every `.grad`."""
    x, y = _data(dtype, seed)
    w = problem.as_tensors(problem.initial_weights(seed), dtype, requires_grad=True)
    losses = []
    for _ in range(steps):
        y_pred = (x @ w["w1"] + w["b1"]).clamp(min=0) @ w["w2"] + w["b2"]
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():  # the update itself must not be recorded by autograd
            for tensor in w.values():
                tensor -= lr * tensor.grad
                tensor.grad = None  # gradients accumulate: clear them before the next backward
    return _finish(losses, w)


def run_nn(steps: int = problem.STEPS, lr: float = problem.LEARNING_RATE,
           dtype: torch.dtype = torch.float64, seed: int = problem.SEED) -> LadderRun:
    """Rung 4: nn.Sequential, nn.MSELoss(reduction="sum") and model.parameters()."""
    x, y = _data(dtype, seed)
    model = problem.build_model(seed, dtype)
    loss_fn = torch.nn.MSELoss(reduction="sum")
    losses = []
    for _ in range(steps):
        loss = loss_fn(model(x), y)
        losses.append(loss.item())
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for parameter in model.parameters():
                parameter -= lr * parameter.grad
    first, second = model[0], model[2]
    return _finish(losses, {"w1": first.weight.T, "b1": first.bias,
                            "w2": second.weight.T, "b2": second.bias})


def _data(dtype: torch.dtype, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    x, y = problem.make_data(seed)
    return torch.tensor(x, dtype=dtype), torch.tensor(y, dtype=dtype)


def _finish(losses: list[float], weights: dict) -> LadderRun:
    as_numpy = {name: np.asarray(torch.as_tensor(value).detach(), dtype=np.float64)
                for name, value in weights.items()}
    return LadderRun(np.asarray(losses, dtype=np.float64), as_numpy)


RUNGS = {"numpy": run_numpy, "tensors": run_tensors, "autograd": run_autograd, "nn": run_nn}
