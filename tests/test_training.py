"""course_utils.training: histories, divergence, rises and how they land, argument checks.

Measured on the running example (seed 0, float32 and float64 agree on every outcome below):
    lambda_max at the initial weights, sum:   1,507 (seed 0), 1,548 (seed 1), 1,460 (seed 2)
    2 / lambda_max:                           1.33e-3 (seed 0)
    no rise above 10%:                        lr <= 7.1e-4 (the curvature grows to ~2,800 as
                                                            the loss falls: 2 / 2,800 = 7.1e-4)
    late spike (edge of stability):           7.5e-4 .. 1e-3 (the loss fell 180x-16,000x first)
    early rise (catapult):                    1.2e-3 .. 2.56e-3; a low loss at 2e-3 and 2.5e-3,
                                              a plateau at 2.1e-3 (12.4) and 2.3e-3 (24.8)
    diverges:                                 lr >= 2.6e-3  (mean: 640 times each of these)
"""

import math

import numpy as np
import pytest
import torch

from course_utils import ladder, problem, run_record, training
from course_utils.curvature import initial_sharpness, sharpness
from course_utils.run_record import RECORDED_RUNS
from course_utils.training import (
    DIVERGENCE_FACTOR,
    History,
    check_arguments,
    first_rise,
    recall_or_train,
    running_example_tensors,
    train,
)


@pytest.fixture(scope="module")
def lambda_init():
    return initial_sharpness("sum")


# ----------------------------------------------------------------------------- train


def test_train_is_the_course_loop_in_float64():
    history = train(steps=500, dtype=torch.float64)
    reference = ladder.run_nn(steps=500, dtype=torch.float64)
    assert history.losses.shape == (500,)
    np.testing.assert_allclose(history.losses, reference.losses, rtol=1e-11)
    assert history.outcome == "descended" and history.diverged_at is None
    assert history.rose_at is None


def test_mean_follows_sum_at_640_times_the_learning_rate():
    total = train(1e-4, steps=100, reduction="sum", dtype=torch.float64)
    mean = train(1e-4 * problem.N * problem.D_OUT, steps=100, reduction="mean",
                 dtype=torch.float64)
    np.testing.assert_allclose(mean.losses * 640, total.losses, rtol=1e-9)


def test_divergence_stops_early_and_names_the_step():
    history = train(1e-2)
    assert history.diverged and history.outcome == "diverged"
    assert history.diverged_at == len(history.losses) - 1 < 10
    last = history.final_loss
    assert not math.isfinite(last) or last > DIVERGENCE_FACTOR * history.losses[0]
    assert np.all(history.losses[:-1] <= DIVERGENCE_FACTOR * history.losses[0])


def test_catapult_rises_then_recovers_and_is_not_divergence():
    history = train(2e-3)  # above 2 / lambda_max = 1.33e-3, below the edge of ~2.55e-3
    assert history.diverged_at is None and len(history.losses) == 500
    assert history.rose_at is not None and history.rose_at <= 5
    assert history.losses.max() > history.losses[0]  # it climbed above where it started
    assert history.recovered and history.outcome == "rose, then recovered to a low loss"
    assert history.rise_kind == "early rise" and history.fall_before_rise < 100


def test_nan_in_the_data_is_divergence_at_step_0_not_an_error():
    x, y = running_example_tensors()
    x[0, 0] = math.nan
    history = train(1e-4, data=(x, y))
    assert history.diverged_at == 0 and math.isnan(history.final_loss)


def test_inf_in_the_targets_is_divergence_at_step_0_not_an_error():
    x, y = running_example_tensors()
    y[3, 2] = math.inf
    history = train(1e-4, data=(x, y))
    assert history.diverged_at == 0 and math.isinf(history.final_loss)


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_the_largest_learning_rate_blows_up_at_once(reduction):
    history = train(10.0, reduction=reduction)
    assert history.diverged_at is not None and history.diverged_at <= 3


@pytest.mark.parametrize("arguments, words", [
    ({"learning_rate": math.inf}, "finite and above 0"),
    ({"learning_rate": math.nan}, "finite and above 0"),
    ({"learning_rate": 0.0}, "finite and above 0"),
    ({"learning_rate": -1e-4}, "gradient ascent|climbs the loss"),
    ({"learning_rate": "0.01"}, "must be a number"),
    ({"learning_rate": True}, "must be a number"),
    ({"steps": 0}, "at least 1"),
    ({"steps": 2.5}, "whole number"),
    ({"reduction": "max"}, "reduction"),
    ({"reduction": None}, "reduction"),
])
def test_arguments_train_cannot_use_raise_one_clear_value_error(arguments, words):
    with pytest.raises(ValueError, match=words):
        train(**{"learning_rate": 1e-4, "steps": 3, **arguments})
    with pytest.raises(ValueError, match=words):
        check_arguments(**arguments)


