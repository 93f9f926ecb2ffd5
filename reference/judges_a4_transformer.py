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
from torch import nn

from helpers.datasets.cola import CLS, PAD, UNK, cola_rows, fresh_tiny_cola
from helpers.settings import data_mode
from reference.transformer import ClassificationTransformer, matthews, train_epoch

__all__ = ["MODEL", "model_case", "reference_model", "reference_attention", "MULTIHEAD_WEIGHTS",
           "attention_of_weights", "multihead_inputs", "spread", "padding_case", "train_case", "TRAIN_EPOCHS",
           "reference_training", "held_out", "trained_model", "matthews", "matthews_case"]

# Builds the student's model in their kernel from a case (positional arguments, as the statement
# gives them) and loads the case's weights, so the student's methods are judged on the grader's model.
MODEL = ("_m = ClassificationTransformer(word_to_ix, hidden_dim, 2, dim_feedforward, dim_k, dim_v, dim_q, max_length)\n"
         "_m.load_state_dict({k: torch.as_tensor(v) for k, v in state.items()})\n"
         "_m.eval()\n"
         "_x = torch.as_tensor(inputs, dtype=torch.long)\n")


def _sentences(rng: np.random.Generator, word_to_ix: dict, lengths, width: int) -> np.ndarray:
    """[CLS], ``lengths[i]`` random words (no special token), then [PAD] up to ``width``: (N, width) int64."""
    words = np.array([i for w, i in word_to_ix.items() if w not in (PAD, CLS, UNK)])
    inputs = np.full((len(lengths), width), word_to_ix[PAD], dtype=np.int64)
    for row, length in enumerate(lengths):
        inputs[row, 0] = word_to_ix[CLS]
        inputs[row, 1:1 + length] = rng.choice(words, size=length)
    return inputs


def model_case(rng: np.random.Generator, dim_head: int | None = None, shorter: bool | None = None) -> dict:
    """A small random model and a batch of padded sentences: the inputs MODEL needs, plus ``embeds``
    (N, T, H) random hidden states and ``pad_mask`` (N, T) for the layer checks.

    The vocabulary's order is shuffled (``[PAD]`` is not always 0), the sentences are often shorter
    than ``max_length`` (T <= max_length), and at least one is padded.
    ``dim_head``: every projection that size (hidden_dim = 2 * dim_head), as nn.MultiheadAttention needs.
    ``shorter``: sentences shorter than ``max_length`` (True), as long (False), or either (None).
    """
    words = [PAD, CLS, UNK] + [f"w{k}" for k in range(int(rng.integers(3, 12)))]
    word_to_ix = {w: int(i) for w, i in zip(words, rng.permutation(len(words)))}
    if dim_head:
        hidden, dim_k, dim_v = 2 * dim_head, dim_head, dim_head
    else:
        hidden, dim_k = 2 * int(rng.integers(2, 9)), int(rng.integers(2, 10))
        dim_v = dim_k + int(rng.integers(1, 6))
    dim_ff, max_length, N = int(rng.integers(4, 40)), int(rng.integers(5, 11)), int(rng.integers(2, 5))
    T = max_length - {True: int(rng.integers(1, 3)), False: 0, None: int(rng.integers(0, 3))}[shorter]  # the width
    size = {"hidden_dim": hidden, "dim_feedforward": dim_ff, "dim_k": dim_k, "dim_v": dim_v, "dim_q": dim_k,
            "max_length": max_length}
    model = ClassificationTransformer(word_to_ix, hidden, 2, dim_ff, dim_k, dim_v, dim_k, max_length,
                                      seed=int(rng.integers(1 << 30)))
    for parameter in model.parameters():  # beyond the initial values: LayerNorm's gain and bias too
        parameter.data.add_(torch.as_tensor(rng.normal(0, 0.3, parameter.shape), dtype=torch.float32))
    lengths = rng.integers(1, T - 1, size=N)  # words after [CLS]: padded rows
    lengths[0] = T - 1  # and one that fills its row
    inputs = _sentences(rng, word_to_ix, lengths, T)
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


MULTIHEAD_WEIGHTS = MODEL + "{k: v.detach() for k, v in to_multihead(_m).state_dict().items()}"


