"""The new exercises of notebooks 01-04 (issue 17), each diagnosis planted on purpose.

Every exercise of kind *debug* is tested with the function as the notebook gives it (the
planted bug), with the fix, and with each wrong fix its check expects.
"""

import math
import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from torch import nn

from course_utils.checks import (
    NOT_DONE,
    PASSED,
    WRONG,
    check_first_layer_grad_shapes,
    check_first_order_loss_change,
    check_hidden_layer,
    check_linear_from_numpy,
    check_predicted_is_leaf,
    check_predicted_loss_shape,
    check_sgd_update,
    check_train_step,
    check_uniform_std,
    check_weights_as_tensors,
)


def unfinished(*args):
    raise NotImplementedError()


def verdict(check, function, status, words):
    result = check(function)
    assert result.status == status, result.message
    assert words in result.message, result.message


# --- 01: predict the first layer's gradient shapes -------------------------------------------

def shapes(weight, bias):
    """An answer built from the sizes: weight(n, d_in, h) and bias(n, d_in, h) give shapes."""
    return lambda n, d_in, h: (weight(n, d_in, h), bias(n, d_in, h))


@pytest.mark.parametrize("answer, status, words", [
    (shapes(lambda n, d, h: (d, h), lambda n, d, h: (h,)), PASSED,
     "first_layer_grad_shapes is right"),
    (lambda n, d, h: [[d, h], [h]], PASSED, "first_layer_grad_shapes is right"),
    (lambda n, d, h: ((1000, 100), (100,)), WRONG, "returned the running example's shapes"),
    (shapes(lambda n, d, h: (h, d), lambda n, d, h: (h,)), WRONG, "is transposed"),
    (shapes(lambda n, d, h: (n, h), lambda n, d, h: (h,)), WRONG, "keeps the examples"),
    (shapes(lambda n, d, h: (n, d, h), lambda n, d, h: (h,)), WRONG, "keeps the examples"),
    (shapes(lambda n, d, h: (d, h), lambda n, d, h: (n,)), WRONG, "keeps the examples"),
    (shapes(lambda n, d, h: (d, h), lambda n, d, h: (1, h)), WRONG, "is 2-D"),
    (shapes(lambda n, d, h: (d, h), lambda n, d, h: h), WRONG, "needs its comma"),
    (shapes(lambda n, d, h: (d, h), lambda n, d, h: (10,)), WRONG, "What is the shape of b1?"),
    (shapes(lambda n, d, h: (d, n), lambda n, d, h: (h,)), WRONG, "What is the shape of w1?"),
    (lambda n, d, h: (d, h), WRONG, "should return two shapes"),
])
def test_first_layer_grad_shapes(answer, status, words):
    verdict(check_first_layer_grad_shapes, answer, status, words)


def test_first_layer_grad_shapes_not_done():
    verdict(check_first_layer_grad_shapes, unfinished, NOT_DONE, "not written yet")


# --- 01: debug the training step --------------------------------------------------------------

def make_step(order="right", sign=1.0, update_w2=1):
    def train_step(x, y, w, lr):
        h = x @ w["w1"] + w["b1"]
        h_relu = np.maximum(h, 0)
        grad_y_pred = 2.0 * (h_relu @ w["w2"] + w["b2"] - y)
        grad_w2, grad_b2 = h_relu.T @ grad_y_pred, grad_y_pred.sum(axis=0)
        if order == "planted":  # the notebook's given function: w2 moves before grad_h
            w["w2"] -= lr * grad_w2
            w["b2"] -= lr * grad_b2
        grad_h = (grad_y_pred @ w["w2"].T) * (h > 0)
        if order != "planted":
            for _ in range(update_w2):
                w["w2"] -= sign * lr * grad_w2
            w["b2"] -= sign * lr * grad_b2
        w["w1"] -= sign * lr * (x.T @ grad_h)
        w["b1"] -= sign * lr * grad_h.sum(axis=0)
    return train_step


def new_dict_step(x, y, w, lr):  # a fix that rebinds the dict's entries instead: also right
    before = dict(w)
    make_step()(x, y, before := {k: v.copy() for k, v in before.items()}, lr)
    w.update(before)


@pytest.mark.parametrize("train_step, status, words", [
    (make_step(), PASSED, "train_step is right"),
    (new_dict_step, PASSED, "train_step is right"),
    (make_step("planted"), WRONG, "computed with the w2 that was just updated"),
    (make_step(update_w2=0), WRONG, "w['w2'] did not change"),
    (make_step(update_w2=2), WRONG, "moved twice its step"),
    (make_step(sign=-1.0), WRONG, "moved uphill"),
    (unfinished, NOT_DONE, "not written yet"),
])
def test_train_step(train_step, status, words):
    verdict(check_train_step, train_step, status, words)


# --- 02: the suggested mistake of exercise 1 is caught ----------------------------------------

def hidden_layer_numpy(x, w1, b1):
    return np.maximum(x @ w1 + b1, 0)


