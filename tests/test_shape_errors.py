"""course_utils.shape_errors: PyTorch's shape messages explained, the failing module found."""

import pytest
import torch
from torch import nn

from course_utils import build_model
from course_utils.shape_errors import explain_shape_mismatch, read_error_message


def error_of(function):
    with pytest.raises(RuntimeError) as caught:
        function()
    return caught.value


def test_reads_a_matmul_message_with_the_weight_transposed():
    error = error_of(lambda: nn.Linear(20, 30)(torch.randn(128, 30)))
    text = read_error_message(error)
    assert "(128, 30) table" in text and "Linear(30, 30)" in text
    assert "(20, 30), is the weight transposed" in text and "needs 20 features" in text


def test_reads_a_broadcasting_message():
    text = read_error_message(error_of(lambda: torch.randn(3, 4) + torch.randn(5)))
    assert "could not broadcast" in text and "4 entries and the other 5" in text


def test_reads_a_dtype_message():
    text = read_error_message(error_of(lambda: nn.Linear(3, 2)(torch.randn(4, 3).double())))
    assert "different dtypes" in text and "x.float()" in text


def test_an_unknown_message_is_passed_on():
    assert read_error_message("something else").endswith("PyTorch's own words: something else")


def test_explains_a_lone_layer_fed_the_wrong_width():
    text = explain_shape_mismatch(nn.Linear(20, 30), torch.randn(128, 30))
    assert text.startswith("Linear(20, 30) expects inputs whose last dimension is 20")
    assert "received shape (128, 30) from the input x" in text and "(30, 20)" in text


def test_names_the_failing_module_of_a_sequential_and_where_its_input_came_from():
    model = nn.Sequential(nn.Linear(1000, 100), nn.ReLU(), nn.Linear(10, 100))
    text = explain_shape_mismatch(model, torch.randn(64, 1000))
    assert text.startswith("Module '2', Linear(10, 100), expects")
    assert "from the output of module '1', ReLU()" in text


def test_swapped_layers_fail_at_the_first_module():
    model = nn.Sequential(nn.Linear(100, 10), nn.ReLU(), nn.Linear(1000, 100))
    assert explain_shape_mismatch(model, torch.randn(64, 1000)).startswith("Module '0'")


def test_a_dtype_error_is_not_mistaken_for_a_width_error():
    text = explain_shape_mismatch(build_model(), torch.randn(4, 1000).double())
    assert "different dtypes" in text and "expects inputs" not in text


def test_no_mismatch_says_so_and_leaves_no_hooks():
    model = build_model()
    text = explain_shape_mismatch(model, torch.randn(64, 1000))
    assert text == ("No mismatch: Sequential(3 modules) maps an input of shape (64, 1000) to an "
                    "output of shape (64, 10).")
    explain_shape_mismatch(model, torch.randn(64, 999))
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())
