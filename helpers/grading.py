"""Marks and answer checks for the notebooks.

``with marks(n, id):`` wraps the checks of one exercise: it prints
``✓ [n marks]`` or ``✗ [0/n marks]`` with the reason, and re-raises a failure
so that nbgrader and nbval see it. The ``check_*`` functions compare a value
with a recorded reference *hash*, so the notebook never contains the answer.

How a value is hashed (salted SHA-256, then 200,000 rounds of PBKDF2 so that
guessing answers by brute force is slow; the salt holds the check's id, so two
checks of the same value hash differently):

- a scalar: an integer exactly; a float to ``sig`` significant figures, and
  the neighbours in the last figure are accepted too, so a right answer that
  rounds the other way still passes;
- an array: its shape, its dtype kind (bool, int or float) and its values,
  floats to ``sig`` significant figures;
- a string: Unicode NFC, case-folded, surrounding whitespace removed and every
  run of inner whitespace made one space.

``check_close`` is the one check that stores values rather than a hash: the
outputs of a model whose weights a seed fixes, on fixed inputs (as cs231n-style
assignments ship them), compared by their largest absolute difference. They are
no answer to any question, and hidden checks recompute them on other weights.

Reference hashes live in ``hashes.json`` beside the notebook, keyed by check
id and data mode; instructors record them with ``make hashes``. Beside them,
``<id>#shape`` holds an array check's expected shape, and ``<id>#mistakes`` the
hashes of wrong answers the reference predicts (``record_mistake``), each with
the hint a student who gives it reads.
"""
from __future__ import annotations

import base64
import hashlib
import json
import math
import numbers
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from .gradcheck import eval_numerical_gradient, eval_numerical_gradient_array, rel_error  # re-exported: moved
from .settings import data_mode, record_hashes_path

__all__ = ["marks", "summarise_marks", "reset_marks", "load_expected", "check_scalar", "check_array",
           "check_string", "check_close", "record_mistake", "CheckFailed", "MissingReference", "NotDone", "rel_error",
           "eval_numerical_gradient", "eval_numerical_gradient_array"]

_SALT = "dl-course/v1"
_ITERATIONS = 200_000

_tally: dict[str, tuple[int, int]] = {}  # marks id -> (available, earned)


class CheckFailed(AssertionError):
    """A value did not match its reference."""


class MissingReference(AssertionError):
    """No reference is recorded for this check in the active data mode."""


class NotDone(CheckFailed):
    """A check read a name that the exercise above has not defined yet."""


# ---------------------------------------------------------------- marks
_unverified: list[str] | None = None  # inside a marks block: checks with no reference


class marks:
    """``with marks(n, id):`` awards ``n`` marks if the block runs without error, else 0.

    A failure prints ``✗ [0/n marks] id: reason`` and propagates, so that
    nbgrader and nbval see it: unchanged, except that a name the exercise has not
    defined yet becomes ``NotDone``. A failed assertion (a wrong answer) and a
    stub's ``NotImplementedError`` show as one line in a notebook; any other error
    keeps a traceback that stops at the student's cell (the frames of these
    checks set ``__tracebackhide__``, which IPython hides).
    Each ``id`` counts once, however often the cell is run; its section for
    ``summarise_marks`` is the part of ``id`` before the first dot. A check
    with no reference for the active data mode earns nothing but does not
    stop the block, so the tests after it still run.
    """

    def __init__(self, n: int, id: str):
        self.n, self.id = n, id

    def __enter__(self):
        global _unverified
        self._outer, _unverified = _unverified, []
        return self

    def __exit__(self, kind, error, traceback) -> bool:
        global _unverified
        n, id = self.n, self.id
        if error is not None:
            _tally[id] = (n, 0)
            reason = _reason(kind, error)
            print(f"✗ [0/{n} marks] {id}: {reason}")
            _cut_hidden_frames(traceback)
            if issubclass(kind, NameError):  # the answer's name is missing: the ✗ line says so
                _unverified = self._outer
                raise NotDone(reason) from None
        elif _unverified:
            _tally[id] = (n, 0)
            print(f"? [0/{n} marks] {id}: not verified: {_unverified[0]}")
        else:
            _tally[id] = (n, n)
            print(f"✓ [{n} marks] {id}")
        _unverified = self._outer
        return False  # never swallow the failure


