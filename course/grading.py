"""Autograde the submissions, write feedback, and show the score table.

How a submission is graded (``autograde``), so that the grade is decided
where no student code runs:

1. the driver checks the submission (names, JSON, no symbolic links) and
   restores its locked and test cells from the gradebook (nbgrader's own
   sanitizing preprocessors): a *job*, plain data;
2. a worker (a thread here, or a Dask worker on any machine) runs the job's
   notebook in a sandboxed kernel (``course.sandbox``); test cells run without
   their hidden regions, which run in the worker's process and ask the kernel
   for data (``course.judge``); the run notebook is written to
   ``autograde/runs/`` as it ends;
3. the driver alone writes the gradebook: nbgrader's autograde, in this
   process, with ``GradeInSandbox`` in place of its kernel, takes the run
   notebook (re-running it there if it is missing or stale), and saves the
   scores. A driver that stops loses no grade saved; run again, it resumes.
"""
from __future__ import annotations

import csv
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

from helpers.settings import data_dir, data_mode, sandbox_enabled

from .build import nbgrader, say
from .execute import CourseClient, cores, kernel_env
from .judge import split_hidden
from .limits import GRADING_LIMITS
from .paths import ROOT, SOLUTIONS, assignments, source_notebooks
from . import sandbox

__all__ = ["Job", "ForgetCopiedCells", "sanitize_steps", "check_submission", "grade_notebook", "autograde", "feedback", "problems_of", "scores",
           "report", "export_grades", "repair_gradebook", "GradeInSandbox"]

RUNS = Path("autograde") / "runs"  # run notebooks and problems, by student and assignment
MAX_NOTEBOOK = 50 << 20  # bytes: a submitted notebook larger than this is not graded


def check_submission(folder: Path, assignment: str, root: Path = ROOT) -> tuple[list[str], list[str]]:
    """(problems, notebooks that can be graded) of one student's assignment folder.

    A symbolic link anywhere in the folder stops the whole folder: nbgrader
    would follow it on the host, to files the student must not reach.
    """
    expected = [p.name for p in source_notebooks(assignment, root)]
    if folder.is_symlink() or not folder.is_dir():
        return [f"nothing submitted for {assignment}" if not folder.is_symlink()
                else f"{folder.name} is a symbolic link, not a folder: not graded"], []
    links = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_symlink())
    if links:
        return [f"the submission holds symbolic links ({', '.join(links[:3])}): not graded; "
                f"submit the files themselves"], []
    present = {p.name for p in folder.glob("*.ipynb")}
    problems, gradable = [], []
    for name in expected:
        if name not in present:
            others = sorted(present - set(expected))
            hint = f"; found {', '.join(others)}: rename it to {name}" if others else ""
            problems.append(f"{name} is missing{hint}")
            continue
        path = folder / name
        if not path.is_file() or path.stat().st_size > MAX_NOTEBOOK:
            problems.append(f"{name} is not a regular file under {MAX_NOTEBOOK >> 20} MB: not graded")
            continue
        try:
            nbformat.validate(nbformat.read(path, as_version=4))
        except Exception as error:  # bad JSON or schema: report it, grade the others
            lines = str(error).strip().splitlines() or [type(error).__name__]
            problems.append(f"{name} is not a valid notebook ({lines[0][:200]})")
            continue
        gradable.append(name)
    return problems, gradable


# ---------------------------------------------------------------- one notebook, in a worker
@dataclass
class Job:
    """Everything a worker needs to grade one notebook, as data (it may run on another machine)."""
    student: str
    assignment: str
    notebook: str  # file name
    cells: str  # the sanitized notebook, JSON
    files: dict[str, bytes] = field(default_factory=dict)  # released files beside it (hashes.json)
    mode: str = "tiny"
    threads: int = 1
    sandboxed: bool = True
    data_dir: str | None = None  # the real data's cache, read-only in the sandbox (full mode)


def run_key(nb, files: dict[str, bytes], mode: str) -> str:
    """What a run depends on: the sanitized notebook's cells, the released files, the data mode."""
    cells = [[c.cell_type, c.source, c.metadata.get("nbgrader", {})] for c in nb.cells]
    given = sorted([name, hashlib.sha256(content).hexdigest()] for name, content in files.items())
    return hashlib.sha256(json.dumps([cells, given, mode], sort_keys=True).encode()).hexdigest()


