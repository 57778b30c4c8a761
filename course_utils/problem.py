"""The running example: one problem that threads through every notebook.

Random inputs `x` of shape (N, D_in) = (64, 1000), random targets `y` of shape
(N, D_out) = (64, 10), and a two-layer network D_in -> H=100 -> D_out with ReLU,
trained with squared error summed over all elements, learning rate 1e-4, 500 steps.

Everything is drawn from one seed, in float64, so every notebook (numpy or torch,
float32 or float64) starts from exactly the same numbers.

Example:
    >>> x, y = make_data()
    >>> x.shape, y.shape
    ((64, 1000), (64, 10))
    >>> weights = initial_weights(layout="torch")
    >>> weights["w1"].shape            # nn.Linear stores (out_features, in_features)
    (100, 1000)
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

N = 64  # examples in the batch
D_IN = 1000  # input features
H = 100  # hidden units
D_OUT = 10  # outputs
LEARNING_RATE = 1e-4  # for the loss summed over all elements
STEPS = 500
SEED = 0

PARAMETER_NAMES = ("w1", "b1", "w2", "b2")


def make_data(seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """The inputs and targets of the running example, as float64 numpy arrays.

    Returns x of shape (N, D_in) = (64, 1000) and y of shape (N, D_out) = (64, 10),
    both standard normal.
    """
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(N, D_IN, generator=generator, dtype=torch.float64)
    y = torch.randn(N, D_OUT, generator=generator, dtype=torch.float64)
    return x.numpy(), y.numpy()


def _uniform(shape: tuple[int, ...], bound: float, generator: torch.Generator) -> np.ndarray:
    """Uniform numbers in (-bound, bound), float64."""
    sample = torch.rand(shape, generator=generator, dtype=torch.float64)
    return ((2 * sample - 1) * bound).numpy()


def initial_weights(seed: int = SEED, layout: str = "numpy") -> dict[str, np.ndarray]:
    """ONE set of initial weights and biases, in the layout you ask for.

    They follow nn.Linear's default initialisation: every weight and bias is
    uniform in (-1/sqrt(in_features), 1/sqrt(in_features)).

    layout="numpy":  w1 (D_in, H) = (1000, 100), w2 (H, D_out) = (100, 10)  so h = x @ w1
    layout="torch":  w1 (H, D_in) = (100, 1000), w2 (D_out, H) = (10, 100)  so h = x @ w1.T
    Biases are b1 (H,) = (100,) and b2 (D_out,) = (10,) in both layouts.
    The two layouts hold the same numbers: one is the transpose of the other.
    """
    if layout not in ("numpy", "torch"):
        raise ValueError(f"layout must be 'numpy' or 'torch', not {layout!r}")
    generator = torch.Generator().manual_seed(seed + 1_000)  # a stream apart from the data's
    bound1, bound2 = 1 / math.sqrt(D_IN), 1 / math.sqrt(H)
    torch_layout = {
        "w1": _uniform((H, D_IN), bound1, generator),
        "b1": _uniform((H,), bound1, generator),
        "w2": _uniform((D_OUT, H), bound2, generator),
        "b2": _uniform((D_OUT,), bound2, generator),
    }
    if layout == "torch":
        return torch_layout
    return {name: (value.T.copy() if value.ndim == 2 else value.copy())
            for name, value in torch_layout.items()}


def as_tensors(
    arrays: dict[str, np.ndarray],
    dtype: torch.dtype = torch.float32,
    device: str | torch.device = "cpu",
    requires_grad: bool = False,
) -> dict[str, torch.Tensor]:
    """The same arrays as torch tensors of one dtype on one device.

    Example: as_tensors(initial_weights(), torch.float64)["w1"].shape == (1000, 100)
    """
    return {
        name: torch.tensor(value, dtype=dtype, device=device, requires_grad=requires_grad)
        for name, value in arrays.items()
    }


def build_model(seed: int = SEED, dtype: torch.dtype = torch.float32) -> nn.Sequential:
    """nn.Sequential(Linear(1000, 100), ReLU(), Linear(100, 10)) holding the shared weights.

    Its parameters are exactly `initial_weights(seed, layout="torch")`, so it computes
    the same function as every hand-written version of the running example.
    """
    model = nn.Sequential(nn.Linear(D_IN, H), nn.ReLU(), nn.Linear(H, D_OUT)).to(dtype)
    copy_weights_into(model, initial_weights(seed, layout="torch"))
    return model


def copy_weights_into(model: nn.Sequential, torch_layout: dict[str, np.ndarray]) -> None:
    """Copy w1, b1, w2, b2 (torch layout, (out, in)) into model[0] and model[2]."""
    first, second = model[0], model[2]
    with torch.no_grad():
        for parameter, name in ((first.weight, "w1"), (first.bias, "b1"),
                                (second.weight, "w2"), (second.bias, "b2")):
            parameter.copy_(torch.as_tensor(torch_layout[name]))