def test_hidden_layer_through_numpy_and_back_is_caught():
    def detour(x, w1, b1):  # the mistake notebook 02 invites: right dtype, right numbers
        return torch.tensor(hidden_layer_numpy(x.numpy(), w1.numpy(), b1.numpy()))
    verdict(check_hidden_layer, detour, WRONG, "goes through numpy")


def test_hidden_layer_in_torch_passes_the_numpy_watch():
    verdict(check_hidden_layer, lambda x, w1, b1: torch.relu(x @ w1 + b1), PASSED, "is right")


def test_checking_hidden_layer_does_not_import_torch_dynamo():
    """The check watches for numpy instead of running on "meta", whose elementwise operations
    import torch._dynamo (2-3 s of notebook 02's run). A fresh process, so nothing else did."""
    code = ("import sys, torch\n"
            "from course_utils import check_hidden_layer\n"
            "result = check_hidden_layer(lambda x, w1, b1: (x @ w1 + b1).clamp(min=0))\n"
            "print(result.status, 'torch._dynamo' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "COURSE_THREADS": "1"})
    assert done.stdout.split()[-2:] == [PASSED, "False"], done.stdout + done.stderr


# --- 02: debug weights_as_tensors --------------------------------------------------------------

@pytest.mark.parametrize("weights_as_tensors, status, words", [
    (lambda a, device, dtype: {k: torch.from_numpy(v).to(dtype) for k, v in a.items()},
     WRONG, "expected meta"),  # the given function: device forgotten
    (lambda a, device, dtype: {k: torch.from_numpy(v).to(device, dtype) for k, v in a.items()},
     PASSED, "weights_as_tensors is right"),
    (lambda a, device, dtype: {k: torch.from_numpy(v).to(device) for k, v in a.items()},
     WRONG, "is float64; expected float32"),  # wrong fix: dtype dropped instead
    (lambda a, device, dtype: {k: torch.tensor(v, device=device) for k, v in a.items()},
     WRONG, "is float64; expected float32"),
])
def test_weights_as_tensors_debug(weights_as_tensors, status, words):
    verdict(check_weights_as_tensors, weights_as_tensors, status, words)


# --- 02: predict the loss's shape -------------------------------------------------------------

@pytest.mark.parametrize("answer, status, words", [
    ((), PASSED, "shape ()"),
    (torch.Size([]), PASSED, "shape ()"),
    ([], PASSED, "shape ()"),
    ((1,), WRONG, "zero dimensions"),
    ((64, 10), WRONG, "shape of y_pred - y"),
    ((64,), WRONG, "sum over ONE dim"),
    (1, WRONG, "return a shape"),
    (None, WRONG, "forget `return`"),
    ("()", WRONG, "What shape has a tensor with no dimensions"),
])
def test_predicted_loss_shape(answer, status, words):
    verdict(check_predicted_loss_shape, lambda: answer, status, words)


# --- 02: derive the standard deviation of the uniform init -----------------------------------

def sampled_std(bound):
    generator = torch.Generator().manual_seed(0)
    return torch.empty(100_000, dtype=torch.float64).uniform_(-bound, bound,
                                                              generator=generator).std()


@pytest.mark.parametrize("uniform_std, status, words", [
    (lambda a: a / math.sqrt(3), PASSED, "uniform_std is right"),
    (lambda a: np.float64(a) / np.sqrt(3), PASSED, "uniform_std is right"),
    (lambda a: torch.tensor(a / 3 ** 0.5), PASSED, "uniform_std is right"),
    (lambda a: a, WRONG, "that is the bound"),
    (lambda a: a / 2, WRONG, "average of |w|"),
    (lambda a: a * a / 3, WRONG, "that is the variance"),
    (lambda a: a / math.sqrt(12), WRONG, "2 * bound wide"),
    (lambda a: -a / math.sqrt(3), WRONG, "never negative"),
    (sampled_std, WRONG, "did you measure samples"),
    (lambda a: a / 7, WRONG, "average of w^2 over the band"),
    (lambda a: "a/sqrt(3)", WRONG, "returned a str; return one number"),
    (unfinished, NOT_DONE, "not written yet"),
])
def test_uniform_std(uniform_std, status, words):
    verdict(check_uniform_std, uniform_std, status, words)


# --- 03: debug sgd_update, and the two diagnoses issue 17 asked for ---------------------------

def given_update(w, lr):  # the notebook's given function: a new tensor replaces the weight
    with torch.no_grad():
        for name, tensor in w.items():
            w[name] = tensor - lr * tensor.grad
            tensor.grad = None


def right_update(w, lr):
    with torch.no_grad():
        for tensor in w.values():
            tensor -= lr * tensor.grad
            tensor.grad = None


def through_data(w, lr):
    for tensor in w.values():
        tensor.data -= lr * tensor.grad
        tensor.grad = None


def through_data_under_no_grad(w, lr):
    with torch.no_grad():
        through_data(w, lr)


def zeroed_first(w, lr):
    with torch.no_grad():
        for tensor in w.values():
            tensor.grad.zero_()
            tensor -= lr * tensor.grad


def none_first_guarded(w, lr):
    with torch.no_grad():
        for tensor in w.values():
            tensor.grad = None
            if tensor.grad is not None:
                tensor -= lr * tensor.grad


def rebinds_local(w, lr):
    with torch.no_grad():
        for tensor in w.values():
            tensor = tensor - lr * tensor.grad


def no_no_grad(w, lr):
    for tensor in w.values():
        tensor -= lr * tensor.grad


@pytest.mark.parametrize("sgd_update, status, words", [
    (right_update, PASSED, "sgd_update is right"),
    (given_update, WRONG, "does not require grad"),
    (through_data, WRONG, "updated through `.data`"),
    (through_data_under_no_grad, WRONG, "updated through `.data`"),
    (zeroed_first, WRONG, "cleared BEFORE the update"),
    (none_first_guarded, WRONG, "cleared BEFORE the update"),
    (rebinds_local, WRONG, "only makes a new tensor"),
    (no_no_grad, WRONG, "torch's in-place error"),
])
def test_sgd_update_debug(sgd_update, status, words):
    verdict(check_sgd_update, sgd_update, status, words)


def test_zeroed_first_is_not_called_a_new_tensor():
    result = check_sgd_update(zeroed_first)
    assert "only makes a new tensor" not in result.message


# --- 03: predict which tensors are leaves -----------------------------------------------------

RIGHT_LEAVES = {"w1": True, "x": True, "h": False, "loss": False}


@pytest.mark.parametrize("answer, status, words", [
    (RIGHT_LEAVES, PASSED, "predicted_is_leaf is right"),
    ({**RIGHT_LEAVES, "x": False}, WRONG, "x: you created x yourself"),
    ({**RIGHT_LEAVES, "h": True}, WRONG, "h: h was computed from w1"),
    ({**RIGHT_LEAVES, "w1": False, "loss": True}, WRONG, "w1: you created w1 yourself"),
    ({"w1": True, "x": True}, WRONG, "give True or False for h, loss"),
    ({**RIGHT_LEAVES, "h": "no"}, WRONG, "give True or False for h"),
    ([True, True, False, False], WRONG, "should return a dict"),
])
def test_predicted_is_leaf(answer, status, words):
    verdict(check_predicted_is_leaf, lambda: answer, status, words)


# --- 03: derive the first-order change of the loss --------------------------------------------

def squares(w):
    return sum((t.grad ** 2).sum() for t in w.values())


@pytest.mark.parametrize("first_order_loss_change, status, words", [
    (lambda w, lr: -lr * float(squares(w)), PASSED, "first_order_loss_change is right"),
    (lambda w, lr: -lr * squares(w), PASSED, "the real step changes the loss by"),
    (lambda w, lr: lr * float(squares(w)), WRONG, "the sign is wrong"),
    (lambda w, lr: -float(squares(w)), WRONG, "the learning rate is missing"),
    (lambda w, lr: -lr * float((w["w1"].grad ** 2).sum()), WRONG, "only w1 is counted"),
    (lambda w, lr: -lr * float(sum(t.grad.abs().sum() for t in w.values())), WRONG,
     "not |g|"),
    (lambda w, lr: -lr * float(sum(t.grad.sum() for t in w.values())) ** 2, WRONG,
     "square each number's gradient"),
    (lambda w, lr: -1.0, WRONG, "every number moves by d = -lr * grad"),
    (lambda w, lr: None, WRONG, "forget `return`"),
    (unfinished, NOT_DONE, "not written yet"),
])
def test_first_order_loss_change(first_order_loss_change, status, words):
    verdict(check_first_order_loss_change, first_order_loss_change, status, words)


# --- 04: debug linear_from_numpy --------------------------------------------------------------

def make_linear_from_numpy(arrange="transpose", sizes="right", freeze=False, bias=True):
    def linear_from_numpy(w, b):
        n_in, n_out = w.shape if sizes == "right" else w.shape[::-1]
        layer = nn.Linear(n_in, n_out)
        weight = {"transpose": w.T, "reshape": w.reshape(n_out, n_in), "none": w}[arrange]
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(np.ascontiguousarray(weight)))
            if bias:
                layer.bias.copy_(torch.from_numpy(b))
        return layer.requires_grad_(not freeze)
    return linear_from_numpy


@pytest.mark.parametrize("linear_from_numpy, status, words", [
    (make_linear_from_numpy(), PASSED, "linear_from_numpy is right"),
    (make_linear_from_numpy("reshape"), WRONG, "reshaped, not transposed"),  # the given bug
    (make_linear_from_numpy("none"), WRONG, "copy w.T"),
    (make_linear_from_numpy("none", sizes="swapped"), WRONG, "build nn.Linear(w.shape[0]"),
    (make_linear_from_numpy(freeze=True), WRONG, "no longer require grad"),
    (make_linear_from_numpy(bias=False), WRONG, "copy the bias too"),
    (lambda w, b: torch.from_numpy(w.T), WRONG, "should return an nn.Linear"),
    (lambda w, b: nn.Linear(w.shape[1], w.shape[0]), WRONG, "expected nn.Linear(20, 30)"),
    (unfinished, NOT_DONE, "not written yet"),
])
def test_linear_from_numpy(linear_from_numpy, status, words):
    verdict(check_linear_from_numpy, linear_from_numpy, status, words)
