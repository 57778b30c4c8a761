"""Checks for notebook 01 (the network by hand in numpy): two steps of the backward pass.

    check_relu_backward(relu_backward)              grad_h = grad_h_relu * (h > 0)
    check_output_layer_grads(output_layer_grads)    grad_w2 = h_relu.T @ grad_y_pred,
                                                    grad_b2 = grad_y_pred.sum(axis=0)
    check_first_layer_grad_shapes(first_layer_grad_shapes)
                                                    predict, for any sizes: grad_w1
                                                    (n_inputs, n_hidden), grad_b1 (n_hidden,)
    check_train_step(train_step)                    debug: every gradient before any update

Each check runs the learner's function on small random arrays, compares with the right
answer, and names the likely mistake: a transposed result, a missing ReLU mask, a wrong
sign, a missing bias gradient, ...
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import problem
from .core import (
    Wrong,
    call_learner,
    checker,
    close,
    describe,
    expect_array,
    plain_shape,
    shown,
)
from .learner_code import changed_in_place

__all__ = ["check_output_layer_grads", "check_relu_backward", "check_first_layer_grad_shapes",
           "check_train_step"]


def _example(seed: int, shape: tuple[int, int]) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


@checker
def check_relu_backward(relu_backward: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> str:
    """`relu_backward(grad_h_relu, h)` must return grad_h = grad_h_relu where h > 0, else 0.

    Both arguments and the result have shape (N, H) = (64, 100).
    """
    shape = (problem.N, problem.H)
    # h reaches well above 6, so a mask that also cuts large h (relu6's) shows.
    h, grad_h_relu = 10 * _example(1, shape), _example(2, shape)
    mask = h > 0
    expected = grad_h_relu * mask
    given = {"grad_h_relu": grad_h_relu.copy(), "h": h.copy()}
    answer = call_learner(relu_backward, given["grad_h_relu"], given["h"], name="relu_backward")
    if changed_in_place({"grad_h_relu": grad_h_relu, "h": h}, given):
        raise Wrong("relu_backward changed its input arrays in place (for example "
                    "`grad_h_relu[h < 0] = 0`). Work on a copy: `grad_h = grad_h_relu.copy()`, "
                    "so grad_h_relu is still intact for anything else that needs it.")
    grad_h = expect_array(answer, "relu_backward's result", shape, kind="numpy")
    if close(grad_h, expected):
        return ("relu_backward is right: the gradient passes where h > 0 and is zero where "
                "ReLU cut h to 0.")
    if close(grad_h, grad_h_relu):
        raise Wrong("relu_backward returned grad_h_relu unchanged: the ReLU mask is missing. "
                    "Where h <= 0 the ReLU output does not depend on h, so the gradient is 0 "
                    "there: multiply by (h > 0).")
    if close(grad_h, -expected):
        raise Wrong("relu_backward has the wrong sign: ReLU passes the gradient through "
                    "unchanged where h > 0 (its slope there is +1), no minus sign.")
    if close(grad_h, grad_h_relu * ~mask):
        raise Wrong("relu_backward's mask is reversed: the gradient must pass where h > 0 "
                    "(ReLU is the identity there) and be zero where h <= 0.")
    if close(grad_h, np.maximum(h, 0)) or close(grad_h, mask.astype(float)):
        raise Wrong("relu_backward returned something computed from h alone (ReLU(h) or the "
                    "mask itself). The result is the incoming gradient grad_h_relu, masked: "
                    "grad_h_relu * (h > 0).")
    wrong_at = ~np.isclose(grad_h, expected, rtol=1e-5, atol=1e-8)
    if np.all(h[wrong_at] <= 0):
        raise Wrong("relu_backward is right where h > 0 but not where h <= 0: there the "
                    "gradient must be exactly 0, since ReLU is flat (no small slope, as a leaky "
                    "ReLU has): grad_h_relu * (h > 0).")
    if np.all(h[wrong_at] > 1):
        raise Wrong(f"relu_backward is right for small h but wrong where h is large (from "
                    f"{h[wrong_at].min():.3g}): ReLU has no upper limit (relu6 stops at 6), its "
                    "slope is 1 for every h > 0: grad_h_relu * (h > 0).")
    worst = float(np.abs(grad_h - expected).max())
    raise Wrong(f"relu_backward's result differs from grad_h_relu * (h > 0) by up to {worst:.3g}. "
                "Keep grad_h_relu where h > 0 and put 0 elsewhere.")


@checker
def check_output_layer_grads(
        output_layer_grads: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
) -> str:
    """`output_layer_grads(h_relu, grad_y_pred)` must return (grad_w2, grad_b2).

    h_relu (N, H), grad_y_pred (N, D_out)  ->  grad_w2 (H, D_out), grad_b2 (D_out,)
    for y_pred = h_relu @ w2 + b2 in the numpy layout.
    """
    n, hidden, d_out = problem.N, problem.H, problem.D_OUT
    h_relu = np.maximum(_example(3, (n, hidden)), 0)
    grad_y_pred = _example(4, (n, d_out))
    expected_w2 = h_relu.T @ grad_y_pred  # computed first, from arrays the learner never sees
    expected_b2 = grad_y_pred.sum(axis=0)
    given = {"h_relu": h_relu.copy(), "grad_y_pred": grad_y_pred.copy()}
    answer = call_learner(output_layer_grads, given["h_relu"], given["grad_y_pred"],
                          name="output_layer_grads")
    changed = changed_in_place({"h_relu": h_relu, "grad_y_pred": grad_y_pred}, given)
    if changed:
        raise Wrong(f"output_layer_grads changed its input {' and '.join(changed)} in place "
                    "(an assignment into it, or `*=`): compute new arrays instead, so the "
                    "inputs stay intact for the rest of the backward pass.")
    grad_w2, grad_b2 = _two_results(answer, hidden, d_out)
    grad_w2 = expect_array(grad_w2, "grad_w2", (hidden, d_out), kind="numpy")
    if not close(grad_w2, expected_w2):
        if close(grad_w2, -expected_w2):
            raise Wrong("grad_w2 has the wrong sign: it is the derivative of the loss, "
                        "h_relu.T @ grad_y_pred; the minus sign belongs to the update "
                        "(w2 -= lr * grad_w2), not to the gradient.")
        if close(grad_w2, expected_w2 / n):
            raise Wrong(f"grad_w2 is divided by N = {n}: the loss is a sum over examples, "
                        "so the gradient is the plain sum h_relu.T @ grad_y_pred.")
        worst = float(np.abs(grad_w2 - expected_w2).max())
        raise Wrong(f"grad_w2 differs from h_relu.T @ grad_y_pred by up to {worst:.3g}. Which "
                    "array must be transposed so that (H, N) @ (N, D_out) gives (H, D_out)?")
    if grad_b2 is None:
        raise Wrong("grad_b2 is None: the bias gradient is missing. Each b2[j] is added to "
                    "every example's y_pred[:, j], so grad_b2 = grad_y_pred.sum(axis=0).")
    if isinstance(grad_b2, np.ndarray) and grad_b2.shape == (n, d_out):
        raise Wrong(f"grad_b2 has shape {grad_b2.shape}, one row per example: sum over the "
                    "examples, grad_y_pred.sum(axis=0), to get one number per bias (D_out,).")
    grad_b2 = expect_array(grad_b2, "grad_b2", (d_out,), kind="numpy")
    if close(grad_b2, expected_b2):
        return ("output_layer_grads is right: grad_w2 = h_relu.T @ grad_y_pred (H, D_out) and "
                "grad_b2 = grad_y_pred.sum(axis=0) (D_out,).")
    if not np.any(grad_b2):
        raise Wrong("grad_b2 is all zeros: the bias gradient is missing. Each b2[j] is added "
                    "to every example, so grad_b2 = grad_y_pred.sum(axis=0).")
    if close(grad_b2, -expected_b2):
        raise Wrong("grad_b2 has the wrong sign: it is grad_y_pred.sum(axis=0); the minus sign "
                    "belongs to the update.")
    if close(grad_b2, expected_b2 / n):
        raise Wrong("grad_b2 is the mean over the examples: the loss is a SUM over examples, "
                    "so use grad_y_pred.sum(axis=0).")
    raise Wrong("grad_b2 differs from grad_y_pred.sum(axis=0). Sum the incoming gradient over "
                "the examples (axis 0): one number per output.")


def _two_results(answer: object, hidden: int, d_out: int) -> tuple[object, object]:
    """Unpack (grad_w2, grad_b2), naming the usual slips: one array only, swapped order."""
    if isinstance(answer, np.ndarray) and answer.ndim == 2:
        raise Wrong("output_layer_grads returned one array: the bias gradient is missing. "
                    "Return both: `return grad_w2, grad_b2`.")
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise Wrong(f"output_layer_grads should return two arrays (grad_w2, grad_b2), "
                    f"but returned {describe(answer)}.")
    first, second = answer
    if getattr(first, "shape", None) == (d_out,) and getattr(second, "ndim", 0) == 2:
        raise Wrong("output_layer_grads returned (grad_b2, grad_w2): return grad_w2 first.")
    return first, second


SIZES = ((problem.N, problem.D_IN, problem.H), (8, 3, 5), (1, 6, 4))  # all sizes distinct


@checker
def check_first_layer_grad_shapes(first_layer_grad_shapes: Callable[..., tuple]) -> str:
    """`first_layer_grad_shapes(n_examples, n_inputs, n_hidden)` -> (shape of grad_w1, shape
    of grad_b1), predicted for a first layer `h = x @ w1 + b1` of those sizes.

    The truth, numpy layout: grad_w1 (n_inputs, n_hidden), grad_b1 (n_hidden,): each gradient
    has the shape of its parameter, whatever the number of examples. Tried on the running
    example (64, 1000, 100), then on sizes an answer copied from its printout does not fit.
    """
    for n, d_in, hidden in SIZES:
        answer = call_learner(first_layer_grad_shapes, n, d_in, hidden,
                              name="first_layer_grad_shapes")
        _first_layer_shapes_right(answer, n, d_in, hidden)
    return ("first_layer_grad_shapes is right: grad_w1 is (n_inputs, n_hidden) and grad_b1 "
            "(n_hidden,), the shapes of w1 and b1, for any number of examples: they are summed "
            "away.")


def _first_layer_shapes_right(answer: object, n: int, d_in: int, hidden: int) -> None:
    """Wrong, with the likely slip, unless `answer` is ((d_in, hidden), (hidden,))."""
    sizes = f"(n_examples, n_inputs, n_hidden) = {(n, d_in, hidden)}"
    if not isinstance(answer, (tuple, list)) or len(answer) != 2 or plain_shape(answer):
        raise Wrong("first_layer_grad_shapes should return two shapes, (shape of grad_w1, "
                    f"shape of grad_b1), each a tuple such as (2, 3); for {sizes} it returned "
                    f"{describe(answer)}.")
    # a tuple, list or torch.Size of ints, np.int64 entries too
    weight, bias = (plain_shape(part) for part in answer)
    if weight is None or bias is None:
        raise Wrong(f"write each shape as a tuple of ints, e.g. (2, 3) or (3,); you returned "
                    f"{shown(answer)}. A 1-D shape needs its comma: (3,).")
    running = (problem.D_IN, problem.H)
    if (n, d_in, hidden) != SIZES[0] and (weight, bias) == (running, (problem.H,)):
        raise Wrong(f"for {sizes} you returned the running example's shapes, {running} and "
                    f"{(problem.H,)}: use the arguments, not the numbers printed above.")
    if weight == (hidden, d_in):
        raise Wrong(f"grad_w1 {weight} is transposed (for {sizes}): a gradient has the shape "
                    "of its parameter, and w1 is (n_inputs, n_hidden) in the numpy layout.")
    if weight in ((n, hidden), (n, d_in), (n, d_in, hidden)):
        raise Wrong(f"grad_w1 {weight} keeps the examples (for {sizes}). In x.T @ grad_h the "
                    "examples are the inner size, so they are summed away: grad_w1 has the "
                    "shape of w1, whatever the number of examples.")
    if weight != (d_in, hidden):
        raise Wrong(f"grad_w1 {weight} (for {sizes}): a gradient has the shape of its "
                    "parameter. What is the shape of w1?")
    if bias in ((n, hidden), (n,)):
        raise Wrong(f"grad_b1 {bias} keeps the examples (for {sizes}): b1 is added to every "
                    "row, so its gradient sums over the examples and has the shape of b1.")
    if bias == (1, hidden):
        raise Wrong(f"grad_b1 {bias} is 2-D; b1 is 1-D, (n_hidden,), and so is its gradient.")
    if bias != (hidden,):
        raise Wrong(f"grad_b1 {bias} (for {sizes}): a gradient has the shape of its parameter. "
                    "What is the shape of b1?")


def _reference_step(x: np.ndarray, y: np.ndarray, w: dict, lr: float,
                    stale_w2: bool = False) -> dict:
    """One step of gradient descent on copies of `w`; `stale_w2` plants the order bug."""
    w = {name: value.copy() for name, value in w.items()}
    h = x @ w["w1"] + w["b1"]
    h_relu = np.maximum(h, 0)
    grad_y_pred = 2.0 * (h_relu @ w["w2"] + w["b2"] - y)
    grad_w2, grad_b2 = h_relu.T @ grad_y_pred, grad_y_pred.sum(axis=0)
    if stale_w2:
        w["w2"] -= lr * grad_w2
    grad_h = (grad_y_pred @ w["w2"].T) * (h > 0)
    if not stale_w2:
        w["w2"] -= lr * grad_w2
    w["b2"] -= lr * grad_b2
    w["w1"] -= lr * (x.T @ grad_h)
    w["b1"] -= lr * grad_h.sum(axis=0)
    return w


@checker
def check_train_step(train_step: Callable[..., object]) -> str:
    """`train_step(x, y, w, lr)` must make one step of gradient descent on the dict `w`.

    w: {"w1", "b1", "w2", "b2"} numpy arrays, updated in place (or replaced in the dict).
    Every gradient comes from the weights as they were at the start of the step.
    """
    x, y = problem.make_data()
    start = problem.initial_weights()
    w = {name: value.copy() for name, value in start.items()}
    lr = problem.LEARNING_RATE
    call_learner(train_step, x, y, w, lr, name="train_step")
    right = _reference_step(x, y, start, lr)
    stale = _reference_step(x, y, start, lr, stale_w2=True)
    results = {name: expect_array(w.get(name), f"w['{name}'] after the step",
                                  start[name].shape, kind="numpy") for name in right}
    if all(close(results[k], right[k], rtol=1e-10, atol=1e-14) for k in right):
        return ("train_step is right: every gradient is computed from the weights as they "
                "were, then every weight moves.")
    if all(close(results[k], stale[k], rtol=1e-10, atol=1e-14) for k in right):
        raise Wrong("w2 and b2 are right but w1 and b1 are slightly off: grad_h is still "
                    "computed with the w2 that was just updated. The chain rule needs the "
                    "weights the forward pass used: compute every gradient first, then update.")
    for name in ("w2", "b2", "w1", "b1"):
        step, expected = results[name] - start[name], right[name] - start[name]
        if close(step, np.zeros_like(step), rtol=0, atol=0):
            raise Wrong(f"w['{name}'] did not change: every weight and bias takes its step "
                        f"(`w['{name}'] -= lr * grad_{name}`).")
        if close(step, 2 * expected, rtol=1e-6, atol=1e-14):
            raise Wrong(f"w['{name}'] moved twice its step: it is updated twice. Keep one "
                        "update per weight, after all the gradients.")
        if close(step, -expected, rtol=1e-6, atol=1e-14):
            raise Wrong(f"w['{name}'] moved uphill (+lr * grad): the update is "
                        f"`w['{name}'] -= lr * grad_{name}`.")
        if not close(results[name], right[name], rtol=1e-10, atol=1e-14):
            raise Wrong(f"w['{name}'] ends in the wrong place. Change only the misplaced "
                        "line: compute every gradient from the weights as they were, then "
                        "update.")
    raise Wrong("train_step's weights differ from one step of gradient descent.")
