"""What the hidden checks of word2vec.ipynb share: trusted reference data and random cases.

Runs in the grader's process (``course.judge``), never in the student's kernel.
Each hidden region imports what it needs from here.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
from nltk.stem.snowball import SnowballStemmer

from helpers.cache import download
from helpers.datasets.tweets import TWEETS_SHA256, TWEETS_URL, read_tweets, tiny_tweets
from helpers.settings import data_mode
from helpers.text import stop_words
from reference.word2vec import LOSS_TARGET  # the last epoch's loss to end below, per data mode

__all__ = ["BATCH_SIZE", "EPOCHS", "LOSS_TARGET", "split_tokens", "scalar", "reference", "messy_texts",
           "other_stop_words", "windows", "random_docs", "layers_case", "LAYERS_PROBE", "loss_case", "LOSS_PROBE",
           "MODEL_LOG_PROBS", "neighbours_case", "NEIGHBOURS_PROBE"]

MIN_COUNT, WINDOW, BATCH_SIZE, EPOCHS = 10, 3, 4096, 10  # the notebook's (reference/word2vec.py's)


STOP_WORDS, _stem = stop_words("en", source="nltk"), SnowballStemmer("english").stem


def split_tokens(tweet: str, stop=STOP_WORDS) -> list[str]:
    """The notebook's five steps: lower case, only a-z@# and spaces, split on spaces, no stop words, stems."""
    return [_stem(w) for w in re.split(r" +", re.sub(r"[^a-z@# ]", "", tweet.lower())) if w and w not in stop]


def scalar(value):
    """A number from the kernel as a Python number: it comes as one, or as a numpy array of one element."""
    return np.asarray(value).item()


@dataclass(frozen=True)
class Reference:
    tweets: list[str]           # the texts of the tweets, in order
    counts: dict[str, int]      # token -> count, the tokens seen more than MIN_COUNT times
    vocab: list[str]            # the kept tokens, in order of first appearance
    tokens: list[list[str]]     # each tweet's vocabulary tokens
    targets: np.ndarray         # (n pairs,) int64, the windows' pairs in order
    contexts: np.ndarray        # (n pairs,) int64


def reference(student=None) -> Reference:
    """The notebook's data, tokens, vocabulary and pairs, computed here for the data mode it is
    graded in (the grader's: never the kernel's word for it)."""
    return _reference(data_mode())


@lru_cache(maxsize=None)
def _reference(mode: str) -> Reference:
    rows = tiny_tweets("train") if mode == "tiny" else read_tweets(download(TWEETS_URL, TWEETS_SHA256))
    tweets = [text for _, text in rows]
    docs = [split_tokens(text) for text in tweets]
    counts = {t: n for t, n in Counter(t for doc in docs for t in doc).items() if n > MIN_COUNT}
    vocab = list(counts)
    ids = {t: i for i, t in enumerate(vocab)}
    tokens = [[t for t in doc if t in ids] for doc in docs]
    pairs = np.array([pair for doc in tokens for pair in windows(doc, ids, WINDOW)], dtype=np.int64).reshape(-1, 2)
    return Reference(tweets, counts, vocab, tokens, pairs[:, 0].copy(), pairs[:, 1].copy())


def windows(doc: list[str], ids: dict[str, int], wsize: int = WINDOW) -> list[tuple[int, int]]:
    """The (target id, context id) pairs of one token list, targets and contexts left to right."""
    return [(ids[doc[i]], ids[doc[j]]) for i in range(len(doc))
            for j in range(max(0, i - wsize), min(len(doc), i + wsize + 1)) if j != i]


# ---------------------------------------------------------------- W.1: texts to clean
_ODD = ["&amp;", "@user", "#FathersDay", "#love", "2016", "!!!", "...", ":)", "ð\x9f\x98\x81", "â\x9d¤ï¸\x8f",
        "don't", "U.S.A.", "e-mail", "café", "naïve", "CAFÉ", "x2", "@", "#", "___", "-", "\t", "\n"]
_GAPS = [" "] * 8 + ["  ", "   ", "\t", "\n", " \r\n", " - "]  # what separates words: not always spaces alone


def messy_texts(tweets: list[str], rng: np.random.Generator, n_real: int = 300, n_made: int = 200) -> list[str]:
    """Tweets of the data set at random, and texts made of their words, stop words and oddities."""
    real = [tweets[i] for i in rng.choice(len(tweets), size=min(n_real, len(tweets)), replace=False)]
    words = [w for text in real for w in text.split()] + sorted(STOP_WORDS) + _ODD * 5
    styles = [str, str, str.upper, str.capitalize, lambda w: w.swapcase()]
    made = []
    for _ in range(n_made):
        picked = [styles[rng.integers(len(styles))](words[rng.integers(len(words))])
                  for _ in range(rng.integers(0, 16))]
        gaps = [_GAPS[rng.integers(len(_GAPS))] for _ in picked]
        made.append("".join(g + w for g, w in zip(gaps, picked)) + " " * int(rng.integers(0, 2)))
    return real + made + ["", "   ", "!!!"]


def other_stop_words(tweets: list[str], rng: np.random.Generator) -> list[str]:
    """Another stop-word list: some of NLTK's words and some of the tweets' own frequent words, at random."""
    words = Counter(w for text in tweets[:2000] for w in re.split(r" +", re.sub(r"[^a-z@# ]", "", text.lower()))
                    if w and w not in STOP_WORDS)
    frequent = [w for w, _ in words.most_common(60)]
    nltk = sorted(STOP_WORDS)
    return ([nltk[i] for i in rng.choice(len(nltk), size=30, replace=False)]
            + [frequent[i] for i in rng.choice(len(frequent), size=30, replace=False)])


