"""How long a notebook cell may run, by data mode: one table for every place that
executes notebooks (the pipeline, nbgrader through nbgrader_config.py, nbval
through the Makefile), kept light so that nbgrader's config can import it."""

__all__ = ["CELL_TIMEOUT"]

# Seconds. The slowest tiny-mode cell (the Seq2Seq training) takes about 40 s on
# two idle cores and under 2 minutes with three notebooks sharing them, so a
# stuck kernel shows within 3 minutes; on the real data one cell trains for hours.
CELL_TIMEOUT = {"tiny": 180, "full": 4 * 3600}
