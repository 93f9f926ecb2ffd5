"""Shared test setup: every test runs in the tiny data mode with a private cache,
and nbval stops a solution's cell at the tiny mode's time limit (course/limits.py)."""
import json
import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from filelock import FileLock

from course import build, grading, paths, sandbox
from course.limits import CELL_TIMEOUT
from course.paths import ROOT


def pytest_configure(config):
    if hasattr(config.option, "nbval_cell_timeout"):
        config.option.nbval_cell_timeout = CELL_TIMEOUT["tiny"]


def pytest_collection_modifyitems(items):
    """`make test` runs two pytest-xdist workers (--dist loadfile --no-loadscope-reorder): each
    test file and each notebook under solutions/ goes whole to a worker, in this order, two
    to each worker at first and then to whichever is free:

    1. tests/test_pipeline.py, whose first test grades the sample students (the `graded`
       course, several minutes on both cores), so that grading starts at once;
    2. the solution notebooks, the longest first (their recorded run time), so that no
       long one is left alone at the end;
    3. the other files that read the graded course (by then it is ready, or being made);
    4. every other test file, as collected.
    """
    def rank(path):
        if path.name == "test_pipeline.py":
            return 0, 0
        if path.suffix == ".ipynb":  # solutions/<assignment>/<notebook>
            return 1, -grading.expected_seconds(path.parent.name, path.name)
        return (2 if path in uses_graded else 3), 0

    uses_graded = {item.path for item in items if "graded" in getattr(item, "fixturenames", ())}
    ranks = {path: rank(path) for path in {item.path for item in items}}
    first = {path: i for i, path in reversed(list(enumerate(item.path for item in items)))}
    items.sort(key=lambda item: (ranks[item.path], first[item.path]))


@pytest.fixture(autouse=True)
def _tiny_mode(monkeypatch, tmp_path_factory):
    monkeypatch.setenv("COURSE_DATA", "tiny")
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
    monkeypatch.delenv("COURSE_RECORD_HASHES", raising=False)
    os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def graded(tmp_path_factory, worker_id):
    """A copy of the course with the sample students plus three broken submissions, autograded
    once a session (tests/test_pipeline.py checks it, tests/test_browser.py opens it in
    formgrader): under pytest-xdist, by the first worker that asks, the others waiting for it
    and reading the same copy.

    The sample student `solution` (the reference solution) is left out: nbval runs it
    (solutions/), `make demo` grades it, and the `alternative` student, a second solution
    written from the release alone, is the evidence that a right answer earns every point,
    hidden checks included. Each full notebook thus runs twice here, not three times."""
    if worker_id == "master":
        return _grade(tmp_path_factory.mktemp("course"))
    shared = tmp_path_factory.getbasetemp().parent / "graded"
    with FileLock(f"{shared}.lock"):
        problems = shared / "problems.json"
        if not problems.exists():
            _, found = _grade(shared / "course")
            problems.write_text(json.dumps(found))
        return shared / "course", json.loads(problems.read_text())


class Printed(dict):
    """What each code cell of an executed notebook printed, by grade id."""

    def number(self, grade_id: str, pattern: str) -> float:
        """The number that ``pattern``'s first group finds in what cell ``grade_id`` printed."""
        found = re.search(pattern, self[grade_id])
        assert found, f"{pattern!r} not in what {grade_id} printed: {self[grade_id]!r}"
        return float(found.group(1).replace(",", ""))


@pytest.fixture(scope="module")
def printed(request, graded):
    """What the test module's NOTEBOOK ("a3_transformers_sentiment/bert_gru_sentiment.ipynb")
    printed when the sample student `alternative` was autograded: the lesson tests read a
    trained model's figures there rather than train it once more, so a lesson must show in any
    right solution, not only in ours."""
    root, _ = graded
    nb = nbformat.read(root / "autograde" / "autograded" / "alternative" / request.module.NOTEBOOK, as_version=4)
    return Printed({cell.metadata.get("nbgrader", {}).get("grade_id"):
                    "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
                    for cell in nb.cells if cell.cell_type == "code"})


def _grade(root):
    root.mkdir(parents=True, exist_ok=True)  # without pytest-xdist, mktemp made it
    shutil.copytree(ROOT / "source", root / "source")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    submitted = root / "autograde" / "submitted"
    shutil.copytree(paths.SUBMITTED, submitted, ignore=lambda folder, names: {"solution"} & set(names)
                    if Path(folder) == paths.SUBMITTED else set())
    notebook = "bow_sentiment.ipynb"
    broken = submitted / "broken" / "a1_bow_sentiment"
    broken.mkdir(parents=True)
    (broken / notebook).write_text('{"cells": [ this is not json')
    misnamed = submitted / "misnamed" / "a1_bow_sentiment"
    misnamed.mkdir(parents=True)
    shutil.copy(submitted / "blank" / "a1_bow_sentiment" / notebook, misnamed / "Bow Sentiment (1).ipynb")
    (submitted / "nothing").mkdir()
    build.release(root=root)
    problems = grading.autograde(root=root, workers=2, sandboxed=sandbox.available() is None)
    grading.feedback(root=root)
    return root, problems


# Notebooks under fixtures/ are submissions to grade (attacks among them), never
# notebooks for nbval to run: they only ever run in the grader's sandbox.
collect_ignore_glob = ["fixtures/*"]
