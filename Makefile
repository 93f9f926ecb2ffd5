# Entry points of the course. `make demo` shows the whole pipeline; `make test` is what CI runs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(abspath $(VENV)/bin)
PY := $(BIN)/python
STAMP := $(VENV)/.installed
COURSE := $(PY) -m course
ONLY ?=
only := $(if $(ONLY),--only $(ONLY))
# make autograde WORKERS=4 (notebooks at once), SCHEDULER=local (a Dask cluster here)
# or SCHEDULER=tcp://host:8786 (a Dask scheduler), SANDBOX=off (where bubblewrap cannot run)
WORKERS ?=
SCHEDULER ?=
SANDBOX ?=
grading := $(if $(WORKERS),--workers $(WORKERS)) $(if $(SCHEDULER),--scheduler $(SCHEDULER)) $(if $(filter off,$(SANDBOX)),--no-sandbox)

export PYTHONHASHSEED := 0

.PHONY: help venv sandbox chromium demo test release solutions hashes samples autograde feedback report bench bench-grading stress check-full lab lab-instructor clean

help:
	@echo "make demo        release, solutions, autograde the samples, feedback, score table"
	@echo "make test        everything CI checks"
	@echo "make release | solutions | hashes | samples | feedback | report"
	@echo "make lab         JupyterLab for students (release/, Assignment List, Validate)"
	@echo "make lab-instructor   JupyterLab for instructors (formgrader, create assignment, courses)"
	@echo "make autograde   [WORKERS=N] [SCHEDULER=local|tcp://host:8786] [SANDBOX=off] [ONLY=assignment ...]"
	@echo "make bench       the speed-ups over the seeds' loops;  make stress  notebook execution under load"
	@echo "make bench-grading   autograding's overhead per notebook, and its speed-up with workers and Dask"
	@echo "make check-full  the solutions on the real data (COURSE_DATA_DIR; ONLY=assignment[/notebook] ...)"

# The environment: created once, reinstalled when the requirements change.
$(STAMP): requirements.txt constraints.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: $(STAMP)

# bubblewrap runs student code when autograding: installed from the distribution
# where this account may (root with apt-get); otherwise it says what to do.
sandbox:
	@command -v bwrap >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get install -y -q bubblewrap >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q bubblewrap >/dev/null; }; \
	  else echo "bubblewrap is missing: install it (apt-get install bubblewrap), or autograde with SANDBOX=off"; fi; }

# Chromium for the browser tests (tests/test_browser.py): Debian's package, installed
# where this account may (root with apt-get); without it those tests skip and say so.
chromium:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; } \
	      || echo "could not install chromium: the browser tests will skip"; \
	  else echo "chromium is missing: install it (apt-get install chromium) for the browser tests, which skip without it"; fi; }

# The solutions run into build/ so that a demo leaves the committed ones as they are.
demo: $(STAMP) sandbox
	$(COURSE) release
	$(COURSE) solutions --out build/solutions
	$(COURSE) autograde $(grading)
	$(COURSE) feedback
	$(COURSE) report

# Unit, lesson and pipeline tests, then every solution notebook run by nbval
# against its stored outputs (lax: only the cells tagged nbval-check-output).
# tests/conftest.py gives nbval the tiny mode's cell limit (course/limits.py).
# OMP_WAIT_POLICY=PASSIVE: torch's waiting threads sleep rather than spin, so
# that tests sharing the cores with other work slow down by their share, not
# several times over (course/execute.py gives every kernel it starts the same).
# Two pytest-xdist workers side by side, each test file and notebook whole on one
# of them, in the order tests/conftest.py gives: while one grades the sample
# students, the other runs the solution notebooks and the other tests.
NBVAL := --nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
XDIST := --numprocesses 2 --dist loadfile --no-loadscope-reorder

test: $(STAMP) sandbox chromium
	OMP_WAIT_POLICY=PASSIVE $(PY) -m pytest -p no:cacheprovider $(XDIST) tests solutions $(NBVAL)

release: $(STAMP)
	$(COURSE) release

solutions: $(STAMP)
	$(COURSE) solutions $(only)

# Records the checks of the active data mode: COURSE_DATA=full make hashes ONLY=a2_embeddings_seq2seq
hashes: $(STAMP)
	$(COURSE) hashes $(only)

samples: $(STAMP)
	$(COURSE) samples

autograde: $(STAMP) sandbox
	$(COURSE) release
	$(COURSE) autograde $(grading) $(only)

feedback: $(STAMP)
	$(COURSE) feedback

report: $(STAMP)
	$(COURSE) report

bench: $(STAMP)
	$(PY) -m bench.imdb_epoch
	$(PY) -m bench.word2vec_epoch
	$(PY) -m bench.bert_gru_epoch
	$(PY) -m bench.captioning_layers
	$(PY) -m bench.attention

# What grading costs beyond the student's own run, and the speed-up of workers and Dask
bench-grading: $(STAMP) sandbox
	$(PY) -m bench.grading

stress: $(STAMP)
	$(PY) -m bench.stress_kernels

check-full: $(STAMP)
	$(COURSE) check-full $(only)

# JupyterLab for students on release/ (the Assignment List and Validate only) and
# for instructors on the course root (formgrader too): lab/<role> is Jupyter's config
# folder, this environment's bin/ comes first on PATH (nbgrader runs `alembic` from
# there) and MPLBACKEND is dropped, so that the kernels draw their plots inline.
lab: $(STAMP)
	$(COURSE) lab

lab-instructor: $(STAMP)
	$(COURSE) lab-instructor

clean:
	rm -rf autograde/autograded autograde/runs autograde/feedback autograde/gradebook.db autograde/grades.csv build release/dl-course
