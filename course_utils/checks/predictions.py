"""Checks of the "predict" exercises of notebooks 05, 06 and 08.

A predict exercise is a function that returns the learner's guess, written down BEFORE the
cell that reveals the answer:

    def predicted_output_shapes():
        return [(64, 100), (64, 100), (64, 10)]

The check compares the guess and, when it is wrong, names the convention or the idea it
followed ("that is the weight's shape, not the output's"). A guess must not be computed by
running torch: `call_prediction` watches, while the learner's function runs, for a module's
forward, `parameters()` and `backward()`, and says so if any ran.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn

from .. import problem
from .core import Wrong, call_learner, checker, describe, number_answer, plain_shape, shown

__all__ = ["check_predicted_output_shapes", "check_predicted_gradient_ratio",
           "check_predicted_list_parameters"]


@contextmanager
def _watch_torch() -> Iterator[list[str]]:
    """Record, while the block runs, whether a module ran, parameters were listed or
    backward() was called. Everything is restored afterwards, whatever happens."""
    seen: list[str] = []
    handle = nn.modules.module.register_module_forward_hook(
        lambda module, inputs, output: seen.append(f"{type(module).__name__}.forward"))
    named_parameters, backward = nn.Module.named_parameters, torch.Tensor.backward

    def watched_named_parameters(self: nn.Module, *args: Any, **kwargs: Any) -> Any:
        seen.append("parameters()")
        return named_parameters(self, *args, **kwargs)

    def watched_backward(self: torch.Tensor, *args: Any, **kwargs: Any) -> Any:
        seen.append("backward()")
        return backward(self, *args, **kwargs)

    nn.Module.named_parameters = watched_named_parameters  # type: ignore[method-assign]
    torch.Tensor.backward = watched_backward  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        handle.remove()
        nn.Module.named_parameters = named_parameters  # type: ignore[method-assign]
        torch.Tensor.backward = backward  # type: ignore[method-assign]


def call_prediction(function: Callable[[], Any], name: str) -> Any:
    """The learner's guess: `function()`, refused if it was computed by running torch."""
    with _watch_torch() as seen:
        answer = call_learner(function, name=name)
    if seen:
        raise Wrong(f"{name} ran {seen[0]} to find its answer. A prediction is written down "
                    "before anything runs: return the value you expect, as numbers.")
    if answer is None:
        raise Wrong(f"{name} returned None. Write your guess after `return`.")
    return answer


STACK = 8  # batches stacked in front of the running example's x: (8, 64, 1000)


