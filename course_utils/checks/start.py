"""Check for notebook 00's warm-up exercise: how many numbers does `x` hold?"""

from __future__ import annotations

from collections.abc import Callable

from .. import problem
from .core import Wrong, call_learner, checker, describe, plain_number, shown

__all__ = ["check_count_inputs"]


@checker
def check_count_inputs(count_inputs: Callable[[int, int], int]) -> str:
    """`count_inputs(n_examples, n_features)` must return how many numbers x holds.

    For the running example: count_inputs(64, 1000) == 64_000.
    """
    for n_examples, n_features in ((problem.N, problem.D_IN), (3, 5)):
        expected = n_examples * n_features
        answer = call_learner(count_inputs, n_examples, n_features, name="count_inputs")
        if answer is None:
            raise Wrong("count_inputs returned None. Did you forget `return`?")
        if isinstance(answer, tuple):
            raise Wrong(f"count_inputs returned the shape {shown(answer)}; return the number "
                        "of elements instead: multiply the two sizes.")
        number = plain_number(answer)  # compare plain numbers: an object's `==` may say anything
        if number is None:
            raise Wrong(f"count_inputs({n_examples}, {n_features}) returned {describe(answer)}; "
                        f"expected the whole number {expected}.")
        if number == n_examples + n_features:
            raise Wrong(f"count_inputs({n_examples}, {n_features}) returned {number}: you added "
                        "the sizes. A (rows, columns) table holds rows * columns numbers.")
        if number != expected:
            raise Wrong(f"count_inputs({n_examples}, {n_features}) returned {describe(answer)}; "
                        f"expected {expected}.")
    return (f"count_inputs is right: x of the running example holds "
            f"{problem.N} * {problem.D_IN} = {problem.N * problem.D_IN:,} numbers.")
