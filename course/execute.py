"""Run a notebook in a fresh kernel: a time limit per cell, a thread budget, clear failures.

The kernel gets its environment as an argument (the process's own is never
changed), so several notebooks can run at once from one process. Each kernel
talks to us over IPC sockets where the system has them (no TCP ports to race
for), and its torch uses ``threads`` cores: kernels that each take every core
slow each other down many times over when they run side by side.
"""
from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path
from queue import Empty
from typing import IO

import nbformat

import zmq
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.connect import channel_socket_types
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async, run_sync
from tqdm.auto import tqdm

from helpers.settings import DATA_MODE_VAR, data_mode, mode_here

from .judge import ANSWER_LIMIT, Judge, Student, StudentError, split_hidden
from .limits import CELL_TIMEOUT, OUTPUT_LIMIT, GradingLimits

__all__ = ["CELL_TIMEOUT", "NotebookRunError", "CourseClient", "error_output", "cores", "kernel_env", "execute"]


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


def error_output(ename: str, message: str) -> nbformat.NotebookNode:
    """An error output that says ``message`` in one line, with no traceback."""
    return nbformat.v4.new_output("error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"])


_JUDGING = threading.Lock()
MESSAGE_LIMIT = 256 << 20  # bytes of one message from a graded kernel; a larger one drops its connection


class LimitedKernelClient(AsyncKernelClient):
    """A kernel client whose sockets refuse messages over MESSAGE_LIMIT, so that a
    graded kernel cannot make the grader hold gigabytes (outputs are cut at 1 MiB,
    answers at 64 MiB, long before)."""

    def _create_connected_socket(self, channel, identity=None):
        sock = self.context.socket(channel_socket_types[channel])
        sock.linger = 1000
        sock.setsockopt(zmq.MAXMSGSIZE, MESSAGE_LIMIT)  # before connect: it applies to the connection
        if identity:
            sock.identity = identity
        sock.connect(self._make_url(channel))
        return sock


# What a graded notebook's outputs may hold: text and pictures. HTML, SVG and
# JavaScript from student code would run in the instructor's browser in formgrader.
KEPT_MIMES = ("text/plain", "image/png", "image/jpeg")


