"""What the hidden checks of bert_gru_sentiment.ipynb share: the encoder, references and random cases.

Runs in the grader's process (``course.judge``), never in the student's kernel.
Each hidden region imports what it needs from here.
"""
from __future__ import annotations

import math
import random
from functools import lru_cache

import numpy as np
import torch
from torch import nn

from helpers.data import load_imdb
from helpers.pretrained import load_bert
from helpers.settings import data_mode

__all__ = ["tokenizer", "encoder", "other_sentences", "reference_ids", "split_counts", "GRU_PROBE", "gru_case",
           "head_parameters", "reference_logits", "FEATURES_PROBE", "features_case", "reference_features",
           "accuracy_case", "EPOCH_PROBE", "epoch_case", "reference_epoch", "TEST_PROBE", "test_case",
           "counts_cases", "reference_rounded_loss", "PREDICT_PROBE", "review_sentences", "accuracy"]

SEED = 1234                                        # the notebook's
from reference.bert_gru import MAX_TOKENS, SPLIT_SIZES  # the notebook's settings per data mode
_WORDS = ("the film was wonderful awful plot acting I loved hated it dull brilliant ending cast not at all "
          "gripping boring moving score scenes Kafen Belcalmu unbelievable!! ... ? 1979 9/10 café <br />").split()


@lru_cache(maxsize=None)
def _encoder(mode: str):
    return load_bert(mode, verbose=False)


def tokenizer():
    """The data mode's tokenizer (the grader's own copy)."""
    return _encoder(data_mode())[0]


def encoder():
    """The data mode's frozen encoder (the grader's own copy)."""
    return _encoder(data_mode())[1]


# ---------------------------------------------------------------- B.1 to B.3: ids
def other_sentences(rng, n=6) -> list[tuple[str, int]]:
    """(text, max_input_length) pairs: random texts, some longer than their cut."""
    cases = []
    for _ in range(n):
        words = rng.choice(_WORDS, size=int(rng.integers(1, 60)))
        cases.append((" ".join(words), int(rng.integers(4, 40))))
    return cases


def reference_ids(sentence: str, cut: int) -> list[int]:
    tok = tokenizer()
    return [tok.cls_token_id, *tok.convert_tokens_to_ids(tok.tokenize(sentence)[:cut - 2]), tok.sep_token_id]


# ---------------------------------------------------------------- B.4: the split
def _train_rows(mode: str) -> list:
    rows = load_imdb("train")
    random.Random(SEED).shuffle(rows)
    return rows[:SPLIT_SIZES[mode][0]]


def split_counts() -> tuple[int, int]:
    """(70% of the train rows, the number of positive train rows)."""
    rows = _train_rows(data_mode())
    return round(0.7 * len(rows)), sum(label for label, _ in rows)


# ---------------------------------------------------------------- B.6: the model
GRU_PROBE = """import torch
with torch.random.fork_rng(devices=[]):
    torch.manual_seed(seed)
    probe_model = BERTGRUSentiment(bert, hidden, 1, layers, bidirectional, 0.25)
probe_model.eval()
with torch.no_grad():
    probe_logits = probe_model.classify(torch.tensor(features, dtype=torch.float32))
(count_parameters(probe_model), probe_logits,
 {name: value for name, value in probe_model.state_dict().items() if not name.startswith("bert.")})"""


def _width() -> int:
    return encoder().config.hidden_size


def gru_case(rng, hidden: int, layers: int, bidirectional: bool) -> dict:
    return {"seed": int(rng.integers(1 << 30)), "hidden": hidden, "layers": layers, "bidirectional": bidirectional,
            "features": rng.normal(size=(3, int(rng.integers(2, 9)), _width())).astype(np.float32)}


