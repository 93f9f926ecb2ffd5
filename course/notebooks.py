"""Notebook transforms, each a named step that returns a new notebook.

A build is a list of steps (``SOLUTION_STEPS``), so each can be tested alone
and the list says in one place what a solution notebook is.
"""
from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable

import nbformat

__all__ = ["CHECKED_TAG", "nbgrader_meta", "grade_id", "without_markers", "strip_solution_markers",
           "strip_hidden_tests", "clear_outputs", "tag_checked_cells", "strip_widgets", "SOLUTION_STEPS", "apply_steps",
           "solution_version", "fill_release", "solves", "RUN_ALL_GOES_ON_TAG", "tag_answer_cells", "RunAllGoesOn"]

SOLUTION_MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")
CHECKED_TAG = "nbval-check-output"  # nbval --nbval-lax compares only these cells
WIDGET = "application/vnd.jupyter.widget-view+json"
# JupyterLab's Run All goes on past an error in a cell with this tag (the kernel is
# asked not to stop on it); nbclient and nbgrader allow its error too.
RUN_ALL_GOES_ON_TAG = "raises-exception"

Step = Callable[[nbformat.NotebookNode], nbformat.NotebookNode]


def nbgrader_meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def grade_id(cell) -> str | None:
    return nbgrader_meta(cell).get("grade_id")


def without_markers(source: str) -> str:
    """A cell's source without its ``### BEGIN/END SOLUTION`` lines."""
    return "\n".join(line for line in source.splitlines() if not SOLUTION_MARKERS.match(line))


def _code_cells(nb) -> Iterable:
    return (cell for cell in nb.cells if cell.cell_type == "code")


def strip_solution_markers(nb):
    """Solution code stays, its markers go; hidden tests stay."""
    for cell in _code_cells(nb):
        cell.source = without_markers(cell.source)
    return nb


def strip_hidden_tests(nb):
    """Hidden regions go (a run leaves its test cells so: they were judged outside the kernel)."""
    from .judge import split_hidden
    for cell in _code_cells(nb):
        if nbgrader_meta(cell).get("grade") and not nbgrader_meta(cell).get("solution"):
            cell.source = split_hidden(cell.source)[0]
    return nb


def clear_outputs(nb):
    for cell in _code_cells(nb):
        cell.outputs, cell.execution_count = [], None
    return nb


def tag_checked_cells(nb):
    """Tag test cells for nbval, which then compares their ✓/✗ lines."""
    for cell in _code_cells(nb):
        tags = cell.metadata.get("tags", [])
        if nbgrader_meta(cell).get("grade") and CHECKED_TAG not in tags:
            cell.metadata["tags"] = [*tags, CHECKED_TAG]
    return nb


def strip_widgets(nb):
    """Drop progress-bar widget outputs: live only in a running kernel, random ids on disk."""
    for cell in _code_cells(nb):
        cell.outputs = [o for o in cell.outputs if WIDGET not in o.get("data", {})]
    nb.metadata.pop("widgets", None)
    return nb


SOLUTION_STEPS: list[Step] = [strip_solution_markers, clear_outputs, tag_checked_cells]


def apply_steps(nb, steps: Iterable[Step]):
    """A copy of ``nb`` passed through ``steps`` in order (``nb`` is left as it is)."""
    nb = copy.deepcopy(nb)
    for step in steps:
        nb = step(nb)
    return nb


def solution_version(nb):
    """The source notebook as a solution: markers removed, outputs cleared, test cells tagged."""
    return apply_steps(nb, SOLUTION_STEPS)


def fill_release(release_nb, source_nb, solve: Callable[[str], bool]):
    """A student's submission: the release notebook with the cells ``solve`` accepts
    filled in from the source (solution code without markers, model answers)."""
    answers = {grade_id(c): c for c in source_nb.cells if nbgrader_meta(c).get("solution")}
    nb = copy.deepcopy(release_nb)
    for cell in nb.cells:
        if grade_id(cell) in answers and solve(grade_id(cell)):
            cell.source = without_markers(answers[grade_id(cell)].source)
    return nb


ANSWER_MARKER = re.compile(r"^# %% answer (\S+)\s*$", re.M)


def read_answers(text: str) -> dict[str, str]:
    """A student's answers written as a script: ``# %% answer <grade_id>`` lines,
    each followed by that cell's source (code, or the text of a written answer)."""
    parts = ANSWER_MARKER.split(text)
    if parts[0].strip() and not parts[0].lstrip().startswith("#"):
        raise ValueError("text before the first '# %% answer <grade_id>' line")
    answers = {}
    for grade_id, source in zip(parts[1::2], parts[2::2]):
        if grade_id in answers:
            raise ValueError(f"two answers for {grade_id}")
        answers[grade_id] = source.strip("\n") + "\n"
    return answers


def fill_answers(release_nb, answers: dict[str, str]):
    """A student's submission: the release notebook with its answer cells replaced by ``answers``.

    Raises:
        ValueError: for an answer whose grade id is no answer cell of the release.
    """
    nb = copy.deepcopy(release_nb)
    cells = {grade_id(c): c for c in nb.cells if nbgrader_meta(c).get("solution")}
    unknown = sorted(set(answers) - set(cells))
    if unknown:
        raise ValueError(f"no answer cell {', '.join(unknown)} in the release (answer cells: {', '.join(cells)})")
    for id, source in answers.items():
        cells[id].source = source.rstrip("\n")
    return nb


def solves(sections: list[str], grade_id: str) -> bool:
    """Whether a sample student who solves ``sections`` ("I", "II", ... or "*") fills this cell."""
    return "*" in sections or any(re.match(rf"{s}(?![IVX])", grade_id) for s in sections)


def tag_answer_cells(nb):
    """Tag the release's code answer cells so that Run All goes on past a stub's
    ``NotImplementedError`` to the exercise's check, which prints its ✗ line and stops
    there (test cells are not tagged: Run All stops at the first check that fails)."""
    for cell in _code_cells(nb):
        meta = nbgrader_meta(cell)
        tags = cell.metadata.get("tags", [])
        if meta.get("solution") and not meta.get("grade") and RUN_ALL_GOES_ON_TAG not in tags:
            cell.metadata["tags"] = [*tags, RUN_ALL_GOES_ON_TAG]
    return nb


def _nbgrader_step(step: Step, name: str):
    """``step`` as a preprocessor that nbgrader's config can name (GenerateAssignment.preprocessors)."""
    from nbgrader.preprocessors import NbGraderPreprocessor

    class StepPreprocessor(NbGraderPreprocessor):
        __doc__ = step.__doc__

        def preprocess(self, nb, resources):
            return step(nb), resources

    StepPreprocessor.__name__ = StepPreprocessor.__qualname__ = name
    return StepPreprocessor


RunAllGoesOn = _nbgrader_step(tag_answer_cells, "RunAllGoesOn")
