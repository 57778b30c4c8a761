"""course_utils.sweep: the sweep is `train` at every grid point; the zones it measures.

Measured (running example, seed 0, float32; float64 agrees): the loss descends at every
step up to 7.2e-4, rises then recovers from 7.3e-4 to 2.5e-3, and diverges from 2.6e-3
(bisection: 2.58e-3); with `mean` each edge is 640 times larger (1.655 vs 2.58e-3 x 640 =
1.651). 2 / lambda_max at the initial weights (1.33e-3) lies inside the catapult zone:
the curvature grows as the loss falls, so rises start below it (see test_training.py).
"""

import math

import numpy as np
import pytest
import torch

from course_utils.sweep import (
    EXPLORER_GRID,
    EXPLORER_SWEEP_STEPS,
    find_divergence_point,
    find_zones,
    sweep,
)
from course_utils.training import train

TWO_OVER_LAMBDA = 2 / 1507  # seed 0, sum


GRID = np.logspace(-5, -2, 10)  # 1e-5 .. 1e-2: descends, catapults (2.2e-3) and diverges


def test_sweep_equals_separate_runs_in_float64_at_every_grid_point():
    result = sweep(GRID, steps=40, dtype=torch.float64)
    for reduction in ("sum", "mean"):
        for lr, history in zip(result.learning_rates, result.histories[reduction], strict=True):
            alone = train(lr, steps=40, reduction=reduction, dtype=torch.float64)
            np.testing.assert_array_equal(history.losses, alone.losses)
            assert history.diverged_at == alone.diverged_at
            assert history.rose_at == alone.rose_at
    assert result.final_losses("sum").shape == (10,)
    assert math.isnan(result.final_losses("sum")[-1])          # 1e-2 diverged
    assert result.largest_stable("sum") == pytest.approx(GRID[-3])   # 2.15e-3
    assert result.smallest_diverged("sum") == pytest.approx(GRID[-2])  # 4.64e-3
    assert math.isnan(result.smallest_diverged("mean"))   # mean needs 640x larger rates


def test_sweep_is_cached_per_process():
    first = sweep(GRID[:3], reductions=("sum",), steps=5)
    again = sweep(list(reversed(GRID[:3])), reductions=("sum",), steps=5)
    assert again is first



def test_uncached_sweep_is_a_new_object_with_the_same_numbers():
    first = sweep(GRID[:2], reductions=("sum",), steps=5)
    fresh = sweep(GRID[:2], reductions=("sum",), steps=5, cache=False)
    assert fresh is not first
    np.testing.assert_array_equal(fresh.histories["sum"][1].losses,
                                  first.histories["sum"][1].losses)


def test_100_steps_sort_the_grid_into_the_same_zones_as_500():
    # The notebook sweeps with 100 steps to save time; this is why that is enough.
    short = sweep(EXPLORER_GRID[8:20], reductions=("sum",), steps=EXPLORER_SWEEP_STEPS)
    for history in short.histories["sum"]:
        full = train(history.learning_rate, steps=500)
        assert (history.rose_at is None) == (full.rose_at is None), history.learning_rate
        assert history.diverged == full.diverged, history.learning_rate


def test_the_real_divergence_point_and_its_640x_scaling():
    stable, diverged = find_divergence_point(1e-3, 1e-2, "sum")
    assert 2.4e-3 <= stable < diverged <= 3e-3      # measured: between 2.5e-3 and 2.6e-3
    assert diverged > 1.8 * TWO_OVER_LAMBDA
    stable_mean, diverged_mean = find_divergence_point(0.64, 6.4, "mean")
    assert stable_mean / stable == pytest.approx(640, rel=0.03)
    assert diverged_mean / diverged == pytest.approx(640, rel=0.03)


@pytest.mark.parametrize("reduction, scale", [("sum", 1.0), ("mean", 640.0)])
def test_the_zones_of_the_notebook(reduction, scale):
    zones = find_zones(reduction)
    assert zones.rises_from / scale == pytest.approx(7.3e-4, rel=0.05)
    assert zones.diverges_from / scale == pytest.approx(2.58e-3, rel=0.05)
    assert zones.rises_from < zones.two_over_lambda < zones.diverges_from
    assert zones.two_over_lambda / scale == pytest.approx(TWO_OVER_LAMBDA, rel=0.01)
    assert [zones.zone_of(lr * scale) for lr in (1e-4, 2e-3, 1e-2)] == [
        "monotone", "catapult", "divergence"]


def test_a_grid_that_does_not_reach_an_edge_is_refused():
    with pytest.raises(ValueError, match="bracket"):
        find_zones("sum", grid=tuple(np.logspace(-7, -6, 3)), steps=5)
