"""Every ``COURSE_*`` setting, read in one place.

Each function reads its environment variable when called, never at import, so
a notebook or a test that changes the variable is seen at once.

| variable                 | read by                  | unset gives            |
| ------------------------ | ------------------------ | ---------------------- |
| ``COURSE_DATA``          | ``data_mode()``          | ``"tiny"``             |
| ``COURSE_DATA_DIR``      | ``data_dir()``           | ``~/.cache/dl-course`` |
| ``COURSE_SANDBOX``       | ``sandbox_enabled()``    | ``True``               |
| ``COURSE_RECORD_HASHES`` | ``record_hashes_path()`` | ``None``               |
| ``COURSE_DEVICE``        | ``device_override()``    | ``None``               |
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

__all__ = ["DATA_MODE_VAR", "DATA_DIR_VAR", "SANDBOX_VAR", "RECORD_HASHES_VAR", "DEVICE_VAR", "MODES",
           "data_mode", "mode_here", "data_dir", "sandbox_enabled", "record_hashes_path", "device_override"]

DATA_MODE_VAR = "COURSE_DATA"
DATA_DIR_VAR = "COURSE_DATA_DIR"
SANDBOX_VAR = "COURSE_SANDBOX"
RECORD_HASHES_VAR = "COURSE_RECORD_HASHES"
DEVICE_VAR = "COURSE_DEVICE"

MODES = ("tiny", "full")


def _choice(name: str, choices: dict[str, object], default: object, advice: str) -> object:
    """The value that ``$name`` selects from ``choices``, or ``default`` when it is unset.

    Args:
        name: the environment variable.
        choices: accepted text, exactly as written (case included) -> value.
        default: the value when the variable is unset.
        advice: what to do instead of a bad value, for the error message.
    Raises:
        ValueError: the variable is set to anything else, the empty string included.
    """
    if name not in os.environ:
        return default
    text = os.environ[name]
    if text not in choices:
        accepted = " or ".join(repr(choice) for choice in choices)
        raise ValueError(f"{name}={text!r} is not a setting the course knows (it takes {accepted}, "
                         f"exactly): {advice}")
    return choices[text]


_mode_here: ContextVar[str | None] = ContextVar("course_data_mode", default=None)


@contextmanager
def mode_here(mode: str):
    """Within this block, in this thread only, ``data_mode()`` is ``mode``.

    The grader judges hidden checks of notebooks run in ``mode`` from threads
    of one process: each thread reads its notebook's data, none changes the
    environment of the others.
    """
    if mode not in MODES:
        raise ValueError(f"no data mode {mode!r}; the modes are {', '.join(MODES)}")
    token = _mode_here.set(mode)
    try:
        yield
    finally:
        _mode_here.reset(token)


def data_mode() -> str:
    """The data mode from ``$COURSE_DATA``: ``"tiny"`` (generated sets, the default) or ``"full"`` (real).

    Inside ``mode_here(mode)``, that mode.
    """
    if _mode_here.get():
        return _mode_here.get()
    return _choice(DATA_MODE_VAR, {mode: mode for mode in MODES}, "tiny",
                   f"unset it for the generated tiny data, or set {DATA_MODE_VAR}=full for the real data")


def data_dir() -> Path:
    """The download cache of the real data: ``$COURSE_DATA_DIR``, else ``~/.cache/dl-course``."""
    return Path(os.environ.get(DATA_DIR_VAR) or Path.home() / ".cache" / "dl-course").expanduser()


def sandbox_enabled() -> bool:
    """Whether autograding runs notebooks in the sandbox kernel; ``COURSE_SANDBOX=0`` turns it off."""
    return _choice(SANDBOX_VAR, {"1": True, "0": False}, True,
                   f"unset it to grade in the sandbox, or set {SANDBOX_VAR}=0 to grade without it")


def record_hashes_path() -> Path | None:
    """Where ``make hashes`` records reference hashes (``$COURSE_RECORD_HASHES``); None: check instead."""
    path = os.environ.get(RECORD_HASHES_VAR)
    return Path(path) if path else None


def device_override() -> str | None:
    """The torch device asked for in ``$COURSE_DEVICE`` (e.g. ``"cpu"``, ``"cuda:1"``), or None to choose."""
    return os.environ.get(DEVICE_VAR) or None