def released_files(root: Path, assignment: str) -> dict[str, bytes]:
    """The files released beside an assignment's notebooks (hashes.json), by name."""
    release = root / "release" / assignment
    return {p.name: p.read_bytes() for p in release.iterdir() if p.is_file() and p.suffix != ".ipynb"}


def _kernel(job: Job, tmp: Path, limits):
    """(kernel manager, the environment to start it with, its cgroup or None) for one job."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    env = {k: v for k, v in kernel_env(job.mode, job.threads).items()
           if k.startswith(("COURSE_", "OMP_", "MKL_", "OPENBLAS_")) and k != "COURSE_RECORD_HASHES"}
    if job.data_dir:
        env["COURSE_DATA_DIR"] = job.data_dir
    cgroup = None
    if job.sandboxed:
        uses = sandbox.Limits(memory=limits.memory, processes=limits.processes,
                              cpu_seconds=limits.notebook_wall * job.threads)
        cgroup = sandbox.Cgroup(uses)
        box = sandbox.Sandbox(files={p.name: p for p in (tmp / "files").iterdir()}, env=env, stage=tmp / "stage",
                              read_only=tuple(Path(p) for p in [job.data_dir] if p), limits=uses)
        specs = KernelSpecManager(kernel_dirs=[str(sandbox.kernel_spec(tmp))])
        manager = AsyncKernelManager(kernel_name="course-sandbox", kernel_spec_manager=specs)
        start_env = box.launcher_env(cgroup)
    else:
        manager = AsyncKernelManager(kernel_name="python3")
        start_env = kernel_env(job.mode, job.threads)
    manager.transport, manager.ip = "ipc", str(tmp / "ipc" / "kernel")
    manager.client_class = "course.execute.LimitedKernelClient"
    return manager, start_env, cgroup


def grade_notebook(job: Job | dict) -> dict:
    """Run one job's notebook, sandboxed, with its hidden checks judged here.

    Returns {"notebook": the run notebook as JSON, "problems": [...], "asked": what its hidden
    checks asked the kernel ([grade id, code, input names]), "seconds": ...}.
    """
    job = Job(**job) if isinstance(job, dict) else job
    nb = nbformat.reads(job.cells, as_version=4)
    limits = GRADING_LIMITS[job.mode]
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="grading-") as tmp:
        tmp = Path(tmp)
        tmp.chmod(0o755)  # the sandbox's user reaches its files, sockets and stage through it
        for name in ("files", "ipc", "stage"):
            (tmp / name).mkdir()
        for name, content in job.files.items():
            (tmp / "files" / Path(name).name).write_bytes(content)
        cgroup = None
        try:
            manager, start_env, cgroup = _kernel(job, tmp, limits)
            client = CourseClient(nb, km=manager, grading=True, limits=limits, cgroup=cgroup, mode=job.mode,
                                  # its sockets exist: nothing more may be written where the grader reads
                                  on_ready=lambda: (tmp / "ipc").chmod(0o555),
                                  timeout=None, allow_errors=True, record_timing=False,
                                  shutdown_kernel="immediate", resources={"metadata": {"path": str(tmp / "files")}})
            client.execute(cleanup_kc=True, env=start_env, cwd=str(tmp / "files"),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            problems, asked = client.problems, client.judge.asked
        except Exception as error:  # the kernel did not start, or the run broke: say so, grade nothing
            problems, asked = [f"the notebook could not be run: {type(error).__name__}: {error}"], []
        finally:
            if cgroup:
                cgroup.close()
    for cell in nb.cells:  # cells that never ran (a crash, a stop) still hold their hidden regions
        if is_test_cell(cell):
            cell.source = split_hidden(cell.source)[0]
    return {"notebook": nbformat.writes(nb), "problems": problems, "asked": asked,
            "seconds": time.perf_counter() - start}


def is_test_cell(cell) -> bool:
    """An nbgrader test cell: graded, not an answer; its hidden regions are the grader's."""
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


# ---------------------------------------------------------------- the driver
def _config(root: Path, runs: Path):
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.merge(Config({"CourseDirectory": {"root": str(root)}, "GradeInSandbox": {"runs": str(runs)}}))
    return config


