"""The solution of ``transformer_classification.ipynb`` (assignment 4): a one-layer Transformer
encoder that reads a sentence and judges it acceptable or not, with the notebook's interface.

For the hidden checks (``reference.judges_a4_transformer``), the lesson tests and the bench.
Shapes: N batch, T tokens (``[CLS]`` first, ``[PAD]`` last), H hidden size, V vocabulary size.
"""
from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from helpers.datasets.cola import PAD

__all__ = ["ClassificationTransformer", "to_multihead", "matthews", "predict", "train_epoch"]


class ClassificationTransformer(nn.Module):
    """One Transformer encoder layer and a classifier read at the ``[CLS]`` position.

    The constructor is the notebook's, line for line: it seeds torch and creates its layers
    in this order, so that the seed decides every weight.
    """

    def __init__(self, word_to_ix, hidden_dim=128, num_heads=2, dim_feedforward=2048, dim_k=96, dim_v=96,
                 dim_q=96, max_length=43, seed=0):
        super().__init__()
        assert hidden_dim % num_heads == 0
        self.num_heads = num_heads
        self.hidden_dim = hidden_dim
        self.dim_feedforward = dim_feedforward
        self.max_length = max_length
        self.vocab_size = len(word_to_ix)
        self.pad_index = word_to_ix[PAD]
        self.dim_k, self.dim_v, self.dim_q = dim_k, dim_v, dim_q
        torch.manual_seed(seed)

        # 1. embeddings: a vector for every word and for every position
        self.embedding_voc = nn.Embedding(self.vocab_size, hidden_dim)
        self.embedding_pos = nn.Embedding(max_length, hidden_dim)
        # 2. attention: a key, value and query projection for each head, then back to H
        self.k1 = nn.Linear(hidden_dim, dim_k)
        self.v1 = nn.Linear(hidden_dim, dim_v)
        self.q1 = nn.Linear(hidden_dim, dim_q)
        self.k2 = nn.Linear(hidden_dim, dim_k)
        self.v2 = nn.Linear(hidden_dim, dim_v)
        self.q2 = nn.Linear(hidden_dim, dim_q)
        self.softmax = nn.Softmax(dim=2)
        self.attention_head_projection = nn.Linear(dim_v * num_heads, hidden_dim)
        self.norm_mh = nn.LayerNorm(hidden_dim)
        # 3. the position-wise feed-forward layer
        self.relu = nn.ReLU()
        self.ff_transform1 = nn.Linear(hidden_dim, dim_feedforward)
        self.ff_transform2 = nn.Linear(dim_feedforward, hidden_dim)
        self.norm_ff = nn.LayerNorm(hidden_dim)
        # 4. the classifier, read at [CLS]
        self.output_layer = nn.Linear(hidden_dim, 1)
        self.sigmoid = nn.Sigmoid()

    def embed(self, inputs):
        """inputs (N, T) int64 -> word plus position embeddings (N, T, H)."""
        positions = torch.arange(inputs.shape[1], device=inputs.device)
        return self.embedding_voc(inputs) + self.embedding_pos(positions)

    def multi_head_attention(self, inputs, pad_mask=None):
        """inputs (N, T, H), pad_mask (N, T) bool, True at padding, or None -> (N, T, H).

        Two heads of scaled dot-product attention, concatenated and projected back to H,
        then added to the inputs and normalised. Padding is never attended to.
        """
        heads = []
        for q, k, v in ((self.q1, self.k1, self.v1), (self.q2, self.k2, self.v2)):
            scores = q(inputs) @ k(inputs).transpose(1, 2) / math.sqrt(self.dim_k)  # (N, T, T)
            if pad_mask is not None:
                scores = scores.masked_fill(pad_mask[:, None, :], float("-inf"))
            heads.append(self.softmax(scores) @ v(inputs))  # (N, T, dim_v)
        attention = self.attention_head_projection(torch.cat(heads, dim=2))
        return self.norm_mh(inputs + attention)

    def feedforward_layer(self, inputs):
        """inputs (N, T, H) -> (N, T, H): Linear, ReLU, Linear, then add and norm."""
        return self.norm_ff(inputs + self.ff_transform2(self.relu(self.ff_transform1(inputs))))

    def final_layer(self, inputs):
        """inputs (N, T, H) -> the probability that each sentence is acceptable (N, 1), read at [CLS]."""
        return self.sigmoid(self.output_layer(inputs[:, 0]))

    def forward(self, inputs):
        """inputs (N, T) int64 -> probabilities (N, 1), padding masked out."""
        pad_mask = inputs == self.pad_index
        hidden = self.multi_head_attention(self.embed(inputs), pad_mask)
        return self.final_layer(self.feedforward_layer(hidden))


def to_multihead(model: ClassificationTransformer) -> nn.MultiheadAttention:
    """``model``'s attention as ``nn.MultiheadAttention(H, 2)``: queries, keys and values packed in
    that order, head 1 then head 2, into ``in_proj`` (3H, H). Only heads of H / 2 fit."""
    mha = nn.MultiheadAttention(model.hidden_dim, 2, batch_first=True)
    layers = [model.q1, model.q2, model.k1, model.k2, model.v1, model.v2]
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.cat([layer.weight for layer in layers]))
        mha.in_proj_bias.copy_(torch.cat([layer.bias for layer in layers]))
        mha.out_proj.load_state_dict(model.attention_head_projection.state_dict())
    return mha


def matthews(predictions, labels) -> float:
    """The Matthews correlation coefficient of 0/1 predictions against 0/1 labels (0 when undefined)."""
    p, y = np.asarray(predictions).astype(bool).ravel(), np.asarray(labels).astype(bool).ravel()
    tp, tn = float(np.sum(p & y)), float(np.sum(~p & ~y))
    fp, fn = float(np.sum(p & ~y)), float(np.sum(~p & y))
    denominator = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    return (tp * tn - fp * fn) / denominator if denominator else 0.0


@torch.no_grad()
def predict(model: nn.Module, inxs, batch_size: int = 512) -> np.ndarray:
    """0/1 predictions (N,) of ``model`` for the padded sentences ``inxs`` (N, T)."""
    model.eval()
    inxs = torch.as_tensor(np.asarray(inxs), dtype=torch.long)
    return np.concatenate([(model(batch) > 0.5).long().view(-1).numpy() for batch in inxs.split(batch_size)])


def train_epoch(model: nn.Module, optimizer, inxs, labels, batch_size: int = 64) -> float:
    """One pass over the training sentences in a random order; the mean binary cross-entropy.

    inxs (N, T) int64, labels (N,) 0/1.
    """
    model.train()
    inxs = torch.as_tensor(np.asarray(inxs), dtype=torch.long)
    labels = torch.as_tensor(np.asarray(labels), dtype=torch.float32)
    total = 0.0
    for batch in torch.randperm(len(inxs)).split(batch_size):
        loss = nn.functional.binary_cross_entropy(model(inxs[batch]).view(-1), labels[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(batch)
    return total / len(inxs)
