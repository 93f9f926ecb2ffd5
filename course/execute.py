"""Run a notebook in a fresh kernel: a time limit per cell, a thread budget, clear failures.

The kernel gets its environment as an argument (the process's own is never
changed), so several notebooks can run at once from one process. Each kernel
talks to us over IPC sockets where the system has them (no TCP ports to race
for), and its torch uses ``threads`` cores: kernels that each take every core
slow each other down many times over when they run side by side.
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import IO

from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from tqdm.auto import tqdm

from helpers.settings import DATA_MODE_VAR

from .limits import CELL_TIMEOUT

__all__ = ["CELL_TIMEOUT", "NotebookRunError", "cores", "kernel_env", "execute"]


# nbclient logs a timeout or a dead kernel before it raises; NotebookRunError says
# the same with the notebook and the cell, so its own lines would only repeat it.
_QUIET = logging.getLogger("course.execute.nbclient")
_QUIET.setLevel(logging.CRITICAL)


class NotebookRunError(RuntimeError):
    """A notebook did not run to its end: a cell raised, ran out of time, or the kernel died."""


def cores() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def kernel_env(mode: str, threads: int | None = None, extra: dict | None = None) -> dict:
    """The environment of a kernel: ours, the data mode, a thread budget and ``extra``.

    OpenMP's waiting threads sleep (``OMP_WAIT_POLICY=PASSIVE``) unless our
    environment says otherwise.

    Args:
        mode: the data mode, ``"tiny"`` or ``"full"``.
        threads: cores the kernel's torch and numpy may use (default: all).
        extra: more variables (``COURSE_RECORD_HASHES`` when recording).
    """
    env = dict(os.environ, **{DATA_MODE_VAR: mode}, **(extra or {}))
    env.pop("MPLBACKEND", None)  # the kernel's own inline backend keeps the plots
    n = str(threads or cores())
    env.update(OMP_NUM_THREADS=n, MKL_NUM_THREADS=n, OPENBLAS_NUM_THREADS=n)
    # Threads that wait sleep instead of spinning: when other work shares the cores,
    # a spinning wait made one Seq2Seq training step 5.6 times slower (19 s against
    # 3.4 s); on idle cores sleeping costs about 15%.
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    return env


def _describe(nb, index: int | None) -> str:
    if index is None:
        return "before its first cell"
    cell = nb.cells[index]
    label = cell.metadata.get("nbgrader", {}).get("grade_id")
    first = next((line for line in cell.source.splitlines() if line.strip()), "")[:60]
    return f"cell {index}" + (f" ({label})" if label else f" ({first!r})")


def execute(nb, cwd: Path, *, mode: str = "tiny", name: str = "notebook", threads: int | None = None,
            env: dict | None = None, timeout: int | None = None, kernel_log: IO | None = None):
    """Execute ``nb`` in place in a fresh kernel started in ``cwd``; returns ``nb``.

    Files the notebook writes in ``cwd`` (checkpoints) are removed afterwards.

    Args:
        nb: the notebook (an nbformat node); its outputs are filled in.
        cwd: the kernel's working folder (where ``hashes.json`` is found).
        mode: the data mode the kernel runs in.
        name: how errors name the notebook.
        threads: the kernel's thread budget (see ``kernel_env``).
        env: extra environment variables for the kernel.
        timeout: seconds a cell may run (default: ``CELL_TIMEOUT[mode]``).
        kernel_log: a file for the kernel's own messages (default: our stderr).
    Raises:
        NotebookRunError: naming the notebook and the cell, for an error in a
            cell, a cell that ran out of time, or a kernel that died.
    """
    timeout = timeout or CELL_TIMEOUT[mode]
    current: dict = {"index": None}
    before = set(Path(cwd).iterdir())
    with tempfile.TemporaryDirectory(prefix="kernel-") as sockets:
        manager = AsyncKernelManager(kernel_name="python3")
        if os.name == "posix":
            manager.transport, manager.ip = "ipc", str(Path(sockets) / "kernel")
        # A bar of cells per notebook, shown where a person watches (a terminal).
        bar = tqdm(total=sum(c.cell_type == "code" for c in nb.cells), desc=name, unit="cell",
                   disable=None, leave=False)
        client = NotebookClient(nb, km=manager, timeout=timeout, record_timing=False, log=_QUIET,
                                shutdown_kernel="immediate", resources={"metadata": {"path": str(cwd)}},
                                on_cell_execute=lambda cell, cell_index: current.update(index=cell_index),
                                on_cell_executed=lambda **_: bar.update())
        where = lambda: f"{name}, {_describe(nb, current['index'])}"  # noqa: E731
        try:
            # cleanup_kc: shut the kernel down and close its channels, even though the
            # kernel manager is ours (nbclient leaves a kernel it did not start running).
            client.execute(cleanup_kc=True, env=kernel_env(mode, threads, env), stderr=kernel_log)
        except CellTimeoutError as error:
            raise NotebookRunError(f"{where()}: ran past the {timeout} s limit of the {mode} data mode; "
                                   f"the kernel was stuck or the machine overloaded") from error
        except DeadKernelError as error:
            raise NotebookRunError(f"{where()}: the kernel died (out of memory, or killed): {error}") from error
        except CellExecutionError as error:
            raise NotebookRunError(f"{where()}: {error.ename}: {error.evalue}") from error
        finally:
            bar.close()
            for path in set(Path(cwd).iterdir()) - before:
                shutil.rmtree(path) if path.is_dir() else path.unlink()
    return nb
