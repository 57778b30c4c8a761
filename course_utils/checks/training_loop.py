"""Checks for notebook 06 (the training loop): one training step, and the `mean` learning rate.

`check_training_step` runs the learner's `training_step(model, x, y, loss_fn, lr)` on fresh
copies of the running example's model (float64, so comparisons are exact to rounding) and
compares what it did with a correct step. Each classic mistake has its own symptom:

    forgot model.zero_grad()          the first step is right, the second uses g1 + g2 (about 2x)
    update outside torch.no_grad()    RuntimeError: a leaf Variable that requires grad ...
    param += lr * grad (wrong sign)   the parameters move the other way: the loss rises
    lr applied twice                  the step is lr times too small (or the update done twice)
    param = param - lr * grad         the model does not change at all (a new tensor was made)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from .. import problem
from ..training import gradient_step, running_example_tensors
from .core import Wrong, call_learner, checker, describe, is_number, plain_number, reject_helper
from .learner_code import changed_in_place

__all__ = ["check_training_step", "check_mean_learning_rate"]

SUM_LR = problem.LEARNING_RATE
MEAN_LR = problem.LEARNING_RATE * problem.N * problem.D_OUT  # 0.064: see notebook 06

StepFunction = Callable[[nn.Module, torch.Tensor, torch.Tensor, nn.Module, float], Any]


def correct_step(model: nn.Module, x: torch.Tensor, y: torch.Tensor, loss_fn: nn.Module,
                 lr: float, clear_gradients: bool = True) -> float:
    """One step of gradient descent, the way notebook 06 writes it; returns the loss before it.

    With clear_gradients=False it plants the "forgot zero_grad()" mistake: the new gradient
    is added to whatever `.grad` already holds.
    """
    loss = loss_fn(model(x), y)
    if clear_gradients:
        model.zero_grad()
    loss.backward()
    with torch.no_grad():
        for parameter in model.parameters():
            parameter -= lr * parameter.grad
    return loss.item()


def parameter_vector(model: nn.Module) -> torch.Tensor:
    """All parameters of `model` as one detached float64 vector (a snapshot)."""
    return torch.cat([p.detach().flatten().double() for p in model.parameters()]).clone()


@checker
def check_training_step(training_step: StepFunction) -> str:
    """`training_step(model, x, y, loss_fn, lr)` must do one gradient-descent step in place.

    It computes the loss, clears the old gradients, calls backward, updates every parameter
    by `-lr * grad` inside torch.no_grad(), and returns the loss before the update as a
    Python number (`loss.item()`).
    """
    reject_helper(training_step, "training_step",
                  {gradient_step: "training.gradient_step", correct_step: "correct_step"},
                  "write the step yourself: the loss, model.zero_grad(), loss.backward(), then "
                  "the update under torch.no_grad().")
    x, y = running_example_tensors(dtype=torch.float64)
    loss_fn = nn.MSELoss(reduction="sum")
    reference = problem.build_model(dtype=torch.float64)
    expected_loss = correct_step(reference, x, y, loss_fn, SUM_LR)  # first, on our own tensors
    model = problem.build_model(dtype=torch.float64)
    start = parameter_vector(model)

    returned = _run_step(training_step, model, x, y, loss_fn, SUM_LR)
    _compare_first_step(model, reference, start, x, y, loss_fn)
    _compare_returned_loss(returned, expected_loss, loss_after=loss_fn(model(x), y).item())

    # Step again on the same model: leftover gradients only show up from the second step on.
    forgetful = problem.build_model(dtype=torch.float64)
    correct_step(forgetful, x, y, loss_fn, SUM_LR, clear_gradients=False)
    second_loss = _run_step(training_step, model, x, y, loss_fn, SUM_LR)
    correct_step(reference, x, y, loss_fn, SUM_LR)
    correct_step(forgetful, x, y, loss_fn, SUM_LR, clear_gradients=False)
    if not _same(parameter_vector(model), parameter_vector(reference)):
        if _same(parameter_vector(model), parameter_vector(forgetful)):
            raise Wrong(
                "The first step is right, the second is not: it used the old gradient plus the "
                f"new one ({_gradient_ratio():.2f}x the correct gradient). Gradients accumulate "
                "in .grad: call model.zero_grad() before loss.backward().")
        raise Wrong("The first step is right, but a second call on the same model differs from a "
                    "second correct step. Does training_step keep something between calls?")

    # A different loss and learning rate: are the arguments used, or fixed numbers?
    mean_loss = nn.MSELoss()
    model, reference = (problem.build_model(dtype=torch.float64) for _ in range(2))
    _run_step(training_step, model, x, y, mean_loss, MEAN_LR)
    correct_step(reference, x, y, mean_loss, MEAN_LR)
    if not _same(parameter_vector(model), parameter_vector(reference)):
        raise Wrong("With loss_fn=nn.MSELoss() and lr=0.064 your step differs from a correct one. "
                    "Use the loss_fn and lr arguments you are given, not fixed ones.")
    return (f"training_step is right: two steps take the loss of the running example from "
            f"{expected_loss:,.2f} to {second_loss:,.2f}, exactly like model.zero_grad(), "
            "loss.backward() and a torch.no_grad() update.")


def _run_step(training_step: StepFunction, model: nn.Module, x: torch.Tensor, y: torch.Tensor,
              loss_fn: nn.Module, lr: float) -> Any:
    """Call the learner's step on copies of x and y and a fresh loss_fn; turn the errors of
    typical mistakes into their diagnosis, and notice data changed in place."""
    given = {"x": x.clone(), "y": y.clone()}
    try:
        returned = call_learner(training_step, model, given["x"], given["y"],
                                nn.MSELoss(reduction=loss_fn.reduction), lr, name="training_step")
    except Wrong as wrong:
        text = str(wrong)
        if "leaf Variable that requires grad" in text:
            raise Wrong("training_step raised RuntimeError: a leaf Variable that requires grad is "
                        "being used in an in-place operation. The update `param -= ...` must sit "
                        "inside `with torch.no_grad():`.") from None
        if "does not require grad" in text:
            raise Wrong("training_step raised RuntimeError: the loss does not require grad. "
                        "Compute the loss OUTSIDE torch.no_grad(); only the update goes inside.") \
                from None
        if "TypeError" in text and "NoneType" in text:
            raise Wrong("training_step met a parameter whose .grad is None. Call loss.backward() "
                        "before the update, and model.zero_grad() BEFORE loss.backward(): after "
                        f"it, zero_grad() sets every .grad to None. ({text})") from None
        raise
    changed = changed_in_place({"x": x, "y": y}, given)
    if changed:
        raise Wrong(f"training_step changed {' and '.join(changed)} in place: the data must "
                    "stay as it is; only the model's parameters change in a step.")
    return returned


def _compare_first_step(model: nn.Module, reference: nn.Module, start: torch.Tensor,
                        x: torch.Tensor, y: torch.Tensor, loss_fn: nn.Module) -> None:
    """Diagnose the first step from how the parameters moved compared with a correct step."""
    change = parameter_vector(model) - start
    expected = parameter_vector(reference) - start
    if _same(change, expected):
        return
    if change.abs().max() == 0:
        raise Wrong("After training_step the parameters did not change at all. `param = param - "
                    "lr * param.grad` makes a NEW tensor and leaves the model alone: update in "
                    "place with `param -= lr * param.grad`. (If you called zero_grad() between "
                    "backward() and the update, the gradients were already cleared.)")
    scale = float(change @ expected / (expected @ expected))
    if _same(change, scale * expected):
        if math.isclose(scale, -1, rel_tol=1e-6):
            before = loss_fn(problem.build_model(dtype=torch.float64)(x), y).item()
            after = loss_fn(model(x), y).item()
            raise Wrong(f"Your step made the loss RISE from {before:,.2f} to {after:,.2f}: the "
                        "parameters moved along the gradient. Gradient descent subtracts: "
                        "`param -= lr * param.grad`.")
        if math.isclose(scale, SUM_LR, rel_tol=1e-6):
            raise Wrong(f"Your step is {scale:.0e} times too small: the learning rate was applied "
                        "twice (lr * lr * grad). Multiply the gradient by lr once.")
        if math.isclose(scale, 2, rel_tol=1e-6):
            raise Wrong("Your step is exactly 2 times a correct one: the update was applied twice "
                        "(for example by hand AND with an optimizer). Apply it once.")
        raise Wrong(f"Your step points the right way but is {scale:.3g} times a correct one. "
                    "Move each parameter by exactly -lr * param.grad.")
    fresh = problem.build_model(dtype=torch.float64)
    still = [name for (name, mine), untouched in zip(model.named_parameters(), fresh.parameters(),
                                                       strict=True)
             if torch.equal(mine.detach().double(), untouched.detach())]
    if still:
        raise Wrong(f"After one step these parameters did not move: {', '.join(still)}. "
                    "Update EVERY parameter in model.parameters() by -lr * param.grad.")
    raise Wrong("After one step the parameters differ from a correct step, and not by a simple "
                "factor. Move each parameter by exactly -lr * param.grad, once.")


def _compare_returned_loss(returned: Any, expected: float, loss_after: float) -> None:
    """The step must return the loss BEFORE the update, as a Python number."""
    if returned is None:
        raise Wrong("The update is right, but training_step returned None. Return the loss as a "
                    "number: `return loss.item()`.")
    if isinstance(returned, torch.Tensor):
        raise Wrong(f"The update is right, but training_step returned {describe(returned)}: the "
                    "loss tensor (with its graph). Return the number: `return loss.item()`.")
    number = plain_number(returned)  # float32 numbers too, within their precision
    if number is None or not math.isfinite(number):
        raise Wrong(f"The update is right, but training_step returned {describe(returned)}; "
                    "return the loss as a number: `return loss.item()`.")
    if math.isclose(number, loss_after, rel_tol=1e-6):
        raise Wrong(f"The update is right, but training_step returned the loss AFTER the update "
                    f"({number:,.2f}); return the loss it computed before ({expected:,.2f}).")
    if not math.isclose(number, expected, rel_tol=1e-6):
        raise Wrong(f"The update is right, but training_step returned {number!r}; the loss "
                    f"before the update is {expected:,.4f}. Return `loss.item()`.")


def _gradient_ratio() -> float:
    """|g1 + g2| / |g2| for the first two steps of the running example: about 2."""
    x, y = running_example_tensors(dtype=torch.float64)
    model, loss_fn = problem.build_model(dtype=torch.float64), nn.MSELoss(reduction="sum")
    correct_step(model, x, y, loss_fn, SUM_LR)
    first = torch.cat([p.grad.flatten() for p in model.parameters()])
    model.zero_grad()
    loss_fn(model(x), y).backward()
    second = torch.cat([p.grad.flatten() for p in model.parameters()])
    return float((first + second).norm() / second.norm())


def _same(a: torch.Tensor, b: torch.Tensor) -> bool:
    return bool(torch.allclose(a, b, rtol=1e-7, atol=1e-12))


@checker
def check_mean_learning_rate(mean_learning_rate: Callable[[float, int, int], float]) -> str:
    """`mean_learning_rate(sum_lr, n_examples, n_outputs)`: the lr that makes `mean` follow `sum`.

    MSELoss's `mean` divides the summed loss by all n_examples * n_outputs elements, so its
    gradients are that many times smaller and the learning rate must be that many times larger.
    """
    for sum_lr, n_examples, n_outputs in ((SUM_LR, problem.N, problem.D_OUT), (0.01, 3, 5)):
        elements = n_examples * n_outputs
        answer = call_learner(mean_learning_rate, sum_lr, n_examples, n_outputs,
                              name="mean_learning_rate")
        if answer is None:
            raise Wrong("mean_learning_rate returned None. Did you forget `return`?")
        if not is_number(answer):
            raise Wrong(f"mean_learning_rate returned {describe(answer)}; expected a number.")
        answer = plain_number(answer)  # np.float32 too: compared within float32's precision
        call = f"mean_learning_rate({sum_lr}, {n_examples}, {n_outputs})"
        if math.isclose(answer, sum_lr * elements, rel_tol=1e-6):
            continue
        mistakes = {
            sum_lr * n_examples: f"you scaled by the {n_examples} examples only. `mean` divides by "
                                 f"ALL {n_examples} * {n_outputs} = {elements} elements.",
            sum_lr * n_outputs: f"you scaled by the {n_outputs} outputs only. `mean` divides by "
                                f"ALL {n_examples} * {n_outputs} = {elements} elements.",
            sum_lr / elements: f"you divided. The gradients under `mean` are {elements} times "
                               f"SMALLER, so the learning rate must be {elements} times LARGER.",
            sum_lr: "that is the `sum` learning rate unchanged; `mean` makes every gradient "
                    f"{elements} times smaller.",
        }
        for value, reason in mistakes.items():
            if math.isclose(answer, value, rel_tol=1e-6):
                raise Wrong(f"{call} returned {answer:.4g}: {reason}")
        raise Wrong(f"{call} returned {answer:.4g}; expected {sum_lr * elements:.4g}. "
                    "How many numbers does `mean` divide the summed loss by?")
    return (f"mean_learning_rate is right: lr={SUM_LR:g} with `sum` and lr={MEAN_LR:g} with "
            f"`mean` take the same steps ({problem.N} * {problem.D_OUT} = "
            f"{problem.N * problem.D_OUT} times smaller gradients, {problem.N * problem.D_OUT} "
            "times larger learning rate).")
