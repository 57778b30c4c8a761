"""Checks for notebook 04 (nn.Linear): `my_linear(x, W, b)`, the shapes of a layer, and
`linear_from_numpy(w, b)`, which puts numpy-layout weights into an nn.Linear."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from ..shape_errors import MATMUL
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

__all__ = ["check_my_linear", "check_linear_parameter_shapes", "check_linear_from_numpy"]


def _linear_case(n_examples: int, in_features: int, out_features: int, seed: int) -> tuple:
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n_examples, in_features, generator=generator, dtype=torch.float64)
    weight = torch.randn(out_features, in_features, generator=generator, dtype=torch.float64)
    bias = torch.randn(out_features, generator=generator, dtype=torch.float64)
    return x, weight, bias


def _call_my_linear(my_linear: Callable, x: torch.Tensor, weight: torch.Tensor,
                    bias: torch.Tensor) -> Any:
    """Call the learner's function on copies; read a shape error as the likely mistake."""
    try:
        return call_learner(my_linear, x.clone(), weight.clone(), bias.clone(), name="my_linear")
    except Wrong as wrong:
        message = str(wrong)
        product = MATMUL.search(message)
        if product and tuple(int(g) for g in product.groups()[:2]) == tuple(weight.shape):
            raise Wrong(f"my_linear multiplied W {tuple(weight.shape)} from the left and got a "
                        "shape error. In PyTorch each example is a ROW of x, so x comes first: "
                        f"x @ W.T + b. ({message})") from None
        if "cannot be multiplied" in message:
            raise Wrong(f"my_linear(x, W, b) with x {tuple(x.shape)} and W {tuple(weight.shape)} "
                        f"raised a shape error. Did you multiply by W instead of W.T? W is "
                        f"(out_features, in_features), so x @ W.T is (N, out_features). "
                        f"({message})") from None
        if "must match the size" in message:
            raise Wrong("my_linear raised a broadcasting error when adding the bias. b has shape "
                        "(out_features,): add it as it is, so it lines up with the LAST "
                        f"dimension of x @ W.T (one bias per output unit). ({message})") from None
        raise


@checker
def check_my_linear(my_linear: Callable) -> str:
    """`my_linear(x, W, b)` must compute what nn.Linear does: x @ W.T + b.

    x is (N, in_features), W is (out_features, in_features), b is (out_features,); the result
    is (N, out_features). Tried on x (128, 20) with W (30, 20), as in the notebook, then on
    square sizes where a transposed W or a bias on the wrong axis would go unnoticed by shape.
    """
    cases = [(128, 20, 30, 0), (5, 5, 5, 1), (4, 3, 2, 2)]
    for n_examples, in_features, out_features, seed in cases:
        x, weight, bias = _linear_case(n_examples, in_features, out_features, seed)
        answer = _call_my_linear(my_linear, x, weight, bias)
        expected_shape = (n_examples, out_features)
        if isinstance(answer, torch.Tensor) and tuple(answer.shape) == (out_features, n_examples) \
                and expected_shape != (out_features, n_examples):
            raise Wrong(f"my_linear returned shape {tuple(answer.shape)} = (out_features, N); "
                        f"expected {expected_shape} = (N, out_features). That is Andrew Ng's "
                        "layout (W @ x with one column per example). PyTorch keeps one ROW per "
                        "example: return x @ W.T + b.")
        result = expect_array(answer, "my_linear(x, W, b)", expected_shape, kind="tensor")
        _diagnose_values(result, x, weight, bias)
    return ("my_linear matches nn.Linear's formula x @ W.T + b on 3 inputs, (128, 20) -> "
            "(128, 30) among them.")


