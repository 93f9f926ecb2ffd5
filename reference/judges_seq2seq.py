"""Helpers of the Seq2Seq notebook's hidden checks (source/a2_embeddings_seq2seq/seq2seq.ipynb).

The hidden checks run in the grader's process (``course.judge``) and read the
student's work as data through ``student(code, **inputs)``. These helpers are
the longer trusted pieces they share: the notebook's data and settings in its data
mode, asking the kernel without disturbing its random generators, the
student's parameters loaded into the reference modules of
``reference.seq2seq``, replaying a Seq2Seq forward pass, a stand-in model for
``train``, greedy translation and the notebook's evaluation loss.

A hidden region runs only when its cell's visible checks passed, so each
region imports what it uses from here; the slow parts (data, vocabularies) are
computed once per data mode.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

from helpers.cache import cache_dir, download
from helpers.datasets.multi30k import (MULTI30K_CHECKSUMS, MULTI30K_FILES, MULTI30K_URL, read_multi30k,
                                       tiny_multi30k)
from helpers.settings import data_mode
from helpers.text import (EOS, PAD, SEQ2SEQ_SPECIALS, SOS, BucketBatchSampler, Vocab, collate_pairs,
                          encode_sentence, spacy_tokenizer)
from reference.seq2seq import Seq2Seq

__all__ = ["ask", "notebook_mode", "multi30k", "Notebook", "notebook", "fetch_state", "adopt", "trained",
           "forcing_choices", "TOY", "Toy", "translations", "mean_loss"]


def ask(student, code: str, **inputs):
    """``student(code, **inputs)``, leaving the kernel's random generators (torch's, Python's) as they were.

    The checks build modules and run them in the kernel; the student's later
    cells (training) then draw the same numbers as in the student's own runs.
    """
    saved = student("__import__('torch').get_rng_state(), __import__('random').getstate()")
    try:
        return student(code, **inputs)
    finally:
        student("__import__('torch').set_rng_state(__import__('torch').as_tensor(t))\n"
                "__import__('random').setstate((p[0], tuple(p[1]), p[2]))", t=saved[0], p=saved[1])


def notebook_mode(student=None) -> str:
    """The data mode the notebook is graded in: the grader's, never the kernel's word for it."""
    return data_mode()


def multi30k(split: str, mode: str) -> list[tuple[str, str]]:
    """``helpers.data.load_multi30k(split)`` in data mode ``mode``, whatever this process's own mode."""
    if mode == "tiny":
        return list(tiny_multi30k(split))
    root = cache_dir() / "multi30k"
    for lang in ("de", "en"):
        filename = f"{MULTI30K_FILES[split]}.{lang}.gz"
        download(MULTI30K_URL + filename, MULTI30K_CHECKSUMS[filename], root=root)
    return read_multi30k(root, split)


@dataclass(frozen=True)
class Notebook:
    """The notebook's data and settings in one data mode, as its given cells and a right solution make them."""
    mode: str
    pairs: dict  # split -> [(german, english)]
    de: object  # tokenize_de
    en: object  # tokenize_en
    src_vocab: Vocab
    trg_vocab: Vocab
    emb_dim: int  # ENC_EMB_DIM = DEC_EMB_DIM
    hid_dim: int
    n_layers: int
    batch_size: int
    n_epochs: int
    loss_bars: tuple  # (train, validation)
    bleu_bar: float


@lru_cache(maxsize=None)
def _notebook(mode: str) -> Notebook:
    pairs = {split: multi30k(split, mode) for split in ("train", "valid", "test")}
    de, en = spacy_tokenizer("de", reverse=True), spacy_tokenizer("en")
    src_vocab = Vocab.build((g for g, _ in pairs["train"]), de, min_freq=2, specials=SEQ2SEQ_SPECIALS)
    trg_vocab = Vocab.build((e for _, e in pairs["train"]), en, min_freq=2, specials=SEQ2SEQ_SPECIALS)
    if mode == "full":
        return Notebook(mode, pairs, de, en, src_vocab, trg_vocab, 256, 512, 2, 128, 6, (4.0, 4.5), 0.08)
    return Notebook(mode, pairs, de, en, src_vocab, trg_vocab, 64, 128, 2, 64, 25, (0.8, 1.2), 0.2)


