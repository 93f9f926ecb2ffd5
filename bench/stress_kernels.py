"""Stress notebook execution: many runs, several at once, counting hangs and timeouts.

Not part of `make test` (it takes many minutes): run it with `make stress` after
changing the kernel, the Jupyter pins or how notebooks are executed.

    python -m bench.stress_kernels --runs 30 --parallel 3

Each run executes one solution notebook (by default the Seq2Seq and the
assignment-1 solutions, in turn) in a fresh kernel with the tiny data, in a
scratch folder, through the pipeline's own ``course.execute``, with a cell
time limit. The kernel's stderr is kept, so a lost reply (ipykernel's
``ZMQError: Socket operation on non-socket``) is counted even when the run
recovers. ``--threads all`` lets every kernel's torch use every core, as
notebook execution did before the pipeline gave each kernel a share.
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import ipykernel
import nbformat
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from course.execute import NotebookRunError, cores, execute
from course.paths import ROOT

DEFAULT_NOTEBOOKS = ["solutions/a2_embeddings_seq2seq/seq2seq.ipynb", "solutions/a1_bow_sentiment/bow_sentiment.ipynb"]


def run_once(index: int, notebook: Path, timeout: int, threads: int) -> tuple[str, float, str]:
    """Execute ``notebook`` once; returns (outcome, seconds, notebook name)."""
    nb = nbformat.read(notebook, as_version=4)
    start = time.perf_counter()
    outcome, detail = "ok", ""
    with tempfile.TemporaryDirectory(prefix="stress-") as tmp:
        shutil.copy(notebook.parent / "hashes.json", tmp)
        log = Path(tmp) / "kernel.log"
        with open(log, "w") as kernel_log:
            try:
                execute(nb, Path(tmp), name=notebook.name, threads=threads, timeout=timeout, kernel_log=kernel_log)
            except NotebookRunError as error:
                cause = error.__cause__
                outcome = ("timeout" if isinstance(cause, CellTimeoutError) else
                           "dead kernel" if isinstance(cause, DeadKernelError) else "cell error")
                detail = str(error)
        if "ZMQError" in log.read_text(errors="replace"):
            outcome = outcome if outcome != "ok" else "ok, ZMQError logged"
    seconds = time.perf_counter() - start
    print(f"run {index:3d} {notebook.name:22s} {outcome:20s} {seconds:7.1f} s  {detail}", flush=True)
    return outcome, seconds, notebook.name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", default=DEFAULT_NOTEBOOKS)
    parser.add_argument("--runs", type=int, default=30, help="executions in all (default 30)")
    parser.add_argument("--parallel", type=int, default=3, help="executions at once (default 3)")
    parser.add_argument("--timeout", type=int, default=300, help="seconds a cell may take (default 300)")
    parser.add_argument("--threads", default="share",
                        help="threads per kernel: share (cores / parallel, the default), all, or a number")
    args = parser.parse_args()
    notebooks = [ROOT / path for path in args.notebooks]
    threads = {"share": max(1, cores() // args.parallel), "all": cores()}.get(args.threads) or int(args.threads)
    print(f"{args.runs} runs, {args.parallel} at once, {cores()} cores, {threads} thread(s) a kernel, "
          f"cell limit {args.timeout} s, ipykernel {ipykernel.__version__}", flush=True)
    start = time.perf_counter()
    with ThreadPoolExecutor(args.parallel) as pool:
        results = list(pool.map(lambda i: run_once(i, notebooks[i % len(notebooks)], args.timeout, threads),
                                range(args.runs)))
    counts = Counter(outcome for outcome, _, _ in results)
    print(f"\n{args.runs} runs in {time.perf_counter() - start:.0f} s: "
          + ", ".join(f"{n} {outcome}" for outcome, n in counts.most_common()))
    for name in sorted({name for _, _, name in results}):
        times = sorted(s for _, s, n in results if n == name)
        print(f"  {name}: median {times[len(times) // 2]:.0f} s, max {times[-1]:.0f} s")
    raise SystemExit(0 if counts["ok"] == args.runs else 1)


if __name__ == "__main__":
    main()
