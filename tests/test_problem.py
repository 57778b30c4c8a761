import math

import numpy as np
import pytest
import torch

from course_utils import problem


def test_sizes_are_the_running_example():
    assert (problem.N, problem.D_IN, problem.H, problem.D_OUT) == (64, 1000, 100, 10)
    assert problem.LEARNING_RATE == 1e-4 and problem.STEPS == 500


def test_data_shapes_and_determinism():
    x, y = problem.make_data()
    assert x.shape == (64, 1000) and y.shape == (64, 10)
    assert x.dtype == np.float64
    x2, y2 = problem.make_data()
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    x3, _ = problem.make_data(seed=1)
    assert not np.array_equal(x, x3)
    # standard normal: mean near 0, std near 1 over 64,000 draws
    assert abs(x.mean()) < 0.02 and abs(x.std() - 1) < 0.02


def test_layouts_hold_the_same_numbers_transposed():
    numpy_layout = problem.initial_weights(layout="numpy")
    torch_layout = problem.initial_weights(layout="torch")
    assert numpy_layout["w1"].shape == (1000, 100) and torch_layout["w1"].shape == (100, 1000)
    assert numpy_layout["w2"].shape == (100, 10) and torch_layout["w2"].shape == (10, 100)
    assert numpy_layout["b1"].shape == torch_layout["b1"].shape == (100,)
    assert numpy_layout["b2"].shape == torch_layout["b2"].shape == (10,)
    assert np.array_equal(numpy_layout["w1"], torch_layout["w1"].T)
    assert np.array_equal(numpy_layout["b2"], torch_layout["b2"])


def test_initial_weights_follow_nn_linear_default_bounds():
    weights = problem.initial_weights(layout="torch")
    for name, fan_in in (("w1", 1000), ("b1", 1000), ("w2", 100), ("b2", 100)):
        bound = 1 / math.sqrt(fan_in)
        assert np.abs(weights[name]).max() <= bound
    # uniform on (-b, b) has standard deviation b / sqrt(3)
    assert abs(weights["w1"].std() - (1 / math.sqrt(1000)) / math.sqrt(3)) < 1e-3
    # a freshly built nn.Linear draws from the same distribution
    fresh = torch.nn.Linear(1000, 100).weight.detach().numpy()
    assert abs(fresh.std() - weights["w1"].std()) < 1e-3


def test_layout_is_checked():
    with pytest.raises(ValueError, match="layout"):
        problem.initial_weights(layout="fortran")


def test_build_model_holds_the_shared_weights():
    model = problem.build_model(dtype=torch.float64)
    weights = problem.initial_weights(layout="torch")
    assert np.array_equal(model[0].weight.detach().numpy(), weights["w1"])
    assert np.array_equal(model[2].bias.detach().numpy(), weights["b2"])
    assert all(p.requires_grad for p in model.parameters())


def test_as_tensors_keeps_values_dtype_and_grad_flag():
    tensors = problem.as_tensors(problem.initial_weights(), torch.float64, requires_grad=True)
    assert tensors["w1"].dtype == torch.float64 and tensors["w1"].requires_grad
    assert tensors["w1"].is_leaf
    assert np.array_equal(tensors["w1"].detach().numpy(), problem.initial_weights()["w1"])
