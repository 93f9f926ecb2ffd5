"""Assignment 4's numpy pieces: the given layers and update rules against numerical gradients and
their textbook forms, the reference solutions against the seed's own figures (its fixed linspace
inputs and expected losses), and the numerical gradients themselves (in place, as cs231n's)."""
import numpy as np
import pytest

from helpers import grading
from helpers.captioning_solver import CaptioningSolver
from helpers.gradcheck import eval_numerical_gradient, eval_numerical_gradient_array, rel_error
from helpers.layers import (affine_backward, affine_forward, temporal_affine_backward, temporal_affine_forward,
                            temporal_softmax_loss)
from helpers.optim import adam, sgd
from reference.captioning import (CaptioningRNN, lstm_backward, lstm_forward, lstm_step_backward, lstm_step_forward,
                                  rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward,
                                  word_embedding_backward, word_embedding_forward)


def test_grading_still_exports_the_numerical_checks():
    assert grading.rel_error is rel_error and grading.eval_numerical_gradient is eval_numerical_gradient
    assert grading.eval_numerical_gradient_array is eval_numerical_gradient_array


def test_rel_error_is_the_seeds():
    assert rel_error([0.0, 1.0], [0.0, 1.0]) == 0
    assert rel_error([0.0], [1e-9]) == pytest.approx(0.1)  # the 1e-8 floor
    assert rel_error([1.0, 3.0], [1.1, 3.0]) == pytest.approx(0.1 / 2.1)


def test_numerical_gradients_perturb_the_array_in_place():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    grad = eval_numerical_gradient(lambda _: float(np.sum(x ** 3)), x)  # reads x, not its argument
    assert rel_error(grad, 3 * before ** 2) < 1e-8 and np.array_equal(x, before)
    df = np.array([[1.0, 2.0], [-1.0, 0.5]])
    grad = eval_numerical_gradient_array(lambda _: np.tanh(x), x, df)
    assert rel_error(grad, df * (1 - np.tanh(before) ** 2)) < 1e-8


def test_the_affine_layers_against_numerical_gradients():
    rng = np.random.default_rng(0)
    for forward, backward, shape in ((affine_forward, affine_backward, (4, 5)),
                                     (temporal_affine_forward, temporal_affine_backward, (2, 3, 5))):
        x, w, b = rng.standard_normal(shape), rng.standard_normal((5, 6)), rng.standard_normal(6)
        out, cache = forward(x, w, b)
        dout = rng.standard_normal(out.shape)
        for value, grad in zip((x, w, b), backward(dout, cache)):
            assert rel_error(eval_numerical_gradient_array(lambda _: forward(x, w, b)[0], value, dout), grad) < 1e-8


def test_the_temporal_softmax_loss_sums_over_time_averages_over_the_batch_and_masks():
    np.random.seed(231)

    def loss(N, T, V, p):
        x = 0.001 * np.random.randn(N, T, V)
        return temporal_softmax_loss(x, np.random.randint(V, size=(N, T)), np.random.rand(N, T) <= p)[0]

    assert loss(100, 1, 10, 1.0) == pytest.approx(np.log(10), rel=0.01)  # the seed: about 2.3
    assert loss(100, 10, 10, 1.0) == pytest.approx(10 * np.log(10), rel=0.01)  # about 23
    assert loss(5000, 10, 10, 0.1) == pytest.approx(np.log(10), rel=0.05)  # about 2.3
    x, y, mask = np.random.randn(7, 8, 9), np.random.randint(9, size=(7, 8)), np.random.rand(7, 8) > 0.5
    _, dx = temporal_softmax_loss(x, y, mask)
    assert rel_error(dx, eval_numerical_gradient(lambda _: temporal_softmax_loss(x, y, mask)[0], x)) < 1e-7
    assert not dx[~mask].any()


def test_sgd_and_adam_are_their_textbook_forms():
    rng = np.random.default_rng(0)
    w, dw = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    assert np.allclose(sgd(w, dw, {"learning_rate": 0.1})[0], w - 0.1 * dw)
    config, m, v, current = {"learning_rate": 0.01}, 0 * w, 0 * w, w
    for t in range(1, 4):
        m, v = 0.9 * m + 0.1 * dw, 0.999 * v + 0.001 * dw ** 2
        want = current - 0.01 * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
        current, config = adam(current, dw, config)
        assert np.allclose(current, want, rtol=1e-10, atol=1e-12)
    assert adam(w.astype(np.float32), dw.astype(np.float32))[0].dtype == np.float32


