"""Checks for notebook 09 (real handwritten digits).

    check_predicted_initial_loss   predict: the cross-entropy of an untrained 10-class network
    check_accuracy                 derive: accuracy(logits, labels), the fraction guessed right
    check_evaluate                 derive: evaluate(model, x, labels) -> (loss, accuracy)
    check_train_one_epoch          debug: one epoch of mini-batches (in digits_epoch.py)

Each compares the learner's function with the reference in `course_utils.digit_training`
on fresh copies, and names the classic mistake when it matches one: a softmax in front of
`CrossEntropyLoss`, a forgotten `zero_grad()`, evaluating in train mode with gradients on,
`argmax` over the wrong dimension. None can be passed by handing in the reference itself.
"""

from __future__ import annotations

import copy
import functools
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn

from .. import digit_training as reference
from ..digits import CLASSES, SEED, DigitsSplit, load_digits_split
from .core import (
    Wrong,
    call_learner,
    checker,
    describe,
    number_answer,
    plain_number,
    reject_helper,
)

__all__ = ["check_predicted_initial_loss", "check_accuracy", "check_evaluate"]


class UsedTheReference(Exception):
    """Raised when the learner's function calls the course's reference it should replace."""


@contextmanager
def refusing_reference(name: str) -> Iterator[None]:
    """While the learner's code runs, calling the reference `name` fails with a clear Wrong."""
    original = getattr(reference, name)
    used = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        used.append(True)
        raise UsedTheReference(name)

    setattr(reference, name, refuse)
    try:
        yield
    except (Wrong, UsedTheReference):
        if used:
            raise Wrong(f"your {name} calls the course's own digit_training.{name}. Write the "
                        "computation yourself: that is the exercise.") from None
        raise
    finally:
        setattr(reference, name, original)


def not_the_reference(function: Any, name: str) -> None:
    if function is getattr(reference, name, None):
        raise Wrong(f"that is the course's own digit_training.{name}. Write {name} yourself: "
                    "the check wants your code.")


def call_checked(function: Any, *args: Any, name: str) -> Any:
    not_the_reference(function, name)
    # core's reject_helper reads the code: it also finds the reference imported under
    # another name, which the runtime guard below (patching the module) cannot see
    reject_helper(function, name, {getattr(reference, name): f"digit_training.{name}"},
                  "write the computation yourself: that is the exercise.")
    with refusing_reference(name):
        return call_learner(function, *args, name=name)


# ---- predict: the loss before training ----------------------------------------------------

@checker
def check_predicted_initial_loss(predicted_initial_loss: Callable[[], float]) -> str:
    """The untrained network's 10 scores are small and nearly equal: p = 1/10, loss = ln(10)."""
    answer = number_answer(call_learner(predicted_initial_loss, name="predicted_initial_loss"),
                           "predicted_initial_loss", "return one number, e.g. `return 1.23`")
    right = math.log(CLASSES)
    if abs(answer - right) <= 0.1:
        return (f"predicted_initial_loss is right: {answer:.3g}. Ten nearly equal scores give "
                f"every class a probability of about 1/10, and -ln(1/10) = ln(10) = {right:.3f}.")
    mistakes = [
        (1 / CLASSES, "that is the probability the network gives the right class; the loss is "
                      "minus its (natural) logarithm."),
        (1.0, "that is log10(10): torch's log is the natural one, ln."),
        (math.log2(CLASSES), "that is log2(10): torch's log is the natural one, ln."),
        (-right, "cross-entropy is MINUS the log of a probability below 1: it is positive."),
        (0.0, "a loss of 0 means the network is sure and right; an untrained one is neither."),
        (float(CLASSES), "that is the number of classes, not a loss. What probability does the "
                         "right class get when all 10 scores are about equal?"),
    ]
    for value, reason in mistakes:
        if math.isclose(answer, value, rel_tol=1e-3, abs_tol=1e-3):
            raise Wrong(f"predicted_initial_loss returned {answer:.4g}: {reason}")
    raise Wrong(f"predicted_initial_loss returned {answer:.4g}. With 10 nearly equal scores, what "
                "probability does softmax give the right class, and what is -ln of it?")


# ---- derive: accuracy ---------------------------------------------------------------------

