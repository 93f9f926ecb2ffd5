"""The lessons of assignment 4's RNN captioning notebook must show in the tiny data (design: "Lessons").

The overfitting run is the notebook's dearest step (500 steps of a hidden state of 1,024), so the
lessons that need the trained model read the numbers that the notebook itself printed when the
`graded` fixture autograded the sample student `alternative` (a second solution, written from the
release alone, run in the sandbox by a real kernel), rather than train once more: the lessons must
show in any right solution, not only in ours. The others are computed here, on the reference, in
a second or two.
"""
import re

import numpy as np
import pytest

from helpers.data import load_coco_data
from helpers.gradcheck import eval_numerical_gradient, eval_numerical_gradient_array, rel_error
from helpers.layers import temporal_softmax_loss
from reference.captioning import (CaptioningRNN, rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward,
                                  word_embedding_backward, word_embedding_forward)

NOTEBOOK = "a4_sequence_models/rnn_captioning.ipynb"


# ---------------------------------------------------------------- from the notebook's own run
def test_the_rnn_overfits_50_captions_below_0_1(printed):
    """The seed: below 0.1 after 100 epochs (it printed 0.084 at step 901 on 100 captions)."""
    assert printed.number("given_05", r"final training loss ([\d.]+)") < 0.1
    assert printed.number("given_05", r"loss on the 50 training captions ([\d.]+)") < 0.1


def test_the_first_loss_is_about_the_counted_words_times_ln_v(printed):
    """Question 6.1: random weights cost about ln V a counted target (the seed: 79.7 on COCO, 11.5 x ln 1,004)."""
    data = load_coco_data()
    counted = (data["train_captions"][:, 1:] != 0).sum(axis=1).mean()
    estimate = counted * np.log(len(data["idx_to_word"]))
    assert printed.number("given_05", r"first training loss ([\d.]+)") == pytest.approx(estimate, rel=0.15)


def test_the_overfit_model_writes_its_training_captions_back_and_not_new_ones(printed):
    """Sampling: near-perfect on the 50 training captions, much worse on validation images (the
    seed's overfit models: nonsense on validation; its overfit LSTM scored 0.168 validation BLEU-1)."""
    assert printed.number("given_06", r"written back exactly: (\d+)%") >= 80
    train = printed.number("given_06", r"training BLEU-1 ([\d.]+)")
    assert train > 0.9 and printed.number("given_06", r"validation BLEU-1 ([\d.]+)") < train - 0.4


def test_the_softmax_loss_sums_over_time_averages_over_captions_and_masks(printed):
    """The seed's sanity checks, about 2.3, 23 and 2.3: T p ln V."""
    found = re.findall(r"T = +(\d+), V = 10, p = ([\d.]+): loss ([\d.]+)", printed["given_04"])
    assert len(found) == 3, printed["given_04"]
    for T, p, loss in found:
        assert float(loss) == pytest.approx(int(T) * float(p) * np.log(10), rel=0.03)


# ---------------------------------------------------------------- computed here
def test_the_forward_checks_measure_only_the_rounding_of_the_printed_values():
    """The thresholds (2e-8, 2e-7, 2e-8) sit above what a right answer gives: the seed printed its
    expected values to 8 decimals, so the error cannot go below their rounding."""
    N, D, H = 3, 10, 4
    next_h, _ = rnn_step_forward(
        np.linspace(-0.4, 0.7, N * D).reshape(N, D), np.linspace(-0.2, 0.5, N * H).reshape(N, H),
        np.linspace(-0.1, 0.9, D * H).reshape(D, H), np.linspace(-0.3, 0.7, H * H).reshape(H, H),
        np.linspace(-0.2, 0.4, H))
    assert rel_error(np.round(next_h, 8), next_h) < 2e-8
    N, T, D, H = 2, 3, 4, 5
    h, _ = rnn_forward(np.linspace(-0.1, 0.3, N * T * D).reshape(N, T, D), np.linspace(-0.3, 0.1, N * H).reshape(N, H),
                       np.linspace(-0.2, 0.4, D * H).reshape(D, H), np.linspace(-0.4, 0.1, H * H).reshape(H, H),
                       np.linspace(-0.7, 0.1, H))
    assert 1e-8 < rel_error(np.round(h, 8), h) < 2e-7
    out, _ = word_embedding_forward(np.array([[0, 3, 1, 2], [2, 1, 0, 3]]), np.linspace(0, 1, 15).reshape(5, 3))
    assert rel_error(np.round(out, 8), out) == pytest.approx(1.0000000094736443e-08, rel=1e-6)


def numerical_errors(forward, backward, args):
    """The relative error of each gradient that backward gives against a numerical one, on a
    random upstream gradient (drawn after args, as the seed's checks draw it)."""
    out, cache = forward(*args)
    dout = np.random.randn(*out.shape)
    return [rel_error(eval_numerical_gradient_array(lambda _: forward(*args)[0], value, dout), grad)
            for value, grad in zip(args, backward(dout, cache))]


def test_the_gradient_checks_pass_with_a_margin_at_the_notebooks_thresholds():
    """The seed's gradient checks on the reference: every error at least ten times below the
    notebook's threshold (1e-5 for the backward passes and the model, 1e-9 for the embedding)."""
    np.random.seed(231)
    step = [np.random.randn(4, 5), np.random.randn(4, 6), np.random.randn(5, 6), np.random.randn(6, 6),
            np.random.randn(6)]
    assert max(numerical_errors(rnn_step_forward, rnn_step_backward, step)) < 1e-6
    np.random.seed(231)
    sequence = [np.random.randn(2, 10, 3), np.random.randn(2, 5), np.random.randn(3, 5), np.random.randn(5, 5),
                np.random.randn(5)]
    assert max(numerical_errors(rnn_forward, rnn_backward, sequence)) < 1e-6
    np.random.seed(231)
    x, W = np.random.randint(5, size=(50, 3)), np.random.randn(5, 6)
    out, cache = word_embedding_forward(x, W)
    dout = np.random.randn(*out.shape)
    assert rel_error(word_embedding_backward(dout, cache),
                     eval_numerical_gradient_array(lambda _: word_embedding_forward(x, W)[0], W, dout)) < 1e-10
    np.random.seed(231)
    word_to_idx = {"<NULL>": 0, "cat": 2, "dog": 3}
    captions, features = np.random.randint(3, size=(2, 3)), np.random.randn(2, 4)
    model = CaptioningRNN(word_to_idx, input_dim=4, wordvec_dim=5, hidden_dim=6, cell_type="rnn", dtype=np.float64)
    _, grads = model.loss(features, captions)
    for name in grads:
        numerical = eval_numerical_gradient(lambda _: model.loss(features, captions)[0], model.params[name])
        assert rel_error(numerical, grads[name]) < 1e-6, name


def test_the_padding_costs_nothing():
    """<NULL> targets are masked: a caption's loss does not change with how much padding follows it."""
    rng = np.random.default_rng(0)
    scores, targets = rng.standard_normal((3, 6, 7)), rng.integers(1, 7, size=(3, 6))
    padded_scores = np.concatenate([scores, rng.standard_normal((3, 4, 7))], axis=1)
    padded_targets = np.concatenate([targets, np.zeros((3, 4), dtype=targets.dtype)], axis=1)
    assert temporal_softmax_loss(padded_scores, padded_targets, padded_targets != 0)[0] == \
        pytest.approx(temporal_softmax_loss(scores, targets, targets != 0)[0])
