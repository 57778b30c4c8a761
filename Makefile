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
# Said at every `make lab`, `make lab-solutions` and `make test`: which Python .venv runs, and a
# one-line warning when PYTHON=... (command line or environment) names another Python than the
# one .venv was made with, which it keeps (tools/venv_python.py).
SAY_PYTHON = $(PY) -I -S tools/venv_python.py $(VENV) $(if $(filter file,$(origin PYTHON)),,'$(PYTHON)')
NBGRADER_SERVER_EXTENSIONS := $(addprefix nbgrader.server_extensions.,formgrader \
	validate_assignment assignment_list course_list)

.PHONY: lab lab-solutions test test-compat lint student site clean course-map lock

$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "make: no Python 3.11, 3.12 or 3.13 found; install one, or pass PYTHON=/path/to/python3" >&2; exit 1; }
	@test -x $(PY) || { echo "make: creating $(VENV) with $(PYTHON) ($$($(PYTHON) -c 'import sys; print(sys.version.split()[0])'))"; $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --upgrade pip
	@echo "Installing the course and its dependencies into $(VENV)/ (the first time: about 2 GB, a few minutes)"
	$(PY) -m pip install $$($(PY) tools/torch_index.py) -c constraints.txt -e '.[$(EXTRAS)]'
	@# nbgrader (classroom extra) would add its menus, and a slow import, to every Jupyter server
	@# of this venv; learners do not need them (classroom/TEACHERS.md says how to turn them on).
	$(VENV)/bin/jupyter labextension disable --level=sys_prefix @jupyter/nbgrader
	$(VENV)/bin/jupyter server extension disable --sys-prefix $(NBGRADER_SERVER_EXTENSIONS)
	@touch $(STAMP)
	@echo "Installed: the course (course_utils, editable) with extras $(EXTRAS), for $$($(PY) --version), in $(abspath $(VENV)) ($$(du -sh $(VENV) | cut -f1) on disk)"

# `make lab`: your workspace (workspace/, git-ignored: your own copies of the notebooks, every
# exercise blank, kept across course updates; course_utils/workspace.py), opened on notebook 00.
# `make lab-solutions`: notebooks/ as committed, solutions filled in, for teachers and authors.
# 127.0.0.1 only, token authentication on (JupyterLab's default; never disable it).
# Extra options go in LAB_ARGS, e.g. `make lab LAB_ARGS=--no-browser`; WORKSPACE=DIR puts the
# workspace elsewhere (the tests use a temporary one).
LAB_ARGS  ?=
WORKSPACE ?= workspace
AS_ROOT   := $(if $(filter 0,$(shell id -u)),--allow-root)
# JupyterLab's news pop-up and update check are switched off for this environment only, by a
# settings override inside .venv (from lab/overrides.json), never in your home folder.
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.d/tensors-to-nn.json
# default_url: the page JupyterLab opens and prints the link of, also with --no-browser.
LAB := $(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1 $(AS_ROOT) \
	--LabApp.default_url=/lab/tree/00_start_here.ipynb

$(LAB_SETTINGS): lab/overrides.json | $(STAMP)
	@mkdir -p $(@D)
	cp lab/overrides.json $@

# RESTORE=07 gets a fresh copy of notebook 07 (yours, if edited, is kept as a backup). Exit
# code 1 means a notebook could not be copied (the terminal says which): open the rest anyway.
RESTORE ?=
lab: $(STAMP) $(LAB_SETTINGS)
	@$(SAY_PYTHON)
	$(PY) -m course_utils.workspace --workspace $(WORKSPACE) $(addprefix --restore ,$(RESTORE)) \
		|| test $$? -eq 1
	$(LAB) --ServerApp.root_dir=$(WORKSPACE) $(LAB_ARGS)

lab-solutions: $(STAMP) $(LAB_SETTINGS)
	@$(SAY_PYTHON)
	@echo "lab-solutions: opening notebooks/ AS COMMITTED, solutions filled in (for teachers and"
	@echo "authors). Saving there changes the git-tracked files. Learners: use make lab."
	$(LAB) --ServerApp.root_dir=notebooks $(LAB_ARGS)

test: $(STAMP)
	@$(SAY_PYTHON)
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
