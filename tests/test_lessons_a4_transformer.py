"""The lessons of assignment 4's Transformer notebook must show in the tiny data (design: "Lessons").

The trained classifier's figures are read from what the notebook printed when the `graded` fixture
autograded the sample student `alternative` (a second solution, written from the release alone):
they must show in any right solution, not only in ours. The padding mask, the checks against
PyTorch's attention and the seed's check are computed here, on the reference, in seconds.
"""
import re

import numpy as np
import pytest
import torch
from torch import nn

from helpers.data import load_cola
from reference.transformer import ClassificationTransformer, matthews, to_multihead

NOTEBOOK = "a4_sequence_models/transformer_classification.ipynb"


@pytest.fixture(scope="module")
def cola():
    return load_cola()


@pytest.fixture(scope="module")
def model(cola):
    """The notebook's model at the seed's sizes, seed 0, untrained."""
    return ClassificationTransformer(cola["word_to_ix"], 128, 2, 2048, 96, 96, 96, cola["train_inxs"].shape[1]).eval()


# ---------------------------------------------------------------- read from the graded notebook
def test_the_trained_classifier_beats_the_majority_baseline_clearly(printed):
    figures = r"validation accuracy ([\d.]+) \(baseline ([\d.]+)\), MCC (-?[\d.]+)"
    accuracy = printed.number("given_06", figures)
    baseline = float(re.search(figures, printed["given_06"]).group(2))
    mcc = float(re.search(figures, printed["given_06"]).group(3))
    assert accuracy > baseline + 0.1 and mcc > 0.3, (accuracy, baseline, mcc)


def test_the_whole_notebook_earns_every_point(printed):
    assert re.search(r"Marks: (\d+)/\1\b", printed["given_07"]), printed["given_07"]


# ---------------------------------------------------------------- computed here
def scores_by_padding(model, row, masked: bool) -> list[float]:
    """One sentence's probability when cut to every length from its own to T (0, 1, ... pads)."""
    length = int((row != model.pad_index).sum())
    sentence = torch.as_tensor(row[None, :])
    with torch.no_grad():
        if masked:
            return [model(sentence[:, :n]).item() for n in range(length, len(row) + 1)]
        return [model.final_layer(model.feedforward_layer(model.multi_head_attention(model.embed(sentence[:, :n]))))
                .item() for n in range(length, len(row) + 1)]


def test_the_mask_makes_the_prediction_independent_of_padding(cola, model):
    lengths = (cola["val_inxs"] != model.pad_index).sum(axis=1)
    for row in cola["val_inxs"][np.argsort(lengths)[:5]]:  # the shortest: the most pads
        masked, unmasked = scores_by_padding(model, row, True), scores_by_padding(model, row, False)
        assert len(masked) > 3
        assert max(masked) - min(masked) < 1e-6
        assert max(unmasked) - min(unmasked) > 1e-3


def test_the_attention_is_pytorchs_scaled_dot_product_attention(cola, model):
    x = model.embed(torch.as_tensor(cola["train_inxs"][:8]))
    pad_mask = torch.as_tensor(cola["train_inxs"][:8]) == model.pad_index
    with torch.no_grad():
        heads = [nn.functional.scaled_dot_product_attention(q(x), k(x), v(x), attn_mask=~pad_mask[:, None, :])
                 for q, k, v in ((model.q1, model.k1, model.v1), (model.q2, model.k2, model.v2))]
        theirs = model.norm_mh(x + model.attention_head_projection(torch.cat(heads, dim=2)))
        assert (model.multi_head_attention(x, pad_mask) - theirs).abs().max() < 1e-5  # scale 1/sqrt(96), both


def test_nn_multiheadattention_holds_the_weights_only_at_heads_of_h_over_2(cola):
    word_to_ix, T = cola["word_to_ix"], cola["train_inxs"].shape[1]
    mha = nn.MultiheadAttention(128, 2, batch_first=True)
    assert mha.in_proj_weight.shape == (3 * 128, 128)  # heads of 64: the seed's 2 x 96 = 192 cannot fit
    model = ClassificationTransformer(word_to_ix, 128, 2, 2048, 64, 64, 64, T, seed=1).eval()
    mha = to_multihead(model)
    with torch.no_grad():
        inputs = torch.as_tensor(cola["train_inxs"][:8])
        x, pad_mask = model.embed(inputs), inputs == model.pad_index
        theirs = model.norm_mh(x + mha(x, x, x, key_padding_mask=pad_mask, need_weights=False)[0])
        assert (model.multi_head_attention(x, pad_mask) - theirs).abs().max() < 1e-5


def test_the_seeds_summed_pairwise_distance_has_a_floor_that_the_largest_difference_has_not():
    # the seed compared (2, 43, 128) tensors by sum(pairwise_distance): its eps = 1e-6 alone gives
    # 2 * 43 * sqrt(128) * 1e-6 = 9.7e-4, most of the 1.7e-3 it reported for right answers
    a = torch.randn(2, 43, 128)
    floor = torch.sum(torch.pairwise_distance(a, a.clone())).item()
    assert floor == pytest.approx(2 * 43 * 128 ** 0.5 * 1e-6, rel=1e-3)
    assert (a - a.clone()).abs().max().item() == 0  # the notebook's measure: nothing when nothing differs


def test_the_seeds_flattened_head_ties_the_model_to_one_length(cola, model):
    # the seed's answer: Linear(T * H, 1) over the whole sequence; a sentence cut shorter cannot pass
    flattened = nn.Linear(model.max_length * model.hidden_dim, 1)
    hidden = torch.zeros(1, model.max_length - 1, model.hidden_dim)
    with pytest.raises(RuntimeError):
        flattened(hidden.reshape(1, -1))


def test_matthews_is_zero_for_the_majority_baseline_and_one_for_the_labels(cola):
    labels = cola["val_labels"]
    assert matthews(np.ones_like(labels), labels) == 0.0
    assert matthews(labels, labels) == pytest.approx(1.0)
    assert 0.6 < labels.mean() < 0.8  # a majority near CoLA's 70%: accuracy alone would flatter a constant answer
