"""Shared test setup: every test runs in the tiny data mode with a private cache,
and nbval stops a solution's cell at the tiny mode's time limit (course/limits.py)."""
import os
import shutil

import pytest

from course import build, grading, paths, sandbox
from course.limits import CELL_TIMEOUT
from course.paths import ROOT


def pytest_configure(config):
    if hasattr(config.option, "nbval_cell_timeout"):
        config.option.nbval_cell_timeout = CELL_TIMEOUT["tiny"]


def pytest_collection_modifyitems(items):
    """`make test` runs two pytest-xdist workers (--dist loadgroup): every test that reads the
    session's `graded` course runs on one of them, so that the course is graded once; each
    notebook under solutions/ and each test file's other tests go whole to whichever worker
    is free."""
    for item in items:
        if "graded" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("graded"))


@pytest.fixture(autouse=True)
def _tiny_mode(monkeypatch, tmp_path_factory):
    monkeypatch.setenv("COURSE_DATA", "tiny")
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
    monkeypatch.delenv("COURSE_RECORD_HASHES", raising=False)
    os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    """A copy of the course with the sample students plus three broken submissions, autograded
    (once a session: tests/test_pipeline.py checks it, tests/test_browser.py opens it in formgrader)."""
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(ROOT / "source", root / "source")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    submitted = root / "autograde" / "submitted"
    shutil.copytree(paths.SUBMITTED, submitted)
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
