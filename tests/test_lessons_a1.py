"""The lessons of assignment 1 must show in the tiny data (design: "Lessons")."""
import math

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from helpers import seed_everything
from helpers.data import load_imdb
from helpers.models import OneHotMLP
from helpers.text import Vocab, basic_english, whitespace

VOCAB_WORDS = 2500  # the notebook's tiny-mode vocabulary size


def one_hot_dataset(reviews, vocab, tokenizer):
    x = torch.zeros(len(reviews), len(vocab))
    for row, (_, text) in enumerate(reviews):
        x[row, list(set(vocab.encode(tokenizer(text))))] = 1.0
    return TensorDataset(x, torch.tensor([label for label, _ in reviews]))


class Setup:
    """Vocabularies and datasets of both tokenizers, built once for the module."""

    def __init__(self):
        self.train, self.test = load_imdb("train"), load_imdb("test")
        self.vocab, self.data = {}, {}
        for tokenizer in (whitespace, basic_english):
            vocab = Vocab.build((t for _, t in self.train), tokenizer, max_size=VOCAB_WORDS)
            self.vocab[tokenizer] = vocab
            self.data[tokenizer] = (one_hot_dataset(self.train, vocab, tokenizer),
                                    one_hot_dataset(self.test, vocab, tokenizer))

    def unknown(self, tokenizer):
        vocab = self.vocab[tokenizer]
        return sum(1 for _, t in self.train for token in tokenizer(t) if token not in vocab)


@pytest.fixture(scope="module")
def setup():
    return Setup()


def train(train_data, lr, epochs=5, shuffle=True, batch_size=128, seed=0):
    seed_everything(seed)
    model = OneHotMLP(train_data.tensors[0].shape[1])
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    criterion = nn.BCEWithLogitsLoss()
    for _ in range(epochs):
        for x, y in DataLoader(train_data, batch_size=batch_size, shuffle=shuffle):
            loss = criterion(model(x).squeeze(1), y.float())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return model


@torch.no_grad()
def accuracy_and_perplexity(model, data):
    x, y = data.tensors
    logits = model(x).squeeze(1)
    loss = nn.functional.binary_cross_entropy_with_logits(logits, y.float())
    return ((logits > 0).long() == y).float().mean().item(), math.exp(loss.item())


def test_first_200_are_one_class_and_a_balanced_subset_exists(setup):
    assert {label for label, _ in setup.train[:200]} == {0}
    assert {label for label, _ in setup.test[:200]} == {0}
    negatives = [r for r in setup.train if r[0] == 0][:100]
    positives = [r for r in setup.train if r[0] == 1][:100]
    assert len(negatives) == len(positives) == 100


def test_one_hot_vectors_hold_fewer_words_than_reviews(setup):
    train_data, _ = setup.data[whitespace]
    avg_encoded = train_data.tensors[0].sum(1).mean().item()
    avg_length = np.mean([len(t.split()) for _, t in setup.train])
    assert avg_encoded < 0.8 * avg_length


def test_untrained_loss_is_ln2_and_perplexity_2(setup):
    _, test_data = setup.data[basic_english]
    seed_everything(0)
    _, ppl = accuracy_and_perplexity(OneHotMLP(test_data.tensors[0].shape[1]), test_data)
    assert abs(math.log(ppl) - math.log(2)) < 0.05
    assert abs(ppl - 2) < 0.1


def test_learning_rate_sweep_spans_20_points(setup):
    train_data, test_data = setup.data[whitespace]
    accuracies = [accuracy_and_perplexity(train(train_data, lr), test_data)[0]
                  for lr in np.logspace(-4, -1, 7)]
    assert max(accuracies) - min(accuracies) >= 0.20, accuracies


def test_basic_english_halves_unknowns_and_raises_accuracy(setup):
    assert setup.unknown(basic_english) <= setup.unknown(whitespace) / 2
    results = {}
    for tokenizer in (whitespace, basic_english):
        train_data, test_data = setup.data[tokenizer]
        results[tokenizer] = accuracy_and_perplexity(train(train_data, 0.1), test_data)[0]
    assert results[basic_english] > results[whitespace] + 0.03, results


def test_shuffling_matters_on_label_grouped_data(setup):
    train_data, test_data = setup.data[basic_english]
    unshuffled = accuracy_and_perplexity(train(train_data, 0.1, shuffle=False), test_data)[0]
    shuffled = accuracy_and_perplexity(train(train_data, 0.1, shuffle=True), test_data)[0]
    assert unshuffled <= 0.60 and shuffled >= 0.80, (unshuffled, shuffled)


def test_small_training_set_overfits(setup):
    train_data, test_data = setup.data[basic_english]
    x, y = train_data.tensors
    small = TensorDataset(torch.cat([x[:500], x[-500:]]), torch.cat([y[:500], y[-500:]]))
    seed_everything(0)
    model = OneHotMLP(x.shape[1])
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    train_ppl, test_ppl = [], []
    for _ in range(30):
        for xb, yb in DataLoader(small, batch_size=32, shuffle=True):
            loss = nn.functional.binary_cross_entropy_with_logits(model(xb).squeeze(1), yb.float())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        train_ppl.append(accuracy_and_perplexity(model, small)[1])
        test_ppl.append(accuracy_and_perplexity(model, test_data)[1])
    best = int(np.argmin(test_ppl))
    assert train_ppl[-1] < train_ppl[best] < train_ppl[0]  # training keeps improving...
    assert best < 25 and test_ppl[-1] > test_ppl[best] + 0.1  # ...while test rises after its minimum