def head_parameters(hidden: int, layers: int, bidirectional: bool) -> int:
    """Parameters of the GRU (``layers`` layers over the encoder's width) and the linear layer to one logit."""
    directions = 2 if bidirectional else 1
    count, width = 0, _width()
    for _ in range(layers):
        count += directions * 3 * hidden * (width + hidden + 2)
        width = directions * hidden
    return count + width + 1


def reference_logits(weights: dict, inputs: dict) -> np.ndarray:
    """The GRU and linear layer with the student's weights, on the case's features: (B, 1)."""
    rnn = nn.GRU(_width(), inputs["hidden"], num_layers=inputs["layers"], bidirectional=inputs["bidirectional"],
                 batch_first=True)
    out = nn.Linear(inputs["hidden"] * (2 if inputs["bidirectional"] else 1), 1)
    rnn.load_state_dict({k.split(".", 1)[1]: torch.as_tensor(v) for k, v in weights.items() if k.startswith("rnn.")})
    out.load_state_dict({k.split(".", 1)[1]: torch.as_tensor(v) for k, v in weights.items() if k.startswith("out.")})
    with torch.no_grad():
        _, hidden = rnn(torch.as_tensor(inputs["features"]))
        last = torch.cat((hidden[-2], hidden[-1]), 1) if inputs["bidirectional"] else hidden[-1]
        return out(last).numpy()


FEATURES_PROBE = """import torch
model.features(torch.tensor(text, device=device), torch.tensor(mask, device=device))"""


def features_case(rng) -> dict:
    lengths = rng.integers(3, 12, size=3)
    text = np.zeros((3, int(lengths.max())), dtype=np.int64)
    for row, n in enumerate(lengths):
        text[row, :n] = [101, *rng.integers(1000, 29000, size=n - 2), 102]
    return {"text": text, "mask": text != 0}


def reference_features(inputs: dict) -> np.ndarray:
    mask = torch.as_tensor(inputs["mask"])
    with torch.no_grad():
        states = encoder()(input_ids=torch.as_tensor(inputs["text"]), attention_mask=mask.long()).last_hidden_state
    return (states * mask[..., None]).numpy()


# ---------------------------------------------------------------- B.7, B.8: accuracy and epochs
def accuracy_case(rng) -> tuple[np.ndarray, np.ndarray, float]:
    n = int(rng.integers(1, 50))
    logits = rng.normal(size=n).astype(np.float32)
    logits[rng.random(n) < 0.2] = 0.0  # a logit of exactly 0 predicts 0
    y = rng.integers(0, 2, size=n).astype(np.float32)
    return logits, y, float(np.mean((logits > 0) == (y == 1)))


EPOCH_PROBE = """import torch
probe = torch.nn.Linear(weight.shape[1], 1)
with torch.no_grad():
    probe.weight.copy_(torch.tensor(weight))
    probe.bias.fill_(bias)
batches = [(torch.tensor(x), torch.tensor(y)) for x, y in zip(xs, ys)]
criterion = torch.nn.BCEWithLogitsLoss()
on_eval = evaluate(probe, batches, criterion, {rounded})
on_train = train(probe, batches, torch.optim.SGD(probe.parameters(), lr=lr), criterion)
(on_eval, on_train, probe.weight.detach())"""


def epoch_case(rng) -> dict:
    d, n_batches = int(rng.integers(2, 6)), int(rng.integers(2, 5))
    sizes = rng.integers(1, 9, size=n_batches)
    return {"weight": rng.normal(size=(1, d)).astype(np.float32), "bias": float(rng.normal()),
            "xs": [rng.normal(size=(int(b), d)).astype(np.float32) for b in sizes],
            "ys": [rng.integers(0, 2, size=int(b)).astype(np.float32) for b in sizes],
            "lr": float(rng.uniform(0.05, 0.5))}