class ForgetCopiedCells(NbGraderPreprocessor):
    """A copy of a graded cell (pasted by a student) becomes an ordinary cell.

    nbgrader's DeduplicateIds empties a copy's metadata, and CheckCellMetadata
    then rejects the whole notebook over it; with no metadata at all, the copy
    simply runs, and the original is graded as always.
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.metadata.get("nbgrader") == {}:
            del cell.metadata["nbgrader"]
        return cell, resources


def sanitize_steps() -> list:
    """nbgrader's sanitizing preprocessors, in its order, with ``ForgetCopiedCells`` after DeduplicateIds."""
    from nbgrader.preprocessors import (CheckCellMetadata, ClearOutput, DeduplicateIds, OverwriteCells,
                                        OverwriteKernelspec)
    return [ClearOutput, DeduplicateIds, ForgetCopiedCells, OverwriteKernelspec, OverwriteCells, CheckCellMetadata]


def _sanitized(path: Path, student: str, assignment: str, root: Path):
    """The submitted notebook with its locked and test cells restored from the gradebook."""
    nb = nbformat.read(path, as_version=4)
    resources = {"nbgrader": {"student": student, "assignment": assignment, "notebook": path.stem,
                              "db_url": f"sqlite:///{root / 'autograde' / 'gradebook.db'}"}}
    for cls in sanitize_steps():
        nb, resources = cls().preprocess(nb, resources)
    return nb


def _plan(root: Path, runs: Path, student: str, assignment: str, name: str, files: dict, mode: str):
    """(name, sanitized notebook, its run's key, whether that run is already stored)."""
    nb = _sanitized(root / "autograde" / "submitted" / student / assignment / name, student, assignment, root)
    key = run_key(nb, files, mode)
    return name, nb, key, _stored(runs, student, assignment, name, key) is not None


def _run_path(runs: Path, student: str, assignment: str, notebook: str) -> Path:
    return runs / student / assignment / notebook


def _store(runs: Path, job: Job, result: dict, key: str) -> None:
    nb = nbformat.reads(result["notebook"], as_version=4)
    nb.metadata["course"] = {"digest": key, "problems": result["problems"], "seconds": round(result["seconds"], 1),
                             "asked": result.get("asked", [])}  # what its hidden checks asked the kernel
    path = _run_path(runs, job.student, job.assignment, job.notebook)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    nbformat.write(nb, partial)
    partial.replace(path)  # a crash never leaves half a run


def _stored(runs: Path, student: str, assignment: str, notebook: str, key: str):
    path = _run_path(runs, student, assignment, notebook)
    if path.exists():
        nb = nbformat.read(path, as_version=4)
        if nb.metadata.get("course", {}).get("digest") == key:
            return nb
    return None


def _executor(workers: int, scheduler: str | None):
    """(submit(job) -> future, as_completed, close) for threads here or a Dask cluster."""
    if scheduler:
        from dask.distributed import Client, LocalCluster, as_completed
        if scheduler == "local":
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=":0", silence_logs=40)
            client = Client(cluster)
        else:
            cluster, client = None, Client(scheduler)
        def close():
            client.close()
            if cluster:
                cluster.close()
        return (lambda job: client.submit(grade_notebook, asdict(job), pure=False)), as_completed, close
    from concurrent.futures import ThreadPoolExecutor, as_completed
    pool = ThreadPoolExecutor(workers)
    return (lambda job: pool.submit(grade_notebook, job)), as_completed, lambda: pool.shutdown()


