"""How fast is the training core, and the explorer on top of it?

Measures in one run, with the thread setting the course uses (`import course_utils`:
one thread unless COURSE_THREADS says otherwise):

    plain_training_s  the seed's loop (nn.Sequential, MSELoss(sum), zero_grad, backward,
                      update under no_grad), 500 steps, no prints: the yardstick
    train_s           course_utils.train on the same problem (500 steps, float32)
    sweep_s           course_utils.sweep over the notebook's grid (not cached)
    loop_s            the same grid as separate `train` calls
    sweep_points      how many runs the sweep made (grid size x 2 reductions)
    fresh_update_s    explorer: set the learning rate to a value never seen; until the new
                      figure is rendered (training + redraw)
    cached_update_s   explorer: the same for a value seen before (redraw only)

Each figure is the median of several repeats (the seed loop and `train` run turn about, so
a burst of load hits both alike). The machine may be shared, so the script also prints the
load average it saw; quote both.

    .venv/bin/python benchmarks/explorer.py            # readable
    .venv/bin/python benchmarks/explorer.py --json     # one JSON object
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Callable

import torch

import course_utils  # noqa: F401  (applies the course's thread rule)
from course_utils import problem
from course_utils.sweep import EXPLORER_GRID, EXPLORER_SWEEP_STEPS, sweep
from course_utils.training import running_example_tensors, train


def seed_loop(steps: int = problem.STEPS, learning_rate: float = problem.LEARNING_RATE) -> float:
    """The seed post's training loop on the running example, without its print()."""
    x, y = running_example_tensors()
    model = problem.build_model()
    loss_fn = torch.nn.MSELoss(reduction="sum")
    for _ in range(steps):
        loss = loss_fn(model(x), y)
        value = loss.item()
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for parameter in model.parameters():
                parameter -= learning_rate * parameter.grad
    return value


def median_seconds(action: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def interleaved_medians(first: Callable[[], object], second: Callable[[], object],
                        repeats: int) -> tuple[float, float]:
    """Median times of two actions run turn about, so a burst of load hits both alike."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for action, kept in ((first, times[0]), (second, times[1])):
            started = time.perf_counter()
            action()
            kept.append(time.perf_counter() - started)
    return statistics.median(times[0]), statistics.median(times[1])


def separate_runs() -> None:
    for reduction in ("sum", "mean"):
        for lr in EXPLORER_GRID:
            train(lr, EXPLORER_SWEEP_STEPS, reduction)


def explorer_figures(repeats: int) -> dict[str, float]:
    """fresh_update_s and cached_update_s, set from code as a learner's slider would."""
    from course_utils.explorer import LearningRateExplorer

    explorer = LearningRateExplorer()
    slider = explorer.learning_rate
    fresh, cached = [], []
    for k in range(repeats):
        new_value = 10 ** (-4.5 + 0.05 * (k + 1))  # each one never seen before
        started = time.perf_counter()
        slider.value = new_value
        fresh.append(time.perf_counter() - started)
        slider.value = problem.LEARNING_RATE  # seen before (the start)
        started = time.perf_counter()
        slider.value = new_value
        cached.append(time.perf_counter() - started)
    return {"fresh_update_s": statistics.median(fresh),
            "cached_update_s": statistics.median(cached)}


def measure(repeats: int) -> dict[str, float | int | str]:
    seed_loop(steps=20)  # warm up torch
    plain, trained = interleaved_medians(seed_loop, train, repeats)
    figures: dict[str, float | int | str] = {
        "plain_training_s": plain,
        "train_s": trained,
        "sweep_s": median_seconds(lambda: sweep(EXPLORER_GRID, cache=False), max(1, repeats // 2)),
        "loop_s": median_seconds(separate_runs, max(1, repeats // 2)),
        "sweep_points": 2 * len(EXPLORER_GRID),
    }
    figures.update(explorer_figures(repeats))
    figures["threads"] = torch.get_num_threads()
    figures["load_average"] = round(os.getloadavg()[0], 2)
    figures["machine"] = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--repeats", type=int, default=5)
    arguments = parser.parse_args()
    figures = measure(arguments.repeats)
    if arguments.json:
        print(json.dumps(figures))
        return
    plain = figures["plain_training_s"]
    print(f"machine: {figures['machine']}, torch threads: {figures['threads']}, "
          f"load average: {figures['load_average']}")
    print(f"seed loop, 500 steps          {plain:.3f} s")
    print(f"train, 500 steps              {figures['train_s']:.3f} s "
          f"({figures['train_s'] / plain:.2f}x the seed loop)")
    print(f"sweep, {figures['sweep_points']} runs of {EXPLORER_SWEEP_STEPS} steps    "
          f"{figures['sweep_s']:.3f} s")
    print(f"same grid, separate train()   {figures['loop_s']:.3f} s")
    print(f"explorer, fresh setting       {figures['fresh_update_s'] * 1000:.0f} ms "
          f"(target: <= seed loop + 100 ms = {(plain + 0.1) * 1000:.0f} ms)")
    print(f"explorer, cached setting      {figures['cached_update_s'] * 1000:.0f} ms "
          "(target: <= 100 ms)")


if __name__ == "__main__":
    main()
