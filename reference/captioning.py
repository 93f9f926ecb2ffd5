"""The captioning notebooks' solutions in numpy (source/a4_sequence_models/{rnn,lstm}_captioning.ipynb):
the recurrent layers, the word embedding and ``CaptioningRNN``, with cs231n's interfaces.

For the lesson tests (overfitting, BLEU on the tiny data), the bench and the
hidden checks. Shapes: N batch, T time steps, D input size, H hidden size,
W word-vector size, V vocabulary size.
"""
from __future__ import annotations

import numpy as np

from helpers.layers import temporal_affine_backward, temporal_affine_forward, temporal_softmax_loss

__all__ = ["sigmoid", "rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward",
           "word_embedding_forward", "word_embedding_backward", "lstm_step_forward", "lstm_step_backward",
           "lstm_forward", "lstm_backward", "CaptioningRNN"]


def sigmoid(x):
    """The logistic function, without overflow for large |x|."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


# ---------------------------------------------------------------- vanilla RNN
def rnn_step_forward(x, prev_h, Wx, Wh, b):
    """One step: next_h = tanh(x Wx + prev_h Wh + b). x (N, D), prev_h (N, H) -> next_h (N, H)."""
    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)
    return next_h, (x, prev_h, Wx, Wh, next_h)


def rnn_step_backward(dnext_h, cache):
    """-> dx (N, D), dprev_h (N, H), dWx (D, H), dWh (H, H), db (H,)."""
    x, prev_h, Wx, Wh, next_h = cache
    da = dnext_h * (1 - next_h ** 2)
    return da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    """The RNN over a sequence: x (N, T, D), h0 (N, H) -> h (N, T, H)."""
    N, T, _ = x.shape
    h = np.empty((N, T, h0.shape[1]), dtype=np.result_type(x, h0, Wx))
    caches, prev_h = [], h0
    for t in range(T):
        prev_h, cache = rnn_step_forward(x[:, t], prev_h, Wx, Wh, b)
        h[:, t] = prev_h
        caches.append(cache)
    return h, caches


def rnn_backward(dh, cache):
    """dh (N, T, H): upstream gradient of every hidden state -> dx, dh0, dWx, dWh, db.

    The loop over time carries only the gradient of the hidden state; the
    weights' gradients are summed over all steps at once, in one product each.
    """
    N, T, H = dh.shape
    _, _, Wx, Wh, _ = cache[0]
    da = np.empty_like(dh)  # gradient of each step's pre-activation
    dprev_h = np.zeros((N, H), dtype=dh.dtype)
    for t in reversed(range(T)):
        next_h = cache[t][4]
        da[:, t] = (dh[:, t] + dprev_h) * (1 - next_h ** 2)
        dprev_h = da[:, t] @ Wh.T
    x = np.stack([step[0] for step in cache], axis=1)  # (N, T, D)
    prev_h = np.stack([step[1] for step in cache], axis=1)  # (N, T, H)
    flat = da.reshape(N * T, H)
    dWx = x.reshape(N * T, -1).T @ flat
    dWh = prev_h.reshape(N * T, H).T @ flat
    return da @ Wx.T, dprev_h, dWx, dWh, flat.sum(axis=0)


# ---------------------------------------------------------------- word embedding
def word_embedding_forward(x, W):
    """Look up each word's vector: x (N, T) integers in [0, V), W (V, W) -> out (N, T, W)."""
    return W[x], (x, W.shape)


def word_embedding_backward(dout, cache):
    """dout (N, T, W) -> dW (V, W): each word's vector collects the gradients of its uses."""
    x, shape = cache
    dW = np.zeros(shape, dtype=dout.dtype)
    np.add.at(dW, x, dout)
    return dW


