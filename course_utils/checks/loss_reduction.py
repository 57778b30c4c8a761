"""Check for notebook 06's first exercise: the `mean` learning rate that matches `sum`.

MSELoss's default `mean` divides the summed loss by all N * D_out elements (640 in the
running example), so every gradient is 640 times smaller and the learning rate that takes
the same steps is 640 times larger. Each classic slip (scaling by the examples only, by the
outputs only, dividing instead of multiplying) gets its own diagnosis.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from .. import problem
from .core import Wrong, call_learner, checker, number_answer

__all__ = ["check_mean_learning_rate"]

SUM_LR = problem.LEARNING_RATE
MEAN_LR = problem.LEARNING_RATE * problem.N * problem.D_OUT  # 0.064: see notebook 06


@checker
def check_mean_learning_rate(mean_learning_rate: Callable[[float, int, int], float]) -> str:
    """`mean_learning_rate(sum_lr, n_examples, n_outputs)`: the lr that makes `mean` follow `sum`.

    MSELoss's `mean` divides the summed loss by all n_examples * n_outputs elements, so its
    gradients are that many times smaller and the learning rate must be that many times larger.
    """
    for sum_lr, n_examples, n_outputs in ((SUM_LR, problem.N, problem.D_OUT), (0.01, 3, 5)):
        elements = n_examples * n_outputs
        answer = call_learner(mean_learning_rate, sum_lr, n_examples, n_outputs,
                              name="mean_learning_rate")
        # np.float32 too (compared within float32's precision), or a one-element tensor
        answer = number_answer(answer, "mean_learning_rate", "return one number, a learning rate")
        call = f"mean_learning_rate({sum_lr}, {n_examples}, {n_outputs})"
        if math.isclose(answer, sum_lr * elements, rel_tol=1e-6):
            continue
        mistakes = {
            sum_lr * n_examples: f"you scaled by the {n_examples} examples only. `mean` divides by "
                                 f"ALL {n_examples} * {n_outputs} = {elements} elements.",
            sum_lr * n_outputs: f"you scaled by the {n_outputs} outputs only. `mean` divides by "
                                f"ALL {n_examples} * {n_outputs} = {elements} elements.",
            sum_lr / elements: f"you divided. The gradients under `mean` are {elements} times "
                               f"SMALLER, so the learning rate must be {elements} times LARGER.",
            sum_lr: "that is the `sum` learning rate unchanged; `mean` makes every gradient "
                    f"{elements} times smaller.",
        }
        for value, reason in mistakes.items():
            if math.isclose(answer, value, rel_tol=1e-6):
                raise Wrong(f"{call} returned {answer:.4g}: {reason}")
        raise Wrong(f"{call} returned {answer:.4g}; expected {sum_lr * elements:.4g}. "
                    "How many numbers does `mean` divide the summed loss by?")
    return (f"mean_learning_rate is right: lr={SUM_LR:g} with `sum` and lr={MEAN_LR:g} with "
            f"`mean` take the same steps ({problem.N} * {problem.D_OUT} = "
            f"{problem.N * problem.D_OUT} times smaller gradients, {problem.N * problem.D_OUT} "
            "times larger learning rate).")
