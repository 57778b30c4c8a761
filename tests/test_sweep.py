"""course_utils.sweep: the sweep is `train` at every grid point; the zones it measures.

Measured (running example, seed 0, float32; float64 agrees): no rise above 10% up to 7.2e-4,
a late spike (edge of stability) up to 2 / lambda_0 = 1.33e-3, an early rise (catapult) up to
the divergence edge, 2.58e-3 by bisection. The `mean` sweep is the `sum` sweep relabelled
(lr x 640, losses / 640): `mean` at 640 lr takes the same steps (checked here against real
`mean` runs), so every `mean` edge is exactly 640 times the `sum` one.
"""

import math

import numpy as np
import pytest
import torch

from course_utils.sweep import (
    EXPLORER_GRID,
    EXPLORER_SWEEP_STEPS,
    MEAN_SCALE,
    as_mean,
    find_divergence_point,
    find_edge,
    find_zones,
    sweep,
)
from course_utils.training import train

TWO_OVER_LAMBDA = 2 / 1507  # seed 0, sum
GRID = np.logspace(-5, -2, 10)  # 1e-5 .. 1e-2: descends, rises (2.2e-3) and diverges


def test_sweep_equals_separate_runs_in_float64_at_every_grid_point():
    result = sweep(GRID, steps=40, dtype=torch.float64)
    for lr, history in zip(result.learning_rates("sum"), result.histories["sum"], strict=True):
        alone = train(lr, steps=40, reduction="sum", dtype=torch.float64)
        np.testing.assert_array_equal(history.losses, alone.losses)
        assert (history.diverged_at, history.rose_at) == (alone.diverged_at, alone.rose_at)
    assert result.final_losses("sum").shape == (10,)
    assert math.isnan(result.final_losses("sum")[-1])          # 1e-2 diverged
    assert result.largest_stable("sum") == pytest.approx(GRID[-3])   # 2.15e-3
    assert result.smallest_diverged("sum") == pytest.approx(GRID[-2])  # 4.64e-3


@pytest.mark.parametrize("lr", [1e-4, 5e-4, 2e-3, 1e-2])
def test_the_mean_runs_are_what_training_with_mean_gives(lr):
    told = as_mean(train(lr, steps=40, dtype=torch.float64))
    real = train(lr * MEAN_SCALE, steps=40, reduction="mean", dtype=torch.float64)
    assert told.learning_rate == real.learning_rate and told.reduction == "mean"
    np.testing.assert_allclose(told.losses, real.losses, rtol=1e-9)
    assert (told.diverged_at, told.rose_at) == (real.diverged_at, real.rose_at)


def test_the_two_panels_are_exact_copies_moved_by_640():
    result = sweep(GRID[:4], steps=5)
    np.testing.assert_array_equal(result.learning_rates("mean"),
                                  result.learning_rates("sum") * MEAN_SCALE)
    np.testing.assert_array_equal(result.final_losses("mean") * MEAN_SCALE,
                                  result.final_losses("sum"))


def test_sweep_is_cached_per_process_and_cannot_be_changed():
    first = sweep(GRID[:3], steps=5)
    again = sweep(list(reversed(GRID[:3])), steps=5)
    assert again is first
    with pytest.raises((TypeError, AttributeError)):
        first.histories["sum"].pop()        # a tuple: a learner cannot corrupt it
    with pytest.raises(TypeError):
        first.histories["sum"] = ()        # a read-only mapping
    with pytest.raises(ValueError):
        first.histories["sum"][0].losses[0] = 0.0


def test_uncached_sweep_is_a_new_object_with_the_same_numbers():
    first = sweep(GRID[:2], steps=5)
    fresh = sweep(GRID[:2], steps=5, cache=False)
    assert fresh is not first
    np.testing.assert_array_equal(fresh.histories["sum"][1].losses,
                                  first.histories["sum"][1].losses)


def test_100_steps_sort_the_grid_into_the_same_zones_as_500():
    # The notebook sweeps with 100 steps to save time; this is why that is enough.
    short = sweep(EXPLORER_GRID[9:], steps=EXPLORER_SWEEP_STEPS)
    for history in short.histories["sum"]:
        full = train(history.learning_rate, steps=500)
        assert (history.rose_at is None) == (full.rose_at is None), history.learning_rate
        assert history.diverged == full.diverged, history.learning_rate


def test_rises_and_blow_ups_come_later_at_the_edges_themselves():
    # EXPLORER_SWEEP_STEPS' docstring: at the edges found by bisection, the rise comes at step
    # 60 and the blow-up at step 13 (measured), later than elsewhere but within 100 steps.
    zones = find_zones("sum")
    assert 50 <= train(zones.rises_from, steps=EXPLORER_SWEEP_STEPS).rose_at < 100
    assert 11 < train(zones.diverges_from, steps=EXPLORER_SWEEP_STEPS).diverged_at < 20
    # The edge is ragged: 0.5% above the first one, this run does not rise at all.
    assert train(zones.rises_from * 1.005, steps=500).rose_at is None


def test_the_real_divergence_point():
    stable, diverged = find_divergence_point(1e-3, 1e-2, "sum")
    assert 2.4e-3 <= stable < diverged <= 3e-3      # measured: between 2.5e-3 and 2.6e-3
    assert diverged * 1507 == pytest.approx(3.9, abs=0.1)  # Lewkowycz et al.'s model: 4


@pytest.mark.parametrize("reduction, scale", [("sum", 1.0), ("mean", 640.0)])
def test_the_zones_of_the_notebook(reduction, scale):
    zones = find_zones(reduction)
    assert zones.rises_from / scale == pytest.approx(7.2e-4, rel=0.05)
    assert zones.diverges_from / scale == pytest.approx(2.58e-3, rel=0.05)
    assert zones.rises_from < zones.two_over_lambda < zones.diverges_from
    assert zones.two_over_lambda / scale == pytest.approx(TWO_OVER_LAMBDA, rel=0.01)
    assert [zones.zone_of(lr * scale) for lr in (1e-4, 1e-3, 2e-3, 1e-2)] == [
        "monotone", "edge of stability", "catapult", "divergence"]


def test_the_mean_edges_are_exactly_640_times_the_sum_edges():
    total, mean = find_zones("sum"), find_zones("mean")
    assert mean.rises_from == total.rises_from * 640
    assert mean.diverges_from == total.diverges_from * 640


def test_a_grid_that_does_not_reach_an_edge_is_refused():
    with pytest.raises(ValueError, match="bracket"):
        find_zones("sum", grid=tuple(np.logspace(-7, -6, 3)), steps=5)


@pytest.mark.parametrize("call, words", [
    (lambda: find_zones("max"), "reduction"),
    (lambda: find_zones("sum", steps=0), "steps"),
    (lambda: sweep([]), "empty"),
    (lambda: sweep([1e-4, -1e-3]), "above 0"),
    (lambda: sweep([1e-4, math.nan]), "above 0"),
    (lambda: find_edge(1e-3, 1e-4, lambda h: h.diverged), "below < above"),
    (lambda: find_edge(1e-4, 1e-3, lambda h: h.diverged, reduction="avg"), "reduction"),
])
def test_arguments_that_cannot_work_raise_one_clear_value_error_at_once(call, words):
    with pytest.raises(ValueError, match=words):
        call()
