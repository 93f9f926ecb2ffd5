"""Numerical gradients and the relative error, for checking a backward pass by hand.

The gradients use centred differences and perturb the array they are given
IN PLACE, one entry at a time, restoring it afterwards. That is what lets a
check pass a function that ignores its argument and reads the array through a
closure instead (``lambda _: model.loss(features, captions)[0]`` with
``x = model.params["W"]``): the closure sees every perturbation.
"""
from __future__ import annotations

import numpy as np

__all__ = ["rel_error", "eval_numerical_gradient", "eval_numerical_gradient_array"]


def rel_error(x, y) -> float:
    """Largest relative error between two arrays: max |x - y| / max(1e-8, |x| + |y|)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def eval_numerical_gradient(f, x: np.ndarray, verbose: bool = False, h: float = 1e-5) -> np.ndarray:
    """Centred-difference gradient of a scalar function ``f`` at ``x``.

    Args:
        f: called with ``x`` (perturbed in place), returns a float.
        x: float array of any shape; changed in place and restored.
        verbose: print every entry's index and gradient as it is computed.
        h: the step.
    Returns:
        grad: array of x's shape, d f / d x.
    """
    grad = eval_numerical_gradient_array(f, x, np.array(1.0), h)
    if verbose:
        for index in np.ndindex(x.shape):
            print(index, grad[index])
    return grad


def eval_numerical_gradient_array(f, x: np.ndarray, df: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Centred-difference gradient of ``sum(f(x) * df)`` for an array-valued ``f``.

    Args:
        f: called with ``x`` (perturbed in place), returns an array of df's shape.
        x: float array of any shape; changed in place and restored.
        df: the upstream gradient, of f(x)'s shape.
        h: the step.
    Returns:
        grad: array of x's shape.
    """
    grad = np.zeros(x.shape, dtype=float)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + h
        plus = np.array(f(x), dtype=float)
        x[index] = old - h
        minus = np.array(f(x), dtype=float)
        x[index] = old
        grad[index] = np.sum((plus - minus) * df) / (2 * h)
    return grad
