"""course_utils.anatomy: counts, parameter tables, shape traces, the Markdown table."""

import pytest
import torch
from torch import nn

from course_utils import build_model
from course_utils.anatomy import (
    count_parameters,
    linear_parameter_count,
    markdown_table,
    parameter_table,
    short_name,
    trace_shapes,
    watch_calls,
)


@pytest.fixture
def model():
    return build_model()


def test_count_parameters_of_the_running_example_is_101110(model):
    assert count_parameters(model) == 101_110 == sum(p.numel() for p in model.parameters())


def test_count_parameters_leaves_out_frozen_parameters(model):
    model[0].requires_grad_(False)
    assert count_parameters(model) == 1_010


def test_linear_parameter_count_agrees_with_real_models():
    assert linear_parameter_count([1000, 100, 10]) == 101_110
    assert linear_parameter_count([20, 30]) == count_parameters(nn.Linear(20, 30)) == 630
    assert linear_parameter_count([5]) == 0


def test_parameter_table_lists_names_shapes_and_counts_in_order(model):
    rows = parameter_table(model)
    assert [r["name"] for r in rows] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert [r["shape"] for r in rows] == [(100, 1000), (100,), (10, 100), (10,)]
    assert [r["count"] for r in rows] == [100_000, 100, 1_000, 10]
    assert all(r["requires_grad"] is True for r in rows)


def test_trace_shapes_follows_forward_module_by_module(model):
    rows = trace_shapes(model, torch.randn(64, 1000))
    assert [r["module"] for r in rows] == ["0", "1", "2"]
    assert [r["layer"] for r in rows] == ["Linear(1000, 100)", "ReLU()", "Linear(100, 10)"]
    assert [r["input shape"] for r in rows] == [(64, 1000), (64, 100), (64, 100)]
    assert [r["output shape"] for r in rows] == [(64, 100), (64, 100), (64, 10)]
    assert [r["parameters"] for r in rows] == [100_100, 0, 1_010]


def test_trace_shapes_leaves_no_hooks_behind_even_after_an_error(model):
    trace_shapes(model, torch.randn(2, 1000))
    with pytest.raises(RuntimeError):
        trace_shapes(model, torch.randn(2, 999))
    for module in model.modules():
        assert not module._forward_hooks and not module._forward_pre_hooks


def test_trace_shapes_of_a_lone_layer_and_of_nested_sequentials():
    rows = trace_shapes(nn.Linear(20, 30), torch.randn(128, 20))
    assert rows == [{"module": "Linear", "layer": "Linear(20, 30)", "input shape": (128, 20),
                     "output shape": (128, 30), "parameters": 630}]
    nested = nn.Sequential(nn.Sequential(nn.Linear(3, 4), nn.ReLU()), nn.Linear(4, 2))
    assert [r["module"] for r in trace_shapes(nested, torch.randn(5, 3))] == ["0.0", "0.1", "1"]


def test_watch_calls_marks_the_module_that_failed(model):
    with watch_calls(model) as calls, pytest.raises(RuntimeError):
        model(torch.randn(3, 1000)[:, :500])
    assert len(calls) == 1 and calls[0]["output shape"] is None
    assert calls[0]["input shape"] == (3, 500)


def test_short_name_reads_like_code():
    assert short_name(nn.Linear(3, 4, bias=False)) == "Linear(3, 4, bias=False)"
    assert short_name(nn.ReLU()) == "ReLU()"
    assert short_name(build_model()) == "Sequential(3 modules)"


def test_markdown_table_formats_numbers_shapes_and_pipes():
    text = markdown_table([{"name": "0.bias", "shape": (100,), "count": 100_000, "note": "a|b"}])
    assert text.splitlines() == ["| name | shape | count | note |", "|---|---|---|---|",
                                 "| 0.bias | (100,) | 100,000 | a\\|b |"]
    assert markdown_table([]) == "*(no rows)*"
    assert markdown_table([{"a": 1, "b": 2}], columns=["b"]).splitlines()[2] == "| 2 |"
