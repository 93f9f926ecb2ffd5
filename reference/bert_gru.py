"""The BERT + GRU sentiment notebook's recipe (source/a3_transformers_sentiment/bert_gru_sentiment.ipynb):
its data, model, training on cached encoder features and evaluation. For its lessons, bench and
hidden checks; never imported by the student's kernel."""
from __future__ import annotations

import random

import torch
from torch import nn

from helpers.data import load_imdb
from helpers.pretrained import EncodedTexts, encode_texts
from helpers.settings import data_mode
from helpers.text import BucketBatchSampler

__all__ = ["SEED", "HIDDEN_DIM", "OUTPUT_DIM", "N_LAYERS", "BIDIRECTIONAL", "DROPOUT", "SPLIT_SIZES", "MAX_TOKENS",
           "BATCH_SIZES", "EPOCHS", "LRS", "SENTENCES", "imdb_splits", "tokenize_and_cut", "to_ids",
           "BERTGRUSentiment", "binary_accuracy", "run_epoch", "Sentiment"]

SEED = 1234
HIDDEN_DIM, OUTPUT_DIM, N_LAYERS, BIDIRECTIONAL, DROPOUT = 256, 1, 2, True, 0.25
# The notebook's settings per data mode: reviews taken from IMDB's train and test splits (None: all),
# tokens read of each review, batch size, epochs and Adam's learning rate. tiny reads 96 tokens of
# 2,000 + 1,000 reviews in batches of 32, 4 epochs at 3e-3: enough steps for the GRU on two CPU cores.
SPLIT_SIZES = {"tiny": (2000, 1000), "full": (None, None)}
MAX_TOKENS = {"tiny": 96, "full": 512}
BATCH_SIZES = {"tiny": 32, "full": 128}
EPOCHS = {"tiny": 4, "full": 2}
LRS = {"tiny": 3e-3, "full": 1e-3}
SENTENCES = ("Justice League is terrible. I hated it.", "Avengers was great!!")  # the seed's two


def imdb_splits(mode: str | None = None) -> tuple[list, list, list]:
    """(train, valid, test) lists of ``(label, text)``: IMDB's train split shuffled with SEED and cut 70/30."""
    mode = mode or data_mode()
    n_train, n_test = SPLIT_SIZES[mode]
    train, test = load_imdb("train"), load_imdb("test")
    random.Random(SEED).shuffle(train)
    random.Random(SEED + 1).shuffle(test)
    train, test = train[:n_train], test[:n_test]
    cut = round(0.7 * len(train))
    return train[:cut], train[cut:], test


def tokenize_and_cut(tokenizer, sentence: str, max_input_length: int = 512) -> list[str]:
    """The sentence's WordPiece tokens, cut to leave room for ``[CLS]`` and ``[SEP]``."""
    return tokenizer.tokenize(sentence)[:max_input_length - 2]


def to_ids(tokenizer, sentence: str, max_input_length: int = 512) -> list[int]:
    """``[CLS]``, the sentence's token ids (cut), ``[SEP]``."""
    tokens = tokenize_and_cut(tokenizer, sentence, max_input_length)
    return [tokenizer.cls_token_id, *tokenizer.convert_tokens_to_ids(tokens), tokenizer.sep_token_id]


class BERTGRUSentiment(nn.Module):
    """A frozen BERT's last hidden states, read by a (bidirectional) GRU, to one logit.

    Shapes: text (B, T) int64, mask (B, T) -> logits (B, output_dim);
    features (B, T, E) with zeros at padding -> logits (B, output_dim).
    """

    def __init__(self, bert, hidden_dim, output_dim, n_layers, bidirectional, dropout):
        super().__init__()
        self.bert = bert
        self.rnn = nn.GRU(bert.config.hidden_size, hidden_dim, num_layers=n_layers, bidirectional=bidirectional,
                          batch_first=True, dropout=0 if n_layers < 2 else dropout)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(hidden_dim * (2 if bidirectional else 1), output_dim)

    def features(self, text, mask=None):
        if mask is None:
            mask = text != self.bert.config.pad_token_id
        with torch.no_grad():
            states = self.bert(input_ids=text, attention_mask=mask.long()).last_hidden_state
        return states * mask[..., None]

    def classify(self, features):
        _, hidden = self.rnn(features)  # hidden: (n_layers * directions, B, hidden_dim)
        last = torch.cat((hidden[-2], hidden[-1]), dim=1) if self.rnn.bidirectional else hidden[-1]
        return self.out(self.dropout(last))

    def forward(self, text, mask=None):
        return self.classify(self.features(text, mask))


