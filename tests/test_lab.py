"""The JupyterLab launches (make lab, make lab-instructor) and Validate beside the server:
what each role loads, and a cell that runs out of time said as a timeout, never as a wrong answer."""
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader.utils import compute_checksum

from course.lab import lab_command
from course.paths import ROOT


def test_each_launch_names_its_config_plots_inline_and_finds_alembic(monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    for role, folder in (("student", ROOT / "release"), ("instructor", ROOT)):
        argv, env, start_in = lab_command(role, ROOT)
        assert start_in == (folder if role == "student" else ROOT), "a student's fetches land in the folder opened"
        assert "MPLBACKEND" not in env, "kernels inherit it and draw no plot"
        assert env["JUPYTER_CONFIG_DIR"] == str(ROOT / "lab" / role)
        assert env["PATH"].split(os.pathsep)[0] == str(Path(sys.executable).parent), "nbgrader runs alembic from PATH"
        assert f"--ServerApp.root_dir={folder}" in argv


def test_students_get_their_tools_only():
    server = json.loads((ROOT / "lab" / "student" / "jupyter_server_config.json").read_text())
    extensions = server["ServerApp"]["jpserver_extensions"]
    assert extensions["course.lab"] and not extensions["nbgrader.server_extensions.validate_assignment"]
    assert not extensions["nbgrader.server_extensions.formgrader"] and not extensions["nbgrader.server_extensions.course_list"]
    page = json.loads((ROOT / "lab" / "student" / "labconfig" / "page_config.json").read_text())
    assert set(page["disabledExtensions"]) == {f"@jupyter/nbgrader:{name}"
                                               for name in ("formgrader", "create-assignment", "course-list")}
    instructor = json.loads((ROOT / "lab" / "instructor" / "jupyter_server_config.json").read_text())
    assert instructor["ServerApp"]["jpserver_extensions"] == {
        "nbgrader.server_extensions.validate_assignment": False, "course.lab": True}


def _graded_notebook(*cells):
    """cells: (source, nbgrader metadata or None)."""
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    for source, meta in cells:
        cell = new_code_cell(source)
        if meta:
            cell.metadata["nbgrader"] = {"schema_version": 3, "locked": False, "task": False, **meta}
            cell.metadata["nbgrader"]["checksum"] = compute_checksum(cell)
        nb.cells.append(cell)
    return nb


def test_validate_says_a_timeout_is_not_a_wrong_answer(tmp_path):
    """The III.3 sweep that ran past the cell limit under load: the dialog said only the check's
    `one entry per batch size`. Now the stopped cell comes first, as a timeout, and the check
    after it says it was not judged."""
    (tmp_path / "nbgrader_config.py").write_text(
        f"c = get_config()\nload_subconfig({str(ROOT / 'nbgrader_config.py')!r})\nc.Execute.timeout = 2\n")
    nb = _graded_notebook(
        ("sizes = []\nimport time\ntime.sleep(60)\nsizes = [16, 32, 64]", {"grade": False, "solution": True, "grade_id": "sweep"}),
        ("assert len(sizes) == 3, 'one entry per batch size'", {"grade": True, "solution": False, "grade_id": "sweep_test",
                                                                "points": 1}))
    nbformat.write(nb, tmp_path / "sweep.ipynb")
    done = subprocess.run([sys.executable, "-m", "course.validate", str(tmp_path / "sweep.ipynb")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["success"], answer
    failed = answer["value"]["failed"]
    assert failed[0]["source"].startswith("sizes = []")
    assert failed[0]["raw_error"].startswith("TIMEOUT, not a wrong answer")
    assert "ran past the" in failed[0]["raw_error"]
    assert failed[1]["raw_error"].startswith("Not judged: a cell above ran past the time limit")
    assert "one entry per batch size" in failed[1]["raw_error"]
