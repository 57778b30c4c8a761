"""Checks for notebook 07 (the learning-rate explorer): derive, debug, predict.

`check_hessian_2x2`: the learner derives, by hand, the Hessian of f(a, b) = (a*b - 1)**2 / 2
(a "network" of two weights in a row) as `hessian_2x2(a, b)`. Mistakes it names: a missing
`return`, not 2 x 2, the two diagonal entries swapped, the mixed derivative without the
product rule (a*b - 1 or a*b instead of 2*a*b - 1), an unsymmetric answer, and asking autograd.

`check_power_iteration`: the learner fixes a power iteration whose estimate is |M v|, the
SIZE of the eigenvalue, so it loses the sign. Mistakes it names: the sign lost, NaN or inf
(no normalising), and calling a library's eigenvalue routine instead of writing the loop.

`check_predicted_zones`: the learner commits to the zones of four `mean` learning rates
before the notebook reveals them. Compared with what `mean` runs really do there. Mistakes
it names: reading them as `sum` rates (forgetting 640), scaling by 640 the wrong way, calling
a course helper instead of predicting, names it does not know.

Every learner function is called on copies of its inputs, and its answer is compared as plain
Python values (an object whose == lies cannot pass).
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from ..sweep import MEAN_SCALE, ZONES, find_zones
from ..training import History, recall_or_train
from .core import Wrong, call_learner, checker, describe, plain_number, shown
from .introspection import course_calls

__all__ = ["check_hessian_2x2", "check_power_iteration", "check_predicted_zones"]

HESSIAN_POINTS = ((1.0, 2.0), (0.5, -3.0), (-2.0, 0.25))
PREDICT_RATES = (0.32, 1.28, 0.64, 3.2)  # mean; the same steps as sum at 5e-4, 2e-3, 1e-3, 5e-3


def names_used(function: Any) -> set[str]:
    """Every global or attribute name the function's code uses (nested functions included)."""
    code = getattr(function, "__code__", None)
    if code is None:
        code = getattr(type(function).__dict__.get("__call__"), "__code__", None)
    names: set[str] = set()
    stack = [code] if code is not None else []
    while stack:
        current = stack.pop()
        names |= set(current.co_names) | set(current.co_freevars)
        stack += [c for c in current.co_consts if isinstance(c, types.CodeType)]
    return names


def _refuse_helpers(function: Any, name: str, forbidden: set[str], instead: str) -> None:
    used = names_used(function) & forbidden
    if used:
        raise Wrong(f"{name} calls {', '.join(sorted(used))}: that does the job for you. "
                    f"{instead}")


def _as_plain_matrix(value: Any, call: str) -> np.ndarray:
    if value is None:
        raise Wrong(f"{call} returned None. Did you forget `return`?")
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().double().numpy()
    try:  # numbers only: numpy would also turn "1" into 1.0 and True into 1.0
        matrix = np.array(value, dtype=np.float64)
        numbers = np.array(value).dtype.kind in "iuf"
    except (TypeError, ValueError):
        numbers = False
    if not numbers:
        got = shown(value) if isinstance(value, (list, tuple)) else describe(value)
        raise Wrong(f"{call} should return a 2 x 2 array of numbers; it returned {got}.")
    if matrix.shape != (2, 2):
        raise Wrong(f"{call} returned shape {matrix.shape}; the Hessian of a function of two "
                    "weights is 2 x 2: [[d2f/da2, d2f/da db], [d2f/db da, d2f/db2]].")
    if not np.all(np.isfinite(matrix)):
        raise Wrong(f"{call} holds NaN or inf: each entry is a polynomial in a and b, finite "
                    "everywhere.")
    return matrix


@checker
def check_hessian_2x2(hessian_2x2: Callable[[float, float], Any]) -> str:
    """`hessian_2x2(a, b)`: the Hessian of f(a, b) = (a*b - 1)**2 / 2 at (a, b), by hand."""
    _refuse_helpers(hessian_2x2, "hessian_2x2", {"hessian", "grad", "backward", "jacobian"},
                    "Differentiate f twice on paper and write the four entries.")
    for a, b in HESSIAN_POINTS:
        call = f"hessian_2x2({a}, {b})"
        got = _as_plain_matrix(call_learner(hessian_2x2, a, b, name="hessian_2x2"), call)
        mixed = 2 * a * b - 1
        expected = np.array([[b * b, mixed], [mixed, a * a]])
        if np.allclose(got, expected):
            continue
        if not np.allclose(got, got.T):
            raise Wrong(f"{call} is not symmetric ({got[0, 1]:.3g} vs {got[1, 0]:.3g}): the two "
                        "mixed derivatives d2f/da db and d2f/db da are always equal here.")
        if np.allclose(np.diag(got), [a * a, b * b]):
            raise Wrong(f"{call}: the diagonal is swapped. d2f/da2 = b**2 (f changes with a "
                        "through a*b, so b comes out twice), and d2f/db2 = a**2.")
        for slip, why in ((a * b - 1, "a*b - 1"), (a * b, "a*b")):
            if math.isclose(got[0, 1], slip, abs_tol=1e-9):
                raise Wrong(f"{call}: the mixed entry is {why}, but df/da = (a*b - 1) * b, and "
                            "d/db of that needs the product rule: b * a + (a*b - 1) = 2*a*b - 1.")
        raise Wrong(f"{call} returned {np.round(got, 4).tolist()}; start from df/da = "
                    "(a*b - 1) * b and df/db = (a*b - 1) * a, then differentiate each again.")
    return ("hessian_2x2 is right: [[b², 2ab - 1], [2ab - 1, a²]] at three points. Its "
            "eigenvalues are the curvatures along the two principal directions.")


