"""Checks of notebook 06: every diagnosis is triggered by planting exactly that mistake."""

from __future__ import annotations

import contextlib
import math

import pytest
import torch

from course_utils import problem
from course_utils.checks import NOT_DONE, PASSED, WRONG
from course_utils.checks.loss_reduction import MEAN_LR, check_mean_learning_rate
from course_utils.checks.training_loop import check_training_step, correct_step
from course_utils.training import running_example_tensors

# ---- training_step: a right one, and each planted mistake ------------------------------------

def subtract(param, lr):
    param -= lr * param.grad


def add(param, lr):  # the wrong sign
    param += lr * param.grad


def lr_squared(param, lr):  # the learning rate applied twice
    param.grad *= lr
    param -= lr * param.grad


def rebind(param, lr):  # makes a new tensor; the model keeps the old one
    param = param - lr * param.grad  # noqa: F841 (the planted mistake)


def planted(update=subtract, clear=True, backward=True, no_grad=True, layers=None,
            clear_inside=False, update_inside=False, whole_batch=False, pieces_of=None,
            returns="total"):
    """A training step written like the notebook's (zero_grad, each piece's loss and
    backward, one update), with one part changed (or left out)."""
    def update_all(model, lr):
        with torch.no_grad() if no_grad else contextlib.nullcontext():
            for param in (layers(model) if layers else model).parameters():
                update(param, lr)

    def step(model, x, y, loss_fn, lr, pieces):
        if clear:
            model.zero_grad()
        if whole_batch:
            parts = [(x, y)]
        elif pieces_of:
            parts = zip(x.split(pieces_of), y.split(pieces_of), strict=True)
        else:
            parts = zip(x.chunk(pieces), y.chunk(pieces), strict=True)
        total = 0.0
        for x_piece, y_piece in parts:
            if clear_inside:
                model.zero_grad()
            loss = loss_fn(model(x_piece), y_piece)
            if backward:
                loss.backward()
            total += loss.item()
            if update_inside:
                update_all(model, lr)
        if not update_inside:
            update_all(model, lr)
        return {"total": total, "last": loss.item()}[returns]
    return step


right_step = planted()
no_zero_grad = planted(clear=False)
no_no_grad = planted(no_grad=False)
wrong_sign = planted(update=add)
lr_twice = planted(update=lr_squared)
rebinds_name = planted(update=rebind)
forgot_backward = planted(backward=False)
first_layer_only = planted(layers=lambda model: model[0])
zero_grad_in_loop = planted(clear=False, clear_inside=True)  # the notebook's given step
update_in_loop = planted(update_inside=True)
whole_batch = planted(whole_batch=True)
split_by_size = planted(pieces_of=4)  # x.split(4): 16 pieces of 4 rows
returns_last_loss = planted(returns="last")


def optimizer_step(model, x, y, loss_fn, lr, pieces):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    optimizer.zero_grad()
    total = 0.0
    for x_piece, y_piece in zip(x.chunk(pieces), y.chunk(pieces), strict=True):
        loss = loss_fn(model(x_piece), y_piece)
        loss.backward()
        total += loss.item()
    optimizer.step()
    return total


def clears_after_update(model, x, y, loss_fn, lr, pieces):
    losses = [loss_fn(model(x_piece), y_piece)
              for x_piece, y_piece in zip(x.chunk(pieces), y.chunk(pieces), strict=True)]
    for loss in losses:
        loss.backward()
    with torch.no_grad():
        for param in model.parameters():
            param -= lr * param.grad
            param.grad = None
    return sum(loss.item() for loss in losses)


def stub(model, x, y, loss_fn, lr, pieces):
    raise NotImplementedError()


def update_twice(model, x, y, loss_fn, lr, pieces):  # by hand AND with an optimizer
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss = planted()(model, x, y, loss_fn, lr, pieces)
    optimizer.step()
    return loss


def zero_grad_after_backward(model, x, y, loss_fn, lr, pieces):
    total = 0.0
    for x_piece, y_piece in zip(x.chunk(pieces), y.chunk(pieces), strict=True):
        loss = loss_fn(model(x_piece), y_piece)
        loss.backward()
        total += loss.item()
    model.zero_grad()
    with torch.no_grad():
        for param in model.parameters():
            param -= lr * param.grad
    return total


def loss_inside_no_grad(model, x, y, loss_fn, lr, pieces):
    with torch.no_grad():
        loss = loss_fn(model(x), y)
        loss.backward()
    return loss.item()


def fixed_lr(model, x, y, loss_fn, lr, pieces):
    return right_step(model, x, y, loss_fn, 1e-4, pieces)


def fixed_pieces(model, x, y, loss_fn, lr, pieces):
    return right_step(model, x, y, loss_fn, lr, 4)


def half_step(model, x, y, loss_fn, lr, pieces):
    return right_step(model, x, y, loss_fn, lr / 2, pieces)


def returning(value_of):
    """A right update that returns value_of(the loss as a tensor, model, x, y, loss_fn)."""
    def step(model, x, y, loss_fn, lr, pieces):
        loss = torch.tensor(right_step(model, x, y, loss_fn, lr, pieces), requires_grad=True)
        return value_of(loss, model, x, y, loss_fn)
    return step


def run(check, answer):
    result = check(answer)
    return result.status, result.message


@pytest.mark.parametrize("answer", [right_step, optimizer_step, clears_after_update])
def test_right_training_steps_pass(answer):
    status, message = run(check_training_step, answer)
    assert status == PASSED, message
    assert "714" in message and "4 pieces of 16" in message


