"""How long a notebook may run, by data mode: one table for every place that
executes notebooks (the pipeline, nbgrader through nbgrader_config.py, nbval
through the Makefile, the grader), kept light so that nbgrader's config can import it."""
from dataclasses import dataclass

__all__ = ["CELL_TIMEOUT", "GradingLimits", "GRADING_LIMITS", "OUTPUT_LIMIT"]

# Seconds a cell may run where the code is ours (solutions, nbval, Validate).
# The slowest tiny-mode cells (the Seq2Seq and BERT + GRU training) take 40 to
# 100 s on two idle cores, but CI shares its cores with other work: there the
# Seq2Seq training once passed 180 s. The limit is there to report a stuck
# kernel, not to time a cell, so it leaves a wide margin; on the real data one
# cell trains for hours.
CELL_TIMEOUT = {"tiny": 600, "full": 4 * 3600}


@dataclass(frozen=True)
class GradingLimits:
    """When the grader stops a student's cell or notebook.

    A busy machine slows a cell's CPU time down, not up, so the CPU-time limit
    catches endless loops whatever the load; a kernel that uses no CPU for
    ``idle`` seconds is waiting for something that will not come (sleep, input);
    the wall-clock limits are the last resort.
    """
    cell_cpu: int  # CPU seconds (all the kernel's threads and processes) one cell may use
    idle: int  # seconds a cell may run using (almost) no CPU
    cell_wall: int  # seconds one cell may run, however busy
    notebook_wall: int  # seconds a whole notebook may run
    memory: int = 6 << 30  # bytes of memory, every process of the notebook together
    processes: int = 512  # processes and threads at once


GRADING_LIMITS = {"tiny": GradingLimits(cell_cpu=600, idle=120, cell_wall=1800, notebook_wall=3600),
                  "full": GradingLimits(cell_cpu=48 * 3600, idle=600, cell_wall=8 * 3600, notebook_wall=24 * 3600)}

OUTPUT_LIMIT = 1 << 20  # bytes of output one graded cell keeps; the rest is cut
