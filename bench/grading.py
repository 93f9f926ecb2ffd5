"""What autograding costs beyond the student's own run, and what workers buy.

    python -m bench.grading [--notebook a2_embeddings_seq2seq/word2vec.ipynb] [--students 4]

1. Overhead: the sample solution of one notebook run as the student runs it
   (a plain kernel, no hidden checks), against the same submission graded by
   ``course.grading.autograde`` (checks, nbgrader's sanitizing, the sandbox,
   the hidden checks, the gradebook). The difference is the grader's cost.
2. Speed-up: ``--students`` copies of that submission graded by 1 worker, by
   2 workers (threads) and by a Dask LocalCluster of 2 worker processes.
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from course import build, grading
from course.execute import kernel_env
from course.paths import ROOT, SUBMITTED


def plain_run(path: Path) -> float:
    """Seconds to run a submitted notebook in a plain kernel, as its student would."""
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as work:
        shutil.copy(ROOT / "release" / path.parent.name / "hashes.json", work)
        start = time.perf_counter()
        NotebookClient(nb, timeout=600, resources={"metadata": {"path": work}}).execute(env=kernel_env("tiny"))
        return time.perf_counter() - start


def course_root(path: Path, students: int) -> Path:
    """A fresh course whose one assignment is this notebook, with ``students`` copies of the submission."""
    root = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    source = root / "source" / path.parent.name
    source.mkdir(parents=True)
    shutil.copy(ROOT / "source" / path.parent.name / path.name, source)
    shutil.copy(ROOT / "source" / path.parent.name / "hashes.json", source)
    shutil.copy(ROOT / "nbgrader_config.py", root)
    build.release(root=root)
    for i in range(students):
        folder = root / "autograde" / "submitted" / f"s{i:02d}" / path.parent.name
        folder.mkdir(parents=True)
        shutil.copy(path, folder / path.name)
    return root


def graded(path: Path, students: int, workers: int, scheduler: str | None = None) -> float:
    root = course_root(path, students)
    try:
        start = time.perf_counter()
        grading.autograde(root=root, workers=workers, scheduler=scheduler)
        return time.perf_counter() - start
    finally:
        shutil.rmtree(root)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notebook", default="a2_embeddings_seq2seq/word2vec.ipynb")
    parser.add_argument("--students", type=int, default=4)
    args = parser.parse_args()
    path = SUBMITTED / "solution" / args.notebook
    own = plain_run(path)
    alone = graded(path, 1, 1)
    print(f"{args.notebook}: the student's own run {own:.1f} s; graded {alone:.1f} s "
          f"(sandbox, hidden checks, gradebook); overhead {alone - own:.1f} s")
    one = graded(path, args.students, 1)
    two = graded(path, args.students, 2)
    dask = graded(path, args.students, 2, scheduler="local")
    print(f"{args.students} students: 1 worker {one:.0f} s; 2 workers {two:.0f} s (x{one / two:.2f}); "
          f"Dask LocalCluster of 2 {dask:.0f} s (x{one / dask:.2f})")


if __name__ == "__main__":
    main()
