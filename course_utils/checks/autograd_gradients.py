"""The check of notebook 03's first exercise: autograd's gradients of the running example.

    check_autograd_gradients(autograd_gradients)   debug: forward, loss, backward -> every
                                                   .grad (the planted bug: a forward pass
                                                   under torch.no_grad(), never recorded)

It runs the learner's function on fresh weights that require grad and compares the returned
gradients with the ones `loss.backward()` gives, naming the likely slips: no recording (the
planted `torch.no_grad()`: backward() finds a loss with no grad_fn), no backward(), backward()
twice, the mean instead of the sum, a sign, relu6, a missing bias, and right numbers that did
not come from backward() (the weights' .grad still None). Also the shared pieces of notebook
03's checks: the weights as tensors, the summed loss, the data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from .. import problem
from .core import Wrong, call_learner, checker, close, describe, expect_array
from .learner_code import changed_in_place

__all__ = ["check_autograd_gradients"]

NAMES = ("w1", "b1", "w2", "b2")


def fresh_weights(requires_grad: bool = True) -> dict[str, torch.Tensor]:
    """The shared initial weights (numpy layout, float64) as tensors that require grad."""
    return problem.as_tensors(problem.initial_weights(), torch.float64,
                              requires_grad=requires_grad)


def summed_loss(x: torch.Tensor, y: torch.Tensor, w: dict[str, torch.Tensor],
                cap: float | None = None) -> torch.Tensor:
    """The running example's loss: ((relu(x @ w1 + b1) @ w2 + b2) - y)^2 summed.

    With `cap`, the ReLU stops at `cap` (cap=6 is relu6: a planted mistake).
    """
    y_pred = (x @ w["w1"] + w["b1"]).clamp(min=0, max=cap) @ w["w2"] + w["b2"]
    return (y_pred - y).pow(2).sum()


def example_data(scale: float = 1) -> tuple[torch.Tensor, torch.Tensor]:
    x, y = problem.make_data()
    return scale * torch.tensor(x), torch.tensor(y)


def _expected_gradients(x: torch.Tensor, y: torch.Tensor,
                        cap: float | None = None) -> dict[str, np.ndarray]:
    w = fresh_weights()
    summed_loss(x, y, w, cap).backward()
    return {name: w[name].grad.numpy().copy() for name in NAMES}


@checker
def check_autograd_gradients(autograd_gradients: Callable[..., dict]) -> str:
    """`autograd_gradients(x, y, w)` must return {name: gradient of the summed loss}.

    x (N, D_in), y (N, D_out), w: w1 (D_in, H), b1 (H,), w2 (H, D_out), b2 (D_out,),
    float64 tensors that require grad. The gradients have the shapes of the weights.
    Tried on the running example, then on x * 20, where h = x @ w1 + b1 goes far above 6.
    """
    for scale in (1, 20):
        x, y = example_data(scale)
        expected = _expected_gradients(x, y)  # first, on tensors the learner never sees
        w = fresh_weights()
        given = {"x": x.clone(), "y": y.clone(), **w}
        kept = {name: value.detach().clone() for name, value in given.items()}
        answer = _call_recorded(autograd_gradients, given["x"], given["y"], w)
        changed = changed_in_place(kept, given)
        if changed:
            raise Wrong(f"autograd_gradients changed {', '.join(changed)} in place: compute "
                        "the loss from the inputs as they are and leave them alone; only "
                        "backward() writes, into .grad.")
        _compare_gradients(answer, w, expected, relu6=_expected_gradients(x, y, cap=6))
    return ("autograd_gradients is right: loss.backward() gives the same gradients as the "
            "hand-written backward pass.")


def _call_recorded(autograd_gradients: Callable[..., dict], x: torch.Tensor, y: torch.Tensor,
                   w: dict[str, torch.Tensor]) -> Any:
    """Call the learner's function; name the planted bug of notebook 03 when backward() finds
    a loss with no grad_fn (its forward pass ran under torch.no_grad(), so nothing was recorded).
    """
    try:
        return call_learner(autograd_gradients, x, y, w, name="autograd_gradients")
    except Wrong as wrong:
        if "does not have a grad_fn" not in str(wrong):
            raise
        raise Wrong(f"{wrong}. The loss has no grad_fn: its computation was not recorded, so "
                    "backward() has no graph to walk back to the weights. What switched the "
                    "recording off?") from None


def _compare_gradients(answer: Any, w: dict[str, torch.Tensor], expected: dict[str, np.ndarray],
                       relu6: dict[str, np.ndarray]) -> None:
    if not isinstance(answer, dict):
        raise Wrong(f"autograd_gradients should return a dict {{name: gradient}}, "
                    f"but returned {describe(answer)}.")
    if all(name in answer and answer[name] is None for name in NAMES):
        raise Wrong("every gradient is None: backward() never reached the weights. Call "
                    "loss.backward() on a loss whose forward pass was recorded (not computed "
                    "under torch.no_grad()), then return each tensor's .grad.")
    for name in NAMES:  # first what is missing, since a missing one explains the others
        if name not in answer:
            raise Wrong(f"the dict is missing {name}: return every weight's and bias's .grad.")
        if answer[name] is None:
            raise Wrong(f"{name}'s gradient is None: .grad is filled only by loss.backward(), "
                        f"and only for tensors the loss was computed from (is {name} used?).")
        if answer[name] is w[name]:
            raise Wrong(f"you returned the weight {name} itself; return its gradient, "
                        f"w['{name}'].grad.")
    for name in NAMES:
        grad = expect_array(answer[name], f"{name}'s gradient", tuple(w[name].shape),
                            kind="tensor")
        if close(grad, expected[name], rtol=1e-7, atol=1e-10):
            continue
        if close(grad, 2 * expected[name], rtol=1e-7, atol=1e-10):
            raise Wrong(f"{name}'s gradient is twice the right one: backward() ran twice and "
                        ".grad accumulates (adds up). Call loss.backward() once.")
        if close(grad, expected[name] / (problem.N * problem.D_OUT), rtol=1e-7, atol=1e-12):
            raise Wrong(f"{name}'s gradient is 1/{problem.N * problem.D_OUT} of the right one: "
                        "you took the mean; the running example's loss is a SUM of squares.")
        if close(grad, -expected[name], rtol=1e-7, atol=1e-10):
            raise Wrong(f"{name}'s gradient has the wrong sign: the loss is (y_pred - y)^2 "
                        "summed; return .grad as backward() left it.")
        if close(grad, relu6[name], rtol=1e-7, atol=1e-10):
            raise Wrong("the gradients are right while h = x @ w1 + b1 stays below 6, not "
                        "above: ReLU has no upper limit (relu6 stops at 6). Use .clamp(min=0).")
        raise Wrong(f"{name}'s gradient differs from the expected one. Is the forward pass "
                    "x @ w1 + b1, ReLU (.clamp(min=0)), @ w2 + b2, and the loss "
                    "(y_pred - y).pow(2).sum()?")
    for name in NAMES:  # right numbers; did backward() compute them?
        if w[name].grad is None:
            raise Wrong(f"the gradients have the right numbers, but {name}.grad is still None: "
                        "they did not come from loss.backward(). Let autograd compute them: "
                        "call backward() on the loss and return each tensor's .grad.")
