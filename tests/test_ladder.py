"""The four rungs of the ladder compute the same training run.

float64: losses agree to 1e-11 relative at every one of the 500 steps (measured: 5e-13) and
final weights to 1e-12 relative to each weight's largest value (measured: 1.4e-15).

float32: the loss falls by eight orders of magnitude (714 -> 3.5e-6), and late in training
it is the square of a residual y_pred - y of about 7e-5 per element computed from numbers of
size about 1, so float32's rounding (1.2e-7) alone gives a relative error of about 1e-3 on
the final losses (measured: 2.7e-4). We allow 5e-3 on every loss and 1e-4 on the weights
(measured: 1.8e-5), relative to the float64 run.
"""

import numpy as np
import pytest
import torch

from course_utils import ladder


@pytest.fixture(scope="module")
def reference():
    return ladder.run_numpy(dtype=np.float64)


def relative_weight_error(run, reference):
    return max(np.abs(run.weights[k] - reference.weights[k]).max()
               / np.abs(reference.weights[k]).max() for k in reference.weights)


def test_reference_run_learns(reference):
    assert reference.losses.shape == (500,)
    assert reference.losses[0] > 100 and reference.losses[-1] < 1e-4


@pytest.mark.parametrize("rung", ["tensors", "autograd", "nn"])
def test_rungs_agree_in_float64(rung, reference):
    run = ladder.RUNGS[rung](dtype=torch.float64)
    relative = np.abs(run.losses - reference.losses) / reference.losses
    assert relative.max() < 1e-11
    assert relative_weight_error(run, reference) < 1e-12
    assert set(run.weights) == {"w1", "b1", "w2", "b2"}
    assert run.weights["w1"].shape == (1000, 100)


@pytest.mark.parametrize("rung", ["numpy", "tensors", "autograd", "nn"])
def test_rungs_agree_in_float32(rung, reference):
    dtype = np.float32 if rung == "numpy" else torch.float32
    run = ladder.RUNGS[rung](dtype=dtype)
    relative = np.abs(run.losses - reference.losses) / reference.losses
    assert relative.max() < 5e-3
    assert relative_weight_error(run, reference) < 1e-4


def test_rungs_have_biases_that_move(reference):
    from course_utils import problem
    start = problem.initial_weights()
    for name in ("b1", "b2"):
        assert np.abs(reference.weights[name] - start[name]).max() > 1e-3


def test_a_short_run_is_a_prefix_of_the_long_one(reference):
    short = ladder.run_nn(steps=5)
    assert np.allclose(short.losses, reference.losses[:5], rtol=1e-12)
