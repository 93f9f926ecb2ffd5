"""The lessons of assignment 4's LSTM captioning notebook must show in the tiny data (design: "Lessons").

The lessons that need training read the numbers that the notebook itself printed when the `graded`
fixture autograded the sample student `alternative` (a second solution, written from the release
alone, run in the sandbox by a real kernel), rather than train once more: they must show in any
right solution, not only in ours. The gradient checks are computed here, on the reference, at the
notebook's thresholds.
"""
import re

import numpy as np

from helpers.gradcheck import eval_numerical_gradient, eval_numerical_gradient_array, rel_error
from reference.captioning import (CaptioningRNN, lstm_backward, lstm_forward, lstm_step_backward, lstm_step_forward,
                                  word_embedding_forward)

NOTEBOOK = "a4_sequence_models/lstm_captioning.ipynb"


# ---------------------------------------------------------------- read from the graded notebook
def test_the_lstm_overfits_50_captions_below_0_5(printed):
    assert printed.number("given_04", r"final training loss ([\d.]+) after 100 steps") < 0.5


def test_the_overfit_model_gives_back_its_training_captions(printed):
    assert printed.number("L8_test", r"(\d+) of 50 training captions sampled word for word") >= 45


def test_the_better_model_beats_0_3_the_most_common_caption_and_the_overfit_model(printed):
    mine = printed.number("given_09", r"validation BLEU-1 ([\d.]+)")
    overfit = printed.number("given_06", r"overfit model: training BLEU-1 [\d.]+, validation BLEU-1 ([\d.]+)")
    common = printed.number("given_07", r"most common caption: training BLEU-1 [\d.]+, validation BLEU-1 ([\d.]+)")
    assert mine > 0.3 and mine > common + 0.2 and mine > overfit + 0.05, (mine, overfit, common)


def test_the_whole_notebook_earns_every_point(printed):
    assert re.search(r"Marks: (\d+)/\1\b", printed["given_08"]), printed["given_08"]


# ---------------------------------------------------------------- computed here
def test_the_seeds_forward_figures_pass_at_the_notebooks_thresholds():
    N, D, H = 3, 4, 5
    next_h, next_c, _ = lstm_step_forward(
        np.linspace(-0.4, 1.2, N * D).reshape(N, D), np.linspace(-0.3, 0.7, N * H).reshape(N, H),
        np.linspace(-0.4, 0.9, N * H).reshape(N, H), np.linspace(-2.1, 1.3, 4 * D * H).reshape(D, 4 * H),
        np.linspace(-0.7, 2.2, 4 * H * H).reshape(H, 4 * H), np.linspace(0.3, 0.7, 4 * H))
    # the seed's 8 decimals: 5.7e-9 and 5.8e-9 (as the seed printed), under the notebook's 2e-8
    assert rel_error(next_h[0], [0.24635157, 0.28610883, 0.32240467, 0.35525807, 0.38474904]) < 1e-8
    assert rel_error(next_c[0], [0.32986176, 0.39145139, 0.451556, 0.51014116, 0.56717407]) < 1e-8
    N, D, H, T = 2, 5, 4, 3
    h, _ = lstm_forward(np.linspace(-0.4, 0.6, N * T * D).reshape(N, T, D), np.linspace(-0.4, 0.8, N * H).reshape(N, H),
                        np.linspace(-0.2, 0.9, 4 * D * H).reshape(D, 4 * H),
                        np.linspace(-0.3, 0.6, 4 * H * H).reshape(H, 4 * H), np.linspace(0.2, 0.7, 4 * H))
    # the smallest entries (0.0176) carry the seed's rounding: 8.6e-8, as the seed printed, under 2e-7
    assert 5e-8 < rel_error(h[0, 0], [0.01764008, 0.01823233, 0.01882671, 0.0194232]) < 1e-7
    # a correct word embedding gives the seed's figure exactly: 1.0000000094736443e-08, hence 2e-8
    out, _ = word_embedding_forward(np.array([[0, 3, 1, 2]]), np.linspace(0, 1, 15).reshape(5, 3))
    assert rel_error(out[0, :2], [[0.0, 0.07142857, 0.14285714], [0.64285714, 0.71428571, 0.78571429]]) < 2e-8


