"""Update rules for the numpy models: ``next_w, config = rule(w, dw, config)``.

``config`` holds the rule's hyperparameters (``learning_rate``...) and its
running state (Adam's moments); the solver keeps one per parameter and passes
it back at the next step. A missing entry takes its default.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["sgd", "adam"]


def sgd(w, dw, config=None):
    """Plain stochastic gradient descent: ``w - learning_rate * dw``.

    config: ``learning_rate`` (default 1e-2).
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    return w - config["learning_rate"] * dw, config


def adam(w, dw, config=None):
    """Adam: a step along the running mean of the gradients, scaled by their running size.

    config: ``learning_rate`` (1e-3), ``beta1`` (0.9), ``beta2`` (0.999),
    ``epsilon`` (1e-8); state ``m`` and ``v`` (moments, of w's shape) and
    ``t`` (steps taken), which the bias correction needs.
    """
    config = {} if config is None else config
    for key, default in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8)):
        config.setdefault(key, default)
    if "m" not in config:  # the first step: no history yet
        config.update(m=np.zeros_like(w), v=np.zeros_like(w), t=0)
    beta1, beta2, t = config["beta1"], config["beta2"], config["t"] + 1
    config["t"] = t
    m, v = config["m"], config["v"]  # updated in place: large weights make no copies
    m -= dw
    m *= beta1
    m += dw  # m = beta1 m + (1 - beta1) dw
    v *= beta2 / (1 - beta2)
    v += dw * dw
    v *= 1 - beta2  # v = beta2 v + (1 - beta2) dw^2
    step = np.sqrt(v)
    step += config["epsilon"] * math.sqrt(1 - beta2 ** t)
    np.divide(m, step, out=step)
    step *= config["learning_rate"] * math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)  # both bias corrections
    return (w - step).astype(w.dtype, copy=False), config
