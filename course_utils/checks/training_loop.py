"""Checks for notebook 06 (the training loop): one training step, its gradient accumulated.

`check_training_step` runs the learner's `training_step(model, x, y, loss_fn, lr, pieces)` (one
step on the whole batch, its gradient accumulated over `pieces` pieces of it) on fresh copies
of the running example's model (float64, so comparisons are exact to rounding) and compares
what it did with a correct step. With a `sum` loss, the pieces' gradients add up to the whole
batch's exactly, so a correct step is the same for any number of pieces. Each classic mistake
has its own symptom:

    zero_grad() inside the pieces' loop   only the last piece's gradient is used
    update inside the pieces' loop        `pieces` small steps instead of one
    the whole batch at once               right numbers, but the model ran once on 64 rows
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
from .core import Wrong, call_learner, checker, describe, plain_number, reject_helper
from .learner_code import changed_in_place

__all__ = ["check_training_step"]

SUM_LR = problem.LEARNING_RATE

PIECES = 4  # the running example's 64 examples in 4 pieces of 16
StepFunction = Callable[[nn.Module, torch.Tensor, torch.Tensor, nn.Module, float, int], Any]


def correct_step(model: nn.Module, x: torch.Tensor, y: torch.Tensor, loss_fn: nn.Module,
                 lr: float, clear_gradients: bool = True, pieces: int = 1) -> float:
    """One step of gradient descent, the way notebook 06 writes it; returns the loss before it.

    pieces: the batch is run in that many pieces (`x.chunk(pieces)`), each piece's backward
    adding its gradient into `.grad`, then one update (gradient accumulation). With a `sum`
    loss the step is the same for any `pieces`. With clear_gradients=False it plants the
    "forgot zero_grad()" mistake: the new gradient is added to whatever `.grad` already holds.
    """
    if clear_gradients:
        model.zero_grad()
    total = 0.0
    for x_piece, y_piece in zip(x.chunk(pieces), y.chunk(pieces), strict=True):
        loss = loss_fn(model(x_piece), y_piece)
        loss.backward()
        total += loss.item()
    with torch.no_grad():
        for parameter in model.parameters():
            parameter -= lr * parameter.grad
    return total


def _planted_piece_mistakes(x: torch.Tensor, y: torch.Tensor, loss_fn: nn.Module, lr: float,
                            pieces: int) -> dict[str, torch.Tensor]:
    """Where the classic accumulation mistakes leave the parameters, from a fresh model:
    "last" (zero_grad in the loop: one step on the last piece alone), "each" and "each, not
    cleared" (the update in the loop, with or without zero_grad in it too)."""
    last_only, each, each_kept = (problem.build_model(dtype=torch.float64) for _ in range(3))
    correct_step(last_only, x.chunk(pieces)[-1], y.chunk(pieces)[-1], loss_fn, lr)
    for x_piece, y_piece in zip(x.chunk(pieces), y.chunk(pieces), strict=True):
        correct_step(each, x_piece, y_piece, loss_fn, lr)
        correct_step(each_kept, x_piece, y_piece, loss_fn, lr, clear_gradients=False)
    return {"last": parameter_vector(last_only), "each": parameter_vector(each),
            "each, not cleared": parameter_vector(each_kept)}


def parameter_vector(model: nn.Module) -> torch.Tensor:
    """All parameters of `model` as one detached float64 vector (a snapshot)."""
    return torch.cat([p.detach().flatten().double() for p in model.parameters()]).clone()


@checker
def check_training_step(training_step: StepFunction) -> str:
    """`training_step(model, x, y, loss_fn, lr)` must do one gradient-descent step in place.

    It clears the old gradients once, then for each of the `pieces` pieces of the batch
    (`x.chunk(pieces)`) computes the loss and calls backward (the gradients add up in
    `.grad`), then updates every parameter by `-lr * grad` inside torch.no_grad(), and
    returns the loss of the whole batch before the update (the pieces' losses added).
    """
    reject_helper(training_step, "training_step",
                  {gradient_step: "training.gradient_step", correct_step: "correct_step"},
                  "write the step yourself: model.zero_grad(), each piece's loss and "
                  "backward(), then the update under torch.no_grad().")
    x, y = running_example_tensors(dtype=torch.float64)
    loss_fn = nn.MSELoss(reduction="sum")
    reference = problem.build_model(dtype=torch.float64)
    expected_loss = correct_step(reference, x, y, loss_fn, SUM_LR)  # first, on our own tensors
    model = problem.build_model(dtype=torch.float64)
    start = parameter_vector(model)
    returned, batches = _run_counted(training_step, model, x, y, loss_fn, SUM_LR, PIECES)
    if not _same(parameter_vector(model), parameter_vector(reference)):
        _compare_pieces(model, x, y, loss_fn)  # only then: it trains three more models
    _compare_first_step(model, reference, start, x, y, loss_fn)
    _compare_returned_loss(returned, expected_loss, loss_after=loss_fn(model(x), y).item(),
                           last_piece=_last_piece_loss(x, y, loss_fn))
    _compare_batches(batches, x)

    # Step again on the same model: leftover gradients only show up from the second step on.
    forgetful = problem.build_model(dtype=torch.float64)
    correct_step(forgetful, x, y, loss_fn, SUM_LR, clear_gradients=False)
    second_loss = _run_step(training_step, model, x, y, loss_fn, SUM_LR, PIECES)
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

    # Another learning rate and number of pieces: are the arguments used, or fixed numbers?
    model, reference = (problem.build_model(dtype=torch.float64) for _ in range(2))
    batches = _run_counted(training_step, model, x, y, loss_fn, SUM_LR / 2, 3)[1]
    correct_step(reference, x, y, loss_fn, SUM_LR / 2)
    if (not _same(parameter_vector(model), parameter_vector(reference))
            or batches != _piece_sizes(x, 3)):
        raise Wrong(f"With lr={SUM_LR / 2:g} and pieces=3 your step differs from a correct one. "
                    "Use the lr and pieces arguments you are given, not fixed ones.")
    return (f"training_step is right: {PIECES} pieces of {len(x) // PIECES} examples, their "
            "gradients added up in .grad, one update: exactly a step on the whole batch. Two "
            f"steps take the loss of the running example from {expected_loss:,.2f} to "
            f"{second_loss:,.2f}.")


