"""Checks for notebook 02 (tensors): a numpy step ported to torch, and tensors made once.

    check_hidden_layer(hidden_layer)          h_relu = (x @ w1 + b1).clamp(min=0), as a tensor
    check_weights_as_tensors(weights_as_tensors)
                                              numpy arrays -> tensors of ONE dtype on ONE device
    check_predicted_loss_shape(predicted_loss_shape)   predict: the summed loss has shape ()
    check_uniform_std(uniform_std)            derive: uniform in (-a, a) has std a / sqrt(3)

Both diagnose the mistakes of a port: a numpy array returned, the wrong dtype, the wrong
device. To catch a forgotten `device=` on a machine with no GPU, check_weights_as_tensors
also asks for device "meta": a device that stores shapes and dtypes but no numbers, present
in every torch build (a tensor made without `device=` lands on the CPU instead). To catch a
detour through numpy, which works on the CPU and fails on a GPU, check_hidden_layer watches
the learner's call with a `torch.overrides.TorchFunctionMode` (`_NumpyWatch`): every torch
function and tensor method called inside it passes through the mode, which stops the ones
that hand a tensor to numpy. (Running it on "meta" would show the same, but elementwise operations
on "meta" (+, clamp, relu) go through Python reference code that imports torch._dynamo first:
2-3 s of a notebook's run, once per kernel, for nothing the learner sees.)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch.overrides import TorchFunctionMode

from .. import problem
from .core import (
    Wrong,
    call_learner,
    checker,
    close,
    describe,
    expect_array,
    number_answer,
    plain_number,
    plain_shape,
    reject_helper,
    shown,
)
from .learner_code import changed_in_place

__all__ = ["check_hidden_layer", "check_weights_as_tensors", "check_predicted_loss_shape",
           "check_uniform_std"]

NAMES = ("w1", "b1", "w2", "b2")
LEFT_TORCH = "handed a tensor to numpy"


class _NumpyWatch(TorchFunctionMode):
    """While active, a tensor handed to numpy (`.numpy()`, `np.asarray`, `np.maximum(t, 0)`,
    `.tolist()`) raises RuntimeError: on a GPU those fail, so a port must not use them."""

    EXITS = (torch.Tensor.numpy, torch.Tensor.__array__, torch.Tensor.tolist)

    def __torch_function__(self, func: Callable, types: object, args: tuple = (),
                           kwargs: dict | None = None) -> object:
        if func in self.EXITS:
            raise RuntimeError(f"{LEFT_TORCH} ({func.__name__})")
        return func(*args, **(kwargs or {}))


def _expect_tensor_like(value: object, name: str, dtype: torch.dtype,
                        device: torch.device) -> None:
    """Wrong unless `value` is a tensor of `dtype` on `device` (numpy named as such)."""
    if isinstance(value, np.ndarray):
        raise Wrong(f"{name} is a numpy array; expected a torch tensor. Stay in torch: "
                    "`.clamp(min=0)` instead of np.maximum, `torch.tensor(...)` to convert.")
    if not isinstance(value, torch.Tensor):
        raise Wrong(f"{name} should be a torch tensor, but it is {describe(value)}.")
    if value.dtype != dtype:
        raise Wrong(f"{name} is {str(value.dtype).replace('torch.', '')}; expected "
                    f"{str(dtype).replace('torch.', '')}. Pass `dtype=dtype` to every tensor "
                    "you create (numpy arrays are float64, torch's default is float32).")
    if value.device != device:
        raise Wrong(f"{name} is on device {value.device}; expected {device}. Pass "
                    "`device=device` to every tensor you create, so all of them live on the "
                    "same device.")


@checker
def check_hidden_layer(hidden_layer: Callable[..., torch.Tensor]) -> str:
    """`hidden_layer(x, w1, b1)` on tensors must return ReLU(x @ w1 + b1), same dtype and device.

    x (N, D_in), w1 (D_in, H) numpy layout, b1 (H,)  ->  h_relu (N, H).
    It is tried in float32 and float64, and on x * 20 (h above 6), each time on copies.
    """
    x, _ = problem.make_data()
    weights = problem.initial_weights()
    # The running example in float32 and float64, then x * 20: h reaches far above 6, so a
    # ReLU capped at 6 (relu6) shows, and float64 shows a leaky ReLU's tiny negative slope.
    for dtype, scale in ((torch.float32, 1), (torch.float64, 1), (torch.float64, 20)):
        inputs = {"x": scale * torch.tensor(x, dtype=dtype),
                  "w1": torch.tensor(weights["w1"], dtype=dtype),
                  "b1": torch.tensor(weights["b1"], dtype=dtype)}
        h = (inputs["x"] @ inputs["w1"] + inputs["b1"]).double().numpy()  # expected, first
        without_bias = (inputs["x"] @ inputs["w1"]).double().numpy()
        given = {name: value.clone() for name, value in inputs.items()}
        answer = _call_in_torch(hidden_layer, given)
        changed = changed_in_place(inputs, given)
        if changed:
            raise Wrong(f"hidden_layer changed its input {', '.join(changed)} in place (a "
                        "method ending in _, like clamp_, or an assignment into it): compute a "
                        "new tensor, `(x @ w1 + b1).clamp(min=0)`, and leave the inputs alone.")
        _expect_tensor_like(answer, "hidden_layer's result", dtype, inputs["x"].device)
        h_relu = expect_array(answer, "hidden_layer's result", (problem.N, problem.H))
        tolerance = 1e-4 if dtype == torch.float32 else 1e-9
        if close(h_relu, np.maximum(h, 0), rtol=tolerance, atol=tolerance):
            continue
        if close(h_relu, h, rtol=tolerance, atol=tolerance):
            raise Wrong("hidden_layer returned x @ w1 + b1 without the ReLU: add "
                        "`.clamp(min=0)`.")
        if close(h_relu, np.maximum(without_bias, 0), rtol=tolerance, atol=tolerance):
            raise Wrong("hidden_layer leaves out the bias: it is x @ w1 + b1, then ReLU.")
        if close(h_relu, np.clip(h, 0, 6), rtol=tolerance, atol=tolerance):
            raise Wrong("hidden_layer caps h at 6 (that is relu6): ReLU has no upper limit, "
                        "`.clamp(min=0)` only.")
        if close(h_relu, np.maximum(h, 0), rtol=1e-3, atol=1e-3):
            raise Wrong("hidden_layer is nearly right, but where x @ w1 + b1 < 0 it does not "
                        "give exactly 0 (a leaky ReLU?): ReLU is `.clamp(min=0)`.")
        raise Wrong("hidden_layer's numbers differ from (x @ w1 + b1).clamp(min=0). Port the "
                    "numpy line one operation at a time.")
    return ("hidden_layer is right: a tensor of shape (N, H) in the inputs' dtype, in float32 "
            "and in float64, and it stays in torch (no tensor goes through numpy).")


def _call_in_torch(hidden_layer: Callable[..., torch.Tensor],
                   given: dict[str, torch.Tensor]) -> object:
    """Call `hidden_layer` on `given` under `_NumpyWatch`; a detour through numpy is Wrong."""
    try:
        with _NumpyWatch():
            return call_learner(hidden_layer, given["x"], given["w1"], given["b1"],
                                name="hidden_layer")
    except Wrong as wrong:
        if LEFT_TORCH in str(wrong):
            raise Wrong("hidden_layer goes through numpy: that works only for tensors on the "
                        "CPU; on a GPU `.numpy()` fails. Stay in torch: every numpy spelling "
                        "has a torch one (the table above).") from None
        raise


@checker
def check_weights_as_tensors(weights_as_tensors: Callable[..., dict]) -> str:
    """`weights_as_tensors(arrays, device, dtype)` -> {name: tensor of dtype on device}.

    arrays: {"w1": (D_in, H), "b1": (H,), "w2": (H, D_out), "b2": (D_out,)} numpy arrays.
    Each tensor keeps its array's shape and numbers. It is tried with float32 and float64
    on "cpu", and on the "meta" device (shapes without numbers) to see that `device` is used.
    """
    reject_helper(weights_as_tensors, "weights_as_tensors", {problem.as_tensors: "as_tensors"},
                  "write the conversion yourself, one `torch.tensor(array, dtype=dtype, "
                  "device=device)` per array.")
    arrays = problem.initial_weights()
    for device, dtype in (("cpu", torch.float32), ("cpu", torch.float64),
                          ("meta", torch.float32)):
        copies = {name: value.copy() for name, value in arrays.items()}
        answer = call_learner(weights_as_tensors, copies, torch.device(device), dtype,
                              name="weights_as_tensors")
        if not isinstance(answer, dict):
            raise Wrong(f"weights_as_tensors should return a dict {{name: tensor}}, "
                        f"but returned {describe(answer)}.")
        missing = [name for name in NAMES if name not in answer]
        if missing:
            raise Wrong(f"weights_as_tensors' dict is missing {', '.join(missing)}: convert "
                        "every weight and every bias.")
        for name in NAMES:
            value = answer[name]
            _expect_tensor_like(value, name, dtype, torch.device(device))
            if tuple(value.shape) != arrays[name].shape:
                raise Wrong(f"{name} has shape {tuple(value.shape)}; expected "
                            f"{arrays[name].shape}, the same as its numpy array. Convert, do "
                            "not transpose.")
            if device != "meta":
                got = expect_array(value, name, arrays[name].shape)
                if not close(got, arrays[name], rtol=1e-6, atol=1e-7):
                    raise Wrong(f"{name} holds different numbers from its numpy array: "
                                "convert the array as it is.")
    return ("weights_as_tensors is right: every tensor has the dtype and device you asked for "
            "(float32, float64; cpu and meta) and the numbers of its array.")


@checker
def check_predicted_loss_shape(predicted_loss_shape: Callable[[], object]) -> str:
    """`predicted_loss_shape()` -> the shape of `(y_pred - y).pow(2).sum()`, predicted.

    The truth, asked of torch: a sum over every element is a 0-dimensional tensor, shape ().
    """
    y_pred = torch.zeros(problem.N, problem.D_OUT)
    truth = tuple((y_pred - y_pred).pow(2).sum().shape)
    answer = call_learner(predicted_loss_shape, name="predicted_loss_shape")
    shape = plain_shape(answer)  # a tuple, list or torch.Size of ints (np.int64 too)
    if shape == truth:
        return ("predicted_loss_shape is right: the summed loss is a 0-dimensional tensor, "
                "shape (): one number, read with .item().")
    if answer is None:
        raise Wrong("predicted_loss_shape returned None. Did you forget `return`?")
    if shape is None and isinstance(answer, (tuple, list, torch.Size)):
        raise Wrong(f"write the shape as a tuple of ints, like (2, 3) or (3,); you returned "
                    f"{shown(answer)}.")
    if plain_number(answer) is not None and not isinstance(answer, torch.Tensor):
        raise Wrong(f"you returned the number {plain_number(answer)!r}; return a shape, written "
                    "as a tuple. How many dimensions does a sum over everything leave?")
    if shape in ((1,), (1, 1)):
        raise Wrong(f"{shape} has {len(shape)} dimension(s) of size 1. `.sum()` with no `dim` "
                    "removes every dimension: the loss has zero dimensions.")
    if shape == (problem.N, problem.D_OUT):
        raise Wrong(f"{shape} is the shape of y_pred - y. `.sum()` without `dim` adds up all "
                    f"{problem.N * problem.D_OUT} squared differences into one number.")
    if shape in ((problem.N,), (problem.D_OUT,)):
        raise Wrong(f"{shape} is what a sum over ONE dim leaves. `.sum()` without `dim` sums "
                    "over every dim.")
    what = f"the shape {shape}" if shape is not None else describe(answer)
    raise Wrong(f"predicted_loss_shape returned {what}; the loss is one number. What shape "
                "has a tensor with no dimensions?")


@checker
def check_uniform_std(uniform_std: Callable[[float], float]) -> str:
    """`uniform_std(bound)` -> the standard deviation of uniform numbers in (-bound, bound).

    Exact answer: bound / sqrt(3) (the mean of w^2 over the band is bound^2 / 3).
    For nn.Linear(1000, ...): 0.0316 / 1.732 = 0.0183. Tried on three bounds.
    """
    for bound in (1 / np.sqrt(problem.D_IN), 1.0, 2.5):
        # np.float32, np.float64 and a one-element tensor are numbers too
        answer = number_answer(call_learner(uniform_std, bound, name="uniform_std"),
                               "uniform_std", "return one number, the standard deviation")
        right = bound / np.sqrt(3)
        if np.isclose(answer, right, rtol=1e-6):  # float32 arithmetic is exact enough
            continue
        if np.isclose(answer, right, rtol=0.05):
            raise Wrong(f"uniform_std({bound:.4g}) = {answer:.6g} is close to the truth but not "
                        "exact: did you measure samples? Derive the exact value from the "
                        "average of w^2 over the band.")
        mistakes = [(bound, "that is the bound, the LARGEST value; the standard deviation is a "
                     "typical size, smaller than the bound."),
                    (bound / 2, "that is the average of |w|; the standard deviation is the "
                     "square root of the average of w^2."),
                    (bound ** 2 / 3, "that is the variance (the average of w^2): take its "
                     "square root."),
                    (bound / np.sqrt(12), "the band (-bound, bound) is 2 * bound wide, not "
                     "bound: width / sqrt(12) = 2 * bound / sqrt(12)."),
                    (-right, "a standard deviation is never negative.")]
        for value, diagnosis in mistakes:
            if np.isclose(answer, value, rtol=1e-6):
                raise Wrong(f"uniform_std({bound:.4g}) returned {answer:.6g}: {diagnosis}")
        raise Wrong(f"uniform_std({bound:.4g}) returned {answer:.6g}. The variance is the "
                    "average of w^2 over the band (the mean is 0); the std is its square root.")
    return ("uniform_std is right: uniform in (-bound, bound) has std bound / sqrt(3); for "
            "nn.Linear(1000, ...) that is 0.0316 / 1.732 = 0.0183.")