@torch.no_grad()
def attention_of_weights(case: dict, weights: dict) -> np.ndarray:
    """The grader's own nn.MultiheadAttention(H, 2) with the weights the student's module holds
    (MULTIHEAD_WEIGHTS), on the case's embeds and mask: (N, T, H). Weights it cannot hold raise an
    AssertionError that says so."""
    mha = nn.MultiheadAttention(case["hidden_dim"], 2, batch_first=True)
    try:
        mha.load_state_dict({k: torch.as_tensor(np.asarray(v, dtype=np.float32)) for k, v in weights.items()})
    except (AttributeError, TypeError, ValueError, RuntimeError) as error:
        raise AssertionError(f"to_multihead's module does not hold the weights of nn.MultiheadAttention(H, 2) "
                             f"({type(error).__name__})") from None
    x = torch.as_tensor(case["embeds"])
    return mha(x, x, x, key_padding_mask=torch.as_tensor(case["pad_mask"]), need_weights=False)[0].numpy()


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
    """A model case whose ``inputs`` are one sentence (1, max_length), [CLS], its words, then pads, and
    ``lengths``: the lengths it is cut to, from its own to max_length, so that it carries 0 to several pads."""
    case = model_case(rng)
    T = case["max_length"]
    length = int(rng.integers(1, T - 1))  # words after [CLS]
    inputs = _sentences(rng, case["word_to_ix"], [length], T)
    case.update(inputs=inputs, pad_mask=inputs == case["word_to_ix"][PAD], lengths=list(range(length + 1, T + 1)))
    return case


def train_case(rng: np.random.Generator) -> dict:
    """A model case with 6 sentences, their 0/1 ``labels`` and a learning rate ``lr`` for TRAIN_EPOCHS."""
    case = model_case(rng)
    T = case["max_length"]
    inputs = _sentences(rng, case["word_to_ix"], rng.integers(1, T, size=6), T)
    case.update(inputs=inputs, pad_mask=inputs == case["word_to_ix"][PAD], labels=rng.integers(0, 2, 6),
                lr=float(rng.uniform(0.05, 0.3)))
    return case


# train_epoch on the grader's model and sentences: one pass at learning rate 0 in two batches of 3
# (its loss is the mean over the 6 sentences, in any order), then two full-batch passes of SGD (the
# weights after them: one step a batch, the gradients zeroed in between)
# (the arguments by position, as the statement gives them: a student may name them otherwise)
TRAIN_EPOCHS = (MODEL + "_l0 = train_epoch(_m, torch.optim.SGD(_m.parameters(), lr=0.0), inputs, labels, 3)\n"
                "_opt = torch.optim.SGD(_m.parameters(), lr=lr)\n"
                "_l1 = train_epoch(_m, _opt, inputs, labels, 6)\n"
                "_l2 = train_epoch(_m, _opt, inputs, labels, 6)\n"
                "[float(_l0), float(_l1), float(_l2), {k: v.detach().cpu() for k, v in _m.state_dict().items()}]")


def reference_training(case: dict) -> tuple[list[float], dict]:
    """What TRAIN_EPOCHS gives with the reference's train_epoch: (three losses, the weights after)."""
    model = reference_model(case)
    inputs, labels = case["inputs"], case["labels"]
    losses = [train_epoch(model, torch.optim.SGD(model.parameters(), lr=0.0), inputs, labels, batch_size=3)]
    optimizer = torch.optim.SGD(model.parameters(), lr=case["lr"])
    losses += [train_epoch(model, optimizer, inputs, labels, batch_size=6) for _ in range(2)]
    return losses, {k: v.numpy() for k, v in model.state_dict().items()}


def held_out(word_to_ix: dict, max_length: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Sentences the notebook never shows, encoded with its vocabulary and length: ([CLS] + ids + pads
    (N, T) int64, labels (N,)); a sentence longer than T is cut. ``tiny``: 1,000 sentences of the
    grammar that no split holds, drawn now (``rng``), so that no kernel can have trained on them;
    ``full``: the real ``in_domain_dev``, which ``load_cola`` sets aside."""
    rows = fresh_tiny_cola(int(rng.integers(1 << 62)), 1_000) if data_mode() == "tiny" else cola_rows("in_domain_dev")
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
        sizes = {"hidden_dim": state["embedding_voc.weight"].shape[1],
                 "max_length": state["embedding_pos.weight"].shape[0],
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
