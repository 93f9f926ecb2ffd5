"""What the hidden checks of transformer_classification.ipynb (assignment 4) share: random models
and inputs drawn at grading time, the reference outputs, and the held-out sentences on which the
grader measures the student's trained classifier itself.

Runs in the grader's process (``course.judge``), never in the student's kernel. Each case has its
own sizes (dim_v differs from dim_k, so a scale by the wrong size shows), weights and seed.
Shapes: N batch, T tokens, H hidden size.
"""
from __future__ import annotations

import numpy as np
import torch

from helpers.datasets.cola import CLS, PAD, UNK, cola_rows
from reference.transformer import ClassificationTransformer, matthews

__all__ = ["MODEL", "model_case", "reference_model", "reference_attention", "multihead_inputs", "spread",
           "padding_case", "held_out", "trained_model", "matthews", "matthews_case"]

# Builds the student's model in their kernel from a case (positional arguments, as the statement
# gives them) and loads the case's weights, so the student's methods are judged on the grader's model.
MODEL = ("_m = ClassificationTransformer(word_to_ix, hidden_dim, 2, dim_feedforward, dim_k, dim_v, dim_q, max_length)\n"
         "_m.load_state_dict({k: torch.as_tensor(v) for k, v in state.items()})\n"
         "_m.eval()\n"
         "_x = torch.as_tensor(inputs, dtype=torch.long)\n")


def model_case(rng: np.random.Generator, dim_head: int | None = None) -> dict:
    """A small random model and a batch of padded sentences: the inputs MODEL needs, plus ``embeds``
    (N, T, H) random hidden states and ``pad_mask`` (N, T) for the layer checks.

    ``dim_head``: every projection that size (hidden_dim = 2 * dim_head), as nn.MultiheadAttention needs.
    """
    words = [PAD, CLS, UNK] + [f"w{k}" for k in range(int(rng.integers(3, 12)))]
    word_to_ix = {w: i for i, w in enumerate(words)}
    if dim_head:
        hidden, dim_k, dim_v = 2 * dim_head, dim_head, dim_head
    else:
        hidden, dim_k = 2 * int(rng.integers(2, 9)), int(rng.integers(2, 10))
        dim_v = dim_k + int(rng.integers(1, 6))
    dim_ff, T, N = int(rng.integers(4, 40)), int(rng.integers(3, 10)), int(rng.integers(1, 5))
    size = {"hidden_dim": hidden, "dim_feedforward": dim_ff, "dim_k": dim_k, "dim_v": dim_v, "dim_q": dim_k,
            "max_length": T}
    model = ClassificationTransformer(word_to_ix, size["hidden_dim"], 2, dim_ff, dim_k, dim_v, dim_k, T,
                                      seed=int(rng.integers(1 << 30)))
    for parameter in model.parameters():  # beyond the initial values: LayerNorm's gain and bias too
        parameter.data.add_(torch.as_tensor(rng.normal(0, 0.3, parameter.shape), dtype=torch.float32))
    lengths = rng.integers(1, T, size=N)  # words after [CLS]; the longest may fill the row
    lengths[0] = T - 1
    inputs = np.full((N, T), word_to_ix[PAD], dtype=np.int64)
    for row, length in enumerate(lengths):
        inputs[row, 0] = word_to_ix[CLS]
        inputs[row, 1:1 + length] = rng.integers(2, len(words), size=length)
    return {"word_to_ix": word_to_ix, **size, "inputs": inputs, "pad_mask": inputs == word_to_ix[PAD],
            "embeds": rng.normal(0, 1, (N, T, hidden)).astype(np.float32),
            "state": {k: v.numpy() for k, v in model.state_dict().items()}}


def reference_model(case: dict) -> ClassificationTransformer:
    """The reference model with the case's sizes and weights, in eval mode."""
    model = ClassificationTransformer(case["word_to_ix"], case["hidden_dim"], 2, case["dim_feedforward"],
                                      case["dim_k"], case["dim_v"], case["dim_q"], case["max_length"])
    model.load_state_dict({k: torch.as_tensor(v) for k, v in case["state"].items()})
    return model.eval()


