"""Answers that fooled or broke the checks (issue "Checks that cannot be fooled"), one each.

Each test plants one hostile or unusual answer: a function that changes its inputs in
place, an activation that only differs from ReLU above 6 or by a tiny slope below 0, a
one-liner that calls the course's own helper, a number whose `==` lies, a numpy scalar
where a number is expected, an MLP in float64, an exit() inside the learner's code.
"""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import course_utils
from course_utils import count_parameters, linear_parameter_count, problem, training
from course_utils.checks import (
    NOT_DONE,
    PASSED,
    WRONG,
    check_accuracy,
    check_autograd_gradients,
    check_count_inputs,
    check_evaluate,
    check_first_layer_grad_shapes,
    check_first_order_loss_change,
    check_hessian_2x2,
    check_hidden_layer,
    check_linear_from_numpy,
    check_linear_parameter_shapes,
    check_mean_learning_rate,
    check_mlp,
    check_my_linear,
    check_my_sequential,
    check_output_layer_grads,
    check_parameters_by_formula,
    check_power_iteration,
    check_predicted_gradient_ratio,
    check_predicted_initial_loss,
    check_predicted_is_leaf,
    check_predicted_list_parameters,
    check_predicted_loss_shape,
    check_predicted_output_shapes,
    check_predicted_zones,
    check_relu_backward,
    check_sgd_update,
    check_stack_of_layers,
    check_standardize,
    check_train_one_epoch,
    check_train_step,
    check_training_step,
    check_uniform_std,
    check_weights_as_tensors,
)
from course_utils.checks.digits_epoch import planted_epoch
from course_utils.checks.training_loop import correct_step


def verdict(check, answer):
    result = check(answer)
    return result.status, result.message


class Liar:
    """Neither equal nor unequal to anything."""

    def __eq__(self, other):
        return False

    def __ne__(self, other):
        return False


# ---------------------------------------------------------------- 00: count_inputs

@pytest.mark.parametrize("answer, status, words", [
    (lambda n, d: Liar(), WRONG, "returned a Liar; expected the whole number"),
    (lambda n, d: np.int64(n * d), PASSED, "count_inputs is right"),
    (lambda n, d: sys.exit(1), WRONG, "called exit()"),
])
def test_count_inputs(answer, status, words, capsys):
    status_, message = verdict(check_count_inputs, answer)
    assert status_ == status and words in message, message


# ---------------------------------------------------------------- 01: numpy network

def zeroes_its_inputs(h_relu, grad_y_pred):
    h_relu[...] = 0
    grad_y_pred[...] = 0
    return h_relu.T @ grad_y_pred, grad_y_pred.sum(axis=0)


@pytest.mark.parametrize("relu_backward, words", [
    (lambda g, h: g * ((h > 0) & (h < 6)), "ReLU has no upper limit (relu6"),
    (lambda g, h: np.where(h > 0, g, 1e-6 * g), "must be exactly 0"),
])
def test_relu_backward_is_not_relu6_or_leaky(relu_backward, words, capsys):
    status, message = verdict(check_relu_backward, relu_backward)
    assert status == WRONG and words in message, message


def test_output_layer_grads_that_zero_their_inputs_are_caught(capsys):
    status, message = verdict(check_output_layer_grads, zeroes_its_inputs)
    assert status == WRONG and "changed its input h_relu and grad_y_pred in place" in message


# ---------------------------------------------------------------- 02: tensors

def hidden_layer_zeroing(x, w1, b1):
    x.zero_()
    w1.zero_()
    return (x @ w1 + b1).clamp(min=0) * 0


@pytest.mark.parametrize("hidden_layer, words", [
    (lambda x, w1, b1: F.relu6(x @ w1 + b1), "caps h at 6"),
    (lambda x, w1, b1: F.leaky_relu(x @ w1 + b1, 1e-6), "leaky ReLU"),
    (hidden_layer_zeroing, "changed its input x, w1 in place"),
])
def test_hidden_layer_hostile(hidden_layer, words, capsys):
    status, message = verdict(check_hidden_layer, hidden_layer)
    assert status == WRONG and words in message, message