def _accuracy_cases() -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Logits and labels; the 10-row case lets argmax over dim 0 run, and give a wrong number."""
    generator = torch.Generator().manual_seed(SEED)
    cases = []
    for rows in (10, 7, 50):
        logits = torch.randn(rows, CLASSES, generator=generator) * 3
        labels = logits.argmax(dim=1)
        wrong = torch.arange(rows) % 3 == 0  # change a third of the labels: accuracy about 2/3
        labels[wrong] = (labels[wrong] + 1) % CLASSES
        cases.append((logits, labels))
    return cases


@checker
def check_accuracy(accuracy: Callable[[torch.Tensor, torch.Tensor], float]) -> str:
    """`accuracy(logits, labels)`: the fraction of rows whose largest score is at the label."""
    for logits, labels in _accuracy_cases():
        rows = len(labels)
        expected = reference.accuracy(logits, labels)
        try:
            answer = call_checked(accuracy, logits.clone(), labels.clone(), name="accuracy")
        except Wrong as error:
            if "must match the size" in str(error):
                raise Wrong(f"accuracy raised a size error on {rows} rows of 10 scores: "
                            "argmax(dim=0) gives one index per CLASS (10 of them); you want one "
                            "per example (row): argmax(dim=1).") from None
            raise
        if isinstance(answer, torch.Tensor):
            raise Wrong(f"accuracy returned {describe(answer)}; return a Python number: "
                        "`.item()` turns a one-number tensor into one.")
        answer = number_answer(answer, "accuracy", "return a number between 0 and 1")
        if math.isclose(answer, expected, rel_tol=1e-6):
            continue
        by_columns = (logits.argmax(dim=0) == labels[:CLASSES]).float().mean().item()
        if rows == CLASSES and math.isclose(answer, by_columns, rel_tol=1e-6):
            raise Wrong("accuracy took the argmax over dim 0, down each column (one index per "
                        "class); the guess for an example is the largest score in its ROW: "
                        "argmax(dim=1).")
        if math.isclose(answer, expected * rows, rel_tol=1e-6):
            raise Wrong(f"accuracy returned {answer:g}, the NUMBER of right guesses out of {rows}; "
                        "return the fraction (divide by the number of examples, or use .mean()).")
        if math.isclose(answer, expected * 100, rel_tol=1e-6):
            raise Wrong(f"accuracy returned {answer:g}, a percentage; return a fraction between "
                        "0 and 1.")
        raise Wrong(f"On {rows} examples accuracy returned {answer:.4g}; the right fraction is "
                    f"{expected:.4g}. The guess is the index of the largest score in each row.")
    return ("accuracy is right: the guess is argmax over each row's 10 scores, and the accuracy "
            "the fraction of guesses equal to the label.")


# ---- derive: evaluate ---------------------------------------------------------------------

def record_modes(model: nn.Module) -> list[tuple[bool, bool]]:
    """A list that fills with (model.training, grad enabled) at every forward of `model`."""
    seen: list[tuple[bool, bool]] = []
    model.register_forward_pre_hook(
        lambda module, inputs: seen.append((module.training, torch.is_grad_enabled())))
    return seen


@functools.lru_cache(maxsize=1)
def digits() -> DigitsSplit:
    """The digits split with the course's seed, loaded once per kernel."""
    return load_digits_split(seed=SEED)


@checker
def check_evaluate(evaluate: Callable[[nn.Module, torch.Tensor, torch.Tensor], Any]) -> str:
    """`evaluate(model, x, labels)` -> (mean cross-entropy, accuracy), in eval mode, no graph."""
    split = digits()
    x, labels = split.x_val[:100], split.y_val[:100]
    model = reference.digits_network(seed=SEED + 1)
    expected_loss, expected_accuracy = reference.evaluate(copy.deepcopy(model), x, labels)
    model.train()  # as a training epoch leaves it
    seen = record_modes(model)
    answer = call_checked(evaluate, model, x.clone(), labels.clone(), name="evaluate")
    if not isinstance(answer, tuple | list) or len(answer) != 2:
        raise Wrong(f"evaluate returned {describe(answer)}; return two numbers: "
                    "`return loss, accuracy`.")
    loss, acc = answer
    if isinstance(loss, torch.Tensor) or isinstance(acc, torch.Tensor):
        raise Wrong("evaluate returned tensors; return plain numbers with `.item()`.")
    numbers = []
    for part, value in (("loss", loss), ("accuracy", acc)):
        number = plain_number(value)  # np.float32 too
        if number is None or not math.isfinite(number):
            shown_as = describe(value) if number is None else number
            raise Wrong(f"evaluate's {part} is {shown_as}; return two finite numbers: "
                        "`return loss, accuracy`.")
        numbers.append(number)
    loss, acc = numbers
    if math.isclose(loss, expected_accuracy) and math.isclose(acc, expected_loss):
        raise Wrong("evaluate returned (accuracy, loss); the order is (loss, accuracy).")
    if not seen:
        raise Wrong("evaluate never called the model. Call it on x: `logits = model(x)`.")
    training, grad = any(mode for mode, _ in seen), any(g for _, g in seen)
    if training or grad:
        what = " and ".join(part for part, bad in (("in train mode", training),
                                                   ("with gradients on", grad)) if bad)
        fix = " and ".join(part for part, bad in (("call model.eval() first", training),
                                                  ("run the model inside `with torch.no_grad():`",
                                                   grad)) if bad)
        raise Wrong(f"evaluate ran the model {what}: {fix}. Train mode changes what Dropout and "
                    "BatchNorm layers do; gradients on makes every evaluation record a graph.")
    _compare_loss(loss, model, x, labels, expected_loss)
    if not math.isclose(acc, expected_accuracy, rel_tol=1e-6):
        raise Wrong(f"evaluate's accuracy is {acc:.4g}; expected {expected_accuracy:.4g}: the "
                    "fraction of rows whose largest score is at the label (argmax(dim=1)).")
    return (f"evaluate is right: loss {loss:.4f} and accuracy {acc:.2f} on 100 validation digits, "
            "computed in eval mode without a graph.")


def _compare_loss(loss: float, model: nn.Module, x: torch.Tensor, labels: torch.Tensor,
                  expected: float) -> None:
    if math.isclose(loss, expected, rel_tol=1e-5):
        return
    with torch.no_grad():
        logits = model(x)
        softmax_first = nn.functional.cross_entropy(logits.softmax(dim=1), labels).item()
    if math.isclose(loss, softmax_first, rel_tol=1e-5):
        raise Wrong("evaluate applied softmax before the cross-entropy. nn.CrossEntropyLoss "
                    "applies log-softmax itself: hand it the logits, the model's raw scores.")
    if math.isclose(loss, expected * len(labels), rel_tol=1e-5):
        raise Wrong("evaluate's loss is the SUM over the examples; return the mean (the default "
                    "of nn.CrossEntropyLoss).")
    raise Wrong(f"evaluate's loss is {loss:.4f}; the mean cross-entropy of the logits is "
                f"{expected:.4f}. Use nn.CrossEntropyLoss()(logits, labels).")
