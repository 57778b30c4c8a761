"""Do ipykernel versions stall now and then on the course's notebooks?

Runs one notebook N times in a fresh kernel with each ipykernel version and prints the
median and longest run and how many runs took over 3x the median (a stall). The version
under test is installed with `pip install --no-deps --target` into build/kernel-stalls/
and put first on the kernel's PYTHONPATH; everything else is the course's .venv.

    .venv/bin/python benchmarks/kernel_stalls.py --runs 45 --versions 6.31.0 7.4.0

DESIGN.md recorded: about 1 in 45 runs stalled for ~60 s with 7.4.0, none with 6.31.0.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError

REPO = Path(__file__).resolve().parent.parent
TARGETS = REPO / "build" / "kernel-stalls"


def install(version: str) -> Path:
    target = TARGETS / f"ipykernel-{version}"
    if not (target / "ipykernel").is_dir():
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                        "--target", str(target), f"ipykernel=={version}"], check=True)
    return target


def run_once(notebook: Path, pythonpath: Path, timeout: int) -> tuple[float, bool]:
    nb = nbformat.read(notebook, as_version=4)
    env = dict(os.environ, PYTHONPATH=str(pythonpath), MPLBACKEND="Agg", COURSE_THREADS="1")
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(notebook.parent)}})
    started = time.monotonic()
    try:
        client.execute(env=env)
        timed_out = False
    except CellTimeoutError:
        timed_out = True
    return time.monotonic() - started, timed_out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--versions", nargs="+", default=["6.31.0", "7.4.0"])
    parser.add_argument("--notebook", type=Path, default=REPO / "notebooks/00_start_here.ipynb")
    parser.add_argument("--timeout", type=int, default=120, help="per-cell timeout, seconds")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = {}
    for version in args.versions:
        target = install(version)
        times, timeouts = [], 0
        for _ in range(args.runs):
            seconds, timed_out = run_once(args.notebook.resolve(), target, args.timeout)
            times.append(seconds)
            timeouts += timed_out
        median = statistics.median(times)
        results[version] = {"runs": args.runs, "median_s": round(median, 2),
                            "max_s": round(max(times), 2), "timeouts": timeouts,
                            "stalls_over_3x_median": sum(t > 3 * median for t in times)}
    if args.json:
        print(json.dumps(results))
        return
    print(f"{args.notebook.name}, {args.runs} runs per version")
    for version, r in results.items():
        print(f"ipykernel {version:>8}: median {r['median_s']:.1f} s, longest {r['max_s']:.1f} s, "
              f"{r['stalls_over_3x_median']} run(s) over 3x the median, {r['timeouts']} timeout(s)")


if __name__ == "__main__":
    main()