@pytest.mark.parametrize("weights_as_tensors", [
    lambda arrays, device, dtype: problem.as_tensors(arrays, dtype, device),
    lambda arrays, device, dtype: course_utils.as_tensors(arrays, dtype, device),
])
def test_weights_as_tensors_by_the_course_helper_is_refused(weights_as_tensors, capsys):
    status, message = verdict(check_weights_as_tensors, weights_as_tensors)
    assert status == WRONG and "the course's own as_tensors" in message
    assert "torch.tensor(array, dtype=dtype, device=device)" in message


# ---------------------------------------------------------------- 03: autograd

def gradients_with(activation, zero_inputs=False):
    def autograd_gradients(x, y, w):
        if zero_inputs:
            x.zero_()
        y_pred = activation(x @ w["w1"] + w["b1"]) @ w["w2"] + w["b2"]
        (y_pred - y).pow(2).sum().backward()
        return {name: tensor.grad for name, tensor in w.items()}
    return autograd_gradients


@pytest.mark.parametrize("answer, status, words", [
    (gradients_with(F.relu6), WRONG, "relu6 stops at 6"),
    (gradients_with(F.relu, zero_inputs=True), WRONG, "changed x in place"),
    (gradients_with(F.relu), PASSED, "autograd_gradients is right"),
])
def test_autograd_gradients_hostile(answer, status, words, capsys):
    status_, message = verdict(check_autograd_gradients, answer)
    assert status_ == status and words in message, message


# ---------------------------------------------------------------- 04: nn.Linear

@pytest.mark.parametrize("answer, status, words", [
    (lambda i, o: ((np.int64(o), np.int64(i)), (np.int64(o),)), PASSED, "matches nn.Linear"),
    (lambda i, o: (torch.ones(3, 3), (o,)), WRONG, "tensor([[1., 1., 1.], [1., 1., 1.]"),
])
def test_linear_parameter_shapes_numpy_ints_and_one_line(answer, status, words, capsys):
    status_, message = verdict(check_linear_parameter_shapes, answer)
    assert status_ == status and words in message, message
    assert capsys.readouterr().out.count("\n") == 1


# ---------------------------------------------------------------- 05: nn.Sequential

class SubclassOfSequential(nn.Sequential):
    pass


class DelegatesToSequential(nn.Module):
    def __init__(self, *modules):
        super().__init__()
        for index, module in enumerate(modules):
            self.add_module(str(index), module)

    def forward(self, x):
        return nn.Sequential(*self.children())(x)


@pytest.mark.parametrize("answer, words", [
    (SubclassOfSequential, "built on nn.Sequential"),
    (nn.Sequential, "built on nn.Sequential"),
    (DelegatesToSequential, "hands the work to an nn.Sequential"),
])
def test_my_sequential_that_is_nn_sequential_is_refused(answer, words, capsys):
    status, message = verdict(check_my_sequential, answer)
    assert status == WRONG and words in message, message


def by_building(sizes):
    return sum(p.numel() for a, b in zip(sizes, sizes[1:], strict=False)
               for p in nn.Linear(a, b).parameters())


@pytest.mark.parametrize("answer, status, words", [
    (lambda sizes: count_parameters(nn.Sequential(*[nn.Linear(a, b) for a, b in
                                                    zip(sizes, sizes[1:], strict=False)])),
     WRONG, "the course's own count_parameters"),
    (linear_parameter_count, WRONG, "the course's own linear_parameter_count"),
    (lambda sizes: course_utils.linear_parameter_count(sizes), WRONG, "linear_parameter_count"),
    (by_building, WRONG, "builds nn.Linear layers"),
    (lambda sizes: Liar(), WRONG, "return one whole number"),
    (lambda sizes: np.int64(sum(a * b + b for a, b in zip(sizes, sizes[1:], strict=False))),
     PASSED, "parameters_by_formula is right"),
])
def test_parameters_by_formula_hostile(answer, status, words, capsys):
    status_, message = verdict(check_parameters_by_formula, answer)
    assert status_ == status and words in message, message


# ---------------------------------------------------------------- 06: the training loop

