# The two commands of the README: `make lab` and `make test` (and `make site`).
# Both create .venv on first use and reuse it afterwards; it is reinstalled only
# when pyproject.toml or constraints.txt (the lock) is newer than the last install.

# The newest Python from 3.13 down to 3.11 that runs here (a name that exists but does not
# run, such as a pyenv shim for a version that is not selected, is passed over), or PYTHON=...
SUPPORTED := python3.13 python3.12 python3.11
ifndef PYTHON
PYTHON := $(firstword $(foreach p,$(SUPPORTED),$(if $(shell $(p) -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null && echo yes),$(p))))
endif
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
EXTRAS := test,classroom,site
# Where pip gets torch: PyTorch's CPU index on Linux without an NVIDIA GPU (tools/torch_index.py;
# TORCH_INDEX=URL for another index, TORCH_INDEX= for pip's usual sources).

.PHONY: lab test test-compat lint student site clean course-map lock

$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "make: no Python 3.11, 3.12 or 3.13 found; install one, or pass PYTHON=/path/to/python3" >&2; exit 1; }
	@test -x $(PY) || { echo "make: creating $(VENV) with $(PYTHON) ($$($(PYTHON) -c 'import sys; print(sys.version.split()[0])'))"; $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install $$($(PY) tools/torch_index.py) -c constraints.txt -e '.[$(EXTRAS)]'
	@touch $(STAMP)

# 127.0.0.1 only, token authentication on (JupyterLab's default; never disable it).
# Extra options go in LAB_ARGS, e.g. `make lab LAB_ARGS=--no-browser`.
LAB_ARGS ?=
AS_ROOT  := $(if $(filter 0,$(shell id -u)),--allow-root)
lab: $(STAMP)
	$(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1 $(AS_ROOT) $(LAB_ARGS) notebooks/00_start_here.ipynb

test: $(STAMP)
	$(PY) -m pytest -m "not compat"

# The second environment (CI runs it after `make test`): the newest torch pip can install,
# ipykernel 7, everything else at its newest within pyproject.toml's ranges, no lock.
test-compat: $(STAMP)
	$(PY) -m pytest -m compat

lint: $(STAMP)
	$(VENV)/bin/ruff check course_utils tests benchmarks site tools

# The course as a website in build/site/ (site/sitebuild.py: vendored JS from npm, notebooks
# executed and cached, the whole build under a time limit). Open build/site/index.html.
site: $(STAMP)
	$(PY) site/sitebuild.py

student: $(STAMP)
	$(PY) -m course_utils.release build/student --force

# Regenerate the lock from .venv after changing pyproject.toml (see tools/lock.py).
lock: $(STAMP)
	$(PY) -m pip install $$($(PY) tools/torch_index.py) -e '.[$(EXTRAS)]'
	$(PY) tools/lock.py $(PY)

course-map: $(STAMP)
	$(PY) -c 'from pathlib import Path; from course_utils.coursemap import update_readme; \
		print("README.md course map updated" if update_readme(Path("README.md"), Path("notebooks")) else "up to date")'

clean:
	rm -rf build
