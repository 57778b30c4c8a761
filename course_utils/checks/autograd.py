"""Checks for notebook 03 (autograd): gradients from `backward()`, and the update step.

    check_autograd_gradients(autograd_gradients)   debug: forward, loss, backward -> every
                                                   .grad (in autograd_gradients.py)
    check_sgd_update(sgd_update)                   w -= lr * w.grad under torch.no_grad(),
                                                   then clear the grads
    check_predicted_is_leaf(predicted_is_leaf)     predict: which tensors are leaves
    check_first_order_loss_change(first_order_loss_change)
                                                   derive: a step changes the loss by about
                                                   -lr * (sum of every grad squared)

The update check runs the learner's function on weights whose `.grad` was just filled by
`loss.backward()`, and names the classic mistakes: no `torch.no_grad()` (torch refuses the
in-place update), `w = w - lr * w.grad` (a new tensor replaces the weight), grads not
cleared (or cleared before the update), a wrong sign, the learning rate left out, a weight
forgotten, and an update through `.data`, which autograd's version counter never sees.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from .. import problem
from .autograd_gradients import (
    NAMES,
    check_autograd_gradients,
    example_data,
    fresh_weights,
    summed_loss,
)
from .core import Wrong, call_learner, checker, close, describe, number_answer, plain_bool

__all__ = ["check_autograd_gradients", "check_sgd_update", "check_predicted_is_leaf",
           "check_first_order_loss_change"]


def _run_update(sgd_update: Callable[..., object], w: dict[str, torch.Tensor],
                lr: float) -> None:
    try:
        call_learner(sgd_update, w, lr, name="sgd_update")
    except Wrong as wrong:
        if "leaf Variable that requires grad" in str(wrong) or "in-place" in str(wrong):
            raise Wrong("sgd_update raised torch's in-place error: `w -= lr * w.grad` on a "
                        "weight that requires grad must run inside `with torch.no_grad():`, "
                        "so that autograd does not record the update.") from None
        if "NoneType" in str(wrong):
            raise Wrong("sgd_update used a .grad that was None: clear the gradients AFTER the "
                        "update, not before (and update with each tensor's own .grad).") from None
        raise


def _did_not_change(name: str, grad: torch.Tensor | None, grad_before: np.ndarray) -> None:
    """Say why w[name] kept its numbers: a cleared gradient, or a new tensor made instead."""
    if grad is None or not torch.any(grad != 0):
        raise Wrong(f"w['{name}'] did not change, and its .grad was already cleared: the "
                    "gradient was cleared BEFORE the update, so the step was lr * 0. Update "
                    "first, then clear (`tensor.grad = None`).")
    if close(grad.numpy(), grad_before, rtol=0, atol=0):
        raise Wrong(f"w['{name}'] did not change, and its .grad is still there. Update every "
                    f"weight and bias in place (`{name} -= lr * {name}.grad`): `t = t - lr * "
                    "t.grad` only makes a new tensor and leaves the dict's tensor as it was.")
    raise Wrong(f"w['{name}'] did not change. Update it in place: `{name} -= lr * {name}.grad`.")


@checker
def check_sgd_update(sgd_update: Callable[[dict, float], None]) -> str:
    """`sgd_update(w, lr)` must update every tensor of `w` in place and clear its gradient.

    w: {"w1", "b1", "w2", "b2"} -> float64 tensors that require grad, with `.grad` filled.
    After the call: each w[name] is the SAME tensor, holding w - lr * grad, still a leaf
    that requires grad, and its .grad is None (or zeros).
    """
    x, y = example_data()
    w = fresh_weights()
    summed_loss(x, y, w).backward()
    originals = dict(w)
    before = {name: w[name].detach().numpy().copy() for name in NAMES}
    grads = {name: w[name].grad.numpy().copy() for name in NAMES}
    versions = {name: w[name]._version for name in NAMES}  # bumped by every in-place change
    lr = 1e-4
    _run_update(sgd_update, w, lr)

    for name in NAMES:
        tensor = w[name]
        if tensor is not originals[name]:
            how = ("it is no longer a leaf: autograd recorded the subtraction, so the next "
                   "backward() leaves its .grad None" if tensor.grad_fn is not None else
                   "the new tensor does not require grad, so the next backward() ignores it")
            raise Wrong(f"sgd_update replaced w['{name}'] by a new tensor (like "
                        f"`w1 = w1 - lr * w1.grad`): {how}. Update in place instead: "
                        f"`{name} -= lr * {name}.grad` inside `with torch.no_grad():`.")
        if not tensor.requires_grad:
            raise Wrong(f"w['{name}'] no longer requires grad after the update, so the next "
                        "backward() would not compute its gradient. Do not detach it.")
    for name in NAMES:
        after = w[name].detach().numpy()
        if close(after, before[name], rtol=0, atol=0):
            _did_not_change(name, w[name].grad, grads[name])
        change = after - before[name]
        if close(change, lr * grads[name], rtol=1e-6, atol=1e-15):
            raise Wrong(f"w['{name}'] moved UP the gradient (w + lr * grad): the update is "
                        "w -= lr * w.grad, downhill.")
        if close(change, -grads[name], rtol=1e-6, atol=1e-15):
            raise Wrong(f"w['{name}'] moved by the whole gradient: multiply by the learning "
                        "rate lr (w -= lr * w.grad).")
        if not close(change, -lr * grads[name], rtol=1e-6, atol=1e-15):
            raise Wrong(f"w['{name}'] changed, but not by -lr * grad. The update is "
                        "w -= lr * w.grad.")
        if w[name]._version == versions[name]:
            raise Wrong(f"w['{name}'] was updated through `.data`: the numbers are right, but "
                        "autograd's version counter never saw the change, so it cannot warn "
                        "about a value its graph still needs. Update the tensor itself, "
                        "`tensor -= lr * tensor.grad`, inside `with torch.no_grad():`.")
    for name in NAMES:
        grad = w[name].grad
        if grad is not None and torch.any(grad != 0):
            raise Wrong(f"w['{name}'].grad was not cleared. Gradients ACCUMULATE: the next "
                        "backward() would add to them. Set `w.grad = None` (or `w.grad.zero_()`)"
                        " after the update.")
    return ("sgd_update is right: every weight stepped downhill in place, under "
            "torch.no_grad(), and its gradient was cleared for the next step.")


@checker
def check_predicted_is_leaf(predicted_is_leaf: Callable[[], dict]) -> str:
    """`predicted_is_leaf()` -> {"w1": bool, "x": bool, "h": bool, "loss": bool}, predicted.

    The truth is asked of torch: w1 and x are leaves (made by you), h and loss are not
    (computed from w1, which requires grad).
    """
    x, y = example_data()
    w = fresh_weights()
    h = x @ w["w1"] + w["b1"]
    truth = {"w1": w["w1"].is_leaf, "x": x.is_leaf, "h": h.is_leaf,
             "loss": summed_loss(x, y, w).is_leaf}
    answer = call_learner(predicted_is_leaf, name="predicted_is_leaf")
    if not isinstance(answer, dict):
        raise Wrong(f"predicted_is_leaf should return a dict {{name: True or False}}, but "
                    f"returned {describe(answer)}.")
    given = {name: plain_bool(answer.get(name)) for name in truth}  # np.True_ is True too
    missing = [name for name in truth if given[name] is None]
    if missing:
        raise Wrong(f"give True or False for {', '.join(missing)} (a dict with the keys "
                    "'w1', 'x', 'h', 'loss').")
    why = {"w1": "you created w1 yourself: a leaf, and the kind whose .grad backward() fills",
           "x": "you created x yourself: a leaf, even though it does not require grad (it "
                "simply gets no .grad)",
           "h": "h was computed from w1, which requires grad: it has a grad_fn, so it is not "
                "a leaf",
           "loss": "the loss was computed from the weights: it has a grad_fn, so it is not a "
                   "leaf"}
    wrong = [name for name in truth if given[name] != truth[name]]
    if wrong:
        raise Wrong("; ".join(f"{name}: {why[name]}" for name in wrong) + ".")
    return ("predicted_is_leaf is right: w1 and x are leaves (you made them); h and loss are "
            "not (each has a grad_fn).")


@checker
def check_first_order_loss_change(first_order_loss_change: Callable[..., float]) -> str:
    """`first_order_loss_change(w, lr)` -> about how much the step `w -= lr * grad` moves the loss.

    w: tensors whose .grad holds the gradient of the summed loss. First order: each number
    moves by -lr * g and changes the loss by about g * (-lr * g), so the change is
    -lr * (sum over every parameter of grad ** 2).
    """
    x, y = example_data()
    w = fresh_weights()
    loss = summed_loss(x, y, w)
    loss.backward()
    lr = problem.LEARNING_RATE
    squares = {name: float((w[name].grad ** 2).sum()) for name in NAMES}
    right = -lr * sum(squares.values())
    # np.float32 and a one-element tensor (with or without its graph) are numbers too
    answer = number_answer(call_learner(first_order_loss_change, w, lr,
                                        name="first_order_loss_change"),
                           "first_order_loss_change", "return one number, the change of the loss")
    if np.isclose(answer, right, rtol=1e-6):
        with torch.no_grad():
            for tensor in w.values():
                tensor -= lr * tensor.grad
        real = summed_loss(x, y, w).item() - loss.item()
        return (f"first_order_loss_change is right: it predicts {right:.1f}; the real step "
                f"changes the loss by {real:.1f} (the first order is close while lr is small).")
    mistakes = [(-right, "the sign is wrong: a step AGAINST the gradient lowers the loss, so "
                 "the change is negative."),
                (right / lr, "the learning rate is missing: each number moves by -lr * g."),
                (-lr * squares["w1"], "only w1 is counted: all four tensors move, so add up "
                 "over w1, b1, w2 and b2."),
                (-lr * sum(float(w[n].grad.abs().sum()) for n in NAMES), "each number moves "
                 "by -lr * g and changes the loss by g times its move: that is g ** 2, not |g|."),
                (-lr * sum(float(w[n].grad.sum()) for n in NAMES) ** 2, "square each number's "
                 "gradient before adding, not the sum of the gradients.")]
    for value, diagnosis in mistakes:
        if np.isclose(answer, value, rtol=1e-6):
            raise Wrong(f"first_order_loss_change returned {answer:.4g}: {diagnosis}")
    raise Wrong(f"first_order_loss_change returned {answer:.4g}. One number moving by d "
                "changes the loss by about grad * d; every number moves by d = -lr * grad.")