# ---------------------------------------------------------------- W.4: token lists to windowize
def random_docs(vocab: list[str], rng: np.random.Generator, n_docs: int = 40):
    """(token lists with repeats, empty and one-word lists among them; a token -> id dict of other ids)."""
    pool = [vocab[i] for i in rng.choice(len(vocab), size=min(12, len(vocab)), replace=False)]
    ids = {t: int(i) for t, i in zip(pool, rng.permutation(len(pool)) + rng.integers(0, 1000))}
    docs = [[pool[j] for j in rng.integers(0, len(pool), size=rng.integers(0, 14))] for _ in range(n_docs)]
    return docs + [[], [pool[0]]], ids


# ---------------------------------------------------------------- W.7: one-hot products and look-ups
def layers_case(rng: np.random.Generator):
    """(inputs for LAYERS_PROBE: a vocabulary size and random weights [size, dim]; the weights, float64)."""
    size, dim = int(rng.integers(3, 40)), int(rng.integers(1, 9))
    weights = rng.normal(size=(size, dim)).astype(np.float32)
    return {"size": size, "weights": weights}, weights.astype(np.float64)


# A bias-free linear layer and an embedding holding the same weights (the linear layer's
# transposed), built in the kernel; linear_outputs and embedding_outputs of each.
LAYERS_PROBE = """
import torch
with torch.random.fork_rng(devices=[]):  # the notebook's random numbers stay as they were
    lin = torch.nn.Linear(size, weights.shape[1], bias=False)
    emb = torch.nn.Embedding(size, weights.shape[1])
with torch.no_grad():
    lin.weight.copy_(torch.as_tensor(weights).T)
    emb.weight.copy_(torch.as_tensor(weights))
[linear_outputs(lin, size), embedding_outputs(emb, size)]
"""


# ---------------------------------------------------------------- W.8, W.9: losses of a random model
def loss_case(rng: np.random.Generator):
    """(inputs for LOSS_PROBE: a random Word2Vec's weights and a batch; the reference loss and gradients)."""
    V, D, B = int(rng.integers(40, 90)), int(rng.integers(4, 12)), int(rng.integers(150, 400))
    E = rng.normal(size=(V, D)).astype(np.float32)
    W = rng.normal(size=(V, D)).astype(np.float32)
    words = rng.choice(V, size=V // 3, replace=False)  # the batch's contexts: fewer distinct words than pairs
    contexts = words[rng.integers(0, len(words), size=B)].astype(np.int64)
    targets = rng.integers(0, V, size=B).astype(np.int64)
    e, w = torch.tensor(E, dtype=torch.float64, requires_grad=True), torch.tensor(W, dtype=torch.float64, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(e[torch.as_tensor(contexts)] @ w.T, torch.as_tensor(targets))
    loss.backward()
    want = {"loss": loss.item(), "grad_embed": e.grad.numpy(), "grad_expand": w.grad.numpy(),
            "distinct": len(np.unique(contexts))}
    return {"E": E, "W": W, "t": targets, "c": contexts}, want


# Runs the loss function {fn} in the kernel on loss_case's model and batch; answers
# [loss, embed's gradient, expand's gradient, [[layer, rows it computed], ...]].
LOSS_PROBE = """
import torch
from helpers.models import Word2Vec
with torch.random.fork_rng(devices=[]):  # the notebook's random numbers stay as they were
    m = Word2Vec(*E.shape)
with torch.no_grad():
    m.embed.weight.copy_(torch.as_tensor(E))
    m.expand.weight.copy_(torch.as_tensor(W))
calls = []
hooks = [layer.register_forward_hook(lambda mod, i, o, name=name: calls.append([name, o.numel() // o.shape[-1]]))
         for name, layer in (("embed", m.embed), ("expand", m.expand))]
loss = {fn}(m, torch.as_tensor(t), torch.as_tensor(c))
for h in hooks:
    h.remove()
loss.backward()
[loss, m.embed.weight.grad, m.expand.weight.grad, calls]
"""

# W.10: the log-probability that the trained `model` gives each target t from its context c.
MODEL_LOG_PROBS = """
import torch
where = next(model.parameters()).device
t, c = torch.as_tensor(t, device=where), torch.as_tensor(c, device=where)
with torch.no_grad():
    out = torch.cat([torch.log_softmax(model(c[i:i + 8192]).float(), 1).gather(1, t[i:i + 8192, None])[:, 0]
                     for i in range(0, len(c), 8192)])
out
"""


# ---------------------------------------------------------------- W.11: neighbours in random vectors
def neighbours_case(vocab: list[str], rng: np.random.Generator):
    """(inputs for NEIGHBOURS_PROBE: random word vectors, words and k's; the float64 distance matrix)."""
    vecs = rng.normal(size=(len(vocab), 16)).astype(np.float32)
    words = [vocab[i] for i in rng.choice(len(vocab), size=min(6, len(vocab)), replace=False)]
    ks = [int(k) for k in rng.integers(1, min(20, len(vocab) - 1) + 1, size=len(words))]
    unit = vecs.astype(np.float64) / np.linalg.norm(vecs.astype(np.float64), axis=1, keepdims=True)
    return {"vecs": vecs, "words": words, "ks": ks}, 1 - unit @ unit.T


# The cosine distances of the vectors, as the notebook's distance_matrix makes them; get_k_similar_words of
# each word with its k, then of the first word with the default k.
NEIGHBOURS_PROBE = """
import torch
unit = torch.nn.functional.normalize(torch.as_tensor(vecs), dim=1)
d = 1 - unit @ unit.T
[get_k_similar_words(w, d, k) for w, k in zip(words, ks)] + [get_k_similar_words(words[0], d)]
"""
