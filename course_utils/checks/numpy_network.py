"""Checks for notebook 01 (the network by hand in numpy): two steps of the backward pass.

    check_relu_backward(relu_backward)              grad_h = grad_h_relu * (h > 0)
    check_output_layer_grads(output_layer_grads)    grad_w2 = h_relu.T @ grad_y_pred,
                                                    grad_b2 = grad_y_pred.sum(axis=0)

Each check runs the learner's function on small random arrays, compares with the right
answer, and names the likely mistake: a transposed result, a missing ReLU mask, a wrong
sign, a missing bias gradient, ...
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import problem
from .core import Wrong, call_learner, checker, close, describe, expect_array
from .learner_code import changed_in_place

__all__ = ["check_output_layer_grads", "check_relu_backward"]


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