# ---------------------------------------------------------------- the reference against the seed
def test_the_reference_forwards_give_the_seeds_values():
    N, D, H = 3, 10, 4
    x, prev_h = np.linspace(-0.4, 0.7, N * D).reshape(N, D), np.linspace(-0.2, 0.5, N * H).reshape(N, H)
    Wx, Wh = np.linspace(-0.1, 0.9, D * H).reshape(D, H), np.linspace(-0.3, 0.7, H * H).reshape(H, H)
    next_h, _ = rnn_step_forward(x, prev_h, Wx, Wh, np.linspace(-0.2, 0.4, H))
    assert rel_error(next_h[2], [0.97934501, 0.99144213, 0.99646691, 0.99854353]) < 1e-8
    V, D = 5, 3
    out, _ = word_embedding_forward(np.array([[0, 3, 1, 2], [2, 1, 0, 3]]), np.linspace(0, 1, V * D).reshape(V, D))
    want = np.array([[0.0, 0.07142857, 0.14285714], [0.64285714, 0.71428571, 0.78571429],
                     [0.21428571, 0.28571429, 0.35714286], [0.42857143, 0.5, 0.57142857]])
    assert rel_error(out[0], want) == pytest.approx(1.0000000094736443e-08, rel=1e-6)  # the seed's figure exactly
    N, D, H = 3, 4, 5
    next_h, next_c, _ = lstm_step_forward(
        np.linspace(-0.4, 1.2, N * D).reshape(N, D), np.linspace(-0.3, 0.7, N * H).reshape(N, H),
        np.linspace(-0.4, 0.9, N * H).reshape(N, H), np.linspace(-2.1, 1.3, 4 * D * H).reshape(D, 4 * H),
        np.linspace(-0.7, 2.2, 4 * H * H).reshape(H, 4 * H), np.linspace(0.3, 0.7, 4 * H))
    assert rel_error(next_h[2], [0.56735664, 0.66310127, 0.74419266, 0.80889665, 0.858299]) < 1e-8
    assert rel_error(next_c[2], [0.74192008, 0.90592151, 1.07717006, 1.25120233, 1.42395676]) < 1e-8
    N, D, H, T = 2, 5, 4, 3
    h, _ = lstm_forward(np.linspace(-0.4, 0.6, N * T * D).reshape(N, T, D), np.linspace(-0.4, 0.8, N * H).reshape(N, H),
                        np.linspace(-0.2, 0.9, 4 * D * H).reshape(D, 4 * H),
                        np.linspace(-0.3, 0.6, 4 * H * H).reshape(H, 4 * H), np.linspace(0.2, 0.7, 4 * H))
    assert rel_error(h[1, 2], [0.81733511, 0.83677871, 0.85403753, 0.86935314]) < 1e-7


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_the_reference_backwards_match_numerical_gradients(cell):
    np.random.seed(231)
    N, D, T, H = 2, 3, 10, 5
    gates = 4 if cell == "lstm" else 1
    x, h0 = np.random.randn(N, T, D), np.random.randn(N, H)
    Wx, Wh, b = np.random.randn(D, gates * H), np.random.randn(H, gates * H), np.random.randn(gates * H)
    forward, backward = (lstm_forward, lstm_backward) if cell == "lstm" else (rnn_forward, rnn_backward)
    out, cache = forward(x, h0, Wx, Wh, b)
    dout = np.random.randn(*out.shape)
    for value, grad in zip((x, h0, Wx, Wh, b), backward(dout, cache)):
        numerical = eval_numerical_gradient_array(lambda _: forward(x, h0, Wx, Wh, b)[0], value, dout)
        assert rel_error(numerical, grad) < 1e-5  # the seed's own lstm dWh printed 2.7e-6
    step_forward, step_backward = (lstm_step_forward, lstm_step_backward) if cell == "lstm" else (rnn_step_forward,
                                                                                                   rnn_step_backward)
    prev_c = np.random.randn(N, H)
    args = (x[:, 0], h0, prev_c, Wx, Wh, b) if cell == "lstm" else (x[:, 0], h0, Wx, Wh, b)
    outs = step_forward(*args)
    upstream = [np.random.randn(N, H) for _ in outs[:-1]]
    grads = step_backward(*upstream, outs[-1])
    for value, grad in zip(args, grads):
        numerical = sum(eval_numerical_gradient_array(lambda _: step_forward(*args)[k], value, upstream[k])
                        for k in range(len(upstream)))
        assert rel_error(numerical, grad) < 1e-7