def test_the_seeds_gradient_checks_pass_at_the_notebooks_thresholds():
    """The notebook's L2 and L4 checks (np.random.seed(231), the seed's shapes) against its 1e-5."""
    np.random.seed(231)
    N, D, H = 4, 5, 6
    args = [np.random.randn(N, D), np.random.randn(N, H), np.random.randn(N, H), np.random.randn(D, 4 * H),
            np.random.randn(H, 4 * H), np.random.randn(4 * H)]
    next_h, next_c, cache = lstm_step_forward(*args)
    dnext_h, dnext_c = np.random.randn(*next_h.shape), np.random.randn(*next_c.shape)
    for value, grad in zip(args, lstm_step_backward(dnext_h, dnext_c, cache)):
        numerical = (eval_numerical_gradient_array(lambda _: lstm_step_forward(*args)[0], value, dnext_h)
                     + eval_numerical_gradient_array(lambda _: lstm_step_forward(*args)[1], value, dnext_c))
        assert rel_error(numerical, grad) < 1e-7  # 1.1e-8 at most (dWh): a margin of 1,000 under 1e-5
    np.random.seed(231)
    N, D, T, H = 2, 3, 10, 6
    args = [np.random.randn(N, T, D), np.random.randn(N, H), np.random.randn(D, 4 * H), np.random.randn(H, 4 * H),
            np.random.randn(4 * H)]
    out, cache = lstm_forward(*args)
    dout = np.random.randn(*out.shape)
    errors = [rel_error(eval_numerical_gradient_array(lambda _: lstm_forward(*args)[0], value, dout), grad)
              for value, grad in zip(args, lstm_backward(dout, cache))]
    assert max(errors) < 1e-6  # dWh 3.1e-7 (the seed's own printed 2.7e-6, hence the notebook's 1e-5)


def test_the_whole_model_gradient_check_passes_at_the_notebooks_threshold_and_catches_a_wrong_gradient():
    np.random.seed(231)
    word_to_idx = {"<NULL>": 0, "cat": 2, "dog": 3}
    captions, features = np.random.randint(3, size=(2, 3)), np.random.randn(2, 4)
    model = CaptioningRNN(word_to_idx, input_dim=4, wordvec_dim=5, hidden_dim=6, cell_type="lstm", dtype=np.float64)
    loss, grads = model.loss(features, captions)
    errors = {name: rel_error(eval_numerical_gradient(lambda _: model.loss(features, captions)[0], model.params[name]),
                              grads[name]) for name in grads}
    assert max(errors.values()) < 1e-4  # Wx 4.1e-5, the notebook's threshold 5e-4
    # the forget gate's gradient forgotten (a common slip): the check sees it
    wrong = dict(grads, b=grads["b"].copy())
    wrong["b"][6:12] = 0
    assert rel_error(eval_numerical_gradient(lambda _: model.loss(features, captions)[0], model.params["b"]),
                     wrong["b"]) > 1e-2


def test_the_model_gives_the_seeds_loss_at_the_notebooks_threshold():
    model = CaptioningRNN({"<NULL>": 0, "cat": 2, "dog": 3}, input_dim=20, wordvec_dim=30, hidden_dim=40,
                          cell_type="lstm", dtype=np.float64)
    for name, value in model.params.items():
        model.params[name] = np.linspace(-1.4, 1.3, num=value.size).reshape(value.shape)
    loss, _ = model.loss(np.linspace(-0.5, 1.7, 200).reshape(10, 20), (np.arange(130) % 3).reshape(10, 13))
    assert abs(loss - 9.82445935443) < 1e-11  # 2.3e-12, the seed's 2.26e-12; the notebook asks 1e-9
