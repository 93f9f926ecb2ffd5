"""What the hidden checks of assignment 4's ``lstm_captioning.ipynb`` share: cases drawn at grading
time, the references they are compared with, and the figures the grader computes itself (the
overfit model's loss, BLEU-1 on validation examples it picks) from what the student's kernel answers.

Shapes: N batch, T time steps, D input size, H hidden size, W word-vector size, V vocabulary size.
"""
from __future__ import annotations

import numpy as np

from reference.captioning import (CaptioningRNN, lstm_backward, lstm_forward, lstm_step_backward, lstm_step_forward,
                                  word_embedding_backward, word_embedding_forward)

__all__ = ["MODEL", "step_case", "sequence_case", "embedding_case", "model_case", "reference_model", "same_captions", "bleu", "mean_bleu",
           "coco", "val_examples", "captions_of_images", "lstm_step_forward", "lstm_step_backward", "lstm_forward",
           "lstm_backward", "word_embedding_forward", "word_embedding_backward", "CaptioningRNN"]

SPECIAL = ("<NULL>", "<START>", "<END>", "<UNK>")
# The student's code that builds an LSTM model from model_case's inputs, its parameters set to the case's:
# prefix it to the expression a hidden check asks the kernel for (the model is `_m`).
# The arguments go by position, as the statement gives them: a student may name them otherwise.
MODEL = ("_m = CaptioningRNN(word_to_idx, input_dim, wordvec_dim, hidden_dim, 'lstm', np.float64)\n"
         "_m.params.update({k: np.array(v, dtype=np.float64) for k, v in params.items()})\n")


def step_case(rng: np.random.Generator) -> dict:
    """One LSTM step's inputs and upstream gradients, random shapes and scales (float64)."""
    N, D, H = (int(v) for v in rng.integers(1, 7, size=3))
    scale = float(rng.uniform(0.3, 1.5))
    return {"x": rng.normal(0, scale, (N, D)), "prev_h": rng.normal(0, 1, (N, H)), "prev_c": rng.normal(0, 1, (N, H)),
            "Wx": rng.normal(0, scale, (D, 4 * H)), "Wh": rng.normal(0, scale, (H, 4 * H)),
            "b": rng.normal(0, 1, 4 * H), "dnext_h": rng.normal(0, 1, (N, H)), "dnext_c": rng.normal(0, 1, (N, H))}


def sequence_case(rng: np.random.Generator) -> dict:
    """An LSTM sequence's inputs and upstream gradient dh (N, T, H), random shapes (float64)."""
    N, D, H = (int(v) for v in rng.integers(1, 6, size=3))
    T = int(rng.integers(1, 9))
    scale = float(rng.uniform(0.3, 1.2))
    return {"x": rng.normal(0, 1, (N, T, D)), "h0": rng.normal(0, 1, (N, H)),
            "Wx": rng.normal(0, scale, (D, 4 * H)), "Wh": rng.normal(0, scale, (H, 4 * H)),
            "b": rng.normal(0, 1, 4 * H), "dh": rng.normal(0, 1, (N, T, H))}


def embedding_case(rng: np.random.Generator) -> dict:
    """Word indices x (N, T) (repeats likely), a table W (V, W) and an upstream gradient dout (N, T, W)."""
    V, W, N, T = int(rng.integers(2, 9)), int(rng.integers(1, 6)), int(rng.integers(1, 6)), int(rng.integers(1, 8))
    return {"x": rng.integers(0, V, (N, T)), "W": rng.normal(0, 1, (V, W)), "dout": rng.normal(0, 1, (N, T, W))}


def model_case(rng: np.random.Generator) -> dict:
    """A small LSTM captioning model's settings, random parameters (float64), features and captions.

    The vocabulary has the four special tokens and a few words; each caption starts with <START>, ends
    with <END> and is padded with <NULL>, so the mask matters.
    """
    words = list(SPECIAL) + [f"w{k}" for k in range(int(rng.integers(2, 9)))]
    word_to_idx = {w: i for i, w in enumerate(words)}
    V, D, W, H = len(words), int(rng.integers(2, 8)), int(rng.integers(2, 7)), int(rng.integers(2, 7))
    N, T = int(rng.integers(1, 6)), int(rng.integers(3, 9))
    shapes = {"W_proj": (D, H), "b_proj": (H,), "W_embed": (V, W), "Wx": (W, 4 * H), "Wh": (H, 4 * H),
              "b": (4 * H,), "W_vocab": (H, V), "b_vocab": (V,)}
    params = {name: rng.normal(0, 0.5, shape) for name, shape in shapes.items()}
    captions = np.zeros((N, T), dtype=np.int64)
    for row in range(N):
        length = int(rng.integers(0, T - 1))  # words between <START> and <END>
        captions[row, 0] = 1
        captions[row, 1:1 + length] = rng.integers(3, V, length)
        captions[row, 1 + length] = 2
    return {"word_to_idx": word_to_idx, "input_dim": D, "wordvec_dim": W, "hidden_dim": H, "params": params,
            "features": rng.normal(0, 1, (N, D)), "captions": captions, "max_length": int(rng.integers(1, 12))}


