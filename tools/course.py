"""The instructor pipeline, one small step per command (the Makefile wires them).

    python tools/course.py release      source/ -> release/ (nbgrader generate_assignment)
    python tools/course.py solutions    source/ -> solutions/ (or --out DIR), executed in the tiny mode
    python tools/course.py hashes       record every check's reference hash into source/*/hashes.json
    python tools/course.py samples      rebuild the sample submissions in autograde/submitted/
    python tools/course.py autograde    validate and autograde every submission
    python tools/course.py feedback     feedback HTML and the gradebook as CSV
    python tools/course.py report       the table of students by assignment

Run from the repository root (nbgrader reads nbgrader_config.py there).
"""
from __future__ import annotations

import argparse
import copy
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
SOURCE, RELEASE, SOLUTIONS = ROOT / "source", ROOT / "release", ROOT / "solutions"
AUTOGRADE = ROOT / "autograde"
SUBMITTED = AUTOGRADE / "submitted"
SAMPLES = AUTOGRADE / "samples.json"  # sample students: which sections they solve, expected scores
SOLUTION_MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")
CHECKED_TAG = "nbval-check-output"  # nbval --nbval-lax compares only these cells
CELL_TIMEOUT = 600


def assignments() -> list[str]:
    """The assignment ids: the folders of source/."""
    return sorted(p.name for p in SOURCE.iterdir() if p.is_dir() and not p.name.startswith("."))


def source_notebooks(assignment: str) -> list[Path]:
    return sorted((SOURCE / assignment).glob("*.ipynb"))