def _reason(kind, error) -> str:
    """What a failed marks block says after ``✗``: the check's message, or what to do
    when the exercise is not done (a stub's NotImplementedError, a name never defined)."""
    if issubclass(kind, NotImplementedError):
        return "not done yet: the exercise above still raises NotImplementedError; replace it with your code"
    if issubclass(kind, NameError) and getattr(error, "name", None):
        return (f"'{error.name}' is not defined: finish the exercise above (keeping the names it asks for) "
                f"and run its cell")
    return str(error).strip() or kind.__name__


_SHORT = (NotImplementedError, AssertionError)  # CheckFailed, MissingReference, NotDone, a visible check's assert


def _one_line(shell, kind, error, traceback, tb_offset=None) -> list[str]:
    """IPython's display of the errors a ✗ line (or a stub) already explains: one line, no
    frames (a check that fails for another reason, such as a bug in a function it calls,
    keeps its traceback, which ends at the student's line)."""
    message = str(error).strip() or "replace `raise NotImplementedError()` with your code"
    lines = [f"\x1b[0;31m{kind.__name__}\x1b[0m: {message}"]
    shell._showtraceback(kind, error, lines)  # an error output, as any other error's
    return lines


def _show_short_errors() -> None:
    """In a notebook, show a stub's NotImplementedError and a failed check (an assertion)
    in one line (the error still stops the cell, and nbgrader still sees it)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None and hasattr(shell, "set_custom_exc"):
        shell.set_custom_exc(_SHORT, _one_line)


def _cut_hidden_frames(traceback) -> None:
    """End the traceback before the first frame that sets ``__tracebackhide__`` (these
    checks' own frames), so that it ends at the student's line; IPython always shows the
    last frame, even a hidden one."""
    while traceback is not None and traceback.tb_next is not None:
        if traceback.tb_next.tb_frame.f_locals.get("__tracebackhide__"):
            traceback.tb_next = None
        traceback = traceback.tb_next


def reset_marks() -> None:
    """Forget every mark awarded so far."""
    _tally.clear()


def summarise_marks() -> None:
    """Print marks earned out of marks available, in total and per section."""
    sections: dict[str, list[int]] = {}
    for id, (available, earned) in _tally.items():
        totals = sections.setdefault(id.split(".")[0], [0, 0])
        totals[0] += earned
        totals[1] += available
    earned = sum(e for e, _ in sections.values())
    available = sum(a for _, a in sections.values())
    print(f"Marks: {earned}/{available}")
    for section, (e, a) in sections.items():
        print(f"  {section:<8} {e:>3}/{a}")


# ---------------------------------------------------------------- canonical forms
def _as_array(value, what: str) -> np.ndarray:
    __tracebackhide__ = True
    if hasattr(value, "detach"):  # a torch tensor, on any device
        value = value.detach().cpu().numpy()
    if isinstance(value, (str, bytes, Mapping)):
        raise TypeError(f"{what} expects numbers (a number, list, numpy array or tensor), "
                        f"got {type(value).__name__}")
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{what} expects numbers, got an array of dtype {array.dtype}")
    return array


def _sig(x: float, sig: int) -> str:
    return f"{x + 0.0:.{sig - 1}e}"  # + 0.0 turns -0.0 into 0.0


def _scalar_forms(value, sig: int) -> tuple[str, set[str]]:
    """(the form to record, the forms accepted when checking)."""
    __tracebackhide__ = True
    array = _as_array(value, "check_scalar")
    if array.size != 1:
        raise TypeError(f"check_scalar expects a single number, got {array.size} values "
                        f"of shape {tuple(array.shape)}")
    x = array.reshape(()).item()
    if isinstance(x, bool):
        x = int(x)
    if not math.isfinite(x):
        raise CheckFailed(f"the value is {x}, expected a finite number")
    accepted = set()
    if float(x).is_integer():
        accepted.add(f"int:{int(x)}")
    text = _sig(x, sig)
    mantissa, exponent = text.split("e")
    step = 10.0 ** (int(exponent) - (sig - 1))
    for neighbour in (x, float(text) + step, float(text) - step, float(text) - step / 10):
        accepted.add(f"float:{_sig(neighbour, sig)}")
    record = f"int:{x}" if isinstance(x, numbers.Integral) else f"float:{text}"
    return record, accepted


def _array_form(value, sig: int) -> str:
    __tracebackhide__ = True
    array = _as_array(value, "check_array")
    kind = {"b": "bool", "i": "int", "u": "int", "f": "float"}[array.dtype.kind]
    if kind == "float":
        values = ",".join(_sig(v, sig) for v in array.ravel().tolist())
    else:
        values = ",".join(str(int(v)) for v in array.ravel().tolist())
    return f"array:{tuple(array.shape)}:{kind}:{values}"


def _string_form(value) -> str:
    __tracebackhide__ = True
    if not isinstance(value, str):
        raise TypeError(f"check_string expects a str, got {type(value).__name__}")
    text = unicodedata.normalize("NFC", value).casefold()
    return "str:" + re.sub(r"\s+", " ", text.strip())


def _hash(form: str, id: str) -> str:
    """PBKDF2 over the salted SHA-256 of the canonical form: about 40 ms a value, so that
    trying every 4-digit integer or 4-figure mantissa costs minutes, not a second."""
    digest = hashlib.sha256(f"{_SALT}|{id}|{form}".encode()).hexdigest()
    return hashlib.pbkdf2_hmac("sha256", digest.encode(), f"{_SALT}|{id}".encode(), _ITERATIONS).hex()


# ---------------------------------------------------------------- references
class Expected(dict):
    """The reference hashes of one assignment: check id -> {data mode: hash}."""


def load_expected(path: str | Path = "hashes.json") -> Expected:
    """Read the reference hashes shipped beside the notebook (missing file: none)."""
    path = Path(path)
    if not path.exists():
        return Expected()
    return Expected(json.loads(path.read_text()))


def _reference(expected, id: str) -> str:
    """The reference hash for ``id`` in the active data mode, or MissingReference."""
    __tracebackhide__ = True
    mode = data_mode()
    if isinstance(expected, str):
        return expected
    if isinstance(expected, Expected):
        if id not in expected:
            raise MissingReference(f"no reference is recorded for check '{id}' "
                                   f"(instructors: run `make hashes`)")
        expected = expected[id]
    if isinstance(expected, Mapping):
        if mode in expected:
            return expected[mode]
        raise MissingReference(f"no reference is recorded for check '{id}' in data mode "
                               f"'{mode}' (recorded: {', '.join(expected) or 'none'}); this "
                               f"check cannot pass until instructors run `make hashes` in "
                               f"that mode")
    raise TypeError(f"expected must be a hash, a dict keyed by data mode or load_expected()'s "
                    f"result, got {type(expected).__name__}")


def _reference_if_recorded(expected, id: str):
    """``_reference``; inside a marks block, None when none is recorded (the block then earns nothing
    but its other checks still run)."""
    __tracebackhide__ = True
    try:
        return _reference(expected, id)
    except MissingReference as missing:
        if _unverified is None:
            raise
        _unverified.append(str(missing))
        return None


def _entry(expected, key: str):
    """``expected``'s ``key`` entry (``<id>#shape``, ``<id>#mistakes``) for the active data mode, or None."""
    if isinstance(expected, Expected):
        return expected.get(key, {}).get(data_mode())
    return None


def _record(entry: dict) -> bool:
    """Append an entry to the file `make hashes` collects; False when not recording."""
    record_path = record_hashes_path()
    if record_path:
        with open(record_path, "a") as f:
            f.write(json.dumps({**entry, "mode": data_mode()}) + "\n")
    return bool(record_path)


def _check(record: str, accepted: set[str], expected, id: str, what: str, hint: str | None,
           shape: tuple | None = None) -> bool:
    __tracebackhide__ = True
    if _record({"id": id, "hash": _hash(record, id)}):  # `make hashes`: record instead of check
        if shape is not None:
            _record({"id": f"{id}#shape", "value": list(shape)})
        return True
    reference = _reference_if_recorded(expected, id)
    if reference is None:
        return False
    hashes = {_hash(form, id) for form in accepted}
    if reference in hashes:
        return True
    message = f"check '{id}': {what} does not match the reference"
    want_shape = _entry(expected, f"{id}#shape")
    if shape is not None and want_shape is not None and tuple(want_shape) != tuple(shape):
        message += f": expected shape {tuple(want_shape)}, got {tuple(shape)}"
    mistakes = _entry(expected, f"{id}#mistakes") or {}
    known = next((mistakes[h] for h in hashes if h in mistakes), None)
    raise CheckFailed(". ".join(part for part in (message, known or hint) if part))


def record_mistake(value, id: str, hint: str, kind: str = "scalar", sig: int = 4) -> None:
    """While recording hashes, store a wrong answer to check ``id`` that the reference
    predicts, and the ``hint`` that a student who gives it reads; otherwise do nothing.

    Call it in a solution region, on the value of the mistake (for example the
    vocabulary size counted over characters), with the ``kind`` of the check
    (``"scalar"``, ``"array"`` or ``"string"``) and its ``sig``.
    """
    forms = {"scalar": lambda: _scalar_forms(value, sig)[0], "array": lambda: _array_form(value, sig),
             "string": lambda: _string_form(value)}
    if kind not in forms:
        raise ValueError(f"kind must be one of {', '.join(forms)}, got {kind!r}")
    if record_hashes_path():
        _record({"id": f"{id}#mistakes", "hash": _hash(forms[kind](), id), "hint": hint})


def check_scalar(value, expected, id: str, sig: int = 4, hint: str | None = None) -> bool:
    """Check one number against its reference hash.

    Args:
        value: int, float, numpy scalar or one-element tensor (any device).
        expected: ``load_expected()``'s result, a dict {data mode: hash}, or a hash.
        id: the check's unique id (part of the salt).
        sig: significant figures compared for floats; integers compare exactly.
        hint: said when the check fails: what was checked and what to look at, never the answer.
    """
    __tracebackhide__ = True
    record, accepted = _scalar_forms(value, sig)
    return _check(record, accepted, expected, id, "this number", hint)


def check_array(value, expected, id: str, sig: int = 4, hint: str | None = None) -> bool:
    """Check an array (list, numpy array or tensor) by shape, dtype kind and values;
    a failure says the expected shape when the shapes differ."""
    __tracebackhide__ = True
    form = _array_form(value, sig)
    shape = tuple(_as_array(value, "check_array").shape)
    return _check(form, {form}, expected, id, f"this array (shape {shape})", hint, shape)


def check_string(value, expected, id: str, hint: str | None = None) -> bool:
    """Check a string, compared after normalising case and whitespace."""
    __tracebackhide__ = True
    form = _string_form(value)
    return _check(form, {form}, expected, id, "this text", hint)


def check_close(value, expected, id: str, atol: float = 1e-5, hint: str | None = None) -> float:
    """Check an array of floats against the values recorded for ``id``: same shape, and
    no entry further than ``atol`` from its reference. Returns the largest difference.

    While recording (`make hashes`) the values themselves are stored, as float32.
    """
    __tracebackhide__ = True
    array = _as_array(value, "check_close").astype(np.float32)
    if _record({"id": id, "value": {"shape": list(array.shape),
                                    "float32": base64.b64encode(array.astype("<f4").tobytes()).decode()}}):
        return 0.0
    stored = _reference_if_recorded(expected, id)
    if stored is None:
        return math.inf
    want = np.frombuffer(base64.b64decode(stored["float32"]), dtype="<f4").reshape(stored["shape"])
    if array.shape != want.shape:
        raise CheckFailed(". ".join(part for part in (f"check '{id}': expected shape {want.shape}, got "
                                                      f"{array.shape}", hint) if part))
    difference = float(np.max(np.abs(array - want), initial=0.0))
    if not difference <= atol:  # NaN fails too
        raise CheckFailed(". ".join(part for part in (f"check '{id}': the largest difference from the reference "
                                                      f"is {difference:.3g}, more than {atol:g}", hint) if part))
    return difference


_show_short_errors()
