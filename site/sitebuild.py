"""Build the course website into build/site/: `make site` runs `python site/sitebuild.py`.

Three steps, each cheap when nothing changed since the last build:

1. vendor: the JavaScript the pages need (require.js, the ipywidgets manager, MathJax) is
   fetched once from the npm registry with `npm pack`, checked against the sha512 pinned
   in site/vendor.toml, and served from the site itself, so a page loads nothing from the
   internet.
2. stage:  the committed notebooks (notebooks/NN_*.ipynb, whatever exists) and the index
   page are copied to build/site-src/. The copies differ in one way: each exercise cell
   is folded behind "Show the solution" (see `site_notebook`). A file is rewritten only
   when it changed, so Sphinx re-reads only what changed.
3. sphinx: Sphinx + myst-nb execute each notebook (cached by jupyter-cache: an unchanged
   notebook is not run again) and write the HTML. The whole build has a time limit.

Run with `--timeout SECONDS` to change the limit of the whole build.
"""

from __future__ import annotations

import argparse
import base64
import fnmatch
import hashlib
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import threading
import time
import tomllib
from pathlib import Path

SITE = Path(__file__).resolve().parent
REPO = SITE.parent
NOTEBOOKS = REPO / "notebooks"
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"

BUILD = REPO / "build"
OUTPUT = BUILD / "site"                  # the website: open build/site/index.html
STAGE = BUILD / "site-src"               # what Sphinx reads
VENDOR = BUILD / "site-vendor"           # npm tarballs and the files taken from them
VENDOR_STATIC = VENDOR / "static"        # copied into the site's _static/
CACHES = BUILD / "site-cache"            # executed notebooks and Sphinx's doctrees
# (myst-nb also writes the figures it extracts to build/jupyter_execute/: the folder next to
# the output is fixed by myst-nb, not configurable.)

# The same limits as the test runner (tests/notebook_runner.py): a short per-cell timeout
# keeps an nbclient stall (jupyter/nbclient#312) cheap, and one retry absorbs it.
CELL_TIMEOUT_S = 45
BUILD_TIMEOUT_S = 600
ATTEMPTS = 2

SOLUTION_MARK = "### BEGIN SOLUTION"
HIDDEN_TEST_MARK = "### BEGIN HIDDEN TESTS"
COURSE_MAP_PLACEHOLDER = "<!-- course-map -->"


# ---------------------------------------------------------------- where the cache lives

def code_fingerprint() -> str:
    """A short hash of what the notebooks' outputs depend on besides their own code.

    jupyter-cache re-runs a notebook when its code cells change, but not when
    `course_utils` (which draws every figure), a pinned version, or the course map
    (notebook 00 prints it from the other notebooks' titles and goals) changes. Keying
    the cache folder by this hash makes such a change re-run every notebook.
    """
    digest = hashlib.sha256()
    for path in sorted((REPO / "course_utils").rglob("*.py")) + [REPO / "pyproject.toml"]:
        digest.update(str(path.relative_to(REPO)).encode())
        digest.update(path.read_bytes())
    coursemap = _course_map_module()
    digest.update(coursemap.course_map_markdown(coursemap.read_course_map(NOTEBOOKS)).encode())
    return digest.hexdigest()[:12]


def doctrees_dir(cache: Path) -> Path:
    """Sphinx's saved state, in `cache`, keyed by the site's own files.

    Sphinx rebuilds a page when its source or a configuration value changes, but not
    when conf.py's code (its setup function) does: a fresh state after such a change
    rewrites every page (the executed notebooks still come from the cache).
    """
    digest = hashlib.sha256()
    for path in sorted(p for p in SITE.iterdir() if p.is_file()):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    keep = cache / f"doctrees-{digest.hexdigest()[:12]}"
    for old in cache.glob("doctrees-*"):
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
    return keep


def cache_dir() -> Path:
    """build/site-cache/<fingerprint>/: jupyter-cache's database and Sphinx's doctrees."""
    return CACHES / code_fingerprint()


def forget_other_caches(keep: Path) -> None:
    """Delete caches made for an older `course_utils`: they can never be used again."""
    if CACHES.is_dir():
        for folder in CACHES.iterdir():
            if folder.is_dir() and folder != keep:
                shutil.rmtree(folder, ignore_errors=True)


