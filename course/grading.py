"""Autograde the submissions, write feedback, and show the score table."""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from .build import nbgrader
from .notebooks import grade_id
from .paths import ROOT, assignments, source_notebooks
from .sandbox import kernel_spec

__all__ = ["check_submission", "run_failures", "autograde", "feedback", "scores", "report", "repair_gradebook"]

# What nbgrader writes into a cell that ran out of time (nbgrader_config.py sets it).
TIMEOUT_ENAME = "CellTimeoutError"


def check_submission(folder: Path, assignment: str, root: Path = ROOT) -> tuple[list[str], list[str]]:
    """(problems, notebooks that can be graded) of one student's assignment folder."""
    expected = [p.name for p in source_notebooks(assignment, root)]
    if not folder.is_dir():
        return [f"nothing submitted for {assignment}"], []
    present = {p.name for p in folder.glob("*.ipynb")}
    problems, gradable = [], []
    for name in expected:
        if name not in present:
            others = sorted(present - set(expected))
            hint = f"; found {', '.join(others)}: rename it to {name}" if others else ""
            problems.append(f"{name} is missing{hint}")
            continue
        try:
            nbformat.validate(nbformat.read(folder / name, as_version=4))
        except Exception as error:  # bad JSON or schema: report it, grade the others
            lines = str(error).strip().splitlines() or [type(error).__name__]
            problems.append(f"{name} is not a valid notebook ({lines[0][:200]})")
            continue
        gradable.append(name)
    return problems, gradable


def run_failures(folder: Path) -> list[str]:
    """Cells of the autograded notebooks in ``folder`` that ran out of time.

    They earn nothing, and are reported as what they are: not a wrong answer.
    """
    found = []
    for path in sorted(folder.glob("*.ipynb")):
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if any(o.get("ename") == TIMEOUT_ENAME for o in cell.get("outputs", [])):
                found.append(f"{path.name}, cell {index} ({grade_id(cell) or 'not graded'}) ran out of time; "
                             f"the kernel was interrupted and the notebook went on")
    return found


def _failure(output: str) -> str:
    """The one line of nbgrader's output that says why autograding a notebook stopped."""
    if "DeadKernelError" in output or "Kernel died" in output:
        return "the kernel died (out of memory, or killed); the cells after that point were not graded"
    lines = [line for line in output.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "nbgrader failed with no message"


def autograde(root: Path = ROOT) -> dict[str, dict[str, list[str]]]:
    """Autograde every submission under ``root``/autograde/submitted.

    A submission that cannot be read is reported and left as it is; every other
    student is still graded, in the sandbox kernel where the machine allows it.
    Returns the problems, by student and assignment.
    """
    report: dict[str, dict[str, list[str]]] = {}
    submitted = root / "autograde" / "submitted"
    students = sorted(p.name for p in submitted.iterdir() if p.is_dir()) if submitted.exists() else []
    with tempfile.TemporaryDirectory() as kernels:
        options, env = kernel_spec(Path(kernels), root)
        for student in students:
            for assignment in assignments(root):
                problems, gradable = check_submission(submitted / student / assignment, assignment, root)
                if gradable:
                    print(f"autograding {student} / {assignment}", flush=True)
                    result = nbgrader("autograde", assignment, f"--student={student}", "--force",
                                      "--log-level=WARN", *options, root=root, env=env)
                    if result.returncode != 0:
                        problems.append(f"autograding failed: {_failure(result.stderr + result.stdout)}")
                    problems += run_failures(root / "autograde" / "autograded" / student / assignment)
                for problem in problems:
                    print(f"! {student} / {assignment}: {problem}", flush=True)
                if problems:
                    report.setdefault(student, {})[assignment] = problems
    return report


def feedback(root: Path = ROOT) -> None:
    """Feedback HTML for every graded submission, and the gradebook as CSV."""
    for assignment in assignments(root):
        _checked(nbgrader("generate_feedback", assignment, "--force", "--log-level=WARN", root=root))
    _checked(nbgrader("export", "--to=autograde/grades.csv", "--log-level=WARN", root=root))


def _checked(result) -> None:
    if result.returncode != 0:
        raise SystemExit(f"nbgrader failed:\n{(result.stderr + result.stdout).strip()}")


def scores(root: Path = ROOT) -> dict[str, dict[str, dict]]:
    """{student: {assignment: {score, max_score, needs_manual_grade}}} from the gradebook."""
    from nbgrader.api import Gradebook, MissingEntry
    table: dict[str, dict[str, dict]] = {}
    with Gradebook(f"sqlite:///{root / 'autograde' / 'gradebook.db'}", course_id="dl-course") as gb:
        for student in gb.students:
            for assignment in gb.assignments:
                try:
                    sub = gb.find_submission(assignment.name, student.id)
                except MissingEntry:
                    continue
                table.setdefault(student.id, {})[assignment.name] = {
                    "score": sub.score, "max_score": sub.max_score,
                    "needs_manual_grade": sub.needs_manual_grade,
                }
    return table


def report(root: Path = ROOT) -> None:
    """Print students by assignment: score / max, and what still needs a person."""
    table = scores(root)
    names = assignments(root)
    width = max([len(s) for s in table] + [7])
    print(f"{'student':<{width}}  " + "  ".join(f"{a:>24}" for a in names))
    for student in sorted(table):
        cells = []
        for assignment in names:
            entry = table[student].get(assignment)
            if entry is None:
                cells.append(f"{'not graded':>24}")
                continue
            text = f"{entry['score']:g}/{entry['max_score']:g}"
            if entry["needs_manual_grade"]:
                text += " (+manual)"
            cells.append(f"{text:>24}")
        print(f"{student:<{width}}  " + "  ".join(cells))
    print("(+manual: written answers wait for an instructor in formgrader)")


def repair_gradebook(root: Path = ROOT) -> None:
    """Stamp a gradebook that nbgrader made but could not stamp with its schema version.

    nbgrader creates the tables, then runs ``alembic`` from PATH to learn the
    version; where that fails (``jupyter lab`` started without this
    environment's ``bin/`` on PATH), the gradebook is left without its
    ``alembic_version`` table and formgrader never loads. The tables are
    nbgrader's current ones, so stamping them with the current version is
    what nbgrader would have done.
    """
    import sqlite3

    from nbgrader.dbutil import _temp_alembic_ini
    path = root / "autograde" / "gradebook.db"
    if not path.exists():
        return
    with sqlite3.connect(path) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "alembic_version" in tables or not tables:
            return
        with _temp_alembic_ini(f"sqlite:///{path}") as ini:
            alembic = Path(sys.executable).parent / "alembic"
            heads = subprocess.run([str(alembic), "-c", ini, "heads"], capture_output=True, text=True, check=True)
        version = heads.stdout.split()[0]
        db.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        db.execute("INSERT INTO alembic_version (version_num) VALUES (?)", (version,))
    print(f"{path.relative_to(root)}: stamped with nbgrader's schema version {version} "
          f"(an earlier start could not run alembic)")
