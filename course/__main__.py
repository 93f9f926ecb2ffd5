"""The instructor pipeline's commands (the Makefile wires them):

    python -m course release      source/ -> release/ (nbgrader generate_assignment)
    python -m course solutions    source/ -> solutions/ (or --out DIR), executed in the tiny mode
    python -m course hashes       record every check's reference hash into source/*/hashes.json
    python -m course samples      rebuild the sample submissions in autograde/submitted/
    python -m course try FILE     run the release filled with a file of answers (autograde/alternative/...)
    python -m course autograde    validate and autograde every submission (--workers N, --scheduler, --no-sandbox)
    python -m course feedback     feedback HTML and the gradebook as CSV
    python -m course report       the table of students by assignment
    python -m course check-full   run the solutions on the real data (COURSE_DATA_DIR) and pass their tests
    python -m course repair-gradebook   stamp a gradebook that an nbgrader start left unversioned
    python -m course lab          JupyterLab for students: release/, the Assignment List and Validate
    python -m course lab-instructor   JupyterLab for instructors: the course root, formgrader and the rest

Run from the repository root (nbgrader reads nbgrader_config.py there).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from helpers.settings import data_mode

from . import build, grading
from .execute import NotebookRunError
from .paths import ROOT, assignments


def _autograde(args) -> None:
    problems = grading.autograde(workers=args.workers, scheduler=args.scheduler,
                                 sandboxed=False if args.no_sandbox else None, only=args.only)
    if problems:
        print(f"{len(problems)} student(s) with problems, reported above; the others were graded")


def _check_full(args) -> None:
    """Every solution of ``args.only`` executed on the real data, hidden tests included."""
    start = time.perf_counter()
    out = args.out or ROOT / "build" / "full"
    build.solutions(out=out.resolve(), mode="full", only=args.only)
    print(f"the {', '.join(args.only or ['all'])} solutions pass on the real data "
          f"({time.perf_counter() - start:.0f} s); executed notebooks in {out}")


def _lab(role: str) -> None:
    from . import lab  # JupyterLab's server, imported only here
    lab.launch(role, ROOT)


COMMANDS = {
    "release": lambda args: build.release(),
    "solutions": lambda args: build.solutions(out=(args.out or build.SOLUTIONS).resolve(), only=args.only),
    "hashes": lambda args: build.hashes(mode=data_mode(), only=args.only),
    "samples": lambda args: build.samples(),
    "try": lambda args: build.try_answers(args.file),
    "autograde": _autograde,
    "feedback": lambda args: grading.feedback(),
    "report": lambda args: grading.report(),
    "check-full": _check_full,
    "repair-gradebook": lambda args: grading.repair_gradebook(),
    "lab": lambda args: _lab("student"),
    "lab-instructor": lambda args: _lab("instructor"),
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m course", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=COMMANDS)
    parser.add_argument("file", nargs="?", type=Path, help="try: a file of answers, <assignment>/<notebook>.py")
    parser.add_argument("--out", type=Path, help="solutions, check-full: write the executed notebooks here")
    parser.add_argument("--only", nargs="+", metavar="ASSIGNMENT",
                        help="solutions, hashes, autograde, check-full: just these assignments "
                             "(solutions, hashes, check-full: or <assignment>/<notebook>)")
    parser.add_argument("--workers", type=int, help="autograde: notebooks graded at once (default 1)")
    parser.add_argument("--scheduler", help="autograde: 'local' (a Dask cluster of --workers processes) "
                                            "or a Dask scheduler's address")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="autograde: run student code unsandboxed, where the machine cannot sandbox")
    args = parser.parse_args(argv)
    named = {entry.partition("/")[0] for entry in args.only or []}
    if args.step == "autograde" and any("/" in entry for entry in args.only or []):
        parser.error("autograde --only takes assignments: a submission is graded whole")
    unknown = sorted(named - set(assignments()))
    if unknown:
        parser.error(f"--only: no assignment {', '.join(unknown)}; the assignments are {', '.join(assignments())}")
    if args.step == "try" and not args.file:
        parser.error("try: name a file of answers, e.g. autograde/alternative/a1_bow_sentiment/bow_sentiment.py")
    args.file = args.file and args.file.resolve()
    os.chdir(ROOT)
    try:
        COMMANDS[args.step](args)
    except (NotebookRunError, ValueError) as error:
        sys.exit(f"python -m course {args.step}: {error}")


if __name__ == "__main__":
    main()