def binary_accuracy(logits, labels) -> float:
    """Fraction (0 to 1) of logits on the side of 0 that the labels (0. or 1.) give."""
    return ((logits > 0).float() == labels).float().mean().item()


def run_epoch(model, encoded: EncodedTexts, labels, optimizer=None, criterion=None, batch_size=128,
              seed=0, device=None, rounded=False) -> tuple[float, float]:
    """One epoch of the GRU on cached features: training with ``optimizer``, else evaluation.

    ``rounded``: the loss of the rounded predictions (the seed's evaluate), not of the logits.
    Returns the mean loss and accuracy over batches.
    """
    criterion = criterion or nn.BCEWithLogitsLoss()
    training = optimizer is not None
    model.train(training)
    sampler = BucketBatchSampler(encoded.lengths.tolist(), batch_size, shuffle=training, seed=seed)
    total_loss = total_acc = 0.0
    for batch in sampler:
        features, _ = encoded.batch(batch, device)
        y = labels[batch].to(features.device)
        with torch.set_grad_enabled(training):
            logits = model.classify(features).squeeze(1)
            loss = criterion(torch.round(torch.sigmoid(logits)) if rounded else logits, y)
        if training:
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        total_loss += loss.item()
        total_acc += binary_accuracy(logits, y)
    return total_loss / len(sampler), total_acc / len(sampler)


class Sentiment:
    """The notebook's whole run: splits, features once, EPOCHS of training kept at the best validation loss."""

    def __init__(self, tokenizer, bert, mode: str | None = None, device=None):
        mode = mode or data_mode()
        self.tokenizer, self.device = tokenizer, device or torch.device("cpu")
        self.max_tokens, self.batch_size, self.epochs, self.lr = MAX_TOKENS[mode], BATCH_SIZES[mode], EPOCHS[mode], LRS[mode]
        self.splits = dict(zip(("train", "valid", "test"), imdb_splits(mode)))
        self.labels = {name: torch.tensor([float(label) for label, _ in rows]) for name, rows in self.splits.items()}
        self.encoded = {name: encode_texts(bert, [to_ids(tokenizer, text, self.max_tokens) for _, text in rows],
                                     desc=name)
                        for name, rows in self.splits.items()}
        torch.manual_seed(SEED)
        self.model = BERTGRUSentiment(bert, HIDDEN_DIM, OUTPUT_DIM, N_LAYERS, BIDIRECTIONAL, DROPOUT).to(self.device)
        self.model.bert.requires_grad_(False)

    def train(self) -> list[dict]:
        optimizer = torch.optim.Adam((p for p in self.model.parameters() if p.requires_grad), lr=self.lr)
        history, best, best_state = [], float("inf"), None
        for epoch in range(self.epochs):
            train = run_epoch(self.model, self.encoded["train"], self.labels["train"], optimizer, batch_size=self.batch_size,
                              seed=epoch, device=self.device)
            valid = run_epoch(self.model, self.encoded["valid"], self.labels["valid"], batch_size=self.batch_size,
                              device=self.device)
            history.append({"train": train, "valid": valid})
            if valid[0] < best:
                best = valid[0]
                best_state = {k: v.clone() for k, v in self.model.state_dict().items() if not k.startswith("bert.")}
        self.model.load_state_dict(best_state, strict=False)
        return history

    def evaluate(self, split: str = "test", rounded: bool = False) -> tuple[float, float]:
        return run_epoch(self.model, self.encoded[split], self.labels[split], batch_size=self.batch_size,
                         device=self.device, rounded=rounded)

    @torch.no_grad()
    def predict(self, sentence: str) -> float:
        self.model.eval()
        ids = torch.tensor([to_ids(self.tokenizer, sentence, self.max_tokens)], device=self.device)
        return torch.sigmoid(self.model(ids)).item()
