"""The learner's answer as a plain Python value: a number, a bool, a shape.

A learner's right answer comes in many types: `64_000`, `np.int64(64_000)`,
`torch.tensor(64_000)`; `0.2`, `np.float32(0.2)`; `True`, `np.True_`; `(64, 100)`,
`[64, 100]`, `torch.Size([64, 100])`, `(np.int64(64), 100)`. A check converts it first,
then compares the plain value, so every one of these passes, and an object whose `==`
says anything it likes cannot:

    plain_number(np.float32(0.25))       # 0.25
    plain_bool(np.True_)                 # True
    plain_shape([np.int64(64), 100])     # (64, 100)

Each returns None when the value is not of its kind (then the check says what it got).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

__all__ = ["as_int", "plain_bool", "plain_number", "plain_shape"]


def plain_number(value: Any) -> int | float | None:
    """`value` as a plain Python int or float, or None if it is not a number.

    Accepts int, float, numpy scalars (np.int64, np.float32, ...) and one-element tensors
    or arrays; refuses bool, and any other object (whose `==` might say anything).
    """
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, int):
        return int.__int__(value)  # the stored value, whatever a subclass pretends
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, torch.Tensor) and value.numel() == 1 and value.dtype != torch.bool \
            and not value.dtype.is_complex and value.device.type != "meta":
        return plain_number(value.item())
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "iuf":
        return plain_number(value.item())
    return None


def as_int(value: Any) -> int | None:
    """`value` as a plain int when it is a whole number of an integer type (np.int64 too)."""
    number = plain_number(value)
    return number if isinstance(number, int) else None


def plain_bool(value: Any) -> bool | None:
    """`value` as True or False: a bool, np.bool_, or a one-element bool tensor or array.

    None for anything else: 0 and 1 are numbers, "True" is a string, and an object whose
    `==` lies is not a bool.
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, torch.Tensor) and value.numel() == 1 and value.dtype == torch.bool \
            and value.device.type != "meta":
        return bool(value.item())
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype == np.bool_:
        return bool(value.item())
    return None


def plain_shape(value: Any) -> tuple[int, ...] | None:
    """A shape as a tuple of plain ints, or None if `value` is not one.

    Accepts a tuple, a list or a torch.Size whose entries are whole numbers of an integer
    type (np.int64 too): (64, 100), [64, 100], torch.Size([64, 100]) and () are shapes;
    (64.0, 100), (True, 3) and "64, 100" are not.
    """
    if not isinstance(value, (tuple, list, torch.Size)):
        return None
    sizes = tuple(as_int(size) for size in value)
    return None if None in sizes else sizes  # type: ignore[return-value]
