"""Every diagnosis of notebook 02's checks, each planted on purpose."""

import numpy as np
import pytest
import torch

from course_utils.checks import (
    NOT_DONE,
    PASSED,
    WRONG,
    check_hidden_layer,
    check_weights_as_tensors,
)


def unfinished(*args):
    raise NotImplementedError()


def through_numpy(x, w1, b1):
    return np.maximum(x.numpy() @ w1.numpy() + b1.numpy(), 0)


def back_from_numpy(x, w1, b1):
    # torch.tensor of a numpy result: float64 whatever the inputs were
    return torch.tensor(np.maximum(x.numpy() @ w1.numpy() + b1.numpy(), 0), dtype=torch.float64)


@pytest.mark.parametrize("hidden_layer, status, words", [
    (lambda x, w1, b1: (x @ w1 + b1).clamp(min=0), PASSED, "hidden_layer is right"),
    (lambda x, w1, b1: torch.relu(x.mm(w1) + b1), PASSED, "hidden_layer is right"),
    (unfinished, NOT_DONE, "not written yet"),
    (through_numpy, WRONG, "goes through numpy"),
    (lambda x, w1, b1: torch.tensor(np.maximum(np.asarray(x) @ np.asarray(w1) + np.asarray(b1),
                                               0)), WRONG, "goes through numpy"),
    (lambda x, w1, b1: torch.tensor((x @ w1 + b1).tolist()).clamp(min=0), WRONG,
     "goes through numpy"),
    (back_from_numpy, WRONG, "goes through numpy"),  # before its float64 shows
    (lambda x, w1, b1: (x @ w1 + b1).clamp(min=0).double(), WRONG,
     "is float64; expected float32"),
    (lambda x, w1, b1: (x @ w1 + b1).clamp(min=0).float(), WRONG, "is float32; expected float64"),
    (lambda x, w1, b1: (x @ w1 + b1).clamp(min=0).to("meta"), WRONG, "on device meta"),
    (lambda x, w1, b1: x @ w1 + b1, WRONG, "without the ReLU"),
    (lambda x, w1, b1: (x @ w1).clamp(min=0), WRONG, "leaves out the bias"),
    (lambda x, w1, b1: (x @ w1 + b1).clamp(max=0), WRONG, "numbers differ"),
    (lambda x, w1, b1: (x @ w1 + b1).clamp(min=0).T, WRONG, "looks transposed"),
    (lambda x, w1, b1: None, WRONG, "should be a torch tensor, but it is None"),
    (lambda x, w1, b1: x @ w1.T, WRONG, "raised RuntimeError"),
])
def test_hidden_layer_diagnoses(hidden_layer, status, words):
    result = check_hidden_layer(hidden_layer)
    assert result.status == status, result.message
    assert words in result.message


def right(arrays, device, dtype):
    return {k: torch.tensor(v, device=device, dtype=dtype) for k, v in arrays.items()}


@pytest.mark.parametrize("weights_as_tensors, status, words", [
    (right, PASSED, "weights_as_tensors is right"),
    (lambda a, device, dtype: {k: torch.from_numpy(v).to(device, dtype) for k, v in a.items()},
     PASSED, "weights_as_tensors is right"),
    (unfinished, NOT_DONE, "not written yet"),
    (lambda a, device, dtype: a, WRONG, "is a numpy array"),
    (lambda a, device, dtype: {k: torch.tensor(v) for k, v in a.items()}, WRONG,
     "is float64; expected float32"),
    (lambda a, device, dtype: {k: torch.tensor(v, dtype=dtype) for k, v in a.items()}, WRONG,
     "on device cpu; expected meta"),
    (lambda a, device, dtype: {k: v.mT if v.ndim == 2 else v
                               for k, v in right(a, device, dtype).items()}, WRONG,
     "Convert, do not transpose"),
    (lambda a, device, dtype: {k: 2 * v for k, v in right(a, device, dtype).items()}, WRONG,
     "different numbers"),
    (lambda a, device, dtype: {k: right(a, device, dtype)[k] for k in ("w1", "w2")}, WRONG,
     "missing b1, b2"),
    (lambda a, device, dtype: list(right(a, device, dtype).values()), WRONG,
     "should return a dict"),
    (lambda a, device, dtype: {k: 1.0 for k in a}, WRONG, "should be a torch tensor"),
])
def test_weights_as_tensors_diagnoses(weights_as_tensors, status, words):
    result = check_weights_as_tensors(weights_as_tensors)
    assert result.status == status, result.message
    assert words in result.message
