"""What the hidden checks of assignment 1 recompute (source/a1_bow_sentiment/bow_sentiment.ipynb).

The hidden checks run in the grader's process, never in the student's kernel
(see ``course.judge``); each begins with ``from reference.judges_a1 import *``
and takes from here the data of the active data mode, the notebook's two
vocabularies, readers that turn the student's answers into numbers, and models
trained as the notebook asks. Nothing here talks to the kernel except through
the ``student`` a check passes in.

Trained references: twelve models per setting (seeds 0-11; five for the
long trainings), ``BagMLP``, the notebook's ``OneHotMLP`` computed from token
ids (``fc1`` of a one-hot vector is the sum of the weight columns of the
tokens present): the same function, initialisation and SGD steps, without the
(N, V) matrices, so that a sweep takes seconds. Training is noisy (at the
notebook's best learning rate one seed reaches 93% test accuracy and another
53%), so a student's value is accepted when it lies within the range of the
references widened on each side by that range and a little more
(``plausible``). Each setting is trained once a process, on one thread, and
shared by every notebook the process grades.

A window that wide would take a made-up number, so no trained number is
judged by it alone: each exercise that trains keeps its model under a name its
statement gives, the model's parameters come here as data, and the number the
student reports must be what that model gives on the test set, computed here
(``bags``, ``accuracy_of``, ``perplexity_of``); the window then judges the
model, and ``looks_trained`` / ``looks_untrained`` whether it was trained at
all. To give such numbers without the work, one would need a model that earns
them, which is the work.
"""
from __future__ import annotations

import math
import re
import threading
from collections import Counter
from contextlib import contextmanager
from functools import lru_cache

import numpy as np
import torch
from torch import nn

from helpers.data import load_imdb
from helpers.models import OneHotMLP
from helpers.settings import data_mode
from helpers.text import Vocab, whitespace

# the checks' one import gives them these, numpy and math included
__all__ = ["np", "math", "Counter", "Vocab", "whitespace", "VOCAB_WORDS", "LEARNING_RATES", "BATCH_SIZES",
           "number", "integer", "learning_rate", "weights", "batch", "plausible",
           "reviews", "vocab_words", "tokenize", "vocab", "one_hot", "check_tokenizer", "student_tokens",
           "student_test_logits", "bags", "logits_of", "accuracy_of", "perplexity_of", "perplexities_of", "mean_loss_of",
           "looks_trained", "looks_untrained", "moves_weights", "same_accuracy",
           "mlp_logits", "bce_with_logits", "log_softmax", "random_problem", "sgd_reference",
           "trained_accuracies", "initial_losses", "overfit_curves"]

VOCAB_WORDS = {"tiny": 2500, "full": 20000}  # the notebook's VOCAB_WORDS, by data mode
HIDDEN = 200  # OneHotMLP's hidden width
LEARNING_RATES = np.logspace(-4, -1, 7)  # the notebook's learning_rates
BATCH_SIZES = [1, 16, 128, 1024]  # the notebook's batch_sizes
SEEDS = 12  # reference models per setting, 5 where a training takes over 2,000 steps


_lock = threading.RLock()


@contextmanager
def _single_thread():
    """Our torch work one piece at a time, on one thread.

    These are small operations: on a machine whose cores are busy (the
    student's kernel, other notebooks graded beside it) torch's default of a
    thread per core made the references' training 20 times slower.
    """
    with _lock:
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            yield
        finally:
            torch.set_num_threads(threads)


# ---------------------------------------------------------------- reading answers
def number(value, what: str) -> float:
    """A single number (int, float, numpy scalar, one-element array or tensor) as a float."""
    assert not isinstance(value, (str, bytes, dict, type(None))), f"{what} should be a number"
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise AssertionError(f"{what} should be a number") from None
    assert array.size == 1, f"{what} should be a single number"
    return float(array.reshape(()))


def integer(value, what: str) -> int:
    """A whole number (int, numpy integer) as an int."""
    x = number(value, what)
    assert math.isfinite(x) and x == int(x), f"{what} should be a whole number"
    return int(x)


def learning_rate(student) -> float:
    """The student's ``best_lr``, which later exercises train at."""
    lr = number(student("best_lr"), "best_lr")
    assert math.isfinite(lr) and 0 < lr <= 10, "best_lr should be a learning rate"
    return lr