LAST_BUILD = CACHES / "last-build.json"    # what the last successful build used (for tests)


# ---------------------------------------------------------------- 1. vendor

def vendor(manifest: Path = SITE / "vendor.toml") -> Path:
    """Unpack the pinned npm packages into build/site-vendor/static/vendor/<folder>/."""
    packages = tomllib.loads(manifest.read_text(encoding="utf-8"))
    for folder, package in packages.items():
        target = VENDOR_STATIC / "vendor" / folder
        stamp = VENDOR / "unpacked" / folder
        if stamp.exists() and stamp.read_text() == package["integrity"] and target.is_dir():
            continue
        tarball = _fetch(package)
        shutil.rmtree(target, ignore_errors=True)
        _unpack(tarball, package["files"], target)
        (target / "VENDORED.txt").write_text(
            f"{package['name']} {package['version']} from the npm registry, license "
            f"{package['license']} (see LICENSE files here or the header of the script).\n"
            f"Fetched by site/sitebuild.py as pinned in site/vendor.toml.\n", encoding="utf-8")
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(package["integrity"])
    return VENDOR_STATIC


def _fetch(package: dict) -> Path:
    """The package's tarball, from build/site-vendor/tarballs/ or else from `npm pack`."""
    tarballs = VENDOR / "tarballs"
    tarballs.mkdir(parents=True, exist_ok=True)
    name = package["name"].lstrip("@").replace("/", "-") + f"-{package['version']}.tgz"
    tarball = tarballs / name
    if not tarball.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit(
                "make site needs npm (Node.js) once, to fetch the site's JavaScript from the "
                "npm registry (see site/vendor.toml). Install Node.js (Debian/Ubuntu: "
                "`apt-get install npm`) and run `make site` again.")
        spec = f"{package['name']}@{package['version']}"
        subprocess.run([npm, "pack", "--silent", "--pack-destination", str(tarballs), spec],
                       check=True, stdout=subprocess.DEVNULL)
    found = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if found != package["integrity"]:
        tarball.unlink()
        raise SystemExit(f"{name}: sha512 is {found}, site/vendor.toml pins "
                         f"{package['integrity']}; deleted it, refusing to build.")
    return tarball


def _unpack(tarball: Path, patterns: list[str], target: Path) -> None:
    """Copy the files of `tarball` matching `patterns` (fnmatch: `*` crosses folders)."""
    copied = 0
    with tarfile.open(tarball) as archive:
        for member in archive.getmembers():
            inside = member.name.removeprefix("package/")
            if not member.isfile() or ".." in Path(inside).parts:
                continue
            if any(fnmatch.fnmatch(inside, pattern) for pattern in patterns):
                destination = target / inside
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(archive.extractfile(member).read())
                copied += 1
    if copied == 0:
        raise SystemExit(f"{tarball.name}: no file matches {patterns}")


# ---------------------------------------------------------------- 2. stage

def notebook_paths() -> list[Path]:
    """Every course notebook, in course order (a new one is picked up automatically)."""
    return sorted(NOTEBOOKS.glob(NOTEBOOK_GLOB))


def site_notebook(notebook: dict) -> dict:
    """The notebook as the site shows it: each exercise cell folded behind a button, and
    nbgrader's hidden test cells left out.

    The site shows the committed notebooks, solutions included (a student copy would show
    a page of NotImplementedError). Folding the solution lets a reader try first.
    Only cell metadata changes: jupyter-cache keys on code, so the cache still matches.
    """
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and SOLUTION_MARK in source:
            metadata = cell.setdefault("metadata", {})
            tags = metadata.setdefault("tags", [])
            if "hide-input" not in tags:
                tags.append("hide-input")
            metadata["mystnb"] = {"code_prompt_show": "Show the solution",
                                  "code_prompt_hide": "Hide the solution"}
        if cell["cell_type"] == "code" and HIDDEN_TEST_MARK in source:
            # nbgrader's test cell after a check: for graders, it repeats the check's verdict
            tags = cell.setdefault("metadata", {}).setdefault("tags", [])
            if "remove-cell" not in tags:
                tags.append("remove-cell")
    return notebook