def test_unfinished_stub_is_not_done():
    assert run(check_training_step, stub)[0] == NOT_DONE


@pytest.mark.parametrize("answer, words", [
    (None, "None"),
    ("training_step", "should be a function"),
    (zero_grad_in_loop, "only the LAST piece's gradient"),
    (update_in_loop, "4 small updates"),
    (whole_batch, "ran once on all 64 examples"),
    (split_by_size, "pieces of [4, 4,"),
    (returns_last_loss, "the loss of the last piece only"),
    (no_zero_grad, "zero_grad"),
    (no_no_grad, "torch.no_grad()"),
    (wrong_sign, "RISE"),
    (lr_twice, "learning rate was applied twice"),
    (update_twice, "applied twice"),
    (rebinds_name, "did not change"),
    (zero_grad_after_backward, "BEFORE loss.backward()"),
    (forgot_backward, "loss.backward()"),
    (loss_inside_no_grad, "OUTSIDE torch.no_grad()"),
    (first_layer_only, "did not move: 2.weight, 2.bias"),
    (fixed_lr, "lr=5e-05 and pieces=3"),
    (fixed_pieces, "lr=5e-05 and pieces=3"),
    (half_step, "0.5 times"),
    (returning(lambda loss, *rest: None), "returned None"),
    (returning(lambda loss, *rest: loss), "loss.item()"),
    (returning(lambda loss, *rest: "714"), "a str"),
    (returning(lambda loss, *rest: math.nan), "returned nan; return the loss it computed"),
    (returning(lambda loss, model, x, y, fn: fn(model(x), y).item()), "AFTER the update"),
])
def test_each_planted_mistake_gets_its_diagnosis(answer, words):
    status, message = run(check_training_step, answer)
    assert status == WRONG, message
    assert words in message, message


def test_missing_zero_grad_reports_about_doubled_gradients():
    message = run(check_training_step, no_zero_grad)[1]
    ratio = float(message.split("(")[1].split("x")[0])
    assert 1.8 < ratio < 2.2, message


def test_wrong_sign_message_shows_the_loss_rising():
    message = run(check_training_step, wrong_sign)[1]
    before, after = (float(n.replace(",", "")) for n in
                     message.split("from ")[1].split(":")[0].split(" to "))
    assert after > before


def test_correct_step_without_zero_grad_accumulates():
    x, y = running_example_tensors(dtype=torch.float64)
    model = problem.build_model(dtype=torch.float64)
    loss_fn = torch.nn.MSELoss(reduction="sum")
    loss_fn(model(x), y).backward()
    once = model[2].bias.grad.clone()
    correct_step(model, x, y, loss_fn, 0.0, clear_gradients=False)  # lr 0: same point again
    assert torch.allclose(model[2].bias.grad, 2 * once)


@pytest.mark.parametrize("pieces", [2, 3, 4, 64])
def test_a_step_in_pieces_is_the_step_on_the_whole_batch(pieces):
    """The fact the exercise rests on: with a sum loss, the pieces' gradients add up to the
    whole batch's, so the step does not depend on how the batch is cut."""
    x, y = running_example_tensors(dtype=torch.float64)
    loss_fn = torch.nn.MSELoss(reduction="sum")
    whole, cut = (problem.build_model(dtype=torch.float64) for _ in range(2))
    loss = correct_step(whole, x, y, loss_fn, 1e-4)
    assert math.isclose(correct_step(cut, x, y, loss_fn, 1e-4, pieces=pieces), loss,
                        rel_tol=1e-12)
    for a, b in zip(whole.parameters(), cut.parameters(), strict=True):
        assert torch.allclose(a, b, rtol=1e-10, atol=1e-13)


# ---- mean_learning_rate ----------------------------------------------------------------------

@pytest.mark.parametrize("answer, words", [
    (lambda lr, n, d: lr * n, "examples only"),
    (lambda lr, n, d: lr * d, "outputs only"),
    (lambda lr, n, d: lr / (n * d), "you divided"),
    (lambda lr, n, d: lr, "unchanged"),
    (lambda lr, n, d: 0.064, "expected 0.15"),  # hard-coded: wrong for the second size
    (lambda lr, n, d: lr * n * d * 2, "expected 0.064"),
    (lambda lr, n, d: None, "None"),
    (lambda lr, n, d: math.nan, "returned nan, not a finite number"),
    (lambda lr, n, d: "0.064", "returned a str; return one number"),
    (lambda lr, n: lr * n, "TypeError"),
])
def test_mean_learning_rate_mistakes(answer, words):
    status, message = run(check_mean_learning_rate, answer)
    assert status == WRONG, message
    assert words in message, message


def test_mean_learning_rate_right_and_stub():
    status, message = run(check_mean_learning_rate, lambda lr, n, d: lr * n * d)
    assert status == PASSED and "0.064" in message
    # a one-number tensor is a number too (torch.optim accepts it as lr)
    assert run(check_mean_learning_rate, lambda lr, n, d: torch.tensor(lr * n * d))[0] == PASSED

    def unfinished(lr, n, d):
        raise NotImplementedError()

    assert run(check_mean_learning_rate, unfinished)[0] == NOT_DONE


def test_mean_learning_rate_constant_is_the_one_that_matches_sum():
    assert math.isclose(MEAN_LR, 0.064)
