"""What the hidden checks of rnn_captioning.ipynb (assignment 4) share: random cases and references.

Runs in the grader's process (``course.judge``), never in the student's kernel;
``tests/test_lessons_a4_rnn.py`` uses the same pieces. Every case is drawn at
grading time from the generator the check passes (``np.random.default_rng()``):
random sizes, random values, scaled so that tanh is neither flat nor saturated
and a wrong formula cannot pass by luck. The references are ``reference.captioning``.
"""
from __future__ import annotations

import numpy as np

from reference import captioning as ref

__all__ = ["step_case", "sequence_case", "embedding_case", "upstream", "model_case", "reference_model",
           "MAKE_MODEL", "SPECIALS", "matches_through_end", "small_data", "bleu", "mean_bleu"]

SPECIALS = {"<NULL>": 0, "<START>": 1, "<END>": 2, "<UNK>": 3}

# builds the student's model in their kernel with the grader's sizes and parameters (inputs:
# word_to_idx, input_dim, wordvec_dim, hidden_dim, params)
# (by position: the statement's signature is cs231n's, and a student may rename its parameters)
MAKE_MODEL = ("_model = CaptioningRNN(word_to_idx, input_dim, wordvec_dim, hidden_dim, 'rnn', np.float64)\n"
              "for _name in params:\n"
              "    _model.params[_name] = params[_name].copy()\n")


def _weights(rng, rows, cols):
    return rng.standard_normal((rows, cols)) / np.sqrt(rows)


def step_case(rng) -> dict:
    """One RNN step's inputs: x (N, D), prev_h (N, H), Wx (D, H), Wh (H, H), b (H,), random sizes."""
    N, D, H = (int(n) for n in rng.integers(2, 9, size=3))
    return {"x": rng.standard_normal((N, D)), "prev_h": rng.uniform(-1, 1, (N, H)), "Wx": _weights(rng, D, H),
            "Wh": _weights(rng, H, H), "b": 0.5 * rng.standard_normal(H)}


def sequence_case(rng) -> dict:
    """A whole sequence: x (N, T, D), h0 (N, H), Wx (D, H), Wh (H, H), b (H,), random sizes."""
    N, D, H = (int(n) for n in rng.integers(2, 7, size=3))
    T = int(rng.integers(2, 9))
    return {"x": rng.standard_normal((N, T, D)), "h0": rng.uniform(-1, 1, (N, H)), "Wx": _weights(rng, D, H),
            "Wh": _weights(rng, H, H), "b": 0.5 * rng.standard_normal(H)}


def embedding_case(rng) -> dict:
    """Word indices x (N, T) in [0, V) with repeats, and a table W (V, D)."""
    N, T, D = (int(n) for n in rng.integers(2, 8, size=3))
    V = int(rng.integers(3, 12))
    return {"x": rng.integers(0, V, size=(N, T)), "W": rng.standard_normal((V, D))}


def upstream(rng, shape) -> np.ndarray:
    """A random upstream gradient of the given shape."""
    return rng.standard_normal(shape)


def model_case(rng, seed_vocabulary: bool = False) -> dict:
    """A small captioning problem: sizes, a vocabulary, random float64 parameters, features and
    captions (``<START>``, words, ``<END>``, ``<NULL>`` padding). ``seed_vocabulary``: the seed's
    {'<NULL>': 0, 'cat': 2, 'dog': 3}, with no ``<START>`` nor ``<END>``, and any indices below V.

    Returns the inputs of ``MAKE_MODEL`` plus ``features`` (N, D) and ``captions`` (N, T).
    """
    D, W, H = (int(n) for n in rng.integers(3, 9, size=3))
    N, T = int(rng.integers(2, 7)), int(rng.integers(4, 10))
    if seed_vocabulary:
        word_to_idx = {"<NULL>": 0, "cat": 2, "dog": 3}
        V = len(word_to_idx)
        captions = rng.integers(0, V, size=(N, T))
    else:
        V = int(rng.integers(6, 15))
        word_to_idx = dict(SPECIALS, **{f"word{i}": i for i in range(4, V)})
        captions = np.zeros((N, T), dtype=np.int64)
        for row in captions:
            length = int(rng.integers(1, T - 1))  # words between <START> and <END>
            row[0], row[1:length + 1], row[length + 1] = 1, rng.integers(3, V, size=length), 2
    params = {"W_embed": rng.standard_normal((V, W)), "W_proj": _weights(rng, D, H), "b_proj": 0.3 * rng.standard_normal(H),
              "Wx": _weights(rng, W, H), "Wh": _weights(rng, H, H), "b": 0.3 * rng.standard_normal(H),
              "W_vocab": _weights(rng, H, V), "b_vocab": 0.3 * rng.standard_normal(V)}
    return {"word_to_idx": word_to_idx, "input_dim": D, "wordvec_dim": W, "hidden_dim": H, "params": params,
            "features": rng.standard_normal((N, D)), "captions": captions}


def reference_model(word_to_idx, params, cell_type: str = "rnn") -> ref.CaptioningRNN:
    """The reference model holding the given parameters (their sizes read from the arrays)."""
    D, H = params["W_proj"].shape
    W = params["W_embed"].shape[1]
    state = np.random.get_state()  # the constructor draws from numpy's global generator: leave it as it was
    model = ref.CaptioningRNN(word_to_idx, input_dim=D, wordvec_dim=W, hidden_dim=H, cell_type=cell_type,
                              dtype=np.float64)
    np.random.set_state(state)
    model.params = {name: np.asarray(value, dtype=np.float64) for name, value in params.items()}
    return model


def matches_through_end(got, want, end: int) -> np.ndarray:
    """Per caption, whether ``got`` equals ``want`` up to and including ``want``'s first ``<END>``
    (what follows is free: a sampler may stop there and pad): (N,) bool."""
    got, want = np.asarray(got), np.asarray(want)
    same = []
    for g, w in zip(got, want):
        stop = int(np.argmax(w == end)) + 1 if (w == end).any() else len(w)
        same.append(bool(np.array_equal(g[:stop], w[:stop])))
    return np.array(same)


def small_data(max_train: int = 50) -> dict:
    """The notebook's overfitting sample: ``np.random.seed(231)``, then ``load_coco_data(max_train=...)``,
    numpy's global generator left as it was."""
    from helpers.data import load_coco_data

    state = np.random.get_state()
    np.random.seed(231)
    data = load_coco_data(max_train=max_train)
    np.random.set_state(state)
    return data


def bleu(reference: str, hypothesis: str) -> float:
    """The seed's protocol: unigram BLEU (nltk), ``<START>``, ``<END>`` and ``<UNK>`` left out."""
    from nltk.translate.bleu_score import sentence_bleu

    keep = lambda text: [w for w in text.split() if w not in ("<START>", "<END>", "<UNK>")]
    return float(sentence_bleu([keep(reference)], keep(hypothesis), weights=(1,)))


def mean_bleu(references, hypotheses) -> float:
    """Mean unigram BLEU of pairs of decoded captions."""
    return float(np.mean([bleu(r, h) for r, h in zip(references, hypotheses)]))