def weights(student, model: str) -> dict[str, np.ndarray]:
    """The parameters of the student's OneHotMLP called ``model``, as arrays."""
    w = student(f"{{str(k): v for k, v in {model}.state_dict().items()}}")
    assert isinstance(w, dict) and {"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"} <= set(w), \
        f"{model} should be a OneHotMLP"
    return w


def batch(student) -> tuple[np.ndarray, np.ndarray]:
    """The student's batch ``(inputs, targets)`` of IV.1."""
    x, y = student("inputs"), student("targets")
    assert isinstance(x, np.ndarray) and x.ndim == 2 and np.isin(x, (0, 1)).all(), \
        "inputs should be a batch of one-hot vectors"
    assert isinstance(y, np.ndarray) and y.shape == (len(x),) and np.isin(y, (0, 1)).all(), \
        "targets should hold the batch's labels, one per sample"
    return x, y


def plausible(value: float, references, slack: float = 0.03) -> bool:
    """Whether ``value`` lies in the references' range widened by that range plus ``slack``."""
    lo, hi = min(references), max(references)
    pad = slack + (hi - lo)
    return bool(lo - pad <= value <= hi + pad)


# ---------------------------------------------------------------- data
def reviews(split: str) -> tuple[tuple[int, str], ...]:
    """The split's ``(label, text)`` pairs in the active data mode (the notebook's loader)."""
    return _reviews(split, data_mode())


@lru_cache(maxsize=4)
def _reviews(split: str, mode: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(label), text) for label, text in load_imdb(split))


def vocab_words() -> int:
    return VOCAB_WORDS[data_mode()]


def tokenize(text: str) -> list[str]:
    """II.4a's tokenizer: lower case, ``<br />`` as a space, words and single punctuation marks."""
    return re.findall(r"[a-z0-9]+|[^\sa-z0-9]", text.lower().replace("<br />", " "))


_TOKENIZERS = {"whitespace": whitespace, "better": tokenize}


def vocab(kind: str) -> Vocab:
    """The notebook's vocabulary: ``"whitespace"`` (given_03) or ``"better"`` (II.4b, with ``tokenize``)."""
    return _vocab(kind, data_mode())


@lru_cache(maxsize=4)
def _vocab(kind: str, mode: str) -> Vocab:
    return Vocab.build((text for _, text in _reviews("train", mode)), _TOKENIZERS[kind],
                       max_size=VOCAB_WORDS[mode], specials=["<unk>"])


def one_hot(reviews_, vocab_: Vocab, tokenizer) -> np.ndarray:
    """(N, V) float32: row i has a 1 at the vocabulary index of every token of review i."""
    matrix = np.zeros((len(reviews_), len(vocab_)), dtype=np.float32)
    for row, (_, text) in enumerate(reviews_):
        matrix[row, vocab_.encode(tokenizer(text))] = 1.0
    return matrix


def check_tokenizer(text: str, tokens) -> None:
    """AssertionError unless ``tokens`` splits ``text`` as II.4a asks; any equivalent split passes."""
    assert isinstance(tokens, list) and all(isinstance(t, str) for t in tokens), \
        "tokenize should return a list of strings"
    assert all(t and t == t.lower() and not any(c.isspace() for c in t) for t in tokens), \
        "tokens should be lower-case, non-empty and hold no spaces"
    clean = text.lower().replace("<br />", " ")
    run = re.compile(r"[^\W_]+")  # letters and digits
    without_breaks = [run.findall(clean), run.findall(re.sub(r"<br\s*/?>", " ", text.lower()))]  # either way
    assert [w for t in tokens for w in run.findall(t)] in without_breaks, \
        "the words of a text (without its line breaks) should come out whole, in order"
    assert not any(len(t) > 1 and re.search(r"[.,!?;:\"()<>]", t) for t in tokens), \
        "each punctuation mark should be a token of its own, split from the words"
    assert set(re.findall(r"[.,!?]", clean)) <= set(tokens), "punctuation marks should be kept as tokens"


def student_tokens(student, texts: list[str], chunk: int = 1000) -> list[list[str]]:
    """The student's ``tokenize`` of each text, asked a chunk at a time."""
    tokens = []
    for start in range(0, len(texts), chunk):
        tokens += student("[[str(t) for t in tokenize(text)] for text in texts]", texts=texts[start:start + chunk])
    return tokens