def notebook(student) -> Notebook:
    """The ``Notebook`` of the data mode the student's notebook is graded in."""
    return _notebook(notebook_mode(student))


def fetch_state(student, expression: str, part: int = 4_000_000) -> dict:
    """The state_dict that ``expression`` gives in the kernel, as numpy arrays.

    Fetched ``part`` numbers at a time, so that a large model's answers stay
    under the size limit of one answer.
    """
    sizes = student(f"{{k: v.numel() for k, v in ({expression}).items()}}")
    groups, group, n = [], [], 0
    for key, size in sizes.items():
        if group and n + size > part:
            groups.append(group)
            group, n = [], 0
        group.append(key)
        n += size
    groups.append(group)
    state = {}
    for keys in groups:
        state.update(student(f"_state = {expression}\n{{k: _state[k] for k in keys}}", keys=keys))
    return state


def adopt(module: nn.Module, state: dict) -> nn.Module:
    """Our ``module`` (a reference Encoder, Decoder or Seq2Seq) with the student's parameters ``state``.

    Only the names the statement gives are read: ``encoder``, ``decoder`` and
    ``fc_out``. An LSTM's tensors are found by the names torch gives them
    (``weight_ih_l0``, ...), whatever the LSTM is called; the one tensor left
    is the embedding.
    """
    state = dict(state)
    if hasattr(module, "encoder"):
        assert all(k.startswith(("encoder.", "decoder.")) for k in state), \
            "Seq2Seq should hold parameters only in its encoder and decoder"
        for part in ("encoder", "decoder"):
            adopt(getattr(module, part), {k[len(part) + 1:]: v for k, v in state.items() if k.startswith(part + ".")})
        return module
    what = f"the {type(module).__name__}'s parameters should be those of one nn.Embedding, one nn.LSTM" + (
        " and fc_out" if hasattr(module, "fc_out") else "")
    ours, theirs = module.state_dict(), {}
    for key in ours:
        if key.startswith("rnn."):
            found = [k for k in state if k.rsplit(".", 1)[-1] == key[len("rnn."):]]
        elif key.startswith("fc_out."):
            found = [k for k in state if k == key]
        else:
            continue
        assert len(found) == 1, what
        theirs[key] = state.pop(found[0])
    assert len(state) == 1, what
    theirs["embedding.weight"] = state.popitem()[1]
    assert all(np.shape(theirs[k]) == tuple(v.shape) for k, v in ours.items()), \
        f"the {type(module).__name__}'s layers do not have the sizes they should (vocabulary, embedding, " \
        "hidden, layers)"
    module.load_state_dict({k: torch.as_tensor(np.asarray(v, dtype=np.float32)) for k, v in theirs.items()})
    return module.eval()


def trained(student, nb: Notebook, expression: str) -> Seq2Seq:
    """Our Seq2Seq of the notebook's sizes, holding the state_dict that ``expression`` gives in the kernel."""
    model = Seq2Seq(len(nb.src_vocab), len(nb.trg_vocab), nb.emb_dim, nb.hid_dim, nb.n_layers, 0.0)
    return adopt(model, fetch_state(student, expression))


def forcing_choices(model: nn.Module, src, trg, outputs, atol: float = 1e-5) -> list[bool] | None:
    """Replay a Seq2Seq forward pass; which decoder inputs were teacher-forced.

    ``outputs`` is what the student's Seq2Seq gave for ``src``, ``trg``;
    ``model`` is ours with its parameters. Step by step, the decoder's input
    must be ``trg[t]`` (True) or the previous scores' argmax (False) for the
    whole batch: whichever reproduces the next scores. Steps where both are
    the same token are left out. None when ``outputs[0]`` is not zeros or no
    input reproduces a step.
    """
    src, trg, outputs = torch.as_tensor(src), torch.as_tensor(trg), torch.as_tensor(outputs, dtype=torch.float32)
    if outputs.shape != (*trg.shape, model.decoder.output_dim) or outputs[0].abs().sum() != 0:
        return None
    choices, options = [], [(None, trg[0])]
    with torch.no_grad():
        state = model.encoder(src)
        for t in range(1, len(trg)):
            for kind, token in options:
                scores, next_state = model.decoder(token, state)
                if torch.allclose(scores, outputs[t], atol=atol, rtol=1e-4):
                    break
            else:
                return None
            if kind is not None:
                choices.append(kind)
            state, guess = next_state, scores.argmax(1)
            options = [(None, guess)] if torch.equal(guess, trg[t]) else [(True, trg[t]), (False, guess)]
    return choices


