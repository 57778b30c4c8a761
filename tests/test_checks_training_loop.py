"""Checks of notebook 06: every diagnosis is triggered by planting exactly that mistake."""

from __future__ import annotations

import contextlib
import math

import pytest
import torch

from course_utils import problem
from course_utils.checks import NOT_DONE, PASSED, WRONG
from course_utils.checks.training_loop import (
    MEAN_LR,
    check_mean_learning_rate,
    check_training_step,
    correct_step,
)
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


def planted(update=subtract, clear=True, backward=True, no_grad=True, layers=None):
    """A training step written like the notebook's, with one part changed (or left out)."""
    def step(model, x, y, loss_fn, lr):
        loss = loss_fn(model(x), y)
        if clear:
            model.zero_grad()
        if backward:
            loss.backward()
        with torch.no_grad() if no_grad else contextlib.nullcontext():
            for param in (layers(model) if layers else model).parameters():
                update(param, lr)
        return loss.item()
    return step


right_step = planted()
no_zero_grad = planted(clear=False)
no_no_grad = planted(no_grad=False)
wrong_sign = planted(update=add)
lr_twice = planted(update=lr_squared)
rebinds_name = planted(update=rebind)
forgot_backward = planted(backward=False)
first_layer_only = planted(layers=lambda model: model[0])


def optimizer_step(model, x, y, loss_fn, lr):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def clears_after_update(model, x, y, loss_fn, lr):
    loss = loss_fn(model(x), y)
    loss.backward()
    with torch.no_grad():
        for param in model.parameters():
            param -= lr * param.grad
            param.grad = None
    return loss.item()


def stub(model, x, y, loss_fn, lr):
    raise NotImplementedError()


def update_twice(model, x, y, loss_fn, lr):  # by hand AND with an optimizer
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss = planted()(model, x, y, loss_fn, lr)
    optimizer.step()
    return loss


def zero_grad_after_backward(model, x, y, loss_fn, lr):
    loss = loss_fn(model(x), y)
    loss.backward()
    model.zero_grad()
    with torch.no_grad():
        for param in model.parameters():
            param -= lr * param.grad
    return loss.item()


def loss_inside_no_grad(model, x, y, loss_fn, lr):
    with torch.no_grad():
        loss = loss_fn(model(x), y)
        loss.backward()
    return loss.item()


def fixed_lr(model, x, y, loss_fn, lr):
    return right_step(model, x, y, loss_fn, 1e-4)


def half_step(model, x, y, loss_fn, lr):
    return right_step(model, x, y, loss_fn, lr / 2)


def returning(value_of):
    """A right update that returns value_of(loss tensor, model, x, y, loss_fn)."""
    def step(model, x, y, loss_fn, lr):
        loss = loss_fn(model(x), y)
        right_step(model, x, y, loss_fn, lr)
        return value_of(loss, model, x, y, loss_fn)
    return step


def run(check, answer):
    result = check(answer)
    return result.status, result.message


@pytest.mark.parametrize("answer", [right_step, optimizer_step, clears_after_update])
def test_right_training_steps_pass(answer):
    status, message = run(check_training_step, answer)
    assert status == PASSED, message
    assert "714" in message  # the first loss of the running example


def test_unfinished_stub_is_not_done():
    assert run(check_training_step, stub)[0] == NOT_DONE


@pytest.mark.parametrize("answer, words", [
    (None, "None"),
    ("training_step", "should be a function"),
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
    (fixed_lr, "lr=0.064"),
    (half_step, "0.5 times"),
    (returning(lambda loss, *rest: None), "returned None"),
    (returning(lambda loss, *rest: loss), "loss.item()"),
    (returning(lambda loss, *rest: "714"), "a str"),
    (returning(lambda loss, *rest: math.nan), "the number nan"),
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


# ---- mean_learning_rate ----------------------------------------------------------------------

@pytest.mark.parametrize("answer, words", [
    (lambda lr, n, d: lr * n, "examples only"),
    (lambda lr, n, d: lr * d, "outputs only"),
    (lambda lr, n, d: lr / (n * d), "you divided"),
    (lambda lr, n, d: lr, "unchanged"),
    (lambda lr, n, d: 0.064, "expected 0.15"),  # hard-coded: wrong for the second size
    (lambda lr, n, d: lr * n * d * 2, "expected 0.064"),
    (lambda lr, n, d: None, "None"),
    (lambda lr, n, d: math.nan, "expected a number"),
    (lambda lr, n, d: torch.tensor(lr * n * d), "expected a number"),
    (lambda lr, n: lr * n, "TypeError"),
])
def test_mean_learning_rate_mistakes(answer, words):
    status, message = run(check_mean_learning_rate, answer)
    assert status == WRONG, message
    assert words in message, message


def test_mean_learning_rate_right_and_stub():
    status, message = run(check_mean_learning_rate, lambda lr, n, d: lr * n * d)
    assert status == PASSED and "0.064" in message

    def unfinished(lr, n, d):
        raise NotImplementedError()

    assert run(check_mean_learning_rate, unfinished)[0] == NOT_DONE


def test_mean_learning_rate_constant_is_the_one_that_matches_sum():
    assert math.isclose(MEAN_LR, 0.064)
