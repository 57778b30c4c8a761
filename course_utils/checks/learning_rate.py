"""Checks for notebook 07 (the learning-rate explorer): the largest stable rate, and zones.

`check_largest_stable` gives the learner's `largest_stable(result, reduction)` the
notebook's sweep (cached, so this costs nothing more) and a small made-up sweep (so an
answer copied from the figure does not pass), for both reductions. Mistakes it names:

    returned a History               return `history.learning_rate`
    returned a position in the grid  an int such as 13 instead of the rate itself
    ignored `diverged`               the largest rate of the grid, which blew up
    returned the first diverged rate one step too far
    min instead of max               the smallest stable rate
    ignored `reduction`              the same answer for sum and mean

`check_predict_zone` compares `predict_zone(learning_rate, reduction)` with what the
sweep's runs actually did, at every grid rate not within 10% of an edge. Mistakes it names:
2 / lambda_max taken as the divergence point, rises that start below 2 / lambda_max,
forgetting that `mean` scales every rate by N * D_out = 640, and names it does not know.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import problem
from ..sweep import EXPLORER_GRID, Sweep, Zones, find_zones, sweep
from ..training import History
from .core import Wrong, call_learner, checker, describe, is_number

__all__ = ["check_largest_stable", "check_predict_zone"]

ZONE_OF_OUTCOME = {"descended": "monotone", "rose, then recovered": "catapult",
                   "rose, not recovered yet": "catapult", "diverged": "divergence"}
SCALE = problem.N * problem.D_OUT  # 640


def made_up_sweep() -> Sweep:
    """A tiny sweep with known answers: sum is stable up to 0.2, mean up to 40."""
    grid = np.array([0.05, 0.2, 0.7, 2.5, 40.0, 150.0])

    def history(lr: float, reduction: str, diverges_above: float) -> History:
        diverged = lr > diverges_above
        losses = np.array([1.0, 1e9]) if diverged else np.array([1.0, 0.5])
        return History(lr, reduction, 2, losses, 1 if diverged else None, None)

    return Sweep(grid, {"sum": [history(lr, "sum", 0.2) for lr in grid],
                        "mean": [history(lr, "mean", 40.0) for lr in grid]})


@checker
def check_largest_stable(largest_stable: Callable[[Sweep, str], float]) -> str:
    """`largest_stable(result, reduction)`: the largest grid rate whose run did not diverge."""
    notebook = sweep()
    cases = [(made_up_sweep(), "made-up sweep"), (notebook, "notebook's sweep")]
    answers: dict[str, float] = {}
    for result, where in cases:
        for reduction in ("sum", "mean"):
            answer = call_learner(largest_stable, result, reduction, name="largest_stable")
            if reduction == "mean" and answer == answers[f"{where}, sum"]:
                raise Wrong("largest_stable gave the same rate for 'sum' and 'mean'. Look only "
                            "at result.histories[reduction].")
            _diagnose_rate(answer, result, reduction, where)
            answers[f"{where}, {reduction}"] = answer
    total, mean = answers["notebook's sweep, sum"], answers["notebook's sweep, mean"]
    return (f"largest_stable is right: on this grid 'sum' is stable up to {total:.3g} and "
            f"'mean' up to {mean:.3g} (a grid step apart from the true edges; see the next "
            "cell for their ratio).")


def _diagnose_rate(answer: Any, result: Sweep, reduction: str, where: str) -> None:
    histories = result.histories[reduction]
    expected = result.largest_stable(reduction)
    call = f"largest_stable(<{where}>, '{reduction}')"
    if answer is None:
        raise Wrong(f"{call} returned None. Did you forget `return`?")
    if isinstance(answer, History):
        raise Wrong(f"{call} returned a History; return its `.learning_rate`.")
    if isinstance(answer, (int, np.integer)) and not isinstance(answer, bool) \
            and 0 <= answer < len(histories) and not math.isclose(answer, expected):
        raise Wrong(f"{call} returned {answer}, which looks like a position in the grid; "
                    f"return the learning rate itself (histories[{answer}].learning_rate).")
    if not is_number(answer) and not isinstance(answer, np.floating):
        raise Wrong(f"{call} should return a number, but returned {describe(answer)}.")
    answer = float(answer)
    if math.isclose(answer, expected, rel_tol=1e-9):
        return
    if math.isclose(answer, result.learning_rates[-1]):
        raise Wrong(f"{call} returned {answer:.3g}, the largest rate of the whole grid, but "
                    "that run diverged. Keep only histories with `not history.diverged`.")
    if math.isclose(answer, result.smallest_diverged(reduction)):
        raise Wrong(f"{call} returned {answer:.3g}: the first rate that DIVERGED, one step too "
                    "far. Return the largest one that did not.")
    stable = [h.learning_rate for h in histories if not h.diverged]
    if stable and math.isclose(answer, min(stable)):
        raise Wrong(f"{call} returned {answer:.3g}, the smallest stable rate: use max, not min.")
    raise Wrong(f"{call} returned {answer:.3g}; expected {expected:.3g}, the largest rate "
                "whose history has `diverged == False`.")


@checker
def check_predict_zone(predict_zone: Callable[[float, str], str]) -> str:
    """`predict_zone(learning_rate, reduction)` -> "monotone", "catapult" or "divergence"."""
    zones = {reduction: find_zones(reduction) for reduction in ("sum", "mean")}
    result = sweep()
    compared = 0
    for reduction in ("sum", "mean"):
        for history in result.histories[reduction]:
            lr = history.learning_rate
            if _near_an_edge(lr, zones[reduction]):
                continue
            truth = ZONE_OF_OUTCOME[history.outcome]
            answer = call_learner(predict_zone, lr, reduction, name="predict_zone")
            if answer != truth:
                _explain_zone(answer, truth, lr, reduction, zones)
            compared += 1
    return (f"predict_zone agrees with the {compared} runs of the sweep (both reductions, "
            f"{len(EXPLORER_GRID)} rates each, those within 10% of an edge left out).")


def _near_an_edge(lr: float, zones: Zones) -> bool:
    return any(abs(math.log(lr / edge)) < math.log(1.1)
               for edge in (zones.rises_from, zones.diverges_from))


def _explain_zone(answer: Any, truth: str, lr: float, reduction: str,
                  zones: dict[str, Zones]) -> None:
    call = f"predict_zone({lr:.3g}, '{reduction}')"
    if answer is None:
        raise Wrong(f"{call} returned None. Did you forget `return`?")
    if answer not in ZONE_OF_OUTCOME.values():
        raise Wrong(f"{call} returned {answer!r}; answer one of 'monotone', 'catapult', "
                    "'divergence' (spelled exactly so).")
    edges = zones[reduction]
    if reduction == "mean" and zones["sum"].zone_of(lr) == answer:
        raise Wrong(f"{call} returned {answer!r}, which is right for 'sum' at this rate. With "
                    f"'mean' every gradient is {SCALE} = N * D_out times smaller, so every "
                    f"edge is {SCALE} times larger.")
    if answer == "divergence" and truth == "catapult" and lr >= edges.two_over_lambda:
        raise Wrong(f"{call} returned 'divergence', but that run rose and then recovered. "
                    f"2 / lambda_max ({edges.two_over_lambda:.3g}) is where steady descent "
                    f"ends, not where training breaks: that is {edges.diverges_from:.3g}.")
    if answer == "monotone" and truth == "catapult" and lr < edges.two_over_lambda:
        raise Wrong(f"{call} returned 'monotone', but that run rose, below 2 / lambda_max = "
                    f"{edges.two_over_lambda:.3g}: the curvature grows as the loss falls, so "
                    f"rises start at {edges.rises_from:.3g}.")
    raise Wrong(f"{call} returned {answer!r}, but the sweep's run at that rate is in the "
                f"{truth!r} zone. Compare with the measured edges: {reduction} rises from "
                f"{edges.rises_from:.3g} and diverges from {edges.diverges_from:.3g}.")
