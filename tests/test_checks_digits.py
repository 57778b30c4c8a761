"""Checks of notebook 09: every diagnosis is triggered by planting exactly that mistake."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from course_utils import digit_training
from course_utils.checks import NOT_DONE, PASSED, WRONG
from course_utils.checks.digits import check_accuracy, check_evaluate, check_predicted_initial_loss
from course_utils.checks.digits_epoch import check_train_one_epoch, planted_epoch
from course_utils.digit_training import accuracy as imported_accuracy
from course_utils.digit_training import evaluate as imported_evaluate
from course_utils.digit_training import train_one_epoch as imported_epoch


def expect(result, status, *phrases):
    assert result.status == status, result.message
    for phrase in phrases:
        assert phrase in result.message, result.message
    assert "\n" not in str(result)


def not_written(*args):
    raise NotImplementedError()


# ---- predict: the initial loss ------------------------------------------------------------

@pytest.mark.parametrize(("answer", "status", "phrase"), [
    (math.log(10), PASSED, "ln(10)"),
    (2.3, PASSED, "ln(10)"),
    (0.1, WRONG, "probability"),
    (1.0, WRONG, "log10"),
    (math.log2(10), WRONG, "log2"),
    (-2.302585, WRONG, "positive"),
    (0, WRONG, "sure and right"),
    (10, WRONG, "number of classes"),
    (5.0, WRONG, "-ln of it"),
    ("2.3", WRONG, "return one number"),
    (torch.tensor(2.3026), PASSED, "ln(10)"),
])
def test_predicted_initial_loss(answer, status, phrase):
    expect(check_predicted_initial_loss(lambda: answer), status, phrase)


def test_predicted_initial_loss_not_done():
    expect(check_predicted_initial_loss(not_written), NOT_DONE)


# ---- derive: accuracy ---------------------------------------------------------------------

def right_accuracy(logits, labels):
    return (logits.argmax(dim=1) == labels).float().mean().item()


@pytest.mark.parametrize(("accuracy", "status", "phrase"), [
    (right_accuracy, PASSED, "argmax over each row"),
    (lambda lo, la: (lo.argmax(dim=0) == la).float().mean().item(), WRONG, "dim=1"),  # wrong dim
    (lambda lo, la: (lo.argmax(dim=1) == la).float().mean(), WRONG, ".item()"),
    (lambda lo, la: (lo.argmax(dim=1) == la).sum().item(), WRONG, "NUMBER of right guesses"),
    (lambda lo, la: 100 * right_accuracy(lo, la), WRONG, "percentage"),
    (lambda lo, la: (lo.argmin(dim=1) == la).float().mean().item(), WRONG, "largest score"),
    (lambda lo, la: None, WRONG, "forget `return`"),
    (lambda lo, la: "0.5", WRONG, "between 0 and 1"),
    (digit_training.accuracy, WRONG, "course's own"),
    (lambda lo, la: digit_training.accuracy(lo, la), WRONG, "calls the course's own"),
    (lambda lo, la: imported_accuracy(lo, la), WRONG, "calls the course's own"),
    (not_written, NOT_DONE, "not written yet"),
])
def test_accuracy(accuracy, status, phrase):
    expect(check_accuracy(accuracy), status, phrase)


def test_accuracy_over_dim_0_is_named_on_both_symptoms():
    """Square logits (10 rows) give a wrong number; other row counts a size error."""
    def by_column(logits, labels):
        guesses = logits.argmax(dim=0)
        if len(labels) != len(guesses):
            raise RuntimeError("The size of tensor a (10) must match the size of tensor b (7)")
        return (guesses == labels).float().mean().item()
    expect(check_accuracy(by_column), WRONG, "dim 0", "ROW")

    def by_column_only_when_it_fails(logits, labels):
        if len(labels) == 10:
            return right_accuracy(logits, labels)
        return (logits.argmax(dim=0) == labels).float().mean().item()
    expect(check_accuracy(by_column_only_when_it_fails), WRONG, "size error", "argmax(dim=1)")


# ---- derive: evaluate ---------------------------------------------------------------------

def planted_evaluate(eval_mode=True, no_grad=True, softmax=False, reduction="mean", items=True,
                     swap=False, call_model=True):
    def evaluate(model, x, labels):
        if eval_mode:
            model.eval()
        with torch.no_grad() if no_grad else torch.enable_grad():
            logits = model(x) if call_model else torch.zeros(len(x), 10)
            scores = logits.softmax(dim=1) if softmax else logits
            loss = nn.functional.cross_entropy(scores, labels, reduction=reduction)
            acc = (logits.argmax(dim=1) == labels).float().mean()
        result = (loss.item(), acc.item()) if items else (loss, acc)
        return result[::-1] if swap else result
    return evaluate


@pytest.mark.parametrize(("evaluate", "status", "phrases"), [
    (planted_evaluate(), PASSED, ["eval mode without a graph"]),
    (planted_evaluate(eval_mode=False, no_grad=False), WRONG,
     ["in train mode and with gradients on", "model.eval()", "torch.no_grad()"]),
    (planted_evaluate(eval_mode=False), WRONG, ["in train mode:", "model.eval()"]),
    (planted_evaluate(no_grad=False), WRONG, ["with gradients on", "torch.no_grad()"]),
    (planted_evaluate(softmax=True), WRONG, ["softmax before"]),
    (planted_evaluate(reduction="sum"), WRONG, ["SUM"]),
    (planted_evaluate(items=False), WRONG, ["tensors", ".item()"]),
    (planted_evaluate(swap=True), WRONG, ["(loss, accuracy)"]),
    (planted_evaluate(call_model=False), WRONG, ["never called the model"]),
    (lambda model, x, labels: 0.5, WRONG, ["return two numbers"]),
    (digit_training.evaluate, WRONG, ["course's own"]),
    (lambda m, x, y: digit_training.evaluate(m, x, y), WRONG, ["calls the course's own"]),
    (lambda m, x, y: imported_evaluate(m, x, y), WRONG, ["calls the course's own"]),
    (not_written, NOT_DONE, ["not written yet"]),
])
def test_evaluate(evaluate, status, phrases):
    expect(check_evaluate(evaluate), status, *phrases)


# ---- debug: train_one_epoch ---------------------------------------------------------------

def planted(mistake=""):
    def train_one_epoch(model, loader, loss_fn, optimizer):
        return planted_epoch(model, loader, loss_fn, optimizer, mistake)
    return train_one_epoch


def without_train_mode(model, loader, loss_fn, optimizer):
    losses = []
    for x_batch, y_batch in loader:
        loss = loss_fn(model(x_batch), y_batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return sum(losses) / len(losses)


def returning(what):
    def train_one_epoch(model, loader, loss_fn, optimizer):
        model.train()
        losses = []
        for x_batch, y_batch in loader:
            loss = loss_fn(model(x_batch), y_batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss)
        return what(losses)
    return train_one_epoch


def no_step(model, loader, loss_fn, optimizer):
    for x_batch, y_batch in loader:
        optimizer.zero_grad()
        loss_fn(model(x_batch), y_batch).backward()
    return 1.0


@pytest.mark.parametrize(("epoch", "status", "phrases"), [
    (planted(), PASSED, ["95", "validation accuracy", "seed 0"]),
    (planted("softmax"), WRONG, ["softmax before the loss", "logits"]),
    (planted("no zero_grad"), WRONG, ["without optimizer.zero_grad()"]),
    (planted("zero_grad after backward"), WRONG, ["did not move", "BEFORE"]),
    (no_step, WRONG, ["did not move"]),
    (without_train_mode, WRONG, ["model.train()"]),
    (returning(lambda losses: losses[-1].item()), WRONG, ["mean of the 4 batch losses"]),
    (returning(lambda losses: sum(losses) / len(losses)), WRONG, ["as a number"]),
    (returning(lambda losses: None), WRONG, ["forget `return`"]),
    (returning(lambda losses: "0.5"), WRONG, ["returned a str", "as a number"]),
    (digit_training.train_one_epoch, WRONG, ["course's own"]),
    (lambda *args: digit_training.train_one_epoch(*args), WRONG, ["calls the course's own"]),
    (lambda *args: imported_epoch(*args), WRONG, ["calls the course's own"]),
    (not_written, NOT_DONE, ["not written yet"]),
])
def test_train_one_epoch(epoch, status, phrases):
    expect(check_train_one_epoch(epoch), status, *phrases)


def test_train_one_epoch_that_drifts_between_calls_misses_95_percent():
    calls = []

    def slows_down(model, loader, loss_fn, optimizer):
        calls.append(1)
        for group in optimizer.param_groups:
            group["lr"] = group["lr"] * (1 if len(calls) == 1 else 0.01)
        return planted()(model, loader, loss_fn, optimizer)
    expect(check_train_one_epoch(slows_down), WRONG, "reached only", "95%")