def _diagnose_values(result: np.ndarray, x: torch.Tensor, weight: torch.Tensor,
                     bias: torch.Tensor) -> None:
    """Compare with the right answer and with each planted mistake; raise the closest one."""
    right = x @ weight.T + bias
    if close(result, right.numpy()):
        return
    mistakes = [
        (x @ weight.T, "my_linear leaves out the bias: add b (one number per output unit)."),
        (x @ weight.T - bias, "my_linear subtracts the bias; nn.Linear adds it: x @ W.T + b."),
        (right.T, "my_linear returns the result transposed, (out_features, N): Andrew Ng's "
         "layout, one column per example. PyTorch keeps one ROW per example: x @ W.T + b."),
    ]
    if weight.shape[0] == weight.shape[1] == x.shape[0]:  # square: these raise no error
        mistakes += [
            (x @ weight.T + bias[:, None], "my_linear adds the bias along the wrong axis: b[i] "
             "went to example i instead of output unit i. Add b of shape (out_features,) as it "
             "is; it broadcasts over the rows (examples)."),
            (x @ weight + bias, "my_linear multiplies by W, not W.T: the weight looks transposed. "
             "nn.Linear stores (out_features, in_features), so compute x @ W.T + b."),
            (x @ weight, "my_linear multiplies by W, not W.T (the weight looks transposed), and "
             "it leaves out the bias: compute x @ W.T + b."),
        ]
    for wrong_answer, diagnosis in mistakes:
        if wrong_answer.shape == right.shape and close(result, wrong_answer.numpy()):
            raise Wrong(diagnosis)
    raise Wrong(f"my_linear(x, W, b) has the right shape {tuple(right.shape)} but different "
                "values from x @ W.T + b. Check each step: the product, then the bias.")


@checker
def check_linear_parameter_shapes(linear_parameter_shapes: Callable) -> str:
    """`linear_parameter_shapes(in_features, out_features)` -> (weight shape, bias shape).

    Compared with real nn.Linear layers: Linear(20, 30) -> ((30, 20), (30,)), and the two
    layers of the running example, Linear(1000, 100) and Linear(100, 10).
    """
    layers = [(20, 30), (1000, 100), (100, 10), (3, 1)]
    for in_features, out_features in layers:
        answer = call_learner(linear_parameter_shapes, in_features, out_features,
                              name="linear_parameter_shapes")
        if answer is None:
            raise Wrong("linear_parameter_shapes returned None. Did you forget `return`?")
        if not isinstance(answer, (tuple, list, torch.Size)) or len(answer) != 2 \
                or plain_shape(answer) is not None:
            raise Wrong(f"linear_parameter_shapes should return two shapes (weight shape, bias "
                        f"shape), e.g. ((30, 20), (30,)); it returned {describe(answer)}.")
        weight_shape, bias_shape = (plain_shape(a) for a in answer)  # np.int64 entries too
        layer = nn.Linear(in_features, out_features)
        call = f"linear_parameter_shapes({in_features}, {out_features})"
        if weight_shape is None or bias_shape is None:
            raise Wrong(f"{call} returned {shown(answer)}: write each shape as a tuple of ints, "
                        "e.g. (30, 20) and (30,). A 1-D shape needs its comma: (30,).")
        _diagnose_shapes(call, weight_shape, bias_shape, layer)
    return ("linear_parameter_shapes matches nn.Linear: weight (out_features, in_features), "
            "bias (out_features,).")


def _diagnose_shapes(call: str, weight_shape: tuple, bias_shape: tuple, layer: nn.Linear) -> None:
    real_weight, real_bias = tuple(layer.weight.shape), tuple(layer.bias.shape)
    if weight_shape != real_weight:
        if weight_shape == real_weight[::-1]:
            raise Wrong(f"{call}: weight {weight_shape} is transposed. nn.Linear stores "
                        f"(out_features, in_features) = {real_weight}: one ROW per output unit.")
        raise Wrong(f"{call}: weight {weight_shape}; nn.Linear's is {real_weight}.")
    if bias_shape != real_bias:
        if bias_shape == (layer.in_features,):
            raise Wrong(f"{call}: bias {bias_shape} has one number per INPUT; nn.Linear has one "
                        f"bias per output unit: {real_bias}.")
        if sorted(bias_shape) == sorted((1, layer.out_features)):
            raise Wrong(f"{call}: bias {bias_shape} is 2-D; nn.Linear's bias is 1-D, "
                        f"{real_bias}, and broadcasts over the examples.")
        raise Wrong(f"{call}: bias {bias_shape}; nn.Linear's is {real_bias}.")