class Bags:
    """A split as bags of token ids, one bag a review: what the model's ``fc1`` reads.

    Attributes:
        ids: (M,) int64, the distinct token ids of every review, one review after another.
        offsets: (N,) int64, where each review's ids start in ``ids``.
        labels: (N,) int64.
    """

    def __init__(self, ids: np.ndarray, lengths: np.ndarray, labels: np.ndarray):
        self.ids = torch.as_tensor(np.asarray(ids, dtype=np.int64))
        self.offsets = torch.as_tensor(np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64))
        self.labels = np.asarray(labels, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.labels)


def bags(split: str = "test", student=None) -> Bags:
    """The split's reviews as bags of ids under the notebook's whitespace ``vocab`` (computed
    here), or, given ``student``, under the student's ``better_vocab`` and ``tokenize``.

    The student's kernel only encodes the reviews: any tokenizer II.4a accepts
    gives its own ids, and the models trained on them read them so.
    """
    data = reviews(split)
    labels = np.array([label for label, _ in data])
    if student is None:
        ids, _ = _bags("whitespace", split)
        return Bags(torch.cat(ids).numpy(), np.array([len(i) for i in ids]), labels)
    flat, lengths = [], []
    for start in range(0, len(data), 2000):
        chunk = [text for _, text in data[start:start + 2000]]
        ids, n = student("import numpy\n"
                         "ids = [sorted(set(better_vocab.encode(tokenize(text)))) for text in texts]\n"
                         "(numpy.array([i for b in ids for i in b], dtype=numpy.int64),"
                         " numpy.array([len(b) for b in ids], dtype=numpy.int64))", texts=chunk)
        ids, n = np.asarray(ids, dtype=np.int64), np.asarray(n, dtype=np.int64)
        assert n.shape == (len(chunk),) and n.sum() == len(ids), \
            "better_vocab.encode(tokenize(text)) should give a list of indices for every review"
        flat.append(ids)
        lengths.append(n)
    return Bags(np.concatenate(flat), np.concatenate(lengths), labels)


def logits_of(w: dict, data: Bags) -> np.ndarray:
    """(N, n_outputs) float32: the logits of a OneHotMLP with parameters ``w`` on every review of ``data``."""
    w = {k: torch.as_tensor(np.asarray(v, dtype=np.float32)) for k, v in w.items()}
    ids = data.ids
    assert ids.numel() == 0 or (ids.min().item() >= 0 and ids.max().item() < w["fc1.weight"].shape[1]), \
        "the vocabulary's indices do not fit the model: train it on the notebook's data"
    with _single_thread():
        hidden = nn.functional.embedding_bag(ids, w["fc1.weight"].T.contiguous(), data.offsets, mode="sum")
        return (torch.relu(hidden + w["fc1.bias"]) @ w["fc2.weight"].T + w["fc2.bias"]).numpy()


def accuracy_of(w: dict, data: Bags) -> float:
    """The model's accuracy on ``data``: a positive logit means label 1; of two logits, the larger wins."""
    z = logits_of(w, data)
    predicted = (z[:, 0] > 0) if z.shape[1] == 1 else z.argmax(1)
    return float(np.mean(predicted == data.labels))


def mean_loss_of(w: dict, data: Bags) -> float:
    """A one-logit model's mean binary cross-entropy on ``data``."""
    return float(bce_with_logits(logits_of(w, data)[:, 0], data.labels).mean())


def perplexity_of(w: dict, data: Bags) -> float:
    """A one-logit model's perplexity on ``data``: e to its mean cross-entropy."""
    return math.exp(mean_loss_of(w, data))


def perplexities_of(w: dict, data: Bags) -> tuple[float, float]:
    """A one-logit model's perplexity on ``data``, exactly and as ``nn.BCELoss`` finds it.

    ``nn.BCELoss`` reads float32 probabilities: past a logit of about 17 the
    sigmoid rounds to 1, and the log of 1 - p to its floor of -100, so a very
    confident mistake costs 100 instead of its logit. An overfitted model makes
    a few such mistakes; a student who accumulates the loss with ``nn.BCELoss``
    (as V.1c does) computes the second number, and is right to.
    """
    z = logits_of(w, data)[:, 0]
    exact = math.exp(float(bce_with_logits(z, data.labels).mean()))
    with _single_thread():
        loss = nn.functional.binary_cross_entropy(torch.sigmoid(torch.as_tensor(z)),
                                                  torch.as_tensor(data.labels, dtype=torch.float32))
    return exact, math.exp(loss.item())


