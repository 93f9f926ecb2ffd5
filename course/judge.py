"""Hidden checks, judged outside the student's kernel.

A test cell's hidden region (between ``### BEGIN HIDDEN TESTS`` and
``### END HIDDEN TESTS``) never reaches the kernel. The kernel runs the rest of
the cell (the visible checks, feedback for the student); the hidden region
then runs here, in the grader's process, in a namespace shared by the
notebook's hidden regions and holding two names of ours. The first::

    student(code, **inputs)

runs ``code`` in the student's kernel, where it sees the student's names
and ``inputs`` (numbers, strings, lists, dicts, numpy arrays: data the hidden
check picks, at random if it likes, at grading time), and returns the value of
its last expression as data: tensors and numpy values come back as numpy
arrays, containers as lists and dicts, any other object as
``Opaque(type name)``. If the student's code raises, ``student`` raises
``StudentError``. Everything else a hidden check does (reference answers,
data, comparisons) runs here, so student code can only answer with values,
and to answer right on inputs it has never seen it must do the work.

The second, ``close(got, want, rtol, atol)``, is ``np.allclose`` that also
demands the same shape: alone, ``np.allclose`` broadcasts, so an empty array
is "close" to anything. Compare arrays with it, and count what comes back
before ``all(...)`` over it.

A hidden region passes if it ends without an exception; the message of an
``AssertionError`` is shown to the student, so it says what is wrong, never
the expected value.
"""
from __future__ import annotations

import json
import re
import traceback
from collections.abc import Callable

import numpy as np

from helpers.probe import Opaque, decode, encode

__all__ = ["HIDDEN_REGION", "split_hidden", "StudentError", "Opaque", "decode_answer", "Student", "close", "Judge"]

HIDDEN_REGION = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS[ \t]*\n(.*?)^[ \t]*### END HIDDEN TESTS[ \t]*$\n?",
                           re.MULTILINE | re.DOTALL)
ANSWER_LIMIT = 64 << 20  # bytes of one answer from the kernel


def split_hidden(source: str) -> tuple[str, str | None]:
    """(the cell without its hidden regions, their code joined; None if it has none)."""
    regions = [m.group(1) for m in HIDDEN_REGION.finditer(source)]
    if not regions:
        return source, None
    return HIDDEN_REGION.sub("", source).rstrip() + "\n", "\n".join(regions)


class StudentError(AssertionError):
    """The student's code raised, or ran out of time, while a hidden check used it."""


def decode_answer(text: str):
    """The value in the kernel's answer; StudentError if the student's code raised.

    ``text`` comes from a kernel that student code controls, so it is parsed
    as JSON only (never unpickled or evaluated), and bounded in size.
    """
    if not isinstance(text, str) or len(text) > ANSWER_LIMIT:
        raise StudentError("the notebook's answer to a hidden check was missing or too large")
    try:
        answer = decode(text)
    except (ValueError, TypeError, RecursionError) as error:
        raise StudentError(f"the notebook's answer to a hidden check was not readable ({error})") from None
    if not isinstance(answer, dict) or not ({"value"} <= answer.keys() or "error" in answer):
        raise StudentError("the notebook's answer to a hidden check was not readable")
    if "error" in answer:
        raise StudentError(f"your code raised {str(answer['error'])[:300]}")
    return answer["value"]


class Student:
    """The ``student`` of a hidden check: ``student(code, **inputs)`` (see the module's docstring).

    Args:
        ask: sends (code, inputs as JSON text) to the kernel, returns its answer text.
    """

    def __init__(self, ask: Callable[[str, str], str]):
        self._ask = ask

    def __call__(self, code: str, **inputs):
        return decode_answer(self._ask(code, json.dumps({name: encode(value) for name, value in inputs.items()})))


def close(got, want, rtol: float = 1e-5, atol: float = 1e-8) -> bool:
    """Whether ``got`` has ``want``'s shape and, within tolerance, its values.

    ``np.allclose`` alone broadcasts: an empty array, or one of shape (1,), is
    "close" to anything. Use this in hidden checks.
    """
    try:
        got, want = np.asarray(got), np.asarray(want)
    except (ValueError, TypeError):
        return False
    return (got.shape == want.shape and got.dtype.kind in "biuf" and want.dtype.kind in "biuf"
            and bool(np.allclose(got, want, rtol=rtol, atol=atol)))


class Judge:
    """Runs a notebook's hidden regions in order, in one namespace of their own."""

    def __init__(self, student: Student):
        self.namespace: dict = {"student": self._student, "close": close, "__name__": "hidden_checks"}
        self.log: list[str] = []  # tracebacks of hidden checks that failed, for instructors
        # what each region asked the kernel: [label, code, input names], for the check that
        # hidden checks read only what the statement names (course.statement)
        self.asked: list[list] = []
        self._ask, self._label = student, None

    def _student(self, code: str, **inputs):
        self.asked.append([self._label, code, sorted(inputs)])
        return self._ask(code, **inputs)

    def run(self, code: str, label: str) -> str | None:
        """Run one hidden region; None if it passed, else what to tell the student."""
        self._label = label
        try:
            exec(compile(code, f"<hidden checks of {label}>", "exec"), self.namespace)
            return None
        except StudentError as error:
            return f"a hidden check could not use your work: {error}"
        except AssertionError as error:
            message = str(error).strip()
            return f"a hidden check failed: {message}" if message else "a hidden check failed"
        except Exception as error:  # a value of the wrong kind, usually
            self.log.append(f"{label}:\n{traceback.format_exc()}")
            return f"a hidden check failed ({type(error).__name__} on the value your work gave)"