def autograde(root: Path = ROOT, workers: int | None = None, scheduler: str | None = None,
              sandboxed: bool | None = None, only: list[str] | None = None) -> dict[str, dict[str, list[str]]]:
    """Autograde every submission under ``root``/autograde/submitted (of the assignments ``only``
    names, if given).

    Args:
        workers: notebooks graded at once (default 1); each kernel gets cores / workers threads.
        scheduler: None (threads here), "local" (a Dask LocalCluster of ``workers``
            processes) or a Dask scheduler's address (workers on other machines).
        sandboxed: run student code in the sandbox (default: yes, unless
            COURSE_SANDBOX=0). Where the machine cannot, this refuses to grade.
    Returns the problems, by student and assignment.
    """
    from tqdm.auto import tqdm
    sandboxed = sandbox_enabled() if sandboxed is None else sandboxed
    if sandboxed and sandbox.available():
        raise SystemExit(f"autograde: student code cannot be sandboxed here: {sandbox.available()}. "
                         f"Grade on a machine that can, or pass --no-sandbox (COURSE_SANDBOX=0) to run "
                         f"student code with this account's rights.")
    if not sandboxed:
        say("! grading WITHOUT the sandbox: student code runs with this account's rights")
    workers = max(1, workers or 1)
    runs = root / RUNS
    report: dict[str, dict[str, list[str]]] = {}
    submitted = root / "autograde" / "submitted"
    students = sorted(p.name for p in submitted.iterdir() if p.is_dir()) if submitted.exists() else []
    mode = data_mode()
    pending: dict[tuple[str, str], set[str]] = {}  # (student, assignment) -> notebooks still running
    jobs: list[tuple[Job, str]] = []
    for student in students:
        for assignment in only or assignments(root):
            problems, gradable = check_submission(submitted / student / assignment, assignment, root)
            if problems:
                report.setdefault(student, {})[assignment] = problems
            if not gradable:
                continue
            files = released_files(root, assignment)
            try:
                planned = [_plan(root, runs, student, assignment, name, files, mode) for name in gradable]
            except Exception as error:  # nbgrader cannot restore its cells: metadata tampered with
                report.setdefault(student, {}).setdefault(assignment, []).append(
                    f"its grading cells cannot be restored ({type(error).__name__}: {error}); not graded: "
                    f"submit the released notebooks' cells with their metadata unchanged")
                continue
            pending[student, assignment] = set()
            for name, nb, key, done in planned:
                if not done:
                    pending[student, assignment].add(name)
                    jobs.append((Job(student, assignment, name, nbformat.writes(nb), files, mode,
                                     max(1, cores() // workers), sandboxed,
                                     str(data_dir()) if mode == "full" else None), key))
    # The longest notebooks first: with the longest last, one worker would run it alone
    # at the end while the others wait (a 4-minute notebook graded last added minutes).
    jobs.sort(key=lambda item: expected_seconds(item[0].assignment, item[0].notebook), reverse=True)
    config = _config(root, runs)
    for key in [k for k, names in pending.items() if not names]:  # already run: save again (cheap)
        _save(config, *key, report)
    if jobs:
        submit, as_completed, close = _executor(workers, scheduler)
        futures = {submit(job): (job, key) for job, key in jobs}
        try:
            with tqdm(total=len(jobs), desc="grading", unit="notebook", disable=None) as bar:
                for future in as_completed(futures):
                    job, key = futures[future]
                    _store(runs, job, future.result(), key)
                    bar.update()
                    pending[job.student, job.assignment].discard(job.notebook)
                    if not pending[job.student, job.assignment]:
                        _save(config, job.student, job.assignment, report)
        finally:
            close()
    for student, by_assignment in sorted(report.items()):
        for assignment, problems in sorted(by_assignment.items()):
            for problem in problems:
                say(f"! {student} / {assignment}: {problem}")
    return report


def expected_seconds(assignment: str, notebook: str) -> float:
    """How long the solution of ``notebook`` ran (``course solutions`` records it); 0 if unknown."""
    try:
        return nbformat.read(SOLUTIONS / assignment / notebook, as_version=4).metadata["course"]["run_seconds"]
    except (OSError, KeyError, ValueError):
        return 0


def _save(config, student: str, assignment: str, report: dict) -> None:
    """nbgrader's autograde of one submission from its run notebooks: the one gradebook writer."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    api = NbGraderAPI(CourseDirectory(config=config), config=config)
    with warnings.catch_warnings():  # SQLAlchemy's notes on nbgrader's sessions, harmless
        warnings.simplefilter("ignore")
        result = api.autograde(assignment, student, force=True, create=True)
    problems = report.setdefault(student, {}).setdefault(assignment, [])
    if not result["success"]:
        lines = [line for line in (result.get("error") or result.get("log") or "").splitlines() if line.strip()]
        problems.append(f"autograding failed: {lines[-1] if lines else 'nbgrader gave no reason'}")
    runs = Path(config.GradeInSandbox.runs)
    for path in sorted((runs / student / assignment).glob("*.ipynb")):
        for problem in nbformat.read(path, as_version=4).metadata.get("course", {}).get("problems", []):
            problems.append(f"{path.name}: {problem}")
    (runs / student / assignment / "problems.json").write_text(json.dumps(problems, indent=1))
    if not problems:
        del report[student][assignment]
        if not report[student]:
            del report[student]


class GradeInSandbox(NbGraderPreprocessor):
    """nbgrader's autograde step that runs the notebook: ours, in place of ``Execute``.

    It takes the run notebook that a worker left in ``runs`` for this very
    submission; if there is none (formgrader's Autograde button, ``nbgrader
    autograde``), it runs the notebook itself, sandboxed, first.
    """
    runs = Unicode(str(RUNS), help="where the workers' run notebooks are").tag(config=True)

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        student, assignment, name = info["student"], info["assignment"], info["notebook"] + ".ipynb"
        runs = Path(self.runs)
        files = released_files(runs.resolve().parent.parent, assignment)
        key = run_key(nb, files, data_mode())
        run = _stored(runs, student, assignment, name, key)
        if run is None:
            sandboxed = sandbox_enabled()
            if sandboxed and sandbox.available():
                raise RuntimeError(f"student code cannot be sandboxed here: {sandbox.available()}")
            job = Job(student, assignment, name, nbformat.writes(nb), files, data_mode(), cores(), sandboxed)
            _store(runs, job, grade_notebook(job), key)
            run = _stored(runs, student, assignment, name, key)
        if len(run.cells) != len(nb.cells):
            raise RuntimeError(f"the run of {name} does not match the submission")
        for cell, done in zip(nb.cells, run.cells):
            cell.source = split_hidden(done.source)[0] if is_test_cell(cell) else done.source  # feedback shows none
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = done.outputs, done.get("execution_count")
        nb.metadata["course"] = run.metadata["course"]
        return nb, resources


def feedback(root: Path = ROOT) -> None:
    """Feedback HTML for every graded submission, and the grades as CSV (``export_grades``).

    Feedback pages show each check's pass or fail and message; hidden regions
    never reach them (``GradeInSandbox`` leaves none in the graded notebooks).
    A page nbgrader cannot make is reported; the others and the CSV are still written.
    """
    graded = root / "autograde" / "autograded"
    for assignment in assignments(root):
        if not any(graded.glob(f"*/{assignment}/*.ipynb")):  # nbgrader fails on an assignment nobody handed in
            continue
        result = nbgrader("generate_feedback", assignment, "--force", "--log-level=WARN", root=root)
        if result.returncode != 0:
            output = result.stderr + result.stdout
            failed = re.findall(r"error processing assignment '[^']*' for student '([^']*)'", output)
            if not failed:
                raise SystemExit(f"nbgrader generate_feedback {assignment} failed:\n{output.strip()}")
            for student in failed:
                say(f"! {student} / {assignment}: no feedback page: nbgrader could not render the graded notebook")
    export_grades(root)


def problems_of(root: Path, student: str, assignment: str) -> list[str]:
    """What went wrong for one submission: from its last grading, else from checking it now."""
    saved = root / RUNS / student / assignment / "problems.json"
    if saved.exists():
        return json.loads(saved.read_text())
    return check_submission(root / "autograde" / "submitted" / student / assignment, assignment, root)[0]


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


def export_grades(root: Path = ROOT) -> Path:
    """``autograde/grades.csv``: one row per student and assignment, with what happened.

    ``status`` says ``graded``, ``graded, with problems: ...`` (a timeout, a
    crash: the score counts only the cells that ran) or ``not graded: ...``
    (nothing submitted, a broken notebook); a submission not graded has no
    score, never a 0 that reads as one.
    """
    table = scores(root)
    submitted = root / "autograde" / "submitted"
    students = sorted(set(table) | ({p.name for p in submitted.iterdir() if p.is_dir()} if submitted.exists() else set()))
    path = root / "autograde" / "grades.csv"
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["assignment", "student", "score", "max_score", "needs_manual_grade", "status"])
        for assignment in assignments(root):
            for student in students:
                entry, problems = table.get(student, {}).get(assignment), problems_of(root, student, assignment)
                if entry is None:
                    writer.writerow([assignment, student, "", "", "", "not graded: " + ("; ".join(problems) or "not autograded yet")])
                    continue
                status = "graded" + (", with problems: " + "; ".join(problems) if problems else "")
                writer.writerow([assignment, student, f"{entry['score']:g}", f"{entry['max_score']:g}",
                                 entry["needs_manual_grade"], status])
    return path


def report(root: Path = ROOT) -> None:
    """Print students by assignment: score / max, what still needs a person, and what went wrong."""
    table = scores(root)
    names = assignments(root)
    width = max([len(s) for s in table] + [7])
    print(f"{'student':<{width}}  " + "  ".join(f"{a:>24}" for a in names))
    notes = []
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
            problems = problems_of(root, student, assignment)
            if problems:
                text += " !"
                notes += [f"! {student} / {assignment}: {problem}" for problem in problems]
            cells.append(f"{text:>24}")
        print(f"{student:<{width}}  " + "  ".join(cells))
    print("(+manual: written answers wait for an instructor in formgrader; !: see below)")
    for note in notes:
        print(note)


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