def same_accuracy(reported: float, measured: float, data: Bags) -> bool:
    """Whether a reported accuracy is the one measured here, give or take the few reviews whose
    logit sits at 0 within float rounding (another device, another order of sums)."""
    return abs(reported - measured) <= max(2e-3, 3 / len(data))


def _bound(w: dict, name: str) -> float:
    """``nn.Linear``'s initialisation bound of a layer's parameters: 1 / sqrt(fan_in)."""
    return 1 / math.sqrt(np.asarray(w[f"{name}.weight"]).shape[1])


def looks_untrained(w: dict) -> bool:
    """Whether every parameter lies within ``nn.Linear``'s initial range (what ``reset_weights`` draws)."""
    return all(np.abs(np.asarray(w[f"{layer}.{kind}"])).max() <= _bound(w, layer) * (1 + 1e-5)
               for layer in ("fc1", "fc2") for kind in ("weight", "bias"))


def looks_trained(w: dict) -> bool:
    """Whether training moved some parameter out of ``nn.Linear``'s initial range.

    Every parameter starts within it (up to float rounding, 1e-7), and its
    edges are crowded (500,000 draws), so any training worth the name pushes
    the largest of them past it: by 0.7% after 5 epochs at 1e-3, 2% after 10
    steps at 0.03, 13% after 5 epochs at 0.01, 400% at 0.1. Ask it only where
    ``moves_weights`` says the training asked for does that.
    """
    return any(np.abs(np.asarray(w[f"{layer}.{kind}"])).max() > _bound(w, layer) * 1.002
               for layer in ("fc1", "fc2") for kind in ("weight", "bias"))


def moves_weights(lr: float, epochs: int, batch_size: int = 128) -> bool:
    """Whether a training of ``epochs`` at ``lr`` (SGD, batches of ``batch_size`` of the training
    set) takes its model surely past ``looks_trained``: learning rate times steps of 0.3 or more."""
    return lr * epochs * -(-len(reviews("train")) // batch_size) >= 0.3


def student_test_logits(student, model: str) -> tuple[np.ndarray, np.ndarray]:
    """(logits (N, n_outputs), labels) of the student's model ``model`` on the whole test set,
    computed here from its parameters, on the test reviews as the student's kernel encodes them."""
    data = bags("test", student)
    return logits_of(weights(student, model), data), data.labels


# ---------------------------------------------------------------- the model's arithmetic
def mlp_logits(w: dict, x: np.ndarray) -> np.ndarray:
    """OneHotMLP's logits (B, n_outputs), float64, from its parameters as data."""
    w1, b1, w2, b2 = (np.asarray(w[k], dtype=np.float64) for k in ("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"))
    x = np.asarray(x, dtype=np.float64)
    assert x.ndim == 2 and x.shape[1] == w1.shape[1], "the batch's inputs do not fit the model"
    return np.maximum(x @ w1.T + b1, 0.0) @ w2.T + b2


def bce_with_logits(logits, labels) -> np.ndarray:
    """The binary cross-entropy of each sample, computed stably from its logit."""
    z, y = np.asarray(logits, dtype=np.float64), np.asarray(labels, dtype=np.float64)
    return np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))


def log_softmax(logits) -> np.ndarray:
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def random_problem(rng, n: int, vocab_size: int, n_outputs: int = 1, scale: float = 1.0):
    """(x (n, V) 0/1 float32, y (n,) int64, OneHotMLP parameters as float32 arrays): a small learnable task."""
    x = (rng.random((n, vocab_size)) < 0.3).astype(np.float32)
    y = (x @ rng.normal(size=vocab_size) > 0).astype(np.int64)
    w = {"fc1.weight": rng.uniform(-1, 1, (HIDDEN, vocab_size)) * scale / math.sqrt(vocab_size),
         "fc1.bias": rng.uniform(-1, 1, HIDDEN) * scale / math.sqrt(vocab_size),
         "fc2.weight": rng.uniform(-1, 1, (n_outputs, HIDDEN)) * scale / math.sqrt(HIDDEN),
         "fc2.bias": rng.uniform(-1, 1, n_outputs) * scale / math.sqrt(HIDDEN)}
    return x, y, {k: v.astype(np.float32) for k, v in w.items()}