@torch.no_grad()
def reference_attention(case: dict) -> np.ndarray:
    """The two heads concatenated and projected back to H, before add and norm: (N, T, H)."""
    model = reference_model(case)
    x = torch.as_tensor(case["embeds"])
    # multi_head_attention = norm_mh(x + attention): take the norm's input back out of the reference
    captured = {}
    hook = model.norm_mh.register_forward_pre_hook(lambda module, args: captured.setdefault("sum", args[0]))
    model.multi_head_attention(x, torch.as_tensor(case["pad_mask"]))
    hook.remove()
    return (captured["sum"] - x).numpy()


def multihead_inputs(case: dict) -> str:
    """The kernel code that asks the student's nn.MultiheadAttention (to_multihead) for its output."""
    return (MODEL + "_mha = to_multihead(_m)\n"
            "_e = torch.as_tensor(embeds)\n"
            "_mha(_e, _e, _e, key_padding_mask=torch.as_tensor(pad_mask), need_weights=False)[0]")


def spread(outputs) -> float:
    """The largest difference between the predictions of one sentence padded to different lengths."""
    outputs = np.asarray(outputs, dtype=float).reshape(len(outputs), -1)
    return float(np.max(outputs.max(axis=0) - outputs.min(axis=0)))


def padding_case(rng: np.random.Generator) -> dict:
    """A model case whose ``inputs`` are one sentence (1, T), [CLS], its words, then pads, and
    ``lengths``: the lengths it is cut to, from its own to T, so that it carries 0 to several pads."""
    case = model_case(rng)
    T = case["max_length"]
    length = int(rng.integers(1, T - 1))  # words after [CLS]
    inputs = np.full((1, T), case["word_to_ix"][PAD], dtype=np.int64)
    inputs[0, 0] = case["word_to_ix"][CLS]
    inputs[0, 1:1 + length] = rng.integers(2, len(case["word_to_ix"]), size=length)
    case.update(inputs=inputs, pad_mask=inputs == case["word_to_ix"][PAD], lengths=list(range(length + 1, T + 1)))
    return case


def held_out(word_to_ix: dict, max_length: int) -> tuple[np.ndarray, np.ndarray]:
    """The sentences ``load_cola`` sets aside (``in_domain_dev`` of the data mode), which the notebook
    never shows, encoded with the notebook's vocabulary and length: ([CLS] + ids + pads (N, T) int64,
    labels (N,)); a sentence longer than T is cut."""
    rows = cola_rows("in_domain_dev")
    unk = word_to_ix[UNK]
    inputs = np.full((len(rows), max_length), word_to_ix[PAD], dtype=np.int64)
    for i, row in enumerate(rows):
        ids = ([word_to_ix[CLS]] + [word_to_ix.get(w, unk) for w in row.sentence.split()])[:max_length]
        inputs[i, :len(ids)] = ids
    return inputs, np.array([row.label for row in rows], dtype=np.int64)


def trained_model(state: dict, word_to_ix: dict) -> ClassificationTransformer:
    """The reference model holding the student's trained weights (``state_dict()`` as numpy arrays),
    its sizes read from them: the grader then computes the predictions itself. A state that is not a
    ClassificationTransformer's raises an AssertionError that says so."""
    try:
        sizes = {"hidden_dim": state["embedding_voc.weight"].shape[1], "max_length": state["embedding_pos.weight"].shape[0],
                 "dim_feedforward": state["ff_transform1.weight"].shape[0], "dim_k": state["k1.weight"].shape[0],
                 "dim_v": state["v1.weight"].shape[0], "dim_q": state["q1.weight"].shape[0]}
        model = ClassificationTransformer(word_to_ix, num_heads=2, **{k: int(v) for k, v in sizes.items()})
        model.load_state_dict({k: torch.as_tensor(np.asarray(v)) for k, v in state.items()})
    except (KeyError, AttributeError, TypeError, IndexError, RuntimeError) as error:
        raise AssertionError(f"classifier's weights are not those of the notebook's ClassificationTransformer "
                             f"({type(error).__name__})") from None
    return model.eval()


def matthews_case(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Random 0/1 predictions and labels, of random length and balance."""
    n = int(rng.integers(5, 200))
    labels = (rng.random(n) < rng.uniform(0.2, 0.8)).astype(np.int64)
    flip = rng.random(n) < rng.uniform(0.05, 0.6)
    return np.where(flip, 1 - labels, labels), labels
