"""Models and model tools that the notebooks give rather than ask for."""
from __future__ import annotations

import torch
from torch import nn

__all__ = ["count_parameters", "reset_weights", "OneHotMLP", "EmbeddingBagMLP", "Word2Vec"]


def count_parameters(model: nn.Module, trainable_only: bool = True) -> int:
    """Number of (trainable) scalar parameters of ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def reset_weights(model: nn.Module) -> nn.Module:
    """Re-initialise every layer that has ``reset_parameters`` (training starts afresh)."""
    for module in model.modules():
        if module is not model and hasattr(module, "reset_parameters"):
            module.reset_parameters()
    return model


class OneHotMLP(nn.Module):
    """The bag-of-words classifier of assignment 1.

    One-hot (multi-hot) input -> Linear(vocab_size, hidden) -> ReLU -> Linear(hidden, n_outputs).

    Args:
        vocab_size: input width V (the vocabulary, unknown token included).
        hidden: hidden width H.
        n_outputs: 1 for a logit with BCEWithLogitsLoss, 2 for CrossEntropyLoss.
    Shapes:
        x: (B, V) float -> logits (B, n_outputs).
    """

    def __init__(self, vocab_size: int, hidden: int = 200, n_outputs: int = 1):
        super().__init__()
        self.fc1 = nn.Linear(vocab_size, hidden)
        self.fc2 = nn.Linear(hidden, n_outputs)
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.relu(self.fc1(x)))


class EmbeddingBagMLP(nn.Module):
    """OneHotMLP computed without building one-hot vectors.

    ``fc1(one_hot)`` is the sum of fc1's weight columns of the tokens present,
    which ``nn.EmbeddingBag(mode="sum")`` computes from the token ids directly.

    Args:
        sparse: sparse gradients for the embedding (only the rows used get
            updated; plain SGD gives the same result, much faster).
    Shapes:
        ids: (N,) int64, the unique token ids of every review, concatenated;
        offsets: (B,) int64, where each review starts in ``ids``;
        -> logits (B, n_outputs).
    """

    def __init__(self, vocab_size: int, hidden: int = 200, n_outputs: int = 1, sparse: bool = False):
        super().__init__()
        self.fc1 = nn.EmbeddingBag(vocab_size, hidden, mode="sum", sparse=sparse)
        self.bias = nn.Parameter(torch.zeros(hidden))
        self.fc2 = nn.Linear(hidden, n_outputs)

    def forward(self, ids: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
        return self.fc2(torch.relu(self.fc1(ids, offsets) + self.bias))


class Word2Vec(nn.Module):
    """The Word2Vec model of assignment 2, CBOW-style with one context word.

    Embedding(vocab_size, embedding_size) -> Linear(embedding_size, vocab_size, bias=False):
    a context word's index to its embedding, then to one score (logit) per word
    of the vocabulary for the target word. No softmax: the cross-entropy loss
    applies it.

    Shapes:
        context: (B,) int64 -> logits (B, vocab_size).
    """

    def __init__(self, vocab_size: int, embedding_size: int):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embedding_size)
        self.expand = nn.Linear(embedding_size, vocab_size, bias=False)

    def forward(self, context: torch.Tensor) -> torch.Tensor:
        return self.expand(self.embed(context))