def reference_model(case: dict) -> CaptioningRNN:
    """The reference CaptioningRNN (LSTM, float64) holding the case's parameters."""
    model = CaptioningRNN(case["word_to_idx"], input_dim=case["input_dim"], wordvec_dim=case["wordvec_dim"],
                          hidden_dim=case["hidden_dim"], cell_type="lstm", dtype=np.float64)
    model.params = {name: np.array(value, dtype=np.float64) for name, value in case["params"].items()}
    return model


def same_captions(got, want, end: int) -> bool:
    """Whether sampled captions (N, max_length) are want's, each compared up to its first <END>
    (included): what comes after it, padding or more words, is the student's choice."""
    got, want = np.asarray(got), np.asarray(want)
    if got.shape != want.shape or got.dtype.kind not in "iu":
        return False
    for row_got, row_want in zip(got, want):
        stop = np.flatnonzero(row_want == end)
        cut = int(stop[0]) + 1 if len(stop) else len(row_want)
        if not np.array_equal(row_got[:cut], row_want[:cut]):
            return False
    return True


# ---------------------------------------------------------------- BLEU, as the seed measures it
def _words(caption: str) -> list[str]:
    return [w for w in caption.split(" ") if w not in ("<START>", "<END>", "<UNK>", "<NULL>", "")]


def bleu(reference: str, hypothesis: str) -> float:
    """Unigram BLEU (nltk's sentence_bleu, weights (1,)) of one caption against one reference."""
    from nltk.translate.bleu_score import sentence_bleu

    return float(sentence_bleu([_words(reference)], _words(hypothesis), weights=(1,)))


def mean_bleu(references: list[str], hypotheses: list[str]) -> float:
    """The mean unigram BLEU over pairs of captions."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(np.mean([bleu(r, h) for r, h in zip(references, hypotheses)]))


# ---------------------------------------------------------------- the data, on the grader's side
_DATA: dict = {}


def coco() -> dict:
    """The captioning data in the grader's data mode, loaded once."""
    if not _DATA:
        from helpers.datasets.coco_captions import load_coco_data

        _DATA.update(load_coco_data())
    return _DATA


def val_examples(rng: np.random.Generator, n: int = 1000) -> tuple[np.ndarray, list[str]]:
    """n validation captions drawn at random (with replacement): (their images' features (n, D), the
    captions as text, <START> and <END> kept as decode_captions gives them)."""
    from helpers.datasets.coco_captions import decode_captions

    data = coco()
    picks = rng.choice(len(data["val_captions"]), n)
    features = data["val_features"][data["val_image_idxs"][picks]]
    return features, decode_captions(data["val_captions"][picks], data["idx_to_word"])


def captions_of_images(captions, image_idxs) -> str | None:
    """Whether training captions (N, 17) and their image indices (N,) come from the grader's training
    data; None if they do, else what is wrong."""
    data = coco()
    captions, image_idxs = np.asarray(captions), np.asarray(image_idxs).reshape(-1)
    if captions.ndim != 2 or captions.shape[1] != data["train_captions"].shape[1] or len(captions) != len(image_idxs):
        return "small_data's train_captions should be (N, 17) with one train_image_idxs entry a caption"
    if image_idxs.min(initial=0) < 0 or image_idxs.max(initial=0) >= len(data["train_features"]):
        return "small_data's train_image_idxs name images that are not in the training data"
    known = {}
    for caption, image in zip(data["train_captions"], data["train_image_idxs"]):
        known.setdefault(int(image), set()).add(caption.tobytes())
    want = data["train_captions"].dtype
    for caption, image in zip(captions, image_idxs):
        if caption.astype(want).tobytes() not in known.get(int(image), ()):
            return "small_data's captions are not the training data's captions of their images"
    return None