def _compare_pieces(model: nn.Module, x: torch.Tensor, y: torch.Tensor,
                    loss_fn: nn.Module) -> None:
    """The two mistakes of accumulation, recognised by where they leave the parameters."""
    mistakes = _planted_piece_mistakes(x, y, loss_fn, SUM_LR, PIECES)
    if _same(parameter_vector(model), mistakes["last"]):
        raise Wrong(f"Your step used only the LAST piece's gradient (of {PIECES}). "
                    "model.zero_grad() inside the loop over pieces throws away the gradients "
                    "the earlier pieces added. Clear the gradients once, before the loop.")
    if any(_same(parameter_vector(model), mistakes[kind])
           for kind in ("each", "each, not cleared")):
        raise Wrong(f"Your step made {PIECES} small updates, one per piece: the update sits "
                    "inside the loop over pieces. Add up all the pieces' gradients first "
                    "(backward() adds into .grad), then update once, after the loop.")


def _run_counted(training_step: StepFunction, model: nn.Module, x: torch.Tensor,
                 y: torch.Tensor, loss_fn: nn.Module, lr: float, pieces: int
                 ) -> tuple[Any, list[int]]:
    """_run_step, also noting how many rows each forward pass of the model was given."""
    batches: list[int] = []
    hook = model.register_forward_hook(lambda _m, given, _out: batches.append(len(given[0])))
    try:
        return _run_step(training_step, model, x, y, loss_fn, lr, pieces), batches
    finally:
        hook.remove()


def _compare_batches(batches: list[int], x: torch.Tensor) -> None:
    """The step is right; did it really run the model on PIECES pieces?"""
    rows = len(x)
    if batches == _piece_sizes(x, PIECES):
        return
    if batches == [rows]:
        raise Wrong(f"Your update is right, but the model ran once on all {rows} examples: "
                    f"run it on each of the {PIECES} pieces, `x.chunk(pieces)`, so that a "
                    "batch too big for memory never has to be in it at once.")
    raise Wrong(f"Your update is right, but the model ran on pieces of {batches} rows; "
                f"expected {PIECES} pieces of {rows // PIECES}. `x.chunk(pieces)` cuts x into "
                "`pieces` pieces (`x.split(n)` cuts pieces of n rows).")


def _piece_sizes(x: torch.Tensor, pieces: int) -> list[int]:
    """How many rows each forward pass gets when x is cut with `x.chunk(pieces)`."""
    return [len(piece) for piece in x.chunk(pieces)]


def _last_piece_loss(x: torch.Tensor, y: torch.Tensor, loss_fn: nn.Module) -> float:
    model = problem.build_model(dtype=torch.float64)
    return loss_fn(model(x.chunk(PIECES)[-1]), y.chunk(PIECES)[-1]).item()


def _run_step(training_step: StepFunction, model: nn.Module, x: torch.Tensor, y: torch.Tensor,
              loss_fn: nn.Module, lr: float, pieces: int) -> Any:
    """Call the learner's step on copies of x and y and a fresh loss_fn; turn the errors of
    typical mistakes into their diagnosis, and notice data changed in place."""
    given = {"x": x.clone(), "y": y.clone()}
    try:
        returned = call_learner(training_step, model, given["x"], given["y"],
                                nn.MSELoss(reduction=loss_fn.reduction), lr, pieces,
                                name="training_step")
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


def _compare_returned_loss(returned: Any, expected: float, loss_after: float,
                           last_piece: float) -> None:
    """The step must return the whole batch's loss BEFORE the update, as a Python number."""
    if returned is None:
        raise Wrong("The update is right, but training_step returned None. Return the loss as a "
                    "number: `return loss.item()`.")
    if isinstance(returned, torch.Tensor):
        raise Wrong(f"The update is right, but training_step returned {describe(returned)}: the "
                    "loss tensor (with its graph). Return the number: `return loss.item()`.")
    number = plain_number(returned)  # float32 numbers too, within their precision
    if number is None or not math.isfinite(number):
        got = describe(returned) if number is None else number  # nan is a number, but not a loss
        raise Wrong(f"The update is right, but training_step returned {got}; return the loss "
                    f"it computed before the update, {expected:,.2f}: `return loss.item()`.")
    if math.isclose(number, last_piece, rel_tol=1e-6):
        raise Wrong(f"The update is right, but training_step returned {number:,.2f}: the loss "
                    f"of the last piece only. Add up the pieces' losses (`loss.item()` of "
                    f"each): the whole batch's loss is {expected:,.2f}.")
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
