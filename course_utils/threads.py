"""How many CPU threads torch uses, and why.

torch's default is one thread per core. On a 2-core laptop that is fine while the
machine is idle, but as soon as anything else is busy (a browser, a second kernel,
29 classmates on one server) the threads wait for each other: we measured the running
example 4x slower with one other busy process (2 threads: 1.08 s, 1 thread: 0.25 s).
The matrices of this course are small, so one thread loses little when the machine
is idle and wins a lot when it is not. The rule:

    COURSE_THREADS=<n> in the environment, if set;  otherwise 1 thread.

`import course_utils` applies the rule, so every notebook gets it without asking. It sets
torch's threads and numpy's BLAS threads (OpenBLAS, via threadpoolctl): notebook 01 is all
numpy, and numpy's default of one BLAS thread per core collapses under load the same way
(we measured run_numpy 0.3 s with one thread, 44-58 s with two on a busy machine).
"""

from __future__ import annotations

import os

import torch
from threadpoolctl import threadpool_limits

DEFAULT_THREADS = 1


def chosen_thread_count() -> tuple[int, str]:
    """The number of threads the rule picks, and the reason in words.

    Example: with no COURSE_THREADS set, chosen_thread_count() == (1, "...").
    """
    setting = os.environ.get("COURSE_THREADS", "").strip()
    if setting:
        try:
            count = int(setting)
        except ValueError:
            count = 0
        if count >= 1:
            return count, f"COURSE_THREADS={setting} is set in the environment"
        return DEFAULT_THREADS, (f"COURSE_THREADS={setting!r} is not a whole number >= 1, "
                                 f"so the course default of {DEFAULT_THREADS} is used")
    return DEFAULT_THREADS, ("the course default: one thread stays fast when other programs "
                             "or classmates share the CPU (set COURSE_THREADS to change it)")


def apply_thread_rule() -> int:
    """Set torch's and numpy's (BLAS) thread counts by the course's rule; returns the count."""
    count, _reason = chosen_thread_count()
    if torch.get_num_threads() != count:
        torch.set_num_threads(count)
    threadpool_limits(limits=count, user_api="blas")
    return count


def blas_thread_counts() -> dict[str, int]:
    """Threads of each BLAS library numpy has loaded, e.g. {"openblas": 1}."""
    from threadpoolctl import threadpool_info

    return {info["internal_api"]: info["num_threads"] for info in threadpool_info()
            if info["user_api"] == "blas"}
