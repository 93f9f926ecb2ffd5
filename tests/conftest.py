"""Shared test setup: every test runs in the tiny data mode with a private cache."""
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))


@pytest.fixture(autouse=True)
def _tiny_mode(monkeypatch, tmp_path_factory):
    monkeypatch.setenv("COURSE_DATA", "tiny")
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
    monkeypatch.delenv("COURSE_RECORD_HASHES", raising=False)
    os.environ.setdefault("MPLBACKEND", "Agg")
