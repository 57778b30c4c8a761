"""Checks of notebook 07 (derive, debug, predict): each diagnosis is planted and must be named."""

import sys

import numpy as np
import pytest
import torch

from course_utils.checks.core import NOT_DONE, PASSED, WRONG
from course_utils.checks.introspection import course_calls
from course_utils.checks.learning_rate import (
    check_hessian_2x2,
    check_power_iteration,
    check_predicted_zones,
    names_used,
)


def verdict(result, status, *phrases):
    assert result.status == status, result.message
    for phrase in phrases:
        assert phrase in result.message, result.message


# ------------------------------------------------------------------ hessian_2x2 (derive)


def hessian_2x2(a, b):
    mixed = 2 * a * b - 1
    return [[b * b, mixed], [mixed, a * a]]


def test_hessian_right_as_lists_arrays_or_tensors():
    verdict(check_hessian_2x2(hessian_2x2), PASSED, "is right")
    verdict(check_hessian_2x2(lambda a, b: np.array(hessian_2x2(a, b), dtype=np.float32)),
            PASSED)
    verdict(check_hessian_2x2(lambda a, b: torch.tensor(hessian_2x2(a, b))), PASSED)


def test_hessian_not_done():
    def stub(a, b):
        raise NotImplementedError()
    verdict(check_hessian_2x2(stub), NOT_DONE, "not written yet")


@pytest.mark.parametrize("planted, phrase", [
    (lambda a, b: None, "forget `return`"),
    (lambda a, b: [b * b, a * a], "2 x 2"),
    (lambda a, b: "H", "2 x 2"),
    (lambda a, b: [[a * a, 2 * a * b - 1], [2 * a * b - 1, b * b]], "diagonal is swapped"),
    (lambda a, b: [[b * b, a * b - 1], [a * b - 1, a * a]], "product rule"),
    (lambda a, b: [[b * b, a * b], [a * b, a * a]], "product rule"),
    (lambda a, b: [[b * b, 2 * a * b - 1], [0, a * a]], "not symmetric"),
    (lambda a, b: [[1, 0], [0, 1]], "differentiate each again"),
])
def test_hessian_mistakes_are_named(planted, phrase):
    verdict(check_hessian_2x2(planted), WRONG, phrase)


def test_hessian_by_autograd_is_refused():
    def by_autograd(a, b):
        w = torch.tensor([a, b], dtype=torch.float64)
        return torch.autograd.functional.hessian(lambda w: (w[0] * w[1] - 1) ** 2 / 2, w)
    verdict(check_hessian_2x2(by_autograd), WRONG, "hessian", "on paper")


# ------------------------------------------------------------------ power_iteration (debug)


def power_iteration(matrix_times, vector, iterations=200):
    for _ in range(iterations):
        vector = vector / vector.norm()
        product = matrix_times(vector)
        estimate = vector @ product
        vector = product
    return float(estimate)


def with_the_bug(matrix_times, vector, iterations=200):
    for _ in range(iterations):
        vector = vector / vector.norm()
        product = matrix_times(vector)
        estimate = product.norm()
        vector = product
    return float(estimate)


def test_power_iteration_right():
    verdict(check_power_iteration(power_iteration), PASSED, "signs included")


def test_power_iteration_returning_a_tensor_or_numpy_number_is_fine():
    verdict(check_power_iteration(lambda m, v: torch.tensor(power_iteration(m, v))), PASSED)
    verdict(check_power_iteration(lambda m, v: np.float32(power_iteration(m, v))), PASSED)


def test_power_iteration_not_done():
    def stub(matrix_times, vector, iterations=200):
        raise NotImplementedError()
    verdict(check_power_iteration(stub), NOT_DONE, "not written yet")


def test_power_iteration_the_planted_bug_is_named():
    verdict(check_power_iteration(with_the_bug), WRONG, "the size |lambda|", "keeps the sign")


def test_power_iteration_without_normalising():
    def grows(matrix_times, vector, iterations=2000):
        for _ in range(iterations):
            product = matrix_times(vector)
            estimate = vector @ product / (vector @ vector)
            vector = product
        return float(estimate)
    verdict(check_power_iteration(grows), WRONG, "without bound")


@pytest.mark.parametrize("planted, phrase", [
    (lambda m, v: None, "should return a number"),
    (lambda m, v: "4", "should return a number"),
    (lambda m, v: 1.0, "expected"),
])
def test_power_iteration_other_mistakes(planted, phrase):
    verdict(check_power_iteration(planted), WRONG, phrase)


