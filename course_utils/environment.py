"""The environment report of notebook 00: what is installed and how torch will run.

With COURSE_REPORT_PATHS=hide (set by the static site's build, site/conf.py) the report
leaves out file paths: a page on the web must not show the build machine's folders.
"""

from __future__ import annotations

import os
import platform
import sys
import textwrap
from importlib import metadata

import torch

from .threads import blas_thread_counts, chosen_thread_count


def _version(package: str) -> str:
    """The installed version of `package`, read without importing it."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def environment_report() -> dict[str, str]:
    """What this kernel runs on, as {"what": "value"}.

    Example keys: "Python", "torch", "ipywidgets", "matplotlib", "device", "CPU threads".
    """
    threads, reason = chosen_thread_count()
    where = "path not shown on the website" if os.environ.get("COURSE_REPORT_PATHS") == "hide" \
        else sys.executable
    return {
        "Python": platform.python_version() + f" ({where})",
        "torch": torch.__version__,
        "numpy": _version("numpy"),
        "ipywidgets": _version("ipywidgets"),
        "matplotlib": _version("matplotlib"),
        "jupyterlab": _version("jupyterlab"),
        "device": "cuda" if torch.cuda.is_available() else "cpu",
        "CPU cores": str(os.cpu_count()),
        "CPU threads": (f"torch uses {torch.get_num_threads()} "
                        f"(chosen: {threads}, because {reason})"),
        "numpy BLAS threads": ", ".join(f"{name}: {count}"
                                        for name, count in blas_thread_counts().items()) or "none",
    }


def format_report(report: dict[str, str], width: int = 78) -> str:
    """The report as aligned lines of text, one entry each, wrapped to `width` characters.

    A long value (the CPU-threads reason) continues on the next line under its value
    column, so nothing is cut off in a narrow output area.
    """
    key_width = max(len(key) for key in report)
    indent = " " * (key_width + 2)
    lines = []
    for key, value in report.items():
        wrapped = textwrap.wrap(value, max(width - len(indent), 20), break_on_hyphens=False,
                                break_long_words=False) or [""]
        lines.append(f"{key:<{key_width}}  {wrapped[0]}")
        lines += [indent + rest for rest in wrapped[1:]]
    return "\n".join(lines)
