"""The captioning notebooks' recurrent layers: the reference numpy against PyTorch on the CPU.

    .venv/bin/python -m bench.captioning_layers [--skip-large]

At the seed's shapes (T = 16 steps, words of 256, V = 1,004): the RNN's hidden
1,024 at batch 10 and 25, the LSTM's 512 at batch 25, and the better model's
LSTM, hidden 2,048 at batch 1,024 (about a minute a side; ``--skip-large``
leaves it out). For each, forward + backward of the recurrent layer alone
(``rnn_forward``/``rnn_backward`` against ``nn.RNN``, ``lstm_*`` against
``nn.LSTM``), then of the whole captioning loss (projection, embedding,
recurrence, vocabulary scores, masked softmax). Both sides in float32 with
their default threads; each figure the median of a few runs. PyTorch stacks an
LSTM's gates i, f, g, o with two biases, cs231n i, f, o, g with one: the
weights are mapped, and the outputs compared, before anything is timed.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
from torch import nn

from reference.captioning import CaptioningRNN, lstm_backward, lstm_forward, rnn_backward, rnn_forward

T, WORDVEC, VOCAB, FEATURES = 16, 256, 1004, 512
SHAPES = [("rnn", 1024, 10), ("rnn", 1024, 25), ("lstm", 512, 25), ("lstm", 2048, 1024)]  # cell, hidden, batch


def median_seconds(run, repeats: int) -> float:
    run()  # warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def torch_layer(cell: str, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray) -> nn.Module:
    """nn.RNN or nn.LSTM holding the same weights (gates reordered i, f, o, g -> i, f, g, o)."""
    H = Wh.shape[0]
    order = np.r_[0:2 * H, 3 * H:4 * H, 2 * H:3 * H] if cell == "lstm" else np.arange(H)
    layer = (nn.LSTM if cell == "lstm" else nn.RNN)(Wx.shape[0], H, batch_first=True)
    with torch.no_grad():
        layer.weight_ih_l0.copy_(torch.from_numpy(Wx[:, order].T.copy()))
        layer.weight_hh_l0.copy_(torch.from_numpy(Wh[:, order].T.copy()))
        layer.bias_ih_l0.copy_(torch.from_numpy(b[order].copy()))
        layer.bias_hh_l0.zero_()
    return layer


def layer_seconds(cell: str, H: int, N: int, repeats: int) -> tuple[float, float]:
    rng = np.random.default_rng(0)
    gates = 4 if cell == "lstm" else 1
    x = rng.standard_normal((N, T, WORDVEC), dtype=np.float32)
    h0 = rng.standard_normal((N, H), dtype=np.float32)
    Wx = rng.standard_normal((WORDVEC, gates * H), dtype=np.float32) / np.sqrt(WORDVEC)
    Wh = rng.standard_normal((H, gates * H), dtype=np.float32) / np.sqrt(H)
    b = np.zeros(gates * H, dtype=np.float32)
    dout = rng.standard_normal((N, T, H), dtype=np.float32)
    forward, backward = (lstm_forward, lstm_backward) if cell == "lstm" else (rnn_forward, rnn_backward)

    layer = torch_layer(cell, Wx, Wh, b)
    tx, th0, tdout = (torch.from_numpy(a) for a in (x, h0, dout))
    tx.requires_grad_(True)
    state = (th0[None], torch.zeros_like(th0)[None]) if cell == "lstm" else th0[None]
    with torch.no_grad():
        assert np.allclose(layer(tx, state)[0].numpy(), forward(x, h0, Wx, Wh, b)[0], atol=1e-4), "outputs differ"

    def with_numpy():
        out, cache = forward(x, h0, Wx, Wh, b)
        backward(dout, cache)

    def with_torch():
        layer.zero_grad()
        out, _ = layer(tx, state)
        out.backward(tdout)

    return median_seconds(with_numpy, repeats), median_seconds(with_torch, repeats)


class TorchCaptioner(nn.Module):
    """CaptioningRNN's loss in PyTorch: features -> h0, embedding, recurrence, scores, masked cross-entropy."""

    def __init__(self, cell: str, H: int):
        super().__init__()
        self.project = nn.Linear(FEATURES, H)
        self.embed = nn.Embedding(VOCAB, WORDVEC)
        self.recur = (nn.LSTM if cell == "lstm" else nn.RNN)(WORDVEC, H, batch_first=True)
        self.scores = nn.Linear(H, VOCAB)
        self.cell = cell

    def forward(self, features, captions):
        h0 = self.project(features)[None]
        state = (h0, torch.zeros_like(h0)) if self.cell == "lstm" else h0
        hidden, _ = self.recur(self.embed(captions[:, :-1]), state)
        scores = self.scores(hidden)
        targets = captions[:, 1:]
        losses = nn.functional.cross_entropy(scores.transpose(1, 2), targets, reduction="none")
        return (losses * (targets != 0)).sum() / len(captions)


def model_seconds(cell: str, H: int, N: int, repeats: int) -> tuple[float, float]:
    rng = np.random.default_rng(1)
    features = rng.standard_normal((N, FEATURES), dtype=np.float32)
    captions = rng.integers(1, VOCAB, (N, T + 1)).astype(np.int32)
    word_to_idx = {f"w{i}": i for i in range(VOCAB)} | {"<NULL>": 0}
    model = CaptioningRNN(word_to_idx, input_dim=FEATURES, wordvec_dim=WORDVEC, hidden_dim=H, cell_type=cell)
    captioner = TorchCaptioner(cell, H)
    tf, tc = torch.from_numpy(features), torch.from_numpy(captions.astype(np.int64))

    def with_torch():
        captioner.zero_grad()
        captioner(tf, tc).backward()

    return median_seconds(lambda: model.loss(features, captions), repeats), median_seconds(with_torch, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-large", action="store_true", help="leave out the hidden-2,048 batch-1,024 LSTM")
    args = parser.parse_args()
    torch.manual_seed(0)
    print(f"forward + backward, T={T}, words {WORDVEC}, V={VOCAB}, float32; torch {torch.__version__} "
          f"with {torch.get_num_threads()} threads")
    print(f"{'':22}{'layer: numpy':>14}{'torch':>11}{'ratio':>8}{'model: numpy':>15}{'torch':>11}{'ratio':>8}")
    for cell, H, N in SHAPES:
        if args.skip_large and N > 100:
            continue
        repeats = 1 if N > 100 else 5
        layer_np, layer_torch = layer_seconds(cell, H, N, repeats)
        model_np, model_torch = model_seconds(cell, H, N, repeats)
        print(f"{cell} H={H:<5} N={N:<5}    {layer_np:>12.3f} s{layer_torch:>9.3f} s{layer_np / layer_torch:>7.1f}x"
              f"{model_np:>13.3f} s{model_torch:>9.3f} s{model_np / model_torch:>7.1f}x")


if __name__ == "__main__":
    main()