def test_the_word_embedding_backward_matches_numerical_gradients():
    np.random.seed(231)
    x, W = np.random.randint(5, size=(50, 3)), np.random.randn(5, 6)
    out, cache = word_embedding_forward(x, W)
    dout = np.random.randn(*out.shape)
    numerical = eval_numerical_gradient_array(lambda _: word_embedding_forward(x, W)[0], W, dout)
    assert rel_error(word_embedding_backward(dout, cache), numerical) < 1e-11


@pytest.mark.parametrize("cell, features_range, expected",
                         [("rnn", (-1.5, 0.3), 9.83235591003), ("lstm", (-0.5, 1.7), 9.82445935443)])
def test_the_reference_model_gives_the_seeds_loss(cell, features_range, expected):
    N, D, W, H, T = 10, 20, 30, 40, 13
    word_to_idx = {"<NULL>": 0, "cat": 2, "dog": 3}  # no <START> nor <END>: the model copes
    model = CaptioningRNN(word_to_idx, input_dim=D, wordvec_dim=W, hidden_dim=H, cell_type=cell, dtype=np.float64)
    for name, value in model.params.items():
        model.params[name] = np.linspace(-1.4, 1.3, num=value.size).reshape(value.shape)
    features = np.linspace(*features_range, N * D).reshape(N, D)
    captions = (np.arange(N * T) % len(word_to_idx)).reshape(N, T)
    loss, grads = model.loss(features, captions)
    assert abs(loss - expected) < 1e-10
    assert set(grads) == set(model.params) and all(grads[k].shape == v.shape for k, v in model.params.items())


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_the_reference_model_gradients_match_numerical_ones(cell):
    np.random.seed(231)
    word_to_idx = {"<NULL>": 0, "cat": 2, "dog": 3}
    captions, features = np.random.randint(3, size=(2, 3)), np.random.randn(2, 4)
    model = CaptioningRNN(word_to_idx, input_dim=4, wordvec_dim=5, hidden_dim=6, cell_type=cell, dtype=np.float64)
    _, grads = model.loss(features, captions)
    for name in grads:
        numerical = eval_numerical_gradient(lambda _: model.loss(features, captions)[0], model.params[name])
        assert rel_error(numerical, grads[name]) < 1e-4, name  # the seed's checks print up to 1.6e-6 (rnn Wx)


def test_sample_is_greedy_from_start_and_runs_the_full_length():
    word_to_idx = {"<NULL>": 0, "<START>": 1, "<END>": 2, "<UNK>": 3, "a": 4}
    np.random.seed(0)
    model = CaptioningRNN(word_to_idx, input_dim=6, wordvec_dim=3, hidden_dim=5, cell_type="lstm")
    captions = model.sample(np.random.randn(4, 6).astype(np.float32), max_length=7)
    assert captions.shape == (4, 7) and captions.dtype == np.int32
    model.params["b_vocab"][:] = [0, 0, 0, 0, 100]  # "a" always wins
    assert (model.sample(np.zeros((2, 6), np.float32), max_length=3) == 4).all()


def test_the_solver_decays_the_learning_rate_each_epoch_and_keeps_every_loss():
    np.random.seed(0)
    data = {"train_captions": np.random.randint(5, size=(20, 6)).astype(np.int32),
            "train_image_idxs": np.arange(20, dtype=np.int32) % 4,
            "train_features": np.random.randn(4, 8).astype(np.float32), "train_urls": np.array(["u"] * 4)}
    model = CaptioningRNN({w: i for i, w in enumerate(["<NULL>", "<START>", "<END>", "<UNK>", "a"])}, input_dim=8,
                          wordvec_dim=4, hidden_dim=6, cell_type="rnn")
    solver = CaptioningSolver(model, data, update_rule="sgd", optim_config={"learning_rate": 0.1}, lr_decay=0.5,
                              batch_size=5, num_epochs=3, verbose=False)
    solver.train()
    assert len(solver.loss_history) == 12 and solver.epoch == 3
    assert solver.optim_configs["Wh"]["learning_rate"] == pytest.approx(0.1 * 0.5 ** 3)