def step_returning(convert, zero_data=False, stop=False):
    def training_step(model, x, y, loss_fn, lr, pieces):
        if stop:
            raise SystemExit()
        if zero_data:
            x.zero_()
            y.zero_()
        model.zero_grad()
        total = 0.0
        for x_piece, y_piece in zip(x.chunk(pieces), y.chunk(pieces), strict=True):
            loss = loss_fn(model(x_piece), y_piece)
            loss.backward()
            total += loss.item()
        with torch.no_grad():
            for param in model.parameters():
                param -= lr * param.grad
        return convert(total)
    return training_step


@pytest.mark.parametrize("answer, status, words", [
    (correct_step, WRONG, "the course's own correct_step"),
    (lambda model, x, y, loss_fn, lr, pieces:
     training.gradient_step(model, x, y, lr, loss_fn.reduction),
     WRONG, "the course's own training.gradient_step"),
    (step_returning(float, zero_data=True), WRONG, "changed x and y in place"),
    (step_returning(float, stop=True), WRONG, "called exit()"),
    (step_returning(np.float32), PASSED, "from 714.39 to 664.59"),
    (step_returning(np.float64), PASSED, "from 714.39 to 664.59"),
])
def test_training_step_hostile(answer, status, words, capsys):
    status_, message = verdict(check_training_step, answer)
    assert status_ == status and words in message, message


@pytest.mark.parametrize("convert", [np.float32, np.float64, float])
def test_mean_learning_rate_accepts_numpy_numbers(convert, capsys):
    status, message = verdict(check_mean_learning_rate, lambda lr, n, d: convert(lr * n * d))
    assert status == PASSED, message


# ---------------------------------------------------------------- 08: your own nn.Module

class MLPWith(nn.Module):
    activation = staticmethod(torch.relu)

    def __init__(self, sizes):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in
                                     zip(sizes, sizes[1:], strict=False)])

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = self.activation(layer(x))
        return self.layers[-1](x)


class Relu6MLP(MLPWith):
    activation = staticmethod(F.relu6)


class LeakyMLP(MLPWith):
    activation = staticmethod(lambda x: F.leaky_relu(x, 1e-6))


class Float64MLP(MLPWith):
    def __init__(self, sizes):
        super().__init__(sizes)
        self.double()

    def forward(self, x):
        return super().forward(x.double())


class ExitingMLP(MLPWith):
    def __init__(self, sizes):
        sys.exit("no")


class UnfinishedMLP(MLPWith):
    def forward(self, x):
        raise NotImplementedError()


@pytest.mark.parametrize("answer, status, words", [
    (Relu6MLP, WRONG, "relu6"),
    (LeakyMLP, WRONG, "nearly, not exactly"),
    (Float64MLP, PASSED, "MLP is right"),
    (ExitingMLP, WRONG, "called exit()"),
    (UnfinishedMLP, NOT_DONE, "MLP.forward is not written yet"),
])
def test_mlp_hostile(answer, status, words, capsys):
    status_, message = verdict(check_mlp, answer)
    assert status_ == status and words in message, message


# ------------------------------------------- every plain answer, in every type it may come in
#
# A right answer is right whatever type carries it: np.float32 where a number is expected,
# np.int64 entries in a shape, a list or torch.Size for a tuple, np.True_ for True. Every
# check whose answer is a number, a shape, a bool or a string is listed below with a right
# answer built from a converter; ANSWER_IS_AN_OBJECT lists the others (arrays, tensors,
# dicts of tensors, modules, classes). A new check must join one of the two lists.

def right_power_iteration(matrix_times, vector):
    for _ in range(200):
        vector = vector / vector.norm()
        product = matrix_times(vector)
        estimate = vector @ product
        vector = product
    return float(estimate)


def right_evaluate(convert):
    def evaluate(model, x, labels):
        model.eval()
        with torch.no_grad():
            logits = model(x)
        loss = F.cross_entropy(logits, labels).item()
        return convert(loss), convert((logits.argmax(dim=1) == labels).float().mean().item())
    return evaluate


def right_epoch(convert):
    def train_one_epoch(model, loader, loss_fn, optimizer):
        return convert(planted_epoch(model, loader, loss_fn, optimizer))
    return train_one_epoch


def summed_squares(w):
    return sum(float((tensor.grad ** 2).sum()) for tensor in w.values())


