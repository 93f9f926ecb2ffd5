"""nbgrader's Validate for one notebook, in a process of its own:

    python -m course.validate NOTEBOOK      prints the JSON that JupyterLab's Validate button reads

Run from the course root (nbgrader reads nbgrader_config.py there). The course's
server extension (course/lab.py) starts it beside the server, which keeps serving
while it runs. A cell that ran past its time limit is said first, as a timeout,
and the checks it kept from running as not run: never as wrong answers.
"""
from __future__ import annotations

import json
import os
import sys
import traceback

__all__ = ["validate", "TIMEOUT_ENAME"]

TIMEOUT_ENAME = "CellTimeoutError"  # nbgrader_config.py: Execute.error_on_timeout


def _config():
    """nbgrader's configuration as its own Validate handler reads it: the Jupyter
    config paths, then the nbgrader_config.py of the current folder."""
    from jupyter_core.paths import jupyter_config_path
    from nbgrader.apps import NbGrader

    paths = jupyter_config_path()
    paths.insert(0, os.getcwd())
    app = NbGrader()
    app.config_file_paths.append(paths)
    app.load_config_file()
    return app.config


def _timed_out(cell) -> str | None:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error" and output.get("ename") == TIMEOUT_ENAME:
            return output.get("evalue", "")
    return None


def validate(path: str) -> dict:
    """What nbgrader's Validate handler answers for ``path``: {"success", "value"}."""
    from nbconvert.filters import ansi2html
    from nbgrader.validator import Validator

    class TimeoutsFirst(Validator):
        """nbgrader's Validator that keeps the notebook it ran, to find timeouts in it."""
        ran = None

        def _preprocess(self, nb):
            self.ran = super()._preprocess(nb)
            return self.ran

    validator = TimeoutsFirst(config=_config())
    try:
        result = validator.validate(path)
    except Exception:
        return {"success": False, "value": traceback.format_exc()}
    stopped = [(cell, _timed_out(cell)) for cell in (validator.ran.cells if validator.ran else [])]
    stopped = [(cell, why) for cell, why in stopped if why is not None]
    if stopped and "type_changed" not in result and "changed" not in result:
        first = validator.ran.cells.index(stopped[0][0])
        entries = []
        for cell, why in stopped:
            message = (f"TIMEOUT, not a wrong answer: {why}. The checks below it could not run. "
                       f"Make this cell faster, or validate again when the machine is less busy.")
            entries.append({"source": cell.source.strip(), "error": ansi2html(message), "raw_error": message})
        later = {c.source.strip() for c in validator.ran.cells[first + 1:]}
        for entry in result.get("failed", []):
            if entry["source"] in later:
                note = "Not judged: a cell above ran past the time limit, so this check's inputs were never made.\n"
                entry["raw_error"] = note + entry["raw_error"]
                entry["error"] = ansi2html(note) + entry["error"]
            entries.append(entry)
        result = {**result, "failed": entries}
    return {"success": True, "value": result}


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        sys.exit("usage: python -m course.validate NOTEBOOK")
    print(json.dumps(validate(argv[0])))


if __name__ == "__main__":
    main()
