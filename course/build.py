"""Build what the course ships from source/: the release, the executed solutions,
the reference hashes of the checks, and the sample submissions."""
from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from helpers.settings import RECORD_HASHES_VAR

from . import notebooks
from .execute import NotebookRunError, cores, execute
from .paths import (RELEASE, ROOT, SAMPLES, SOLUTIONS, SOURCE, SUBMITTED, assignments, selected_notebooks,
                    source_notebooks)

__all__ = ["nbgrader", "release", "solutions", "hashes", "samples", "run_side_by_side"]


def nbgrader(*args: str, root: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run an nbgrader command in the course root ``root``; output is captured, not checked.

    ``env`` adds variables. nbgrader runs ``alembic`` from PATH when it makes a
    gradebook, so this environment's ``bin/`` comes first.
    """
    command = [sys.executable, "-m", "nbgrader", *args, "--CourseDirectory.root=" + str(root)]
    env = dict(os.environ, **(env or {}),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    return subprocess.run(command, cwd=root, env=env, text=True, capture_output=True)


_output = threading.Lock()


def say(line: str) -> None:
    """Print one line whole, though jobs running side by side print at once."""
    with _output:
        print(line, flush=True)


def run_side_by_side(jobs: list, workers: int | None = None) -> None:
    """Run ``jobs`` (callables taking a thread budget) ``workers`` at a time.

    Each job's kernel gets cores / workers threads, so that the kernels do not
    fight over the cores (default: one job a core). A failure is printed when
    it happens, the other jobs go on, and NotebookRunError is raised once all
    have ended.
    """
    workers = max(1, min(workers or cores(), len(jobs) or 1))
    threads = max(1, cores() // workers)

    def report(future) -> None:  # a failure is said at once, not when the others end
        if future.exception():
            say(f"! {future.exception()}")

    with ThreadPoolExecutor(workers) as pool:
        futures = [pool.submit(job, threads) for job in jobs]
        for future in futures:
            future.add_done_callback(report)
    failed = sum(f.exception() is not None for f in futures)
    if failed:
        raise NotebookRunError(f"{failed} of {len(jobs)} notebooks failed, as said above")


def _default_workers(mode: str) -> int | None:
    """On the real data one notebook at a time, with every core: each trains for long."""
    return 1 if mode == "full" else None


# ---------------------------------------------------------------- release
def release(root: Path = ROOT) -> None:
    """Generate the student version of every assignment into ``root``/release."""
    (root / "autograde").mkdir(exist_ok=True)
    for assignment in assignments(root):
        result = nbgrader("generate_assignment", assignment, "--force", "--log-level=WARN", root=root)
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
def copy_extra_files(assignment: str, dest: Path) -> None:
    """Copy the assignment's non-notebook files (hashes.json, data) beside the notebooks."""
    for path in (SOURCE / assignment).iterdir():
        if path.is_file() and path.suffix != ".ipynb":
            shutil.copy(path, dest / path.name)


def solutions(out: Path = SOLUTIONS, mode: str = "tiny", workers: int | None = None,
              only: list[str] | None = None) -> None:
    """Write ``out``/<assignment>/*.ipynb, executed in data mode ``mode``, notebooks side by side.

    ``only`` limits it to those assignments or ``<assignment>/<notebook>``s.
    """
    def job(path: Path, dest: Path, threads: int) -> None:
        nb = notebooks.solution_version(nbformat.read(path, as_version=4))
        say(f"executing {path.relative_to(ROOT)} ({mode} data)")
        start = time.perf_counter()
        execute(nb, dest, mode=mode, name=str(path.relative_to(ROOT)), threads=threads)
        # how long it ran, so that the browser tests can run the fastest of each assignment
        nb.metadata.setdefault("course", {})["run_seconds"] = round(time.perf_counter() - start)
        nbformat.write(notebooks.strip_widgets(nb), dest / path.name)

    jobs = []
    for assignment, paths in selected_notebooks(only).items():
        dest = out / assignment
        dest.mkdir(parents=True, exist_ok=True)
        copy_extra_files(assignment, dest)
        jobs += [functools.partial(job, path, dest) for path in paths]
    run_side_by_side(jobs, workers or _default_workers(mode))


# ---------------------------------------------------------------- hashes
def hashes(mode: str = "tiny", workers: int | None = None, only: list[str] | None = None) -> None:
    """Execute each source notebook in record mode and write its checks' hashes.

    The hashes of ``mode`` replace the old ones; other modes' stay. ``only``
    limits it to those assignments (the real data of the others may be absent) or
    ``<assignment>/<notebook>``s: then only the checks those notebooks record are replaced.
    """
    chosen = selected_notebooks(only)
    with tempfile.TemporaryDirectory() as tmp:
        records, jobs = {}, []
        for assignment, paths in chosen.items():
            records[assignment] = record = Path(tmp) / f"{assignment}.jsonl"
            record.touch()
            for path in paths:
                def job(threads, path=path, record=record):
                    say(f"recording {path.relative_to(ROOT)} ({mode} data)")
                    nb = notebooks.solution_version(nbformat.read(path, as_version=4))
                    execute(nb, path.parent, mode=mode, name=str(path.relative_to(ROOT)), threads=threads,
                            env={RECORD_HASHES_VAR: str(record)})
                jobs.append(job)
        run_side_by_side(jobs, workers or _default_workers(mode))
        for assignment, record in records.items():
            recorded = [json.loads(line) for line in record.read_text().splitlines()]
            whole = chosen[assignment] == source_notebooks(assignment)
            write_hashes(SOURCE / assignment / "hashes.json", mode, recorded, replace_all=whole)


def write_hashes(table_path: Path, mode: str, recorded: list[dict], replace_all: bool = True) -> None:
    """Replace ``mode``'s entries in ``table_path`` by ``recorded`` (``replace_all=False``: only
    the entries of the checks ``recorded`` holds, when some of the notebooks were recorded).

    A recorded entry is {id, mode, hash} for a check's reference, {"<id>#shape",
    mode, value} for an array's shape, or {"<id>#mistakes", mode, hash, hint} for a
    predicted wrong answer (``helpers.grading.record_mistake``).
    """
    table = json.loads(table_path.read_text()) if table_path.exists() else {}
    replaced = {item["id"].split("#")[0] for item in recorded}
    for id, entry in table.items():
        if replace_all or id.split("#")[0] in replaced:
            entry.pop(mode, None)
    for item in recorded:
        modes = table.setdefault(item["id"], {})
        if item["id"].endswith("#mistakes"):
            modes.setdefault(item["mode"], {})[item["hash"]] = item["hint"]
        else:
            modes[item["mode"]] = item.get("hash", item.get("value"))
    table = {id: modes for id, modes in sorted(table.items()) if modes}
    table_path.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n")
    checks = sum("#" not in item["id"] for item in recorded)
    print(f"{table_path}: {checks} checks recorded ({mode} data)")


# ---------------------------------------------------------------- sample submissions
def samples() -> None:
    """Rebuild autograde/submitted/<student>/<assignment>/ from release/ and source/.

    autograde/samples.json names each sample student and either the grade-id
    prefixes (sections) they solve from the source ([] is a blank release, ["*"]
    everything) or the folder of the answers they wrote themselves
    (``alternative_answers``).
    """
    spec = json.loads(SAMPLES.read_text())
    for student, plan in spec["students"].items():
        for assignment in plan["expected_score"]:
            dest = SUBMITTED / student / assignment
            shutil.rmtree(dest, ignore_errors=True)
            dest.mkdir(parents=True)
            for path in source_notebooks(assignment):
                nbformat.write(sample_notebook(plan, assignment, path), dest / path.name)


def sample_notebook(plan: dict, assignment: str, path: Path):
    """What a sample student of ``plan`` (samples.json) hands in for the source notebook ``path``."""
    release_nb = nbformat.read(RELEASE / assignment / path.name, as_version=4)
    if "answers" in plan:
        return alternative(ROOT / plan["answers"], assignment, path.stem, release_nb)
    solve = functools.partial(notebooks.solves, plan["solves"][assignment])
    return notebooks.fill_release(release_nb, nbformat.read(path, as_version=4), solve)


def alternative(folder: Path, assignment: str, stem: str, release_nb):
    """The release notebook filled with the answers in ``folder/assignment/stem.py``;
    says which answer cells it leaves blank."""
    answers = notebooks.read_answers((folder / assignment / f"{stem}.py").read_text())
    filled = notebooks.fill_answers(release_nb, answers)
    blank = [notebooks.grade_id(c) for c in filled.cells
             if notebooks.nbgrader_meta(c).get("solution") and notebooks.grade_id(c) not in answers]
    if blank:
        say(f"{folder.name}/{assignment}/{stem}.py: no answer for {', '.join(blank)}")
    return filled


def try_answers(answers: Path) -> None:
    """Execute the release notebook filled with ``answers`` (a file ``<assignment>/<notebook>.py``
    of answers) in the tiny mode, ungraded, and print each check's line and the summary."""
    answers = answers.resolve()
    assignment, stem = answers.parent.name, answers.stem
    release_nb = nbformat.read(RELEASE / assignment / f"{stem}.ipynb", as_version=4)
    nb = alternative(answers.parent.parent, assignment, stem, release_nb)
    out = ROOT / "build" / "answers" / assignment
    out.mkdir(parents=True, exist_ok=True)
    try:
        execute(nb, RELEASE / assignment, name=f"{assignment}/{stem}.ipynb")
    finally:
        nbformat.write(nb, out / f"{stem}.ipynb")
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                for line in output.get("text", "").splitlines():
                    if re.match(r"\s*([✓✗?] \[|Marks:|  \S+ +\d+/\d+)", line):
                        print(line)
        print(f"executed notebook: {out / f'{stem}.ipynb'}")
