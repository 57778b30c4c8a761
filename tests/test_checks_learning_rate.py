"""Checks of notebook 07: each diagnosis is planted and must be named."""

import math

from course_utils.checks.core import NOT_DONE, PASSED, WRONG
from course_utils.checks.learning_rate import check_largest_stable, check_predict_zone
from course_utils.sweep import find_zones


def verdict(result, status, *phrases):
    assert result.status == status, result.message
    for phrase in phrases:
        assert phrase in result.message, result.message


# ----------------------------------------------------------------------------- largest_stable


def largest_stable(result, reduction):
    return max(h.learning_rate for h in result.histories[reduction] if not h.diverged)


def test_largest_stable_right():
    verdict(check_largest_stable(largest_stable), PASSED, "is right")


def test_largest_stable_not_done():
    def stub(result, reduction):
        raise NotImplementedError()
    verdict(check_largest_stable(stub), NOT_DONE, "not written yet")


def test_largest_stable_none():
    verdict(check_largest_stable(lambda result, reduction: None), WRONG, "forget `return`")


def test_largest_stable_passed_none_instead_of_a_function():
    verdict(check_largest_stable(None), WRONG, "is None")


def test_largest_stable_returns_a_history():
    def answer(result, reduction):
        return [h for h in result.histories[reduction] if not h.diverged][-1]
    verdict(check_largest_stable(answer), WRONG, "returned a History", ".learning_rate")


def test_largest_stable_returns_a_position():
    def answer(result, reduction):
        return max(k for k, h in enumerate(result.histories[reduction]) if not h.diverged)
    verdict(check_largest_stable(answer), WRONG, "position in the grid")


def test_largest_stable_ignores_divergence():
    verdict(check_largest_stable(lambda result, reduction: float(result.learning_rates[-1])),
            WRONG, "largest rate of the whole grid", "not history.diverged")


def test_largest_stable_one_step_too_far():
    def answer(result, reduction):
        return min(h.learning_rate for h in result.histories[reduction] if h.diverged)
    verdict(check_largest_stable(answer), WRONG, "DIVERGED", "one step too far")


def test_largest_stable_min_instead_of_max():
    def answer(result, reduction):
        return min(h.learning_rate for h in result.histories[reduction] if not h.diverged)
    verdict(check_largest_stable(answer), WRONG, "use max, not min")


def test_largest_stable_ignores_the_reduction():
    verdict(check_largest_stable(lambda result, reduction: largest_stable(result, "sum")),
            WRONG, "same rate for 'sum' and 'mean'")


def test_largest_stable_nan_and_strings():
    verdict(check_largest_stable(lambda result, reduction: math.nan), WRONG, "should return a")
    verdict(check_largest_stable(lambda result, reduction: "1e-3"), WRONG, "should return a")


def test_largest_stable_that_raises():
    verdict(check_largest_stable(lambda result, reduction: result.nothing), WRONG,
            "raised AttributeError")


# ----------------------------------------------------------------------------- predict_zone

SUM = find_zones("sum")


def predict_zone(learning_rate, reduction, divergence_edge=None, scale=640):
    if reduction == "mean":
        learning_rate = learning_rate / scale
    if learning_rate >= (divergence_edge or SUM.diverges_from):
        return "divergence"
    return "catapult" if learning_rate >= SUM.rises_from else "monotone"


def test_predict_zone_right():
    verdict(check_predict_zone(predict_zone), PASSED, "agrees with the")


def test_predict_zone_not_done():
    def stub(learning_rate, reduction):
        raise NotImplementedError()
    verdict(check_predict_zone(stub), NOT_DONE, "not written yet")


def test_predict_zone_two_over_lambda_as_the_divergence_point():
    def answer(learning_rate, reduction):
        return predict_zone(learning_rate, reduction, divergence_edge=SUM.two_over_lambda)
    verdict(check_predict_zone(answer), WRONG, "not where training breaks")


def test_predict_zone_two_over_lambda_as_the_start_of_rises():
    def answer(learning_rate, reduction):
        if reduction == "mean":
            learning_rate /= 640
        if learning_rate >= SUM.diverges_from:
            return "divergence"
        return "catapult" if learning_rate >= SUM.two_over_lambda else "monotone"
    verdict(check_predict_zone(answer), WRONG, "curvature grows")


def test_predict_zone_forgets_the_640_for_mean():
    verdict(check_predict_zone(lambda lr, reduction: predict_zone(lr, "sum")), WRONG,
            "right for 'sum'", "640")


def test_predict_zone_unknown_names():
    verdict(check_predict_zone(lambda lr, reduction: "stable"), WRONG, "one of 'monotone'")
    verdict(check_predict_zone(lambda lr, reduction: None), WRONG, "forget `return`")


def test_predict_zone_other_mistakes_name_the_edges():
    verdict(check_predict_zone(lambda lr, reduction: "catapult"), WRONG, "rises from",
            "diverges from")