# check -> a function of `convert` that returns a right answer whose number(s) went through it
NUMBER_ANSWERS = {
    check_count_inputs: lambda c: lambda n, d: c(n * d),
    check_uniform_std: lambda c: lambda bound: c(bound / math.sqrt(3)),
    check_first_order_loss_change: lambda c: lambda w, lr: c(-lr * summed_squares(w)),
    check_parameters_by_formula: lambda c: lambda sizes: c(sum(
        a * b + b for a, b in zip(sizes, sizes[1:], strict=False))),
    check_mean_learning_rate: lambda c: lambda lr, n, d: c(lr * n * d),
    check_training_step: lambda c: step_returning(c),
    check_power_iteration: lambda c: lambda times, v: c(right_power_iteration(times, v)),
    check_predicted_gradient_ratio: lambda c: lambda: c(1),
    check_predicted_list_parameters: lambda c: lambda: c(0),
    check_predicted_initial_loss: lambda c: lambda: c(math.log(10)),
    check_accuracy: lambda c: lambda logits, labels: c(
        (logits.argmax(dim=1) == labels).float().mean().item()),
    check_evaluate: right_evaluate,
    check_train_one_epoch: right_epoch,
    check_hessian_2x2: lambda c: lambda a, b: [[c(b * b), c(2 * a * b - 1)],
                                               [c(2 * a * b - 1), c(a * a)]],
}
WHOLE_NUMBERS = {check_count_inputs, check_parameters_by_formula, check_predicted_list_parameters}
# These exercises teach `.item()`: a tensor (which may hold the graph) is refused, saying so.
TEACH_ITEM = {check_training_step, check_accuracy, check_evaluate, check_train_one_epoch}

NUMBER_TYPES = {"np.float32": np.float32, "np.float64": np.float64,
                "0-dim tensor": lambda v: torch.tensor(v, dtype=torch.float64),
                "float32 tensor": lambda v: torch.tensor(v, dtype=torch.float32)}
WHOLE_NUMBER_TYPES = {"np.int64": np.int64, "np.int32": np.int32,
                      "0-dim tensor": lambda v: torch.tensor(int(v))}

# check -> a function of `shape` (a converter) that returns a right answer built with it
SHAPE_ANSWERS = {
    check_first_layer_grad_shapes: lambda s: lambda n, d_in, h: (s((d_in, h)), s((h,))),
    check_linear_parameter_shapes: lambda s: lambda n_in, n_out: (s((n_out, n_in)), s((n_out,))),
    check_predicted_output_shapes: lambda s: lambda: [s((8, 64, 100)), s((8, 64, 100)),
                                                      s((8, 64, 10))],
    check_predicted_loss_shape: lambda s: lambda: s(()),
}
SHAPE_TYPES = {"np.int64 entries": lambda shape: tuple(np.int64(n) for n in shape),
               "a list": list, "torch.Size": torch.Size,
               "a list of np.int32": lambda shape: [np.int32(n) for n in shape]}

BOOL_ANSWERS = {
    check_predicted_is_leaf: lambda b: lambda: {"w1": b(True), "x": b(True), "h": b(False),
                                               "loss": b(False)},
}
BOOL_TYPES = {"np.bool_": np.bool_, "a bool tensor": torch.tensor}

ZONES = ("monotone", "catapult", "edge of stability", "divergence")
STRING_ANSWERS = {check_predicted_zones: lambda s: lambda: tuple(s(zone) for zone in ZONES)}
STRING_TYPES = {"np.str_": np.str_, "a str subclass": type("Name", (str,), {})}

ANSWER_IS_AN_OBJECT = {
    check_output_layer_grads, check_relu_backward, check_train_step, check_hidden_layer,
    check_weights_as_tensors, check_autograd_gradients, check_sgd_update, check_my_linear,
    check_linear_from_numpy, check_my_sequential, check_mlp, check_stack_of_layers,
    check_standardize,
}


def one_clear_line(capsys, message):
    """The verdict is one line, and a refusal never calls a number 'not a number'."""
    printed = capsys.readouterr().out
    assert printed.count("\n") == 1, printed
    if "returned the number" in message:
        assert not any(words in message for words in (
            "should return a number", "expected a number", "return one number", "two numbers",
        )), message