class Toy(torch.nn.Module):
    """A stand-in for Seq2Seq when ``train`` is checked: deterministic (no coin, no dropout), small.

    Its source (``TOY``) defines the same class in the kernel; it uses no name but ``torch``.
    """

    def __init__(self, src_size, trg_size, dim):
        super().__init__()
        self.src, self.trg = torch.nn.EmbeddingBag(src_size, dim), torch.nn.Embedding(trg_size, dim)
        self.out, self.ratios = torch.nn.Linear(dim, trg_size), []

    def forward(self, src, trg, teacher_forcing_ratio=0.5):
        self.ratios.append(teacher_forcing_ratio)
        return self.out(torch.tanh(self.trg(trg) + self.src(src.T)))  # [trg len, batch size, trg size]


TOY = inspect.getsource(Toy)


def translations(model: nn.Module, nb: Notebook, sentences: list[str], max_len: int = 50) -> list[list[str]]:
    """The notebook's greedy translation of each German sentence by our ``model``.

    Sentences of one length are decoded together (no padding, so each is
    encoded as on its own), each until its ``<eos>`` or ``max_len`` tokens.
    """
    encoded = [encode_sentence(nb.de(sentence), nb.src_vocab) for sentence in sentences]
    out = [None] * len(encoded)
    by_length = {}
    for i, ids in enumerate(encoded):
        by_length.setdefault(len(ids), []).append(i)
    eos = nb.trg_vocab[EOS]
    with torch.no_grad():
        for group in by_length.values():
            src = torch.tensor([encoded[i] for i in group]).T  # [src len, batch size]
            state, token = model.encoder(src), torch.full((len(group),), nb.trg_vocab[SOS])
            words, done = [[] for _ in group], torch.zeros(len(group), dtype=torch.bool)
            for _ in range(max_len):
                scores, state = model.decoder(token, state)
                token = scores.argmax(1)
                done |= token == eos
                if done.all():
                    break
                for k in torch.nonzero(~done).flatten().tolist():
                    words[k].append(nb.trg_vocab.itos[token[k]])
            for i, w in zip(group, words):
                out[i] = w
    return out


def mean_loss(model: nn.Module, nb: Notebook, pairs, teacher_forcing_ratio: float = 0.0) -> float:
    """The notebook's ``evaluate``: the mean batch cross entropy of our ``model`` on ``pairs``.

    Batches as the notebook's ``make_loader(..., shuffle=False)`` makes them;
    no teacher forcing unless ``teacher_forcing_ratio`` is 1.
    """
    data = [(encode_sentence(nb.de(g), nb.src_vocab), encode_sentence(nb.en(e), nb.trg_vocab)) for g, e in pairs]
    sampler = BucketBatchSampler([len(s) for s, _ in data], nb.batch_size, shuffle=False)
    loader = DataLoader(data, batch_sampler=sampler, collate_fn=collate_pairs(nb.src_vocab[PAD], nb.trg_vocab[PAD]))
    criterion = nn.CrossEntropyLoss(ignore_index=nb.trg_vocab[PAD])
    losses = []
    model.eval()
    with torch.no_grad():
        for src, trg in loader:
            output = model(src, trg, teacher_forcing_ratio)
            losses.append(criterion(output[1:].reshape(-1, output.shape[-1]), trg[1:].reshape(-1)).item())
    return sum(losses) / len(losses)
