"""Print the pip option that makes torch come from PyTorch's CPU package index, or nothing.

On Linux without an NVIDIA GPU, a plain `pip install torch` downloads a CUDA build of
several GB that the course never uses; PyTorch's CPU index has a build of a few hundred MB.
The Makefile passes what this prints to pip:

    TORCH_INDEX unset   Linux without `nvidia-smi`: the CPU index; elsewhere: nothing
    TORCH_INDEX=URL     that index (e.g. a mirror, or the CUDA index of your choice)
    TORCH_INDEX=        (empty) nothing: pip's usual sources decide

When the index cannot be reached (an offline machine, a firewall, a machine whose pip
serves torch from a local folder), it says so in one line on stderr within a few seconds
and prints nothing, so the install goes on from pip's usual sources.
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
import urllib.error
import urllib.request

CPU_INDEX = "https://download.pytorch.org/whl/cpu"
PROBE_TIMEOUT_S = 4


def wanted_index() -> str:
    """The index to use: TORCH_INDEX if set (even empty), else the CPU index on Linux w/o GPU."""
    if "TORCH_INDEX" in os.environ:
        return os.environ["TORCH_INDEX"].strip()
    if platform.system() == "Linux" and shutil.which("nvidia-smi") is None:
        return CPU_INDEX
    return ""


def reachable(index: str, timeout: float = PROBE_TIMEOUT_S) -> str | None:
    """None when `index`'s torch page answers; otherwise the reason, in a few words."""
    try:
        with urllib.request.urlopen(f"{index.rstrip('/')}/torch/", timeout=timeout):
            return None
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        return str(getattr(error, "reason", error))


def main() -> int:
    index = wanted_index()
    if not index:
        return 0
    problem = reachable(index)
    if problem:
        print(f"make: the torch index {index} cannot be reached ({problem}); "
              "installing torch from pip's usual sources instead", file=sys.stderr)
        return 0
    print(f"--extra-index-url {index}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