def sgd_reference(w: dict, x, y, lr: float, epochs: int, batch_size: int, n_outputs: int = 1):
    """Train a OneHotMLP holding ``w`` by SGD over unshuffled batches, as the notebook's loops do.

    Returns (losses, weights): losses[0] is the mean loss before training, then
    for each epoch (running mean of its batches' losses, mean loss after it);
    weights are the trained parameters as arrays.
    """
    with _single_thread():
        return _sgd(w, x, y, lr, epochs, batch_size, n_outputs)


def _sgd(w, x, y, lr, epochs, batch_size, n_outputs):
    model = OneHotMLP(x.shape[1], n_outputs=n_outputs)
    model.load_state_dict({k: torch.as_tensor(v) for k, v in w.items()})
    x, y = torch.as_tensor(x), torch.as_tensor(y)
    if n_outputs == 1:
        criterion = lambda logits, labels: nn.functional.binary_cross_entropy_with_logits(  # noqa: E731
            logits.squeeze(1), labels.float())
    else:
        criterion = nn.functional.cross_entropy
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    with torch.no_grad():
        losses = [criterion(model(x), y).item()]
    for _ in range(epochs):
        total = 0.0
        for start in range(0, len(x), batch_size):
            loss = criterion(model(x[start:start + batch_size]), y[start:start + batch_size])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(y[start:start + batch_size])
        with torch.no_grad():
            losses.append((total / len(x), criterion(model(x), y).item()))
    return losses, {k: v.detach().numpy() for k, v in model.state_dict().items()}


# ---------------------------------------------------------------- trained references
class BagMLP(nn.Module):
    """``OneHotMLP(V, 200, n_outputs)`` on token ids: the same function, initialisation and gradients.

    Initialised as ``nn.Linear`` initialises (uniform in +-1/sqrt(fan_in)),
    from a generator of its own seeded with ``seed``.
    """

    def __init__(self, vocab_size: int, seed: int = 0):
        super().__init__()
        g = torch.Generator().manual_seed(seed)

        def uniform(*shape, fan_in):
            return (torch.rand(*shape, generator=g) * 2 - 1) / math.sqrt(fan_in)

        self.fc1 = nn.EmbeddingBag(vocab_size, HIDDEN, mode="sum", sparse=True)
        with torch.no_grad():
            self.fc1.weight.copy_(uniform(vocab_size, HIDDEN, fan_in=vocab_size))
        self.bias1 = nn.Parameter(uniform(HIDDEN, fan_in=vocab_size))
        self.fc2 = nn.Linear(HIDDEN, 1)
        with torch.no_grad():
            self.fc2.weight.copy_(uniform(1, HIDDEN, fan_in=HIDDEN))
            self.fc2.bias.copy_(uniform(1, fan_in=HIDDEN))

    def forward(self, ids: list[torch.Tensor]) -> torch.Tensor:
        offsets = torch.tensor([0] + [len(i) for i in ids[:-1]]).cumsum(0)
        return self.fc2(torch.relu(self.fc1(torch.cat(ids), offsets) + self.bias1))


def _bags(kind: str, split: str):
    """(the distinct token ids of every review, labels (N,) int64) under ``vocab(kind)``."""
    return _bags_of(kind, split, data_mode())


@lru_cache(maxsize=4)
def _bags_of(kind: str, split: str, mode: str):
    v, tokenizer = _vocab(kind, mode), _TOKENIZERS[kind]
    data = _reviews(split, mode)
    ids = [torch.tensor(sorted(set(v.encode(tokenizer(text)))), dtype=torch.long) for _, text in data]
    return ids, torch.tensor([label for label, _ in data])


