"""A full room on one JupyterHub: the course's thread rule vs torch's default threads.

Starts the hub of classroom/jupyterhub_config.py as root (as tests/classroom does) with N
students on its roster, each in their own Unix account (`ctest-<4 hex>-student-N`, deleted at
the end) with the course in their home, and has all of them run the training notebook at the
same moment in their own kernels, twice:

- "course rule": the hub sets COURSE_THREADS=1 and OMP_NUM_THREADS=1 (the default);
- "torch default": both set to what torch picks on its own (a thread per core).

Imports run before the clock starts, so the times are the notebook's work, not loading
torch. Prints each student's time, the median and max per setting, and the ratios.

    .venv/bin/python benchmarks/classroom.py                  # 8 students, notebook 06
    .venv/bin/python benchmarks/classroom.py --students 4 --notebook notebooks/00_start_here.ipynb

The notebook is 06 (the training loop) when it exists, else a two-cell notebook that trains
the running example (`course_utils.run_nn`, 500 steps). Measured on a 2-core machine, 8 students,
median per student: the running example 2.9 s with one thread vs 60.5 s with torch's default
(other work kept the machine busy; DESIGN.md has 2 s vs 15-43 s on a quieter one); notebook 06
25.2 s vs 293 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "classroom"))
from classroom_hub import Hub, Student, missing_pieces, remove_accounts  # noqa: E402

FOLDER = "tensors-to-nn"
WARM_UP = "import course_utils, torch, numpy, matplotlib"
CELL_TIMEOUT_S = 900  # torch's default threads on a busy machine are slow; measure, do not fail


def torch_default_threads() -> int:
    """What torch chooses with no thread setting at all, asked in a clean process."""
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", "import torch; print(torch.get_num_threads())"],
                         env=env, check=True, capture_output=True, text=True).stdout
    return int(out)


def training_notebook(running_example_only: bool = False) -> nbformat.NotebookNode:
    """Notebook 06 if the course has it, else the running example's training in two cells."""
    found = sorted((REPO / "notebooks").glob("06_*.ipynb"))
    if found and not running_example_only:
        return nbformat.read(found[0], as_version=4)
    return nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("from course_utils import run_nn"),
        nbformat.v4.new_code_cell("run = run_nn()  # 500 steps of the running example\n"
                                  "print(run.losses[0], run.losses[-1])"),
    ])


def give_course(student: Student, notebook: nbformat.NotebookNode) -> None:
    """The course in the student's home, theirs, as nbgitpuller would leave it (the test
    checks the pull itself)."""
    target = student.home / FOLDER / "notebooks"
    shutil.copytree(REPO / "notebooks", target)
    nbformat.write(notebook, target / "benchmark.ipynb")
    subprocess.run(["chown", "-R", f"{student.unix_name}:", str(student.home / FOLDER)],
                   check=True)


def run_class(threads: int, students: int, notebook: nbformat.NotebookNode) -> dict[str, float]:
    """Seconds per student for one notebook run by the whole class at once."""
    folder = Path(tempfile.mkdtemp(prefix="hub-", dir="/tmp"))
    names = [f"student-{n}" for n in range(1, students + 1)]
    path = f"{FOLDER}/notebooks/benchmark.ipynb"
    hub = Hub(folder, roster=names, threads=str(threads))
    room: list[Student] = []
    try:
        hub.start()
        room = [Student(hub, name) for name in names]
        together = threading.Barrier(students)

        def one_student(student: Student) -> tuple[float, list[str]]:
            student.log_in()
            student.click("/hub/user-redirect/lab")  # starts the server: the account exists
            give_course(student, notebook)
            _session, kernel, _seconds = student.start_kernel(path)
            with student.channels(kernel) as channels:
                channels.execute(WARM_UP, timeout=300)
            _notebook, seconds, errors = student.run_notebook(path, kernel, together,
                                                              cell_timeout=CELL_TIMEOUT_S)
            return seconds, errors

        with ThreadPoolExecutor(students) as pool:
            results = dict(zip(names, pool.map(one_student, room), strict=True))
        memory = hub.memory_per_student()
    finally:
        for student in room:
            student.close()
        hub.stop()
        left = hub.running_processes()
        remove_accounts(hub.prefix)
        shutil.rmtree(folder, ignore_errors=True)
    if left:
        raise RuntimeError(f"processes left running: {left}")
    failed = {name: errors for name, (_s, errors) in results.items() if errors}
    if failed:
        raise RuntimeError(f"notebook runs failed: {failed}")
    pss = statistics.median(m["pss_mb"] for m in memory.values())
    print(f"    memory per student with a kernel: median PSS {pss:.0f} MB")
    return {name: seconds for name, (seconds, _errors) in results.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=8)
    parser.add_argument("--notebook", type=Path, help="run this notebook instead of 06")
    parser.add_argument("--running-example", action="store_true",
                        help="run only the running example's training (course_utils.run_nn)")
    args = parser.parse_args()
    missing = missing_pieces()
    if missing:
        sys.exit("missing: " + "; ".join(missing))
    notebook = (nbformat.read(args.notebook, as_version=4) if args.notebook
                else training_notebook(args.running_example))
    default = torch_default_threads()
    print(f"{args.students} students at once, {os.cpu_count()} CPUs; torch's default: "
          f"{default} threads per kernel")
    summary = {}
    for label, threads in (("course rule", 1), ("torch default", default)):
        print(f"  {label}: {threads} thread(s) per kernel; load average before: "
              f"{os.getloadavg()[0]:.1f}")
        times = run_class(threads, args.students, notebook)
        ordered = sorted(times.values())
        summary[label] = (statistics.median(ordered), ordered[-1])
        print("    per student (s): " + ", ".join(f"{t:.1f}" for t in times.values()))
        print(f"    median {summary[label][0]:.1f} s, max {summary[label][1]:.1f} s")
    print(f"  load average after: {os.getloadavg()[0]:.1f} (other work on the machine skews "
          "both settings; compare runs made when it is low)")
    (rule_median, rule_max), (torch_median, torch_max) = summary.values()
    print(f"torch default / course rule: median x{torch_median / rule_median:.1f}, "
          f"max x{torch_max / rule_max:.1f}")


if __name__ == "__main__":
    main()