@checker
def check_linear_from_numpy(linear_from_numpy: Callable) -> str:
    """`linear_from_numpy(w, b)` -> an nn.Linear computing x @ w + b, for w (in, out), b (out,).

    The layer must have in_features = w.shape[0], weight = w.T (the (out, in) layout), bias
    = b, parameters that still require grad. Tried on (20, 30), then on a square (4, 4), where
    a weight copied without its transpose raises no shape error.
    """
    for n_in, n_out, seed in ((20, 30, 0), (4, 4, 1)):
        generator = np.random.default_rng(seed)
        w, b = generator.standard_normal((n_in, n_out)), generator.standard_normal(n_out)
        try:
            layer = call_learner(linear_from_numpy, w.copy(), b.copy(), name="linear_from_numpy")
        except Wrong as wrong:
            if "must match the size" in str(wrong):
                raise Wrong(f"copying into the layer raised a shape error ({wrong}). w is "
                            "(in, out); nn.Linear(in, out) holds weight (out, in) and bias "
                            "(out,): build nn.Linear(w.shape[0], w.shape[1]) and copy w.T.") \
                    from None
            raise
        if not isinstance(layer, nn.Linear):
            raise Wrong(f"linear_from_numpy should return an nn.Linear, but returned "
                        f"{describe(layer)}.")
        if (layer.in_features, layer.out_features) != (n_in, n_out):
            raise Wrong(f"for w of shape {w.shape} the layer is nn.Linear({layer.in_features}, "
                        f"{layer.out_features}); expected nn.Linear({n_in}, {n_out}). In the "
                        "numpy layout w is (in, out): in_features is w.shape[0].")
        weight = layer.weight.detach().double().numpy()
        if weight.shape == w.shape and n_in == n_out and np.allclose(weight, w, atol=1e-6) \
                and not np.allclose(w, w.T):
            raise Wrong("the weight was copied without its transpose: nn.Linear stores "
                        "(out, in), so it must hold w.T. (A square w hides this from the "
                        "shapes; the numbers show it.)")
        if not np.allclose(weight, w.T, atol=1e-6) and \
                np.allclose(weight, w.reshape(n_out, n_in), atol=1e-6):
            raise Wrong("the weight was reshaped, not transposed: reshape keeps the numbers in "
                        "their memory order and only regroups them, so rows of w.reshape(out, "
                        "in) are not output units. Use the transpose, w.T.")
        if not np.allclose(weight, w.T, atol=1e-6):
            raise Wrong("layer.weight does not hold w.T. Copy the numbers in, transposed, "
                        "under torch.no_grad().")
        if layer.bias is None or not np.allclose(layer.bias.detach().double().numpy(), b,
                                                 atol=1e-6):
            raise Wrong("layer.bias does not hold b: copy the bias too.")
        if not (layer.weight.requires_grad and layer.bias.requires_grad):
            raise Wrong("the layer's parameters no longer require grad, so it could not be "
                        "trained. Copy with `layer.weight.copy_(...)` inside torch.no_grad().")
        x = torch.tensor(generator.standard_normal((5, n_in)), dtype=layer.weight.dtype)
        if not close(layer(x).detach().double().numpy(), x.double().numpy() @ w + b,
                     rtol=1e-4, atol=1e-5):
            raise Wrong("layer(x) differs from x @ w + b.")
    return ("linear_from_numpy is right: nn.Linear(in, out) holding w.T and b computes "
            "x @ w + b, and its parameters still require grad.")
