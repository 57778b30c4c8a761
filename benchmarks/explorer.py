"""How fast is the training core, and the explorer on top of it?

Measures in one run, with the thread setting the course uses (`import course_utils`:
one thread unless COURSE_THREADS says otherwise):

    plain_training_s  the seed's loop (nn.Sequential, MSELoss(sum), zero_grad, backward,
                      update under no_grad), 500 steps, no prints: the yardstick
    train_s           course_utils.train on the same problem (500 steps, float32)
    flop_floor_s      the compute floor: the running example's 500 steps (4 N D_in H + 6 N H
                      D_out FLOP a step, 13 GFLOP in all) at the matmul throughput measured
                      in this process (512 x 512 float32 matmuls, the course's threads)
    train_best_s      the fastest of the `train` repeats (the floor is a best-of too)
    train_over_floor  train_best_s / flop_floor_s: both best-of, so load bursts cancel
    sweep_s           course_utils.sweep over the notebook's grid (not cached): `sum` runs
                      only, the `mean` runs are the same runs relabelled
    loop_s            what the sweep used to do: the grid trained for both reductions
    sweep_points      how many runs the sweep trains (the grid size)
    fresh_update_s    explorer: set the learning rate to a value never seen; until the final
                      picture is in the widget (training + drawing)
    fresh_over_plain_s  fresh_update_s minus the seed loop run just before it (target 50 ms;
                      under load the noise of two trainings swamps it, hence the next one)
    fresh_drawing_s   the part of fresh_update_s spent drawing (the partial pictures and the
                      final one): what the explorer adds to `train`, which is itself ~0.85x
                      the seed loop
    first_feedback_s  explorer: the same change, until the first picture of it (its first
                      steps, drawn while it trains)
    cached_update_s   explorer: a value seen before (drawing only)
    pin_update_s      explorer: a click on "pin this curve" or "clear pins" (drawing only)

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
from course_utils.sweep import EXPLORER_GRID, EXPLORER_SWEEP_STEPS, MEAN_SCALE, sweep
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
        scale = 1 if reduction == "sum" else MEAN_SCALE
        for lr in EXPLORER_GRID:
            train(lr * scale, EXPLORER_SWEEP_STEPS, reduction)


def running_example_flop(steps: int = problem.STEPS) -> float:
    """FLOP of `steps` training steps: forward x W1, h W2; backward grad W2, grad h, grad W1."""
    n, d_in, h, d_out = problem.N, problem.D_IN, problem.H, problem.D_OUT
    return steps * (4 * n * d_in * h + 6 * n * h * d_out)


def matmul_flop_per_s(size: int = 512, repeats: int = 30) -> float:
    """Throughput of float32 size x size matmuls in this process (best of `repeats`)."""
    a, b = torch.randn(size, size), torch.randn(size, size)
    out = torch.empty(size, size)
    torch.mm(a, b, out=out)
    best = min(_timed(lambda: torch.mm(a, b, out=out)) for _ in range(repeats))
    return 2 * size ** 3 / best


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def explorer_figures(repeats: int) -> dict[str, float]:
    """The explorer's four delays, set from code as a learner's controls would."""
    from course_utils.explorer import LearningRateExplorer

    explorer = LearningRateExplorer()
    slider = explorer.learning_rate
    first_change: list[float] = []
    explorer.plot.observe(lambda change: first_change.append(time.perf_counter()),
                          names="value")
    drawing: list[float] = []
    show = explorer._show

    def timed_show(*args: object) -> None:  # how long the drawing itself takes
        started = time.perf_counter()
        show(*args)
        drawing.append(time.perf_counter() - started)

    explorer._show = timed_show
    fresh, first, cached, pins, over, drawn = [], [], [], [], [], []
    for k in range(repeats):
        plain = _timed(seed_loop)  # turn about with the fresh update: the same load for both
        new_value = 10 ** (-4.5 + 0.05 * (k + 1))  # each one never seen before
        first_change.clear()
        drawing.clear()
        started = time.perf_counter()
        slider.value = new_value
        fresh.append(time.perf_counter() - started)
        drawn.append(sum(drawing))
        over.append(fresh[-1] - plain)
        first.append(first_change[0] - started)
        slider.value = problem.LEARNING_RATE  # seen before (the start)
        cached.append(_timed(lambda v=new_value: setattr(slider, "value", v)))
        pins.append(_timed(explorer.pin_button.click))
        pins.append(_timed(explorer.clear_button.click))
    return {"fresh_update_s": statistics.median(fresh),
            "fresh_over_plain_s": statistics.median(over),
            "fresh_drawing_s": statistics.median(drawn),
            "first_feedback_s": statistics.median(first),
            "cached_update_s": statistics.median(cached),
            "pin_update_s": statistics.median(pins)}


def measure(repeats: int) -> dict[str, float | int | str]:
    seed_loop(steps=20)  # warm up torch
    plain, trained = interleaved_medians(seed_loop, train, repeats)
    floor = running_example_flop() / matmul_flop_per_s()
    best_train = min(_timed(train) for _ in range(repeats))  # best of, like the floor
    figures: dict[str, float | int | str] = {
        "plain_training_s": plain,
        "train_s": trained,
        "flop_floor_s": floor,
        "train_best_s": best_train,
        "train_over_floor": best_train / floor,
        "sweep_s": median_seconds(lambda: sweep(EXPLORER_GRID, cache=False), max(1, repeats // 2)),
        "loop_s": median_seconds(separate_runs, max(1, repeats // 2)),
        "sweep_points": len(EXPLORER_GRID),
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
    print(f"compute floor, 500 steps      {figures['flop_floor_s']:.3f} s "
          f"(train_s / flop_floor_s = {figures['train_over_floor']:.2f}, both best of "
          f"{arguments.repeats})")
    print(f"sweep, {figures['sweep_points']} runs of {EXPLORER_SWEEP_STEPS} steps    "
          f"{figures['sweep_s']:.3f} s (sum trained, mean told from it)")
    print(f"both reductions trained       {figures['loop_s']:.3f} s "
          f"({figures['loop_s'] / figures['sweep_s']:.1f}x the sweep)")
    print(f"explorer, fresh setting       {figures['fresh_update_s'] * 1000:.0f} ms "
          f"(target: <= plain training + 50 ms; measured turn about: plain training "
          f"{figures['fresh_over_plain_s'] * 1000:+.0f} ms; of it drawing: "
          f"{figures['fresh_drawing_s'] * 1000:.0f} ms)")
    print(f"explorer, first feedback      {figures['first_feedback_s'] * 1000:.0f} ms "
          "(target: <= 100 ms)")
    print(f"explorer, cached setting      {figures['cached_update_s'] * 1000:.1f} ms "
          "(target: <= 50 ms)")
    print(f"explorer, pin or clear        {figures['pin_update_s'] * 1000:.1f} ms "
          "(target: <= 50 ms)")


if __name__ == "__main__":
    main()
