"""Timing that tells the truth on a GPU.

CUDA runs asynchronously: a clock read right after a kernel launch measures
the launch, not the work. These timers synchronise the device first.
"""
from __future__ import annotations

import time
from collections import defaultdict
from contextlib import contextmanager

import torch

__all__ = ["synchronize", "Timer", "PhaseTimer", "epoch_time"]


def synchronize(device=None) -> None:
    """Wait for queued GPU work on ``device`` (no-op on the CPU)."""
    if torch.cuda.is_available() and (device is None or torch.device(device).type == "cuda"):
        torch.cuda.synchronize(device)


class Timer:
    """Wall-clock timer; synchronises CUDA before each reading.

    >>> with Timer() as t:
    ...     pass
    >>> t.seconds >= 0
    True
    """

    def __init__(self, device=None):
        self.device = device
        self.seconds = 0.0

    def __enter__(self) -> "Timer":
        synchronize(self.device)
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        synchronize(self.device)
        self.seconds = time.perf_counter() - self._start


class PhaseTimer:
    """Total time per phase of a training loop (data, copy to the device, forward, backward, step).

    >>> phases = PhaseTimer()
    >>> with phases("forward"):
    ...     pass
    >>> sorted(phases.seconds)
    ['forward']

    The time between phases (waiting for the next batch) is counted as
    "data" when ``phases.data()`` marks the start of each loop iteration.
    """

    def __init__(self, device=None):
        self.device = device
        self.seconds: dict[str, float] = defaultdict(float)
        self._last = None

    @contextmanager
    def __call__(self, phase: str):
        synchronize(self.device)
        start = time.perf_counter()
        yield
        synchronize(self.device)
        end = time.perf_counter()
        self.seconds[phase] += end - start
        self._last = end

    def data(self) -> None:
        """Call at the top of the loop body: time since the last phase is data loading."""
        now = time.perf_counter()
        if self._last is not None:
            self.seconds["data"] += now - self._last
        self._last = now

    def start(self) -> None:
        """Call just before the loop, so the first batch's loading is counted."""
        self._last = time.perf_counter()

    def table(self) -> str:
        """The phases as an aligned table with shares of the total."""
        total = sum(self.seconds.values()) or 1.0
        rows = [f"{'phase':<10}{'seconds':>10}{'share':>8}"]
        for phase, seconds in sorted(self.seconds.items(), key=lambda kv: -kv[1]):
            rows.append(f"{phase:<10}{seconds:>10.4f}{seconds / total:>8.0%}")
        return "\n".join(rows)


def epoch_time(start: float, end: float) -> tuple[int, int]:
    """Whole minutes and seconds between two ``time.time()`` readings."""
    elapsed = end - start
    minutes = int(elapsed // 60)
    return minutes, int(elapsed - minutes * 60)