def test_a_model_without_parameters_is_refused():
    x, y = running_example_tensors()
    with pytest.raises(ValueError, match="no parameters"):
        train(1e-4, steps=3, model=torch.nn.ReLU(), data=(x, y))


def test_targets_of_a_broadcastable_wrong_shape_are_refused():
    x, y = running_example_tensors()
    with pytest.raises(ValueError, match="shape"):
        train(1e-4, steps=3, data=(x, y[:, :1]))  # (64, 1) would broadcast against (64, 10)


def test_a_tiny_learning_rate_barely_moves_and_says_so():
    assert train(1e-30, steps=20).outcome == "barely moved"


def test_progress_is_called_after_every_step():
    seen = []
    train(1e-4, steps=5, progress=lambda losses: seen.append(len(losses)))
    assert seen == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_the_smallest_learning_rate_of_the_slider_descends_a_little(reduction):
    history = train(1e-7, steps=50, reduction=reduction)
    assert history.outcome == ("descended" if reduction == "sum" else "barely moved")
    assert 0.9 < history.final_loss / history.losses[0] < 1.0


def test_train_on_another_model_trains_it_in_place():
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1).double()
    x = torch.randn(20, 3, dtype=torch.float64)
    y = x @ torch.tensor([[1.0], [-2.0], [0.5]], dtype=torch.float64)
    history = train(0.01, steps=300, model=model, data=(x, y))
    assert history.final_loss < 1e-6 * history.losses[0]
    np.testing.assert_allclose(model.weight.detach().numpy(), [[1.0, -2.0, 0.5]], atol=1e-3)


def test_unknown_reduction_is_refused():
    with pytest.raises(ValueError, match="reduction"):
        train(1e-4, reduction="average")


def test_history_is_read_only():
    history = train(1e-4, steps=3)
    assert isinstance(history, History)
    with pytest.raises(ValueError):
        history.losses[0] = 0.0


# ----------------------------------------------------------------------------- first_rise


@pytest.mark.parametrize("losses, expected", [
    ([10, 5, 4, 6, 1], 3),            # 6 > 1.1 x 4
    ([10, 5, 4, 4.3, 1], None),       # +7.5%: within the 10% allowance
    ([10, 5, 20], 2),                 # above the start counts too
    ([10, 1e-9, 3e-9, 1e-9], None),   # rounding noise far below the start is ignored
    ([10, 1, math.nan], 2),           # NaN is a rise
    ([10], None),
    ([], None),
])
def test_first_rise(losses, expected):
    assert first_rise(losses) == expected


# ----------------------------------------------------------------------------- the three zones


def test_descent_is_monotone_well_below_two_over_lambda(lambda_init):
    assert train(0.5 * 2 / lambda_init).outcome == "descended"  # 6.6e-4
    assert train(7e-4).outcome == "descended"


def test_curvature_grows_as_the_loss_falls_so_the_loss_rises_below_two_over_lambda(lambda_init):
    # Measured: lambda_max climbs from 1,507 to ~2,900 during the lr=1e-4 run, so the edge
    # 2 / lambda_max moves down from 1.33e-3 to ~6.9e-4: at 8e-4 the loss rises (late).
    model = problem.build_model()
    train(1e-4, model=model)
    assert sharpness(model) > 1.8 * lambda_init
    late = train(8e-4)
    assert late.rose_at is not None and late.rose_at > 15 and late.recovered
    assert late.rise_kind == "late spike" and late.fall_before_rise > 100  # measured 15,913


def test_above_two_over_lambda_the_loss_rises_early_and_the_curvature_falls(lambda_init):
    lr = 1.5 * 2 / lambda_init  # 2e-3
    model = problem.build_model()
    history = train(lr, model=model)
    assert history.rose_at <= 4 and history.recovered
    assert sharpness(model) < lambda_init          # measured: 1,507 -> ~990
    assert sharpness(model) < 1.05 * 2 / lr        # it settled where lr is just stable