def _fit(kind: str, lr: float, epochs: int, batch_size: int = 128, shuffle: bool = True, seed: int = 0,
         subset=None, on_epoch=None) -> BagMLP:
    """A fresh model trained as the notebook's ``train`` does: SGD on BCEWithLogitsLoss."""
    ids, labels = _bags(kind, "train")
    if subset is not None:
        ids, labels = [ids[i] for i in subset], labels[subset]
    g = torch.Generator().manual_seed(seed)
    model = BagMLP(len(vocab(kind)), seed=seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    criterion = nn.BCEWithLogitsLoss()
    for _ in range(epochs):
        order = torch.randperm(len(ids), generator=g) if shuffle else torch.arange(len(ids))
        for step in order.split(batch_size):
            loss = criterion(model([ids[i] for i in step]).squeeze(1), labels[step].float())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if on_epoch:
            on_epoch(model)
    return model


@torch.no_grad()
def _evaluate(model: BagMLP, kind: str, split: str = "test", subset=None) -> tuple[float, float]:
    """(accuracy, perplexity) of a one-logit model on a split (or the ``subset`` of its reviews)."""
    ids, labels = _bags(kind, split)
    if subset is not None:
        ids, labels = [ids[i] for i in subset], labels[subset]
    logits = torch.cat([model(ids[i:i + 1024]).squeeze(1) for i in range(0, len(ids), 1024)])
    loss = nn.functional.binary_cross_entropy_with_logits(logits, labels.float()).item()
    return ((logits > 0).long() == labels).float().mean().item(), math.exp(loss)


_cache: dict = {}


def _once(key, compute):
    """``compute()``, done once a process for ``key`` in the active data mode."""
    key = (data_mode(), *key)
    with _single_thread():
        if key not in _cache:
            _cache[key] = compute()
        return _cache[key]


def trained_accuracies(kind: str, lr: float, epochs: int, batch_size: int = 128, shuffle: bool = True) -> list[float]:
    """Test accuracies of fresh models trained as ``train(model, DataLoader(..., batch_size, shuffle), lr, epochs)``."""
    seeds = SEEDS if epochs * -(-len(reviews("train")) // batch_size) <= 2000 else 5
    return _once(("accuracy", kind, float(lr), epochs, batch_size, shuffle), lambda: [
        _evaluate(_fit(kind, float(lr), epochs, batch_size, shuffle, seed=s), kind)[0] for s in range(seeds)])


def initial_losses(kind: str = "better") -> list[float]:
    """Mean training loss of untrained models."""
    return _once(("initial", kind), lambda: [
        math.log(_evaluate(BagMLP(len(vocab(kind)), seed=s), kind, "train")[1]) for s in range(SEEDS)])


def overfit_curves() -> list[tuple[list[float], list[float]]]:
    """VI.4's (train perplexities, test perplexities) of each reference: a balanced 1,000 reviews,
    batches of 32, SGD at 0.5, 30 epochs."""
    def compute():
        labels = [label for label, _ in reviews("train")]
        curves = []
        for s in range(5):
            rng = np.random.default_rng(s)
            subset = [int(i) for label in (0, 1)
                      for i in rng.choice([i for i, l in enumerate(labels) if l == label], 500, replace=False)]
            train_ppl, test_ppl = [], []

            def record(model):
                train_ppl.append(_evaluate(model, "better", "train", subset)[1])
                test_ppl.append(_evaluate(model, "better")[1])
            _fit("better", 0.5, 30, batch_size=32, seed=s, subset=subset, on_epoch=record)
            curves.append((train_ppl, test_ppl))
        return curves
    return _once(("overfit",), compute)


# ---------------------------------------------------------------- IV.2a: the parameter table (appended with the exercise)
# The modules parameter_rows is tried on, built from sizes picked at grading time:
# the notebook's model, a layer without bias, and modules whose parameter names,
# order and shapes differ (an LSTM's four gates, a batch norm's buffers that are
# not parameters).
PARAMETER_MODULES = [
    "OneHotMLP(v, h, o)",
    "nn.Linear(v, o, bias=False)",
    "nn.Sequential(nn.Embedding(v, e), nn.LSTM(e, h, batch_first=True), nn.Linear(h, o))",
    "nn.Sequential(nn.Conv1d(e, h, k), nn.BatchNorm1d(h), nn.ReLU(), nn.Flatten(), nn.Linear(h, o))",
]


def parameter_sizes(rng) -> dict[str, int]:
    """Sizes for PARAMETER_MODULES: v inputs, h hidden units, o outputs, e embedding width, k kernel width."""
    return {"v": int(rng.integers(20, 3000)), "h": int(rng.integers(2, 300)), "o": int(rng.integers(1, 10)),
            "e": int(rng.integers(2, 50)), "k": int(rng.integers(1, 6))}


def parameter_rows_of(module: str, sizes: dict[str, int]) -> list:
    """[name, shape as a list of ints, count] of every parameter of ``module`` (one of
    PARAMETER_MODULES) built here from ``sizes``, in ``named_parameters()`` order."""
    with _single_thread():
        built = eval(module, {"nn": nn, "OneHotMLP": OneHotMLP}, dict(sizes))  # our own strings, never the student's
        return [[name, [int(d) for d in p.shape], int(p.numel())] for name, p in built.named_parameters()]


__all__ += ["PARAMETER_MODULES", "parameter_sizes", "parameter_rows_of"]
