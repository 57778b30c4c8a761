"""How long does each cell of a notebook take? Per-cell wall times, slowest first.

Runs the notebook once in a fresh kernel the way tests/notebook_runner.py does (one torch
thread, MPLBACKEND=Agg, COURSE_CHECKS_STRICT=solutions), with nbclient's `record_timing`,
and prints every code cell's time from the timestamps nbclient stores in the cell's metadata
(`execution.iopub.execute_input` to `execution.shell.execute_reply`), the time of the first
code cell (the imports) and the total of all later cells ("beyond imports").

    .venv/bin/python benchmarks/cell_times.py notebooks/09_real_digits.ipynb --runs 3
    .venv/bin/python benchmarks/cell_times.py --executed build/executed/09_real_digits.ipynb

With --executed it reads an already executed copy instead of running anything. Times
depend on the machine and its load: with --runs N each cell's time is its fastest of N
runs (one after the other, never in parallel), the one least disturbed by other work; the
script prints the load average next to them, and no test asserts on them.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from notebook_runner import (  # noqa: E402  (tests/ is not a package)
    cell_seconds,
    first_line,
    kernel_environment,
)


def run(path: Path, mode: str) -> nbformat.NotebookNode:
    """Execute `path` in a fresh kernel with timing recorded; returns the executed notebook."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=120, kernel_name="python3", record_timing=True,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute(env=kernel_environment(mode))
    return notebook


def report(runs: list[nbformat.NotebookNode]) -> None:
    """Every code cell's time (its fastest over `runs`), slowest first, then the totals."""
    timed = []
    for index, cell in enumerate(runs[0].cells):
        times = [cell_seconds(run.cells[index]) for run in runs]
        if cell.cell_type == "code" and None not in times:
            timed.append((index, cell, min(times)))
    if not timed:
        raise SystemExit("no timing in this notebook: execute it with record_timing=True")
    for index, cell, seconds in sorted(timed, key=lambda row: -row[2]):
        print(f"{seconds:7.3f} s  cell {index:3d}  {first_line(cell)}")
    imports = timed[0][2]
    beyond = sum(seconds for _, _, seconds in timed[1:])
    print(f"\nfastest of {len(runs)} run(s) per cell")
    print(f"first code cell (imports and data): {imports:.2f} s")
    print(f"all later cells (beyond imports):   {beyond:.2f} s")
    print("load average (1, 5, 15 min):", " ".join(f"{load:.2f}" for load in os.getloadavg()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", nargs="?", type=Path)
    parser.add_argument("--executed", type=Path, help="read times from an executed copy")
    parser.add_argument("--mode", default="solutions", choices=["solutions", "student"])
    parser.add_argument("--runs", type=int, default=1, help="run N times, keep each cell's fastest")
    parser.add_argument("--save", type=Path, help="also save the (last) executed copy here")
    args = parser.parse_args()
    if args.executed:
        runs = [nbformat.read(args.executed, as_version=4)]
    elif args.notebook:
        runs = [run(args.notebook.resolve(), args.mode) for _ in range(max(1, args.runs))]
        if args.save:
            args.save.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(runs[-1], args.save)
    else:
        parser.error("give a notebook to run, or --executed with an executed copy")
    report(runs)


if __name__ == "__main__":
    main()