@checker
def check_predicted_output_shapes(predicted_output_shapes: Callable[[], Any]) -> str:
    """The output shape of each of the running example's three modules, for a stack of 8
    batches, x of (8, 64, 1000).

    Expected [(8, 64, 100), (8, 64, 100), (8, 64, 10)]: a Linear works on the last dimension
    and keeps every dimension in front of it (notebook 04), and ReLU, working number by
    number, keeps its input's shape.
    """
    answer = call_prediction(predicted_output_shapes, "predicted_output_shapes")
    n, d_in, h, d_out = problem.N, problem.D_IN, problem.H, problem.D_OUT
    stack = STACK
    expected = [(stack, n, h), (stack, n, h), (stack, n, d_out)]
    # each shape a tuple, list or torch.Size of ints (np.int64 entries too)
    shapes = [plain_shape(s) for s in answer] if isinstance(answer, (list, tuple)) else [None]
    if None in shapes:
        got = shown(answer) if isinstance(answer, (list, tuple)) else describe(answer)
        raise Wrong(f"predicted_output_shapes returned {got}; return a list of shapes, one "
                    "per module, each a tuple of ints: [(1, 2, 3), (1, 2, 3), (1, 2, 4)].")
    if len(shapes) == 4 and shapes[1:] == expected:
        raise Wrong("You listed 4 shapes: the first is x itself. Give one OUTPUT shape per "
                    "module, three in all.")
    if len(shapes) != 3:
        raise Wrong(f"You listed {len(shapes)} shapes; the model has 3 modules (Linear, ReLU, "
                    "Linear): give one output shape for each.")
    if shapes == expected:
        return (f"predicted_output_shapes is right: ({stack}, {n}, {d_in}) -> ({stack}, {n}, "
                f"{h}) -> ({stack}, {n}, {h}) -> ({stack}, {n}, {d_out}); each module changes "
                "the last dimension only and keeps every dimension in front of it.")
    if shapes == [(n, h), (n, h), (n, d_out)]:
        raise Wrong(f"Those are the shapes for one batch, x ({n}, {d_in}). The stack has "
                    f"{stack} batches in front: a Linear works on the last dimension and keeps "
                    "every dimension in front of it (notebook 04, the end).")
    if shapes in ([(h, n), (h, n), (d_out, n)], [(stack, h, n), (stack, h, n), (stack, d_out, n)]):
        raise Wrong(f"Your shapes are transposed: a module's output keeps one ROW per example, "
                    f"as its input x ({stack}, {n}, {d_in}) does; only the last size changes.")
    if shapes[0] == (h, d_in) or shapes[-1] == (d_out, h):
        raise Wrong(f"{shapes[0]} or {shapes[-1]} is a weight's shape (out, in), not the "
                    "output's: a Linear changes the input's last size from in_features to "
                    "out_features.")
    if shapes[1] != shapes[0]:
        raise Wrong(f"You predicted that ReLU turns {shapes[0]} into {shapes[1]}. ReLU works "
                    "number by number: its output has exactly its input's shape.")
    raise Wrong(f"You predicted {shapes}. Follow x ({stack}, {n}, {d_in}) through "
                "Linear(1000, 100), ReLU and Linear(100, 10): each Linear keeps the dimensions "
                "in front and changes the last one from in_features to out_features.")


@checker
def check_predicted_gradient_ratio(predicted_gradient_ratio: Callable[[], Any]) -> str:
    """`.grad` after backward() on the first half of the batch and then on the second half
    (summed loss, nothing cleared), divided by `.grad` after one backward() on the whole
    batch: 1. The whole batch's summed loss is the two halves' losses added, and backward()
    adds into .grad, so the two halves' gradients add up to the whole batch's.
    """
    answer = number_answer(call_prediction(predicted_gradient_ratio, "predicted_gradient_ratio"),
                           "predicted_gradient_ratio")
    if math.isclose(answer, 1):
        return ("predicted_gradient_ratio is right: backward() ADDS each half's gradient into "
                ".grad, and with reduction='sum' the whole batch's loss is the two halves' "
                "losses added, so the two gradients add up to the whole batch's.")
    if math.isclose(answer, 2):
        raise Wrong("2 would be two copies of the same gradient (notebook 03 ran backward() "
                    "twice on one loss). Here each call computes the gradient of a different "
                    "half: how do the two halves' summed losses compare with the whole's?")
    if math.isclose(answer, 0.5):
        raise Wrong("0.5 would be one half's share alone, as if the second backward() "
                    "overwrote the first. It does not: backward() adds into .grad.")
    if math.isclose(answer, 0):
        raise Wrong("A ratio of 0 would mean the gradients cancel. Nothing cleared .grad "
                    "between the two calls, and backward() adds.")
    raise Wrong(f"You predicted {answer:g}. backward() adds into .grad; with reduction='sum', "
                "what is the first half's loss plus the second half's?")


@checker
def check_predicted_list_parameters(predicted_list_parameters: Callable[[], Any]) -> str:
    """How many numbers `parameters()` finds in ListNet() (two Linear layers in a plain list): 0."""
    answer = number_answer(call_prediction(predicted_list_parameters,
                                           "predicted_list_parameters"),
                           "predicted_list_parameters")
    if answer == 0:
        return ("predicted_list_parameters is right: a plain list is 'anything else' for "
                "__setattr__, so parameters() finds none of the layers' numbers.")
    held = 1000 * 100 + 100 + 100 * 10 + 10
    if answer == held:
        raise Wrong(f"{held:,} is what the layers hold. But __setattr__ above registers only a "
                    "Module or a Parameter: what is self.layers?")
    raise Wrong(f"You predicted {answer:,}. Read __setattr__ above: which of its branches does "
                "a plain Python list take, and what does parameters() walk?")