# ---------------------------------------------------------------- LSTM
def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    """One LSTM step, the gates stacked i, f, o, g in the 4H columns.

    x (N, D), prev_h and prev_c (N, H), Wx (D, 4H), Wh (H, 4H), b (4H,)
    -> next_h, next_c (N, H), cache.
    """
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 2 * H:3 * H])
    g = np.tanh(a[:, 3 * H:])
    next_c = f * prev_c + i * g
    tanh_c = np.tanh(next_c)
    next_h = o * tanh_c
    return next_h, next_c, (x, prev_h, prev_c, Wx, Wh, i, f, o, g, tanh_c)


def _lstm_gate_gradients(dnext_h, dnext_c, cache):
    """-> (da (N, 4H): the gradient of the gates' pre-activations, dprev_c (N, H))."""
    _, _, prev_c, _, _, i, f, o, g, tanh_c = cache
    dc = dnext_c + dnext_h * o * (1 - tanh_c ** 2)
    da = np.concatenate([dc * g * i * (1 - i), dc * prev_c * f * (1 - f),
                         dnext_h * tanh_c * o * (1 - o), dc * i * (1 - g ** 2)], axis=1)
    return da, dc * f


def lstm_step_backward(dnext_h, dnext_c, cache):
    """-> dx (N, D), dprev_h (N, H), dprev_c (N, H), dWx (D, 4H), dWh (H, 4H), db (4H,)."""
    x, prev_h, _, Wx, Wh = cache[:5]
    da, dprev_c = _lstm_gate_gradients(dnext_h, dnext_c, cache)
    return da @ Wx.T, da @ Wh.T, dprev_c, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def lstm_forward(x, h0, Wx, Wh, b):
    """The LSTM over a sequence, the cell state starting at zero: x (N, T, D), h0 (N, H) -> h (N, T, H)."""
    N, T, _ = x.shape
    h = np.empty((N, T, h0.shape[1]), dtype=np.result_type(x, h0, Wx))
    caches, prev_h, prev_c = [], h0, np.zeros_like(h0)
    for t in range(T):
        prev_h, prev_c, cache = lstm_step_forward(x[:, t], prev_h, prev_c, Wx, Wh, b)
        h[:, t] = prev_h
        caches.append(cache)
    return h, caches


def lstm_backward(dh, cache):
    """dh (N, T, H) -> dx (N, T, D), dh0 (N, H), dWx (D, 4H), dWh (H, 4H), db (4H,).

    As ``rnn_backward``: the loop carries the state's gradients, the weights'
    gradients are summed over time in one product each.
    """
    N, T, H = dh.shape
    Wx, Wh = cache[0][3], cache[0][4]
    da = np.empty((N, T, 4 * H), dtype=dh.dtype)
    dprev_h, dprev_c = np.zeros((N, H), dtype=dh.dtype), np.zeros((N, H), dtype=dh.dtype)
    for t in reversed(range(T)):
        da[:, t], dprev_c = _lstm_gate_gradients(dh[:, t] + dprev_h, dprev_c, cache[t])
        dprev_h = da[:, t] @ Wh.T
    x = np.stack([step[0] for step in cache], axis=1)  # (N, T, D)
    prev_h = np.stack([step[1] for step in cache], axis=1)  # (N, T, H)
    flat = da.reshape(N * T, 4 * H)
    dWx = x.reshape(N * T, -1).T @ flat
    dWh = prev_h.reshape(N * T, H).T @ flat
    return da @ Wx.T, dprev_h, dWx, dWh, flat.sum(axis=0)


_CELLS = {"rnn": (1, rnn_forward, rnn_backward, rnn_step_forward),
          "lstm": (4, lstm_forward, lstm_backward, lstm_step_forward)}