def _course_map_module():
    """course_utils/coursemap.py, loaded by path: `import course_utils` would load torch."""
    spec = importlib.util.spec_from_file_location(
        "coursemap", REPO / "course_utils" / "coursemap.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["coursemap"] = module    # dataclasses look their module up while defined
    spec.loader.exec_module(module)
    return module


def index_page(paths: list[Path]) -> str:
    """site/index.md with the course map (titles and goals read from the notebooks)."""
    coursemap = _course_map_module()
    course_map = coursemap.course_map_markdown(coursemap.read_course_map(NOTEBOOKS))
    toctree = "\n".join(path.stem for path in paths)
    text = (SITE / "index.md").read_text(encoding="utf-8")
    return (text.replace(COURSE_MAP_PLACEHOLDER, course_map)
            + f"\n```{{toctree}}\n:hidden:\n:maxdepth: 1\n\n{toctree}\n```\n")


def stage() -> list[Path]:
    """Write build/site-src/, what Sphinx reads (it also offers these copies for download)."""
    paths = notebook_paths()
    STAGE.mkdir(parents=True, exist_ok=True)
    for old in STAGE.glob("*.ipynb"):
        if old.name not in {path.name for path in paths}:
            old.unlink()
    for path in paths:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        _write_if_changed(STAGE / path.name,
                          json.dumps(site_notebook(notebook), indent=1, ensure_ascii=False))
    _write_if_changed(STAGE / "index.md", index_page(paths))
    return paths


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------- 3. sphinx

def sphinx(cache: Path, deadline: float) -> None:
    """Run Sphinx (in its own process group) until done or `deadline`; retry one stall."""
    # -W: a warning (a link to a page that does not exist, a figure that cannot be read)
    # fails the build; --keep-going lists them all first.
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-c", str(SITE),
               "-d", str(doctrees_dir(cache)),
               "-D", f"nb_execution_cache_path={cache / 'jupyter'}",
               str(STAGE), str(OUTPUT)]
    for attempt in range(1, ATTEMPTS + 1):
        code, log = _run_until(command, deadline)
        if code == 0:
            return
        stalled = "CellTimeoutError" in log or "DeadKernelError" in log
        if not stalled or attempt == ATTEMPTS or time.monotonic() > deadline:
            raise SystemExit(f"site build failed (sphinx exit code {code}); see above")
        print(f"sitebuild: a cell timed out (attempt {attempt}); retrying: the notebooks "
              "that succeeded are cached", flush=True)


def _run_until(command: list[str], deadline: float) -> tuple[int, str]:
    """Run `command`, echoing its output; kill its process group at `deadline`."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    lines: list[str] = []

    def pump() -> None:
        for line in process.stdout:
            lines.append(line)
            sys.stdout.write(line)
            sys.stdout.flush()

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        process.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise SystemExit("site build exceeded its time limit and was stopped "
                         "(sitebuild.py --timeout SECONDS to change it)") from None
    reader.join(timeout=5)
    return process.returncode, "".join(lines)


def build(timeout_s: float = BUILD_TIMEOUT_S) -> float:
    """Vendor, stage and build the site; return the seconds it took."""
    started = time.monotonic()
    cache = cache_dir()
    forget_other_caches(keep=cache)
    vendor()
    paths = stage()
    print(f"sitebuild: {len(paths)} notebooks: {', '.join(p.stem for p in paths)}", flush=True)
    sphinx(cache, deadline=started + timeout_s)
    seconds = time.monotonic() - started
    LAST_BUILD.write_text(json.dumps({"cache": str(cache), "seconds": round(seconds, 1),
                                      "notebooks": [path.name for path in paths]}, indent=1))
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=BUILD_TIMEOUT_S,
                        help=f"seconds the whole build may take (default {BUILD_TIMEOUT_S})")
    seconds = build(parser.parse_args().timeout)
    print(f"sitebuild: built in {seconds:.1f} s. Open {OUTPUT / 'index.html'} in a browser "
          f"(file://{OUTPUT / 'index.html'}).")


if __name__ == "__main__":
    main()