def test_histories_compare_by_identity_and_can_be_kept_in_sets():
    first, again = train(1e-4, steps=3), train(1e-4, steps=3)
    assert first != again and first == first
    assert len({first, again}) == 2


# ----------------------------------------------------------------------------- how a rise lands


@pytest.mark.parametrize("lr, landing", [(2e-3, "recovered to a low loss"),
                                         (2.1e-3, "stuck on a plateau"),
                                         (2.3e-3, "stuck on a plateau")])
def test_where_a_catapult_lands(lr, landing):
    # Measured, 500 steps: final loss 9.6e-6 at 2e-3, 12.4 at 2.1e-3, 24.8 at 2.3e-3.
    history = train(lr)
    assert history.rise_kind == "early rise" and history.landing == landing


def test_a_rise_cut_short_has_not_settled_yet():
    history = train(2e-3, steps=30)
    assert history.outcome == "rose, not settled yet"


def test_below_the_first_edge_small_rises_are_not_counted():
    # 7.1e-4: rises of up to ~8% on hundreds of steps, under the 10% threshold.
    history = train(7.1e-4)
    assert history.rose_at is None and history.outcome == "descended"
    steps_up = int((np.diff(history.losses) > 0).sum())
    assert steps_up > 50


# -- recall_or_train: a run of the running example is trained once per process -------------

def refuse_training(monkeypatch):
    monkeypatch.setattr(training, "train", lambda *a, **k: pytest.fail("trained again"))


def test_recall_gives_back_the_run_train_just_trained(monkeypatch):
    first = train(1e-3, 20, "mean")
    refuse_training(monkeypatch)
    again = recall_or_train(1e-3, 20, "mean")
    assert again is first
    assert again.losses.flags.writeable is False  # shared, so it cannot be changed in place


def test_recall_trains_what_it_has_not_seen_and_remembers_it():
    recalled = recall_or_train(1e-3, 20)
    fresh = train(1e-3, 20)
    np.testing.assert_array_equal(recalled.losses, fresh.losses)  # the same run, to the bit
    assert recall_or_train(1e-3, 20) is fresh                        # the newest is kept


@pytest.mark.parametrize("other", [
    dict(learning_rate=2e-3), dict(steps=21), dict(reduction="mean"), dict(seed=1),
    dict(dtype=torch.float64)])
def test_every_argument_that_changes_the_run_is_part_of_what_is_remembered(
        train_calls, other):
    train(1e-3, 20)
    arguments = dict(learning_rate=1e-3, steps=20, reduction="sum") | other
    recall_or_train(arguments.pop("learning_rate"), arguments.pop("steps"),
                    arguments.pop("reduction"), **arguments)
    assert len(train_calls) == 1, f"{other} is another run: it must be trained, not recalled"


@pytest.mark.parametrize("given", ["model", "data"])
def test_runs_on_a_given_model_or_data_are_not_remembered(train_calls, given):
    extra = ({"model": problem.build_model()} if given == "model"
             else {"data": running_example_tensors()})
    train(1e-3, 5, **extra)
    train_calls.clear()                      # only what recall_or_train trains from here on
    recall_or_train(1e-3, 5)
    assert train_calls == [(1e-3, 5, "sum")]


def test_a_remembered_run_does_not_report_progress():
    seen = []
    recall_or_train(1e-3, 5, progress=lambda losses: seen.append(len(losses)))
    assert seen == [1, 2, 3, 4, 5]
    recall_or_train(1e-3, 5, progress=lambda losses: seen.append(len(losses)))
    assert seen == [1, 2, 3, 4, 5]


def test_the_record_keeps_only_the_newest_runs(train_calls):
    runs = [train(1e-4 * (1 + k / 100), 1) for k in range(RECORDED_RUNS + 1)]
    assert len(run_record._recorded) == RECORDED_RUNS
    assert recall_or_train(runs[-1].learning_rate, 1) is runs[-1]
    train_calls.clear()
    recall_or_train(runs[0].learning_rate, 1)                       # the oldest was forgotten
    assert train_calls == [(runs[0].learning_rate, 1, "sum")]


def test_recall_refuses_what_train_refuses():
    with pytest.raises(ValueError, match="learning_rate must be finite and above 0"):
        recall_or_train(-1e-3)
    with pytest.raises(ValueError, match="reduction must be 'sum' or 'mean'"):
        recall_or_train(1e-3, reduction="max")