class CourseClient(NotebookClient):
    """nbclient that judges hidden regions outside the kernel (``course.judge``).

    Test cells run without their hidden regions; each region then runs here,
    asking the kernel for data. When ``grading``, a student's notebook is run:
    every cell runs whatever happens before it, outputs are limited in size and
    kind, stderr is reported as ordinary output, a cell's result never reads as
    partial credit, and a cell that runs past ``limits`` (CPU time measured in
    ``cgroup``) or a kernel that dies is reported in the cell and in
    ``problems``, the cells before keeping their marks.
    """

    def __init__(self, nb, *, grading: bool = False, limits: GradingLimits | None = None,
                 cgroup=None, on_ready=None, mode: str | None = None, **kwargs):
        super().__init__(nb, **kwargs)
        self.mode = mode  # the data mode its hidden checks read (default: this process's)
        self.grading, self.limits, self.cgroup, self.on_ready = grading, limits, cgroup, on_ready
        self.problems: list[str] = []
        self.judge = Judge(Student(self._ask_from_thread))
        self._stopped: str | None = None
        self._bytes = 0
        self._cut = False
        self._timed_out: dict[int, str] = {}
        self._cell: int | None = None
        self._grader_busy = False

    # ---------------------------------------------------------------- the run
    async def async_execute(self, reset_kc: bool = False, **kwargs):
        self.reset_execution_trackers()
        self._loop = asyncio.get_running_loop()
        started = time.monotonic()
        async with self.async_setup_kernel(**kwargs):
            reply = await self.async_wait_for_reply(await ensure_async(self.kc.kernel_info()))
            if reply is not None and "language_info" in reply["content"]:
                self.nb.metadata["language_info"] = reply["content"]["language_info"]
            if self.on_ready:  # the kernel is up, before any cell of the notebook runs
                self.on_ready()
            for index, cell in enumerate(self.nb.cells):
                if self.limits and not self._stopped and time.monotonic() - started > self.limits.notebook_wall:
                    self._stop(f"the notebook ran past its {self.limits.notebook_wall} s limit")
                if self._stopped:
                    self._not_run(cell)
                    continue
                try:
                    await self.async_execute_cell(cell, index, execution_count=self.code_cells_executed + 1)
                except DeadKernelError:
                    if not self.grading:
                        raise
                    why = (self.cgroup.why_dead() if self.cgroup else None) or "it crashed or was killed"
                    self._stop(self._stopped or f"the kernel died while this cell ran: {why}")
                    cell.outputs.append(error_output("KernelDied", self._stopped))
        return self.nb

    execute = run_sync(async_execute)  # nbclient binds its own at class creation

    def _stop(self, reason: str) -> None:
        if not self._stopped:
            self._stopped = reason
            self.problems.append(reason)

    def _not_run(self, cell) -> None:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade"):
            cell.outputs = [error_output("NotRun", f"this cell did not run: {self._stopped}")]

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell.cell_type != "code":
            return cell
        meta = cell.metadata.get("nbgrader", {})
        hidden = None
        if meta.get("grade") and not meta.get("solution"):
            # A test cell: when grading, nbgrader has just restored its source from the
            # gradebook. A hidden region anywhere else is the student's, and is not ours to run.
            cell.source, hidden = split_hidden(cell.source)
        self._bytes, self._cut, self._cell = 0, False, cell_index
        # The limits watch the cell and its hidden checks: a kernel that stalls a
        # hidden check's question is stopped as one that stalls the cell.
        watchdog = asyncio.ensure_future(self._watch(cell_index)) if self.limits else None
        failure = None
        try:
            await super().async_execute_cell(cell, cell_index, execution_count, store_history)
            if self.grading and meta.get("grade"):
                self._as_feedback(cell)
            if hidden is not None and not self._stopped and cell_index not in self._timed_out:
                # Run even after a visible failure: later regions may use what this one defines.
                failure = await asyncio.to_thread(self._judge, hidden, meta.get("grade_id") or f"cell {cell_index}")
        finally:
            if watchdog:
                watchdog.cancel()
        timed_out = self._timed_out.pop(cell_index, None)
        if timed_out:
            cell.outputs = [o for o in cell.outputs if o.get("ename") != "KeyboardInterrupt"]
            cell.outputs.append(error_output("CellTimeoutError", timed_out))
            self.problems.append(f"{_describe(self.nb, cell_index)}: {timed_out}")
        elif failure and not any(o.output_type == "error" for o in cell.outputs):
            cell.outputs.append(error_output("HiddenCheckFailed", failure))
            if not self.allow_errors:
                raise CellExecutionError(failure, "HiddenCheckFailed", failure)
        return cell

    @staticmethod
    def _as_feedback(cell) -> None:
        """A test cell's own outputs inform; only an error output costs its marks."""
        for output in cell.outputs:
            if output.output_type == "execute_result":  # nbgrader reads a number here as partial credit
                output.output_type = "display_data"
                output.pop("execution_count", None)
            elif output.output_type == "stream" and output.name == "stderr":  # warnings, debug prints
                output.name = "stdout"

    # ---------------------------------------------------------------- limits
    async def _watch(self, cell_index: int) -> None:
        """Interrupt a cell past its limits; kill the kernel if it does not stop."""
        limits, started = self.limits, time.monotonic()
        cpu_start = self.cgroup.cpu_seconds() if self.cgroup else 0.0
        last_cpu, last_busy = cpu_start, started
        while True:
            await asyncio.sleep(0.5)
            now = time.monotonic()
            cpu = self.cgroup.cpu_seconds() if self.cgroup else 0.0
            # Busy: the kernel used CPU, or the grader is computing (the kernel waits for it).
            if cpu - last_cpu > 0.01 * (now - last_busy) or not self.cgroup or self._grader_busy:
                last_busy = now
            last_cpu = cpu
            reason = None
            if cpu - cpu_start > limits.cell_cpu:
                reason = f"this cell used more than {limits.cell_cpu} s of CPU time (an endless loop?) and was stopped"
            elif self.cgroup and now - last_busy > limits.idle:
                reason = f"this cell waited {limits.idle} s doing nothing (sleep, input?) and was stopped"
            elif now - started > limits.cell_wall:
                reason = f"this cell ran past the {limits.cell_wall} s limit and was stopped"
            if reason:
                break
        self._timed_out[cell_index] = reason
        await ensure_async(self.km.interrupt_kernel())
        await asyncio.sleep(10)  # a cell that ignores the interrupt: stop the kernel
        self._stop(f"{_describe(self.nb, cell_index)} did not stop when interrupted, so the kernel was stopped")
        await ensure_async(self.km.shutdown_kernel(now=True))

    def output(self, outs, msg, display_id, cell_index):
        if self.grading:
            content = msg.get("content", {})
            if "data" in content:
                content["data"] = {k: v for k, v in content["data"].items() if k in KEPT_MIMES}
                if not content["data"]:
                    return None
            self._bytes += len(json.dumps(content, default=str))
            if self._bytes > OUTPUT_LIMIT:
                if not self._cut:
                    self._cut = True
                    outs.append(nbformat.v4.new_output(
                        "stream", name="stdout", text=f"\n[output cut: this cell printed more than "
                                                      f"{OUTPUT_LIMIT // 1024} KiB]\n"))
                return None
        return super().output(outs, msg, display_id, cell_index)

    def _update_display_id(self, display_id, msg):
        if not self.grading:  # a graded copy keeps displays as first shown: updates would escape the limits
            super()._update_display_id(display_id, msg)

    # ---------------------------------------------------------------- hidden checks
    def _judge(self, code: str, label: str) -> str | None:
        # One hidden region at a time in this process (the lock is let go while the
        # kernel works): two regions importing spaCy at once broke its import.
        with _JUDGING, mode_here(self.mode or data_mode()):
            self._grader_busy = True
            try:
                return self.judge.run(code, label)
            finally:
                self._grader_busy = False

    def _ask_from_thread(self, code: str, inputs: str) -> str:
        _JUDGING.release()
        self._grader_busy = False  # the kernel works now: its limits count
        try:
            return asyncio.run_coroutine_threadsafe(self._ask(code, inputs), self._loop).result()
        finally:
            _JUDGING.acquire()
            self._grader_busy = True

    async def _ask(self, code: str, inputs: str) -> str:
        """Run ``helpers.probe.answer`` in the kernel; its answer text (see ``course.judge``)."""
        expression = f"__import__('helpers.probe', fromlist=['answer']).answer({code!r}, {inputs!r})"
        msg_id = self.kc.execute("", silent=True, store_history=False, user_expressions={"answer": expression})
        limit = self.limits.cell_wall if self.limits else (self.timeout or 3600)
        deadline = time.monotonic() + limit
        while True:
            if self._stopped or self._cell in self._timed_out:  # the watchdog stopped it
                raise StudentError(self._timed_out.get(self._cell) or self._stopped)
            if time.monotonic() > deadline:
                await ensure_async(self.km.interrupt_kernel())
                raise StudentError(f"your code ran past {limit} s when a hidden check used it")
            try:
                reply = await ensure_async(self.kc.shell_channel.get_msg(timeout=1))
            except Empty:
                await self._async_check_alive()
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        answer = reply["content"].get("user_expressions", {}).get("answer", {})
        if answer.get("status") != "ok":
            raise StudentError(f"{answer.get('ename', 'an error')} while a hidden check used your work")
        text = answer.get("data", {}).get("text/plain", "")
        if not isinstance(text, str) or len(text) > ANSWER_LIMIT * 4 // 3 + 2:
            raise StudentError("the answer to a hidden check was too large")
        quoted = re.fullmatch(r"'([A-Za-z0-9+/=]*)'", text)  # the repr of helpers.probe.answer's base64
        if not quoted:
            raise StudentError("the answer to a hidden check was not readable")
        return base64.b64decode(quoted.group(1)).decode("utf-8", errors="replace")