def _symmetric(eigenvalues: list[float], seed: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    size = len(eigenvalues)
    rotation, _ = torch.linalg.qr(torch.randn(size, size, generator=generator,
                                              dtype=torch.float64))
    return rotation @ torch.diag(torch.tensor(eigenvalues, dtype=torch.float64)) @ rotation.T


@checker
def check_power_iteration(power_iteration: Callable[..., Any]) -> str:
    """`power_iteration(matrix_times, vector)`: the eigenvalue of largest size, sign included."""
    _refuse_helpers(power_iteration, "power_iteration",
                    {"eigvalsh", "eigh", "eig", "eigvals", "top_hessian_eigenvalue",
                     "sharpness", "svd", "svdvals"},
                    "Write the loop: normalise v, multiply, estimate, repeat.")
    cases = (([4.0, -1.0, 2.0, 0.5, -0.2], 4.0, 1), ([-3.0, 1.0], -3.0, 2),
             ([1.0, -6.0, 2.5, 0.3], -6.0, 3))
    for eigenvalues, expected, seed in cases:
        matrix = _symmetric(eigenvalues, seed)
        start = torch.ones(len(eigenvalues), dtype=torch.float64)
        answer = call_learner(power_iteration, lambda v, m=matrix: m @ v, start.clone(),
                              name="power_iteration")
        number = plain_number(answer)  # np.float32 and a one-element tensor are numbers too
        if number is None:
            raise Wrong(f"power_iteration should return a number, not {describe(answer)}.")
        answer = float(number)
        where = f"for a matrix with eigenvalues {eigenvalues}"
        if not math.isfinite(answer):
            raise Wrong(f"power_iteration returned {answer} {where}: v grew without bound. "
                        "Divide v by its length at every step.")
        if math.isclose(answer, expected, rel_tol=1e-4):
            continue
        if math.isclose(answer, -expected, rel_tol=1e-4):
            raise Wrong(f"power_iteration returned {answer:.4g} {where}: the size |lambda|, not "
                        f"lambda ({expected:g}). |M v| is always positive; the Rayleigh "
                        "quotient v · (M v), with v of length 1, keeps the sign.")
        raise Wrong(f"power_iteration returned {answer:.4g} {where}; expected {expected:g}.")
    return ("power_iteration is right: it found 4, -3 and -6, signs included. On the running "
            "example it finds +1,507: the largest curvature in size is positive there.")


def _actual_zone(history: History) -> str:
    if history.diverged:
        return "divergence"
    if history.rose_at is None:
        return "monotone"
    return "edge of stability" if history.rise_kind == "late spike" else "catapult"


def _plain_names(answer: Any) -> list[str]:
    if answer is None:
        raise Wrong("predicted_zones returned None. Did you forget `return`?")
    if not isinstance(answer, (tuple, list)) or len(answer) != len(PREDICT_RATES):
        raise Wrong(f"predicted_zones should return {len(PREDICT_RATES)} zone names in a tuple, "
                    f"one per learning rate, not {describe(answer)}.")
    names = []
    for item in answer:
        if not isinstance(item, str) or str.__str__(item) not in ZONES:
            raise Wrong(f"predicted_zones returned {item!r}; each answer is one of "
                        f"{', '.join(repr(z) for z in ZONES)}.")
        names.append(str.__str__(item))
    return names


@checker
def check_predicted_zones(predicted_zones: Callable[[], Any]) -> str:
    """`predicted_zones()`: the zones of the `mean` rates PREDICT_RATES, committed to in advance."""
    helpers = {"zone_of", "find_zones", "train", "recall_or_train", "sweep", "readout_text",
               "outcome"}
    instead = "Predict: write the four names yourself, then the next cells show the truth."
    _refuse_helpers(predicted_zones, "predicted_zones", helpers, instead)
    with course_calls(helpers | {"edges", "find_edge"}) as ran:  # reached by a computed name
        answer = call_learner(predicted_zones, name="predicted_zones")
    if ran:
        raise Wrong(f"predicted_zones ran the course's {', '.join(ran)}: that does the job for "
                    f"you. {instead}")
    names = _plain_names(answer)
    truth = [_actual_zone(recall_or_train(lr, 100, "mean")) for lr in PREDICT_RATES]
    if names == truth:
        return ("predicted_zones is right: " + ", ".join(
            f"{lr:g} ({lr / MEAN_SCALE:.2g} with sum): {name}"
            for lr, name in zip(PREDICT_RATES, names, strict=True)) + ".")
    total = find_zones("sum")
    if names == [total.zone_of(lr) for lr in PREDICT_RATES]:
        raise Wrong("those are the zones of these numbers as `sum` rates. With `mean` every "
                    f"gradient is {MEAN_SCALE} times smaller: divide each rate by {MEAN_SCALE} "
                    "to find the `sum` rate that takes the same steps.")
    if names == [total.zone_of(lr / MEAN_SCALE ** 2) for lr in PREDICT_RATES]:
        raise Wrong(f"you moved each rate by {MEAN_SCALE} twice (or the wrong way): the `sum` "
                    f"rate with the same steps is the `mean` rate / {MEAN_SCALE}.")
    wrong = [(lr, name, actual) for lr, name, actual
             in zip(PREDICT_RATES, names, truth, strict=True) if name != actual]
    lr, name, actual = wrong[0]
    raise Wrong(f"at {lr:g} (mean) you predicted {name!r}, but the run shows {actual!r}; "
                f"{len(wrong)} of {len(PREDICT_RATES)} differ. Turn it into a `sum` rate "
                f"({lr / MEAN_SCALE:.2g}) and compare with 7.2e-4, 2/λ₀ = 1.33e-3 and 2.58e-3.")


