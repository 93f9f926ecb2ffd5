"""Shared test setup: every test runs in the tiny data mode with a private cache,
and nbval stops a solution's cell at the tiny mode's time limit (course/limits.py)."""
import os

import pytest

from course.limits import CELL_TIMEOUT


def pytest_configure(config):
    if hasattr(config.option, "nbval_cell_timeout"):
        config.option.nbval_cell_timeout = CELL_TIMEOUT["tiny"]


@pytest.fixture(autouse=True)
def _tiny_mode(monkeypatch, tmp_path_factory):
    monkeypatch.setenv("COURSE_DATA", "tiny")
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
    monkeypatch.delenv("COURSE_RECORD_HASHES", raising=False)
    os.environ.setdefault("MPLBACKEND", "Agg")


# Notebooks under fixtures/ are submissions to grade (attacks among them), never
# notebooks for nbval to run: they only ever run in the grader's sandbox.
collect_ignore_glob = ["fixtures/*"]