def test_power_iteration_by_a_library_routine_is_refused():
    def library(matrix_times, vector):
        matrix = torch.stack([matrix_times(e) for e in torch.eye(len(vector),
                                                                 dtype=torch.float64)])
        values = torch.linalg.eigvalsh(matrix)
        return float(values[values.abs().argmax()])
    verdict(check_power_iteration(library), WRONG, "eigvalsh", "Write the loop")


def test_power_iteration_is_called_on_copies():
    def zeroes_its_input(matrix_times, vector):
        answer = power_iteration(matrix_times, vector.clone())
        vector.zero_()
        return answer
    verdict(check_power_iteration(zeroes_its_input), PASSED)


# ------------------------------------------------------------------ predicted_zones (predict)


RIGHT = ("monotone", "catapult", "edge of stability", "divergence")


def test_predicted_zones_right():
    verdict(check_predicted_zones(lambda: RIGHT), PASSED, "1.28 (0.002 with sum): catapult")
    verdict(check_predicted_zones(lambda: list(RIGHT)), PASSED)


def test_predicted_zones_not_done():
    def stub():
        raise NotImplementedError()
    verdict(check_predicted_zones(stub), NOT_DONE, "not written yet")


@pytest.mark.parametrize("planted, phrase", [
    (lambda: None, "forget `return`"),
    (lambda: "catapult", "4 zone names"),
    (lambda: RIGHT[:3], "4 zone names"),
    (lambda: ("monotone", "catapult", "edge-of-stability", "divergence"), "one of"),
    (lambda: ("divergence",) * 4, "as `sum` rates"),
    (lambda: ("monotone",) * 4, "the wrong way"),
    (lambda: ("monotone", "catapult", "catapult", "divergence"), "at 0.64 (mean)"),
])
def test_predicted_zones_mistakes_are_named(planted, phrase):
    verdict(check_predicted_zones(planted), WRONG, phrase)


def test_predicted_zones_that_ask_a_course_helper_are_refused():
    from course_utils.sweep import find_zones

    def asks():
        zones = find_zones("mean")
        return tuple(zones.zone_of(lr) for lr in (0.32, 1.28, 0.64, 3.2))
    verdict(check_predicted_zones(asks), WRONG, "find_zones", "zone_of", "Predict")


def by_a_computed_name():
    """find_zones reached through getattr: reading the code cannot see it, watching can."""
    import course_utils
    zones = getattr(course_utils, "find_" + "zones")("mean")
    return tuple(getattr(zones, "zone" + "_of")(lr) for lr in (0.32, 1.28, 0.64, 3.2))


def from_the_measured_edges():
    """Only the edges of the course's measurement, compared by hand: find_zones still ran."""
    import importlib
    zones = getattr(importlib.import_module("course_utils.sweep"), "find_" + "zones")("mean")
    return tuple(RIGHT[sum(lr >= edge for edge in (zones.rises_from, zones.two_over_lambda,
                                                   zones.diverges_from))]
                 for lr in (0.32, 1.28, 0.64, 3.2))


def by_training(names=("train",)):
    import course_utils
    run = getattr(course_utils, names[0])
    return tuple("divergence" if run(lr, 100, "mean").diverged else "monotone"
                 for lr in (0.32, 1.28, 0.64, 3.2))


@pytest.mark.parametrize("planted, ran", [
    (by_a_computed_name, "find_zones"),
    (from_the_measured_edges, "find_zones"),
    (by_training, "train"),
])
def test_predicted_zones_that_run_a_course_helper_by_any_name_are_refused(planted, ran):
    verdict(check_predicted_zones(planted), WRONG, f"ran the course's {ran}", "Predict")


def test_a_learners_own_function_called_train_is_not_a_course_helper():
    def train(lr):
        return RIGHT[(0.32, 1.28, 0.64, 3.2).index(lr)]

    def predicted_zones(run=train):  # a default argument: invisible to reading the names
        return tuple(run(lr) for lr in (0.32, 1.28, 0.64, 3.2))
    verdict(check_predicted_zones(predicted_zones), PASSED)  # only course_utils code counts


def test_watching_course_calls_leaves_the_profiler_as_it_was():
    def mine(frame, event, arg):
        return None

    sys.setprofile(mine)
    try:
        with course_calls({"find_zones"}) as ran:
            pass
        assert sys.getprofile() is mine and ran == []
    finally:
        sys.setprofile(None)


def test_predicted_zones_objects_whose_equality_lies_do_not_pass():
    class Liar(str):
        def __eq__(self, other):
            return True

        def __ne__(self, other):
            return False

        __hash__ = str.__hash__

    verdict(check_predicted_zones(lambda: tuple(Liar("x") for _ in range(4))), WRONG, "one of")


def test_names_used_sees_nested_functions():
    def outer():
        def inner():
            return find_zones_somewhere()  # noqa: F821
        return inner
    assert "find_zones_somewhere" in names_used(outer)
