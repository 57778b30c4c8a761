"""The environment report of notebook 00: what is installed and how torch will run."""

from __future__ import annotations

import os
import platform
import sys
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
    return {
        "Python": platform.python_version() + f" ({sys.executable})",
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


def format_report(report: dict[str, str]) -> str:
    """The report as aligned lines of text, one per entry."""
    width = max(len(key) for key in report)
    return "\n".join(f"{key:<{width}}  {value}" for key, value in report.items())