def reference_epoch(inputs: dict, rounded: bool):
    """(evaluate's (loss, acc), train's (loss, acc), the weight after train) on the case."""
    probe = nn.Linear(inputs["weight"].shape[1], 1)
    with torch.no_grad():
        probe.weight.copy_(torch.as_tensor(inputs["weight"]))
        probe.bias.fill_(inputs["bias"])
    batches = [(torch.as_tensor(x), torch.as_tensor(y)) for x, y in zip(inputs["xs"], inputs["ys"])]
    criterion = nn.BCEWithLogitsLoss()

    def accuracy(logits, y):
        return ((logits > 0).float() == y).float().mean().item()

    with torch.no_grad():
        scored = [(probe(x).squeeze(1), y) for x, y in batches]
        on_eval = (np.mean([criterion(torch.round(torch.sigmoid(l)) if rounded else l, y).item() for l, y in scored]),
                   np.mean([accuracy(l, y) for l, y in scored]))
    optimizer = torch.optim.SGD(probe.parameters(), lr=inputs["lr"])
    losses, accuracies = [], []
    for x, y in batches:
        logits = probe(x).squeeze(1)
        loss = criterion(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        accuracies.append(accuracy(logits, y))
    return np.array(on_eval), np.array([np.mean(losses), np.mean(accuracies)]), probe.weight.detach().numpy()


# ---------------------------------------------------------------- B.9: the model kept
TEST_PROBE = """import torch
model.eval()
with torch.no_grad():
    scores = [model(torch.tensor(batch, device=device)).squeeze(1) for batch in batches]
(scores, test_acc)"""


def test_case(rng, n: int = 256, batch: int = 32) -> tuple[dict, np.ndarray]:
    """A random sample of the test reviews as padded id batches (sent to the kernel), and their labels (kept)."""
    mode = data_mode()
    rows = load_imdb("test")
    random.Random(SEED + 1).shuffle(rows)
    rows = rows[:SPLIT_SIZES[mode][1]]
    picked = rng.choice(len(rows), size=min(n, len(rows)), replace=False)
    ids = [reference_ids(rows[i][1], MAX_TOKENS[mode]) for i in picked]
    batches = []
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        padded = np.zeros((len(chunk), max(map(len, chunk))), dtype=np.int64)
        for row, sequence in enumerate(chunk):
            padded[row, :len(sequence)] = sequence
        batches.append(padded)
    return {"batches": batches}, np.array([rows[i][0] for i in picked], dtype=np.float32)


def accuracy(scores: list, labels: np.ndarray) -> float:
    """The fraction of the kernel's logits on their label's side of 0."""
    logits = np.concatenate([np.asarray(s, dtype=np.float64).reshape(-1) for s in scores])
    return float(np.mean((logits > 0) == (labels == 1))) if len(logits) == len(labels) else -1.0


# ---------------------------------------------------------------- B.10: the rounded loss
def counts_cases(rng, n: int = 6) -> list[list[int]]:
    """Random (tp, fn, tn, fp), never all zero."""
    return [[int(c) for c in rng.integers(0, 500, size=4)] + [] for _ in range(n)] + [[0, 0, 0, 7], [3, 0, 0, 0]]


def reference_rounded_loss(tp, fn, tn, fp) -> float:
    right, middle, wrong = math.log1p(math.exp(-1)), math.log(2), math.log1p(math.e)
    return (tp * right + (fn + tn) * middle + fp * wrong) / (tp + fn + tn + fp)


# ---------------------------------------------------------------- B.11: predictions
PREDICT_PROBE = """import torch
model.eval()
with torch.no_grad():
    direct = [torch.sigmoid(model(torch.tensor([sequence], device=device))).item() for sequence in sentence_ids]
([predict_sentiment(model, tokenizer, sentence) for sentence in sentences], direct)"""


def review_sentences(rng, n: int = 4) -> dict:
    sentences = [" ".join(rng.choice(_WORDS, size=int(rng.integers(3, 20)))) for _ in range(n)]
    return {"sentences": sentences, "sentence_ids": [reference_ids(s, MAX_TOKENS[data_mode()]) for s in sentences]}
