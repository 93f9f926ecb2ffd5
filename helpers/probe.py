"""The kernel's half of a hidden check: evaluate what the grader asks, answer as data.

A hidden check runs in the grader's own process, never in the student's
kernel. When it needs something from the student's work it sends an
expression (with inputs it picked at grading time); ``answer`` evaluates it in
the student's namespace and returns the value encoded as JSON text. Nothing
here decides a grade: student code that replaces this module can only send
other values, and the grader judges values.

Encoding: ``None``, bools, ints, floats and strings as themselves (non-finite
floats as ``{"__float__": "nan"}``); lists and tuples as lists; dicts as
``{"__dict__": [[key, value], ...]}``; numpy arrays, numpy scalars and torch
tensors as ``{"__array__": [dtype, shape, base64 bytes]}``; anything else as
``{"__object__": type name}``.
"""
from __future__ import annotations

import ast
import base64
import json
import math
from dataclasses import dataclass

import numpy as np

__all__ = ["answer", "encode", "decode", "Opaque"]


def encode(value, depth: int = 0):
    """``value`` as JSON-ready data (see the module's docstring)."""
    if depth > 20:
        raise ValueError("the value is nested more than 20 levels deep")
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor, on any device
        value = value.detach().cpu()
        value = value.float().numpy() if str(value.dtype) == "torch.bfloat16" else value.numpy()
    if isinstance(value, np.generic):
        value = np.asarray(value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biufc":
            return {"__object__": f"numpy array of dtype {value.dtype}"}
        return {"__array__": [value.dtype.str, list(value.shape), base64.b64encode(value.tobytes()).decode()]}
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, (list, tuple)):
        return [encode(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {"__dict__": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    return {"__object__": type(value).__name__}


@dataclass(frozen=True)
class Opaque:
    """An object that cannot travel as data; only its type's name does."""
    type_name: str


def _hook(obj: dict):
    if "__array__" in obj:
        dtype, shape, data = obj["__array__"]
        dtype = np.dtype(str(dtype))
        if dtype.kind not in "biufc" or dtype.itemsize > 16:
            raise ValueError(f"arrays of dtype {dtype} are not accepted")
        raw = base64.b64decode(data, validate=True)
        shape = tuple(int(n) for n in shape)
        if int(np.prod(shape, dtype=np.int64)) * dtype.itemsize != len(raw):
            raise ValueError("the array's bytes do not match its shape")
        return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    if "__float__" in obj:
        return float(str(obj["__float__"]))
    if "__dict__" in obj:
        return {_key(k): v for k, v in obj["__dict__"]}
    if "__object__" in obj:
        return Opaque(str(obj["__object__"]))
    return obj


def _key(key):
    return tuple(_key(k) for k in key) if isinstance(key, list) else key


def decode(text: str):
    """What ``encode`` made, back from its JSON text; parsed as data only, arrays checked.

    The grader reads the kernel's answers with it, the kernel the grader's inputs.
    """
    return json.loads(text, object_hook=_hook)


def answer(code: str, inputs: str) -> str:
    """Run ``code`` in the student's namespace with ``inputs`` bound; its last expression, encoded
    (JSON, then base64: the text the grader reads back has nothing to parse but the JSON).

    ``code``'s statements run first, then its last line is evaluated (as in a
    notebook cell). The inputs are local names: the student's variables are
    read, never replaced.
    """
    from IPython import get_ipython

    namespace = dict(get_ipython().user_ns)
    namespace.update(decode(inputs))
    try:
        tree = ast.parse(code)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, "<grader>", "exec"), namespace)
        value = eval(compile(ast.Expression(last.value), "<grader>", "eval"), namespace) if last else None
        reply = {"value": encode(value)}
    except Exception as error:  # the student's code raised: say what, as data
        reply = {"error": f"{type(error).__name__}: {error}"[:500]}
    return base64.b64encode(json.dumps(reply).encode()).decode()