def execute(nb, cwd: Path, *, mode: str = "tiny", name: str = "notebook", threads: int | None = None,
            env: dict | None = None, timeout: int | None = None, kernel_log: IO | None = None):
    """Execute ``nb`` in place in a fresh kernel; returns ``nb``.

    The kernel works in a private copy of ``cwd``'s files (not its notebooks),
    so what it writes (checkpoints) is gone afterwards and notebooks that run
    side by side from one folder never see each other's files. Hidden regions
    are judged in this process (``CourseClient``), on data of ``mode``.

    Args:
        nb: the notebook (an nbformat node); its outputs are filled in.
        cwd: the folder whose files the kernel works beside (``hashes.json``).
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
    with tempfile.TemporaryDirectory(prefix="kernel-") as sockets, tempfile.TemporaryDirectory(prefix="run-") as work:
        for path in Path(cwd).iterdir():
            if path.is_file() and path.suffix != ".ipynb":
                shutil.copy(path, Path(work) / path.name)
        manager = AsyncKernelManager(kernel_name="python3")
        if os.name == "posix":
            manager.transport, manager.ip = "ipc", str(Path(sockets) / "kernel")
        # A bar of cells per notebook, shown where a person watches (a terminal).
        bar = tqdm(total=sum(c.cell_type == "code" for c in nb.cells), desc=name, unit="cell",
                   disable=None, leave=False)
        client = CourseClient(nb, km=manager, mode=mode, timeout=timeout, record_timing=False, log=_QUIET,
                                shutdown_kernel="immediate", resources={"metadata": {"path": work}},
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
    return nb
