"""Checks for notebook 02 (tensors): a numpy step ported to torch, and tensors made once.

    check_hidden_layer(hidden_layer)          h_relu = (x @ w1 + b1).clamp(min=0), as a tensor
    check_weights_as_tensors(weights_as_tensors)
                                              numpy arrays -> tensors of ONE dtype on ONE device

Both diagnose the mistakes of a port: a numpy array returned, the wrong dtype, the wrong
device. To catch a forgotten `device=` on a machine with no GPU, the second check also asks
for device "meta": a device that stores shapes and dtypes but no numbers, present in
every torch build.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from .. import problem
from .core import (
    Wrong,
    call_learner,
    checker,
    close,
    describe,
    expect_array,
    reject_helper,
)
from .learner_code import changed_in_place

__all__ = ["check_hidden_layer", "check_weights_as_tensors"]

NAMES = ("w1", "b1", "w2", "b2")


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
        answer = call_learner(hidden_layer, given["x"], given["w1"], given["b1"],
                              name="hidden_layer")
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
            "and in float64.")


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
