"""The runs of the running example that `train` already trained in this process.

`train(lr, steps, reduction, seed=..., dtype=...)` of the running example itself (no `model`,
no `data` given) always gives the same run, so training it a second time only repeats the
work. `train` hands each such run to `remember`; `training.recall_or_train` looks here
first. The explorer uses it: a rate a cell above already trained shows at once.

Only the newest RECORDED_RUNS runs are kept (a run is a few kilobytes of losses).

Example:
    >>> from course_utils import train, recall_or_train
    >>> first = train(1e-4)             # trains, and remembers
    >>> recall_or_train(1e-4) is first  # the same run, at once
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

if TYPE_CHECKING:
    from .training import History

RECORDED_RUNS = 64
RunKey = tuple[float, int, str, int, torch.dtype]
_recorded: dict[RunKey, History] = {}


def run_key(learning_rate: float, steps: int, reduction: str, seed: int,
            dtype: torch.dtype) -> RunKey:
    """Everything that decides a run of the running example, as one dictionary key."""
    return float(learning_rate), int(steps), reduction, int(seed), dtype


def remember(key: RunKey, history: History) -> None:
    """Keep `history` as the run for `key`; past RECORDED_RUNS runs, forget the oldest."""
    _recorded.pop(key, None)
    while len(_recorded) >= RECORDED_RUNS:
        del _recorded[next(iter(_recorded))]  # dictionaries keep the order of insertion
    _recorded[key] = history


def recalled(key: RunKey) -> History | None:
    """The remembered run for `key`, or None if this process has not trained it (lately)."""
    return _recorded.get(key)


def forget_recorded_runs() -> None:
    """Forget every remembered run: the next `recall_or_train` trains again."""
    _recorded.clear()
