# The two commands of the README: `make lab` and `make test` (and `make site`).
# Both create .venv on first use and reuse it afterwards; it is reinstalled only
# when pyproject.toml is newer than the last install.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
EXTRAS := test,classroom,site
NBGRADER_SERVER_EXTENSIONS := $(addprefix nbgrader.server_extensions.,formgrader \
	validate_assignment assignment_list course_list)

.PHONY: lab test lint student site clean course-map

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "the course needs Python 3.11, found " + sys.version' 
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[$(EXTRAS)]'
	@# nbgrader (classroom extra) would add its menus, and a slow import, to every Jupyter server
	@# of this venv; learners do not need them (classroom/TEACHERS.md says how to turn them on).
	$(VENV)/bin/jupyter labextension disable --level=sys_prefix @jupyter/nbgrader
	$(VENV)/bin/jupyter server extension disable --sys-prefix $(NBGRADER_SERVER_EXTENSIONS)
	@touch $(STAMP)

# 127.0.0.1 only, token authentication on (JupyterLab's default; never disable it).
# Extra options go in LAB_ARGS, e.g. `make lab LAB_ARGS=--no-browser`.
LAB_ARGS ?=
AS_ROOT  := $(if $(filter 0,$(shell id -u)),--allow-root)
lab: $(STAMP)
	$(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1 $(AS_ROOT) $(LAB_ARGS) notebooks/00_start_here.ipynb

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check course_utils tests benchmarks site

# The course as a website in build/site/ (site/sitebuild.py: vendored JS from npm, notebooks
# executed and cached, the whole build under a time limit). Open build/site/index.html.
site: $(STAMP)
	$(PY) site/sitebuild.py

student: $(STAMP)
	$(PY) -m course_utils.release build/student --force

course-map: $(STAMP)
	$(PY) -c 'from pathlib import Path; from course_utils.coursemap import update_readme; \
		print("README.md course map updated" if update_readme(Path("README.md"), Path("notebooks")) else "up to date")'

clean:
	rm -rf build
