# Entry points of the course. `make demo` shows the whole pipeline; `make test` is what CI runs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
COURSE := $(PY) tools/course.py

export PYTHONHASHSEED := 0
export MPLBACKEND := Agg

.PHONY: help venv demo test release solutions hashes samples autograde feedback report bench lab clean

help:
	@echo "make demo       release, solutions, autograde the samples, feedback, score table"
	@echo "make test       everything CI checks"
	@echo "make release | solutions | hashes | samples | autograde | feedback | bench | lab"

# The environment: created once, reinstalled when the requirements change.
$(STAMP): requirements.txt constraints.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: $(STAMP)

# The solutions run into build/ so that a demo leaves the committed ones as they are.
demo: $(STAMP)
	$(COURSE) release
	$(COURSE) solutions --out build/solutions
	$(COURSE) autograde
	$(COURSE) feedback
	$(COURSE) report

# Unit, lesson and pipeline tests, then every solution notebook run by nbval
# against its stored outputs (lax: only the cells tagged nbval-check-output).
NBVAL := --nbval-lax --nbval-current-env --nbval-cell-timeout=600 --nbval-sanitize-with tests/nbval_sanitize.cfg

test: $(STAMP)
	$(PY) -m pytest -p no:cacheprovider tests solutions $(NBVAL)

release: $(STAMP)
	$(COURSE) release

solutions: $(STAMP)
	$(COURSE) solutions

hashes: $(STAMP)
	$(COURSE) hashes

samples: $(STAMP)
	$(COURSE) samples

autograde: $(STAMP)
	$(COURSE) release
	$(COURSE) autograde

feedback: $(STAMP)
	$(COURSE) feedback

report: $(STAMP)
	$(COURSE) report

bench: $(STAMP)
	$(PY) tools/bench.py
	$(PY) tools/bench_word2vec.py

# JupyterLab on the student release, started here so that nbgrader finds its config.
lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=release $(if $(filter 0,$(shell id -u)),--allow-root)

clean:
	rm -rf autograde/autograded autograde/feedback autograde/gradebook.db autograde/grades.csv
