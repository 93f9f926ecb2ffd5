"""Numpy layers that the captioning notebooks give: each a forward and a backward function.

A forward function takes its inputs and parameters and returns ``(out, cache)``;
the matching backward function takes the upstream gradient ``dout`` and that
cache and returns the gradient of each input, in the order of the forward's
arguments. Everything is vectorised over the batch (and over time where there
is one).
"""
from __future__ import annotations

import numpy as np

__all__ = ["affine_forward", "affine_backward", "temporal_affine_forward", "temporal_affine_backward",
           "temporal_softmax_loss"]


def affine_forward(x, w, b):
    """An affine map of each row: ``out = x @ w + b``.

    Args:
        x: inputs, of shape (N, D).
        w: weights, of shape (D, M).
        b: biases, of shape (M,).
    Returns:
        out: of shape (N, M);
        cache: (x, w).
    """
    return x @ w + b, (x, w)


def affine_backward(dout, cache):
    """Backward pass of ``affine_forward``.

    Args:
        dout: upstream gradient, of shape (N, M).
        cache: from ``affine_forward``.
    Returns:
        dx (N, D), dw (D, M), db (M,).
    """
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)


def temporal_affine_forward(x, w, b):
    """The same affine map at every time step: ``out[n, t] = x[n, t] @ w + b``.

    Args:
        x: inputs, of shape (N, T, D).
        w: weights, of shape (D, M).
        b: biases, of shape (M,).
    Returns:
        out: of shape (N, T, M);
        cache: (x, w).
    """
    return x @ w + b, (x, w)


def temporal_affine_backward(dout, cache):
    """Backward pass of ``temporal_affine_forward``.

    Args:
        dout: upstream gradient, of shape (N, T, M).
        cache: from ``temporal_affine_forward``.
    Returns:
        dx (N, T, D), dw (D, M), db (M,).
    """
    x, w = cache
    D, M = w.shape
    dw = x.reshape(-1, D).T @ dout.reshape(-1, M)
    return dout @ w.T, dw, dout.sum(axis=(0, 1))


def temporal_softmax_loss(x, y, mask, verbose=False):
    """Softmax cross-entropy at every time step, summed over time and averaged over the batch.

    Steps where ``mask`` is False (the ``<NULL>`` padding after a caption's
    end) add nothing to the loss or to the gradient. With small random scores
    each counted step costs about ln V, so the loss is about T * p * ln V for
    a fraction p of steps counted.

    Args:
        x: scores, of shape (N, T, V).
        y: target indices in [0, V), of shape (N, T).
        mask: which steps count, bool of shape (N, T).
        verbose: print the shape of the gradient (kept for cs231n's signature).
    Returns:
        loss: a float;
        dx: gradient of the loss with respect to x, of shape (N, T, V).
    """
    N, T, V = x.shape
    scores = x.reshape(N * T, V)
    targets, counted = y.reshape(N * T), mask.reshape(N * T)
    shifted = scores - scores.max(axis=1, keepdims=True)  # for numerical stability
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(N * T)
    loss = -np.sum(counted * log_probs[rows, targets]) / N
    dx = np.exp(log_probs)
    dx[rows, targets] -= 1
    dx *= counted[:, None] / N
    if verbose:
        print("dx:", dx.shape)
    return loss, dx.reshape(N, T, V)
