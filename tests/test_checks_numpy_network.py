"""Every diagnosis of notebook 01's checks, each planted on purpose."""

import numpy as np
import pytest
import torch

from course_utils.checks import (
    NOT_DONE,
    PASSED,
    WRONG,
    check_output_layer_grads,
    check_relu_backward,
)


def unfinished(*args):
    raise NotImplementedError()


def masked_in_place(grad_h_relu, h):
    grad_h_relu[h < 0] = 0  # right numbers, but the caller's array is changed
    return grad_h_relu


@pytest.mark.parametrize("relu_backward, status, words", [
    (lambda g, h: g * (h > 0), PASSED, "relu_backward is right"),
    (lambda g, h: np.where(h > 0, g, 0.0), PASSED, "relu_backward is right"),
    (unfinished, NOT_DONE, "not written yet"),
    (lambda g, h: g, WRONG, "the ReLU mask is missing"),
    (lambda g, h: -g * (h > 0), WRONG, "wrong sign"),
    (lambda g, h: g * (h <= 0), WRONG, "mask is reversed"),
    (lambda g, h: np.maximum(h, 0), WRONG, "computed from h alone"),
    (lambda g, h: (h > 0).astype(float), WRONG, "computed from h alone"),
    (lambda g, h: (g * (h > 0)).T, WRONG, "looks transposed"),
    (lambda g, h: torch.from_numpy(g * (h > 0)), WRONG, "expected a numpy array"),
    (lambda g, h: None, WRONG, "forget `return`"),
    (lambda g, h: g * (h > 0) * np.nan, WRONG, "NaN"),
    (lambda g, h: 2 * g * (h > 0), WRONG, "differs from grad_h_relu * (h > 0)"),
    (masked_in_place, WRONG, "in place"),
    (None, WRONG, "is None"),
    ("relu", WRONG, "should be a function"),
])
def test_relu_backward_diagnoses(relu_backward, status, words):
    result = check_relu_backward(relu_backward)
    assert result.status == status, result.message
    assert words in result.message


def right_w2(h, g):
    return h.T @ g


@pytest.mark.parametrize("output_layer_grads, status, words", [
    (lambda h, g: (h.T @ g, g.sum(axis=0)), PASSED, "output_layer_grads is right"),
    (lambda h, g: [h.T @ g, g.sum(axis=0)], PASSED, "output_layer_grads is right"),
    (unfinished, NOT_DONE, "not written yet"),
    (lambda h, g: (g.T @ h, g.sum(axis=0)), WRONG, "looks transposed"),
    (lambda h, g: (-(h.T @ g), g.sum(axis=0)), WRONG, "grad_w2 has the wrong sign"),
    (lambda h, g: (h.T @ g / 64, g.sum(axis=0)), WRONG, "divided by N"),
    (lambda h, g: (h.T @ (2 * g), g.sum(axis=0)), WRONG, "grad_w2 differs"),
    (lambda h, g: h.T @ g, WRONG, "the bias gradient is missing"),
    (lambda h, g: (h.T @ g, None), WRONG, "grad_b2 is None"),
    (lambda h, g: (h.T @ g, np.zeros(10)), WRONG, "grad_b2 is all zeros"),
    (lambda h, g: (h.T @ g, g), WRONG, "one row per example"),
    (lambda h, g: (h.T @ g, -g.sum(axis=0)), WRONG, "grad_b2 has the wrong sign"),
    (lambda h, g: (h.T @ g, g.mean(axis=0)), WRONG, "mean over the examples"),
    (lambda h, g: (h.T @ g, g.sum(axis=0) + 1), WRONG, "grad_b2 differs"),
    (lambda h, g: (g.sum(axis=0), h.T @ g), WRONG, "return grad_w2 first"),
    (lambda h, g: (h.T @ g, g.sum(axis=0), 0), WRONG, "should return two arrays"),
    (lambda h, g: (None, g.sum(axis=0)), WRONG, "grad_w2 is None"),
    (lambda h, g: (torch.from_numpy(h.T @ g), g.sum(axis=0)), WRONG, "expected a numpy array"),
    (None, WRONG, "is None"),
])
def test_output_layer_grads_diagnoses(output_layer_grads, status, words):
    result = check_output_layer_grads(output_layer_grads)
    assert result.status == status, result.message
    assert words in result.message


def test_a_check_prints_one_line(capsys):
    check_relu_backward(lambda g, h: g)
    printed = capsys.readouterr().out.strip().splitlines()
    assert len(printed) == 1 and printed[0].startswith("✗")