# ---------------------------------------------------------------- the model
class CaptioningRNN:
    """Image features -> h0 (an affine projection, no activation); words -> vectors -> RNN or
    LSTM -> scores over the vocabulary at every step.

    ``params``: W_proj (D, H), b_proj (H,), W_embed (V, W), Wx (W, H or 4H), Wh (H, H or 4H),
    b (H or 4H,), W_vocab (H, V), b_vocab (V,). The random draws follow cs231n's order, so
    that ``np.random.seed`` before the constructor gives cs231n's initial weights.
    """

    def __init__(self, word_to_idx, input_dim=512, wordvec_dim=128, hidden_dim=128, cell_type="rnn",
                 dtype=np.float32):
        if cell_type not in _CELLS:
            raise ValueError(f'cell_type must be "rnn" or "lstm", got {cell_type!r}')
        self.cell_type, self.dtype, self.word_to_idx = cell_type, dtype, word_to_idx
        self.idx_to_word = {i: w for w, i in word_to_idx.items()}
        self._null = word_to_idx["<NULL>"]
        self._start, self._end = word_to_idx.get("<START>"), word_to_idx.get("<END>")
        V, gates = len(word_to_idx), _CELLS[cell_type][0]
        randn = np.random.randn
        self.params = {"W_embed": randn(V, wordvec_dim) / 100,
                       "W_proj": randn(input_dim, hidden_dim) / np.sqrt(input_dim),
                       "b_proj": np.zeros(hidden_dim),
                       "Wx": randn(wordvec_dim, gates * hidden_dim) / np.sqrt(wordvec_dim),
                       "Wh": randn(hidden_dim, gates * hidden_dim) / np.sqrt(hidden_dim),
                       "b": np.zeros(gates * hidden_dim),
                       "W_vocab": randn(hidden_dim, V) / np.sqrt(hidden_dim),
                       "b_vocab": np.zeros(V)}
        self.params = {name: value.astype(dtype) for name, value in self.params.items()}

    def loss(self, features, captions):
        """Teacher forcing: read ``captions[:, :-1]``, predict ``captions[:, 1:]``, ``<NULL>`` not counted.

        features (N, D), captions (N, T) integers -> (loss, grads) with grads of params' shapes.
        """
        p = self.params
        _, forward, backward, _ = _CELLS[self.cell_type]
        words_in, words_out = captions[:, :-1], captions[:, 1:]
        h0 = features @ p["W_proj"] + p["b_proj"]
        vectors, embed_cache = word_embedding_forward(words_in, p["W_embed"])
        h, rnn_cache = forward(vectors, h0, p["Wx"], p["Wh"], p["b"])
        scores, vocab_cache = temporal_affine_forward(h, p["W_vocab"], p["b_vocab"])
        loss, dscores = temporal_softmax_loss(scores, words_out, words_out != self._null)

        grads = {}
        dh, grads["W_vocab"], grads["b_vocab"] = temporal_affine_backward(dscores, vocab_cache)
        dvectors, dh0, grads["Wx"], grads["Wh"], grads["b"] = backward(dh, rnn_cache)
        grads["W_embed"] = word_embedding_backward(dvectors, embed_cache)
        grads["W_proj"], grads["b_proj"] = features.T @ dh0, dh0.sum(axis=0)
        return loss, grads

    def sample(self, features, max_length=30):
        """Greedy captions (the most likely word at each step, fed back in), from ``<START>``.

        features (N, D) -> captions (N, max_length) int32; every caption runs the full
        length (``decode_captions`` cuts at ``<END>``).
        """
        p = self.params
        step = _CELLS[self.cell_type][3]
        N = features.shape[0]
        captions = np.full((N, max_length), self._null, dtype=np.int32)
        h = features @ p["W_proj"] + p["b_proj"]
        c = np.zeros_like(h)
        words = np.full(N, self._start, dtype=np.int32)
        for t in range(max_length):
            x = p["W_embed"][words]
            if self.cell_type == "lstm":
                h, c, _ = step(x, h, c, p["Wx"], p["Wh"], p["b"])
            else:
                h, _ = step(x, h, p["Wx"], p["Wh"], p["b"])
            words = np.argmax(h @ p["W_vocab"] + p["b_vocab"], axis=1).astype(np.int32)
            captions[:, t] = words
        return captions
