"""How long does the course take to run, against the least any notebook could take?

Executes every course notebook (notebooks/00..09) the way the test suite does, with
tests/notebook_runner.py's own `execute`: a fresh kernel per notebook, top to bottom, strict
"solutions" mode (every check must pass), MPLBACKEND=Agg, COURSE_THREADS=1 unless the shell
sets it. One notebook at a time; the machine should be otherwise quiet.

For each notebook it prints

    seconds   from starting the kernel to the last cell's reply (nbclient, as the runner does)
    floor_s   the floor: a fresh kernel, started the same way, that runs one cell importing
              what every notebook needs from outside the course: torch, numpy,
              matplotlib.figure (what course_utils.plots draws with) and ipywidgets. No
              notebook can take less: it needs a kernel and those libraries before it does
              anything. course_utils itself is not in the floor: its import is the course's
              own code, and the cost of importing it is work the course could cut.
    ratio     seconds / floor_s

and the totals, the overall ratio (target: the whole course within 1.5x the floor), the
load average (os.getloadavg, 1 minute) at the start and the end, and the machine. Each
notebook's floor is measured just before it (turn about), so a burst of load from elsewhere
hits a notebook and its floor alike; quote the load average with the figures, since on a
busy machine both grow and the ratio means little.

`--repeat N` runs each notebook and its floor N times (turn about) and keeps the fastest of
each: a kernel's start varies by a second or more from one run to the next, as much as a
notebook's own work, and the fastest run is the one least disturbed.
`--cells N` also prints the N slowest cells of the executed notebooks (from the timing
nbclient records in each cell's metadata): where the remaining time goes.

    .venv/bin/python benchmarks/notebooks.py                    # readable, every notebook
    .venv/bin/python benchmarks/notebooks.py --only 02 07       # a subset
    .venv/bin/python benchmarks/notebooks.py --json             # one JSON object
    .venv/bin/python benchmarks/notebooks.py --cells 10         # and the 10 slowest cells
    .venv/bin/python benchmarks/notebooks.py --repeat 2         # fastest of 2 runs each

The executed copies are kept in build/benchmark/ (not build/executed/, which the tests own).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from notebook_runner import (  # noqa: E402  (tests/ is not a package)
    cell_seconds,
    execute,
    first_line,
    notebook_paths,
)

OUTPUT = REPO / "build" / "benchmark"
FLOOR_IMPORTS = "import torch, numpy, matplotlib.figure, ipywidgets"
TARGET_RATIO = 1.5


def floor_notebook(folder: Path) -> Path:
    """A one-cell notebook that only imports what every notebook needs from outside."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(FLOOR_IMPORTS)]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    path = folder / "floor.ipynb"
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


def timed_cells(notebook: nbformat.NotebookNode) -> list[tuple[int, float, str]]:
    """(code cell number, seconds, first line) for each executed code cell."""
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    return [(number, seconds, first_line(cell)[:60])
            for number, cell in enumerate(code_cells, start=1)
            if (seconds := cell_seconds(cell)) is not None]


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model or os.uname().machine}, {os.cpu_count()} cores"


def selected(only: list[str] | None) -> list[Path]:
    paths = notebook_paths()
    if only:
        paths = [p for p in paths if any(p.name.startswith(prefix) for prefix in only)]
        if not paths:
            raise SystemExit(f"no notebook starts with {' or '.join(only)}")
    return paths


def measure(paths: list[Path], repeat: int = 1) -> dict:
    floor_path = floor_notebook(OUTPUT)
    figures: dict = {"load_average_start": round(os.getloadavg()[0], 2), "notebooks": {},
                     "slowest_cells": [], "repeat": repeat}
    for path in paths:
        floors, runs = [], []
        for _ in range(repeat):  # turn about: a burst of load hits both alike
            floors.append(execute(floor_path, "solutions", OUTPUT / "floor-executed.ipynb"))
            runs.append(execute(path, "solutions", OUTPUT / path.name))
        floor = min(execution.seconds for execution in floors)
        run = min(runs, key=lambda execution: execution.seconds)
        figures["notebooks"][path.stem] = {"seconds": round(run.seconds, 2),
                                           "floor_s": round(floor, 2),
                                           "ratio": round(run.seconds / floor, 2)}
        figures["slowest_cells"] += [{"notebook": path.stem[:2], "cell": number,
                                      "seconds": round(seconds, 2), "source": first}
                                     for number, seconds, first in timed_cells(run.notebook)]
    runs = figures["notebooks"].values()
    figures["total_s"] = round(sum(r["seconds"] for r in runs), 2)
    figures["floor_total_s"] = round(sum(r["floor_s"] for r in runs), 2)
    figures["ratio"] = round(figures["total_s"] / figures["floor_total_s"], 2)
    figures["target_ratio"] = TARGET_RATIO
    figures["load_average_end"] = round(os.getloadavg()[0], 2)
    figures["machine"] = machine()
    figures["threads"] = os.environ.get("COURSE_THREADS", "1")
    figures["slowest_cells"].sort(key=lambda cell: -cell["seconds"])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--only", nargs="+", metavar="NN", help="notebooks starting with NN")
    parser.add_argument("--cells", type=int, default=0, metavar="N",
                        help="also print the N slowest cells")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="run each notebook and its floor N times, keep the fastest")
    arguments = parser.parse_args()
    if arguments.repeat < 1:
        raise SystemExit(f"--repeat must be 1 or more, not {arguments.repeat}")
    figures = measure(selected(arguments.only), arguments.repeat)
    figures["slowest_cells"] = figures["slowest_cells"][:arguments.cells]
    if arguments.json:
        print(json.dumps(figures))
        return
    print(f"machine: {figures['machine']}, COURSE_THREADS={figures['threads']}, "
          f"load average at start: {figures['load_average_start']}, "
          f"fastest of {figures['repeat']} run(s) each")
    print(f"{'notebook':<32}{'seconds':>9}{'floor_s':>9}{'ratio':>7}")
    for name, run in figures["notebooks"].items():
        print(f"{name:<32}{run['seconds']:>9.1f}{run['floor_s']:>9.1f}{run['ratio']:>7.2f}")
    print(f"{'total':<32}{figures['total_s']:>9.1f}{figures['floor_total_s']:>9.1f}"
          f"{figures['ratio']:>7.2f}  (target: <= {TARGET_RATIO}x the floor)")
    print(f"load average at end: {figures['load_average_end']}")
    if figures["slowest_cells"]:
        print("slowest cells:")
        for cell in figures["slowest_cells"]:
            print(f"  {cell['notebook']} cell {cell['cell']:>2}  {cell['seconds']:6.2f} s  "
                  f"{cell['source']}")


if __name__ == "__main__":
    main()
