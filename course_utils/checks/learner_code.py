"""Running the learner's code inside a check: a time limit, and safe looks at its results.

    with time_limit(10):            # LearnerTimeout if the code under `with` runs past 10 s
        answer = relu_backward(grad_h_relu, h)

`call_learner` (in `core`) uses it; a check that calls learner code in another way (a
class, a model's forward) wraps that call in `time_limit` itself. Also here: `shown` (any
value as one short line, even if its str() raises), `error_text`, `changed_in_place`
(which inputs a function modified). What learner code calls: `introspection`.
"""

from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch

TIME_LIMIT_S = 10  # seconds for ONE call of the learner's code; said in the verdict
SHOWN_LIMIT = 120  # characters of learner text (an error message, a repr) in a verdict
TICK_S = 0.25  # how often time_limit's alarm looks at the running code
IMPORT_CAP = 10  # even imports are stopped after this many times the limit


class LearnerTimeout(BaseException):
    """Raised inside the learner's code when it runs past its time limit.

    A BaseException (like KeyboardInterrupt), so that an `except Exception:` in the
    learner's own loop cannot swallow it.
    """

    def __init__(self, seconds: float) -> None:
        super().__init__(f"did not return within {seconds:g} s")
        self.seconds = seconds


def alarm_available() -> bool:
    """True where `time_limit` can stop code: a POSIX system (Linux, macOS), main thread."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float = TIME_LIMIT_S) -> Iterator[None]:
    """Raise `LearnerTimeout` in the code under `with` once it has run for `seconds`.

    How: a real-time interval timer (`signal.setitimer`) sends SIGALRM every TICK_S
    seconds; its handler runs in the main thread between two bytecodes of the running code
    and raises there once the time is up.

    Why a signal and not a thread: Python cannot stop a thread from outside, so a function
    that loops forever in a helper thread would go on running (using the CPU, changing the
    objects it was given) after the check had given up on it. Signals are handled in the
    main thread, which is where a Jupyter kernel (ipykernel) runs every cell, on Linux and
    on macOS, and where pytest runs tests. Elsewhere (called from another thread, or on
    Windows, which has no SIGALRM) the code runs without a limit.

    Time spent importing a module does not count, and an import is never interrupted (that
    would leave a half-imported module behind): the first `torch.optim.SGD(...)` imports
    torch._dynamo, which took 15 s on a busy machine. Past IMPORT_CAP times the limit, even
    an import is stopped. The alarm keeps coming after the time is up, so a loop that
    catches it once (a bare `except:`) is hit again, though a loop that catches every one
    runs on: the known limit of this method. A timer that was already running (an outer limit,
    pytest-timeout) is left alone if it is due first, and otherwise restored afterwards. A
    long call into C (one huge matrix product) is interrupted only when it returns.
    """
    if not alarm_available():
        yield
        return
    outer_delay, outer_interval = signal.getitimer(signal.ITIMER_REAL)
    if 0 < outer_delay <= seconds:  # an outer timer fires first anyway
        yield
        return
    started = time.monotonic()
    importing = [0.0]  # seconds (sampled every tick) spent inside an import

    def on_alarm(signum: int, frame: Any) -> None:
        elapsed = time.monotonic() - started
        if _inside_import(frame) and elapsed < IMPORT_CAP * seconds:
            importing[0] += TICK_S
        elif elapsed - importing[0] >= seconds:
            raise LearnerTimeout(seconds)

    outer_handler = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, TICK_S, TICK_S)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, outer_handler if outer_handler is not None
                      else signal.SIG_DFL)
        if outer_delay > 0:
            left = outer_delay - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001), outer_interval)


def _inside_import(frame: Any) -> bool:
    """True when `frame` runs inside an import statement (importlib is on the stack)."""
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False


def error_text(error: BaseException) -> str:
    """"TypeError: the message", on one line and cut short, even if str(error) raises."""
    return f"{safe_type_name(error)}: {shown(error)}".removesuffix(": ")


def safe_type_name(value: Any) -> str:
    try:
        return str(type(value).__name__)
    except Exception:
        return "object"


def shown(value: Any, limit: int = SHOWN_LIMIT) -> str:
    """str(value) on one line, at most `limit` characters; never raises, never hangs long.

    For learner text inside a verdict: an exception message with newlines, a tensor's repr.
    """
    try:
        with time_limit(2):
            text = str(value)
    except KeyboardInterrupt:
        raise
    except BaseException:
        return f"<a {safe_type_name(value)} that cannot be shown>"
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def changed_in_place(kept: Mapping[str, Any], given: Mapping[str, Any]) -> list[str]:
    """The names whose array or tensor in `given` no longer equals its copy in `kept`.

    Call the learner on `given` (copies), keep untouched copies in `kept`, then ask:
    a function that zeroed its inputs in place shows up here.
    """
    changed = []
    for name, before in kept.items():
        after = given[name]
        if isinstance(before, torch.Tensor):
            same = isinstance(after, torch.Tensor) and after.shape == before.shape and bool(
                torch.equal(after.detach().cpu(), before.detach().cpu()))
        else:
            same = np.array_equal(np.asarray(after), np.asarray(before), equal_nan=True)
        if not same:
            changed.append(name)
    return changed