def test_every_check_is_listed_here():
    listed = (set(NUMBER_ANSWERS) | set(SHAPE_ANSWERS) | set(BOOL_ANSWERS)
              | set(STRING_ANSWERS) | ANSWER_IS_AN_OBJECT)
    every = {getattr(course_utils.checks, name) for name in course_utils.checks.__all__
             if name.startswith("check_")}
    assert every == listed, [check.__name__ for check in every ^ listed]


def number_cases():
    for check in NUMBER_ANSWERS:
        types = WHOLE_NUMBER_TYPES if check in WHOLE_NUMBERS else NUMBER_TYPES
        for name, convert in types.items():
            refused = "tensor" in name and check in TEACH_ITEM
            yield pytest.param(check, convert, WRONG if refused else PASSED,
                               id=f"{check.__name__}-{name}")


@pytest.mark.parametrize("check, convert, status", list(number_cases()))
def test_a_right_number_in_any_numeric_type(check, convert, status, capsys):
    status_, message = verdict(check, NUMBER_ANSWERS[check](convert))
    assert status_ == status, message
    if status == WRONG:
        assert ".item()" in message, message
    one_clear_line(capsys, message)


@pytest.mark.parametrize("check", list(NUMBER_ANSWERS), ids=lambda check: check.__name__)
@pytest.mark.parametrize("bad, words", [(lambda v: "0.5", "str"), (lambda v: math.nan, "nan"),
                                        (lambda v: True, "bool")])
def test_a_wrong_number_is_refused_in_one_clear_line(check, bad, words, capsys):
    status, message = verdict(check, NUMBER_ANSWERS[check](bad))
    assert status == WRONG, message
    assert words in message.lower() or repr(bad(1.0)) in message, message  # a list: as it is
    one_clear_line(capsys, message)


@pytest.mark.parametrize("check", list(SHAPE_ANSWERS), ids=lambda check: check.__name__)
@pytest.mark.parametrize("shape", list(SHAPE_TYPES.values()), ids=list(SHAPE_TYPES))
def test_a_right_shape_in_any_form(check, shape, capsys):
    status, message = verdict(check, SHAPE_ANSWERS[check](shape))
    assert status == PASSED, message
    one_clear_line(capsys, message)


@pytest.mark.parametrize("check", list(SHAPE_ANSWERS), ids=lambda check: check.__name__)
@pytest.mark.parametrize("shape", [
    lambda shape: tuple(float(n) for n in shape) or (1.5,),
    lambda shape: tuple(Liar() for _ in shape) or (Liar(),),
    lambda shape: ", ".join(map(str, shape)) or "()",
], ids=["floats", "Liars", "a str"])
def test_a_shape_that_is_not_one_is_refused_in_one_clear_line(check, shape, capsys):
    status, message = verdict(check, SHAPE_ANSWERS[check](shape))
    assert status == WRONG and ("tuple of ints" in message or "a str" in message), message
    one_clear_line(capsys, message)


@pytest.mark.parametrize("check", list(BOOL_ANSWERS), ids=lambda check: check.__name__)
@pytest.mark.parametrize("to_bool", list(BOOL_TYPES.values()), ids=list(BOOL_TYPES))
def test_a_right_bool_in_any_form(check, to_bool, capsys):
    status, message = verdict(check, BOOL_ANSWERS[check](to_bool))
    assert status == PASSED, message
    one_clear_line(capsys, message)


@pytest.mark.parametrize("check", list(BOOL_ANSWERS), ids=lambda check: check.__name__)
@pytest.mark.parametrize("to_bool", [int, str, lambda b: Liar()], ids=["0 or 1", "str", "Liar"])
def test_a_bool_that_is_not_one_is_refused(check, to_bool, capsys):
    status, message = verdict(check, BOOL_ANSWERS[check](to_bool))
    assert status == WRONG and "True or False" in message, message
    one_clear_line(capsys, message)


@pytest.mark.parametrize("check", list(STRING_ANSWERS), ids=lambda check: check.__name__)
@pytest.mark.parametrize("to_str", list(STRING_TYPES.values()), ids=list(STRING_TYPES))
def test_a_right_string_in_any_form(check, to_str, capsys):
    status, message = verdict(check, STRING_ANSWERS[check](to_str))
    assert status == PASSED, message
    one_clear_line(capsys, message)