def nbgrader(*args: str, root: Path = ROOT, check: bool = True, env: dict | None = None
             ) -> subprocess.CompletedProcess:
    """Run an nbgrader command in the course root ``root`` (``env``: extra variables)."""
    command = [sys.executable, "-m", "nbgrader", *args, "--CourseDirectory.root=" + str(root)]
    # nbgrader runs `alembic` from PATH when it creates a gradebook: use ours.
    env = dict(os.environ, **(env or {}),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    return subprocess.run(command, cwd=root, env=env, check=check, text=True, capture_output=not check)


def nbgrader_meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def without_markers(source: str) -> str:
    """A cell's source without its ### BEGIN/END SOLUTION lines."""
    return "\n".join(line for line in source.splitlines() if not SOLUTION_MARKERS.match(line))


# ---------------------------------------------------------------- release
def release(root: Path = ROOT) -> None:
    """Generate the student version of every assignment into ``root``/release."""
    (root / "autograde").mkdir(exist_ok=True)
    for assignment in assignments():
        result = nbgrader("generate_assignment", assignment, "--force", "--log-level=WARN",
                          root=root, check=False)
        if result.returncode == 0:
            continue
        output = result.stdout + result.stderr
        if "because there are submissions associated with it" in output:
            sys.exit(f"make release: {assignment}'s cells changed, but autograde/gradebook.db already holds "
                     f"submissions of it, so nbgrader keeps the released version. If those are only the "
                     f"sample submissions (make demo, make autograde), run `make clean` and release again; "
                     f"with real students' grades, keep the cells as released or start a new assignment.")
        sys.exit(f"make release: nbgrader generate_assignment {assignment} failed:\n{output.strip()}")


# ---------------------------------------------------------------- solutions
def solution_version(nb):
    """The source notebook with its solution markers removed and outputs cleared.

    Hidden tests stay, so that executing the solutions proves they pass them.
    Test cells are tagged for nbval: their ✓/✗ lines are compared.
    """
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = without_markers(cell.source)
            cell.outputs, cell.execution_count = [], None
            if nbgrader_meta(cell).get("grade") and CHECKED_TAG not in cell.metadata.get("tags", []):
                cell.metadata.setdefault("tags", []).append(CHECKED_TAG)
    return nb


def execute(nb, cwd: Path, env: dict | None = None):
    """Execute a notebook in ``cwd`` in a fresh kernel (raises on the first error).

    Files the notebook writes there (checkpoints) are removed afterwards.
    """
    old, before = dict(os.environ), set(cwd.iterdir())
    os.environ.update(env or {})
    try:
        NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3", record_timing=False,
                       resources={"metadata": {"path": str(cwd)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(old)
        for path in set(cwd.iterdir()) - before:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    return nb


WIDGET = "application/vnd.jupyter.widget-view+json"


def strip_widgets(nb):
    """Drop progress-bar widget outputs: live only in a running kernel, random ids on disk."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if WIDGET not in o.get("data", {})]
    nb.metadata.pop("widgets", None)
    return nb


def copy_extra_files(assignment: str, dest: Path) -> None:
    """Copy the assignment's non-notebook files (hashes.json, data) beside the notebooks."""
    for path in (SOURCE / assignment).iterdir():
        if path.is_file() and path.suffix != ".ipynb":
            shutil.copy(path, dest / path.name)


def solutions(out: Path = SOLUTIONS) -> None:
    """Write solutions/<assignment>/*.ipynb, executed in the tiny data mode."""
    for assignment in assignments():
        dest = out / assignment
        dest.mkdir(parents=True, exist_ok=True)
        copy_extra_files(assignment, dest)
        for path in source_notebooks(assignment):
            nb = solution_version(nbformat.read(path, as_version=4))
            print(f"executing {path.relative_to(ROOT)} (tiny data)", flush=True)
            strip_widgets(execute(nb, dest, {"COURSE_DATA": "tiny"}))
            nbformat.write(nb, dest / path.name)


# ---------------------------------------------------------------- hashes
def hashes(mode: str | None = None) -> None:
    """Execute each source notebook in record mode and write its checks' hashes.

    The hashes of the active data mode replace the old ones; other modes' stay.
    """
    mode = mode or os.environ.get("COURSE_DATA", "tiny")
    for assignment in assignments():
        folder = SOURCE / assignment
        with tempfile.TemporaryDirectory() as tmp:
            record = Path(tmp) / "record.jsonl"
            record.touch()
            for path in source_notebooks(assignment):
                print(f"recording {path.relative_to(ROOT)} ({mode} data)", flush=True)
                nb = solution_version(nbformat.read(path, as_version=4))
                execute(nb, folder, {"COURSE_DATA": mode, "COURSE_RECORD_HASHES": str(record)})
            recorded = [json.loads(line) for line in record.read_text().splitlines()]
        table_path = folder / "hashes.json"
        table = json.loads(table_path.read_text()) if table_path.exists() else {}
        for entry in table.values():
            entry.pop(mode, None)
        for item in recorded:
            table.setdefault(item["id"], {})[item["mode"]] = item["hash"]
        table = {id: modes for id, modes in sorted(table.items()) if modes}
        table_path.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n")
        print(f"{table_path.relative_to(ROOT)}: {len(recorded)} checks recorded")


# ---------------------------------------------------------------- sample submissions
def fill_release(release_nb, source_nb, solve) -> "nbformat.NotebookNode":
    """A student's submission: the release notebook with the cells ``solve`` accepts
    filled in from the source (solution code without markers, model answers)."""
    answers = {nbgrader_meta(c).get("grade_id"): c for c in source_nb.cells
               if nbgrader_meta(c).get("solution")}
    nb = copy.deepcopy(release_nb)
    for cell in nb.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in answers and solve(grade_id):
            cell.source = without_markers(answers[grade_id].source)
    return nb


def solves(sections: list[str], grade_id: str) -> bool:
    """Whether a sample student who solves ``sections`` ("I", "II", ... or "*") fills this cell."""
    return "*" in sections or any(re.match(rf"{s}(?![IVX])", grade_id) for s in sections)


def samples() -> None:
    """Rebuild autograde/submitted/<student>/<assignment>/ from release/ and source/.

    autograde/samples.json names each sample student and the grade-id prefixes
    (sections) they solve: [] is a blank release, ["*"] everything.
    """
    spec = json.loads(SAMPLES.read_text())
    for student, plan in spec["students"].items():
        for assignment, sections in plan["solves"].items():
            dest = SUBMITTED / student / assignment
            shutil.rmtree(dest, ignore_errors=True)
            dest.mkdir(parents=True)
            for path in source_notebooks(assignment):
                release_nb = nbformat.read(RELEASE / assignment / path.name, as_version=4)
                source_nb = nbformat.read(path, as_version=4)
                filled = fill_release(release_nb, source_nb, functools.partial(solves, sections))
                nbformat.write(filled, dest / path.name)


# ---------------------------------------------------------------- autograde
def check_submission(folder: Path, assignment: str) -> tuple[list[str], list[str]]:
    """(problems, notebooks that can be graded) of one student's assignment folder."""
    expected = [p.name for p in source_notebooks(assignment)]
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


def sandbox(kernels: Path, root: Path = ROOT) -> tuple[list[str], dict]:
    """nbgrader options and environment that run student code in tools/sandbox_kernel.py.

    Writes the `course-sandbox` kernel spec under ``kernels``. Where the machine
    cannot make the namespaces (not Linux, or forbidden), or COURSE_SANDBOX=0,
    says so and returns nothing: the plain kernel is used.
    """
    import sandbox_kernel
    if os.environ.get("COURSE_SANDBOX") == "0" or not sandbox_kernel.available():
        print("! the grading kernel is NOT sandboxed: student code can reach the network and "
              "this folder (unshare is unavailable here, or COURSE_SANDBOX=0)", flush=True)
        return [], {}
    spec = kernels / "kernels" / "course-sandbox"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, str(Path(sandbox_kernel.__file__).resolve()), "-f", "{connection_file}"],
        "display_name": "Python 3 (grading sandbox)", "language": "python"}))
    # IPC sockets are files: they cross the network namespace. Their path must be
    # absolute, since the launcher leaves the folder it was started in.
    options = ["--Execute.kernel_name=course-sandbox", "--KernelManager.transport=ipc",
               f"--KernelManager.ip={kernels / 'kernel-ipc'}"]
    env = {"JUPYTER_PATH": os.pathsep.join(filter(None, [str(kernels), os.environ.get("JUPYTER_PATH")])),
           "COURSE_SANDBOX_HIDE": os.pathsep.join(str(root / name) for name in sandbox_kernel.HIDDEN),
           "COURSE_SANDBOX_DIR": str(kernels)}
    return options, env


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
        options, env = sandbox(Path(kernels), root)
        for student in students:
            for assignment in assignments():
                problems, gradable = check_submission(submitted / student / assignment, assignment)
                if gradable:
                    print(f"autograding {student} / {assignment}", flush=True)
                    result = nbgrader("autograde", assignment, f"--student={student}", "--force",
                                      "--log-level=WARN", *options, root=root, check=False, env=env)
                    if result.returncode != 0:
                        lines = (result.stderr or result.stdout).strip().splitlines()
                        problems.append(f"autograding failed: {lines[-1] if lines else result.returncode}")
                for problem in problems:
                    print(f"! {student} / {assignment}: {problem}", flush=True)
                if problems:
                    report.setdefault(student, {})[assignment] = problems
    return report


# ---------------------------------------------------------------- feedback and report
def feedback(root: Path = ROOT) -> None:
    """Feedback HTML for every graded submission, and the gradebook as CSV."""
    for assignment in assignments():
        nbgrader("generate_feedback", assignment, "--force", "--log-level=WARN", root=root)
    nbgrader("export", "--to=autograde/grades.csv", "--log-level=WARN", root=root)


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
    names = assignments()
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=["release", "solutions", "hashes", "samples", "autograde",
                                         "feedback", "report"])
    parser.add_argument("--out", type=Path, help="solutions: write here instead of solutions/")
    args = parser.parse_args()
    step = args.step
    os.chdir(ROOT)
    if step == "solutions" and args.out:
        solutions(out=args.out.resolve())
    elif step == "autograde":
        problems = autograde()
        if problems:
            print(f"{len(problems)} student(s) with problems, reported above; the others were graded")
    else:
        globals()[step]()


if __name__ == "__main__":
    main()
