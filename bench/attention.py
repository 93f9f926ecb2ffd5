"""The Transformer notebook's attention, written as a student writes it, against PyTorch's kernel.

    .venv/bin/python -m bench.attention

The student's shape: per-head ``nn.Linear`` projections, ``Q K^T / sqrt(d_k)``, an explicit
softmax, the heads concatenated and projected (``reference.transformer``'s ``multi_head_attention``,
which is the notebook's solution). Against it: the same weights, one packed projection for all
heads and ``scaled_dot_product_attention`` (which picks a fused kernel on CUDA: with a mask, the
memory-efficient one). Both with the padding mask, forward + backward, float32, a training batch of 128
sentences, at the seed's T = 43 (H = 128, two heads of 96) and at T = 512. On the CPU, and on CUDA
when present. Outputs are compared before anything is timed; each figure is the median of 10 runs
(3 on the CPU at T = 512).
"""
from __future__ import annotations

import math
import statistics
import time

import torch
from torch import nn

from helpers.datasets.cola import CLS, PAD
from reference.transformer import ClassificationTransformer

SHAPES = [(128, 43), (128, 512)]  # (batch, tokens)
HIDDEN, HEADS, DIM = 128, 2, 96


def packed(model: ClassificationTransformer):
    """The model's attention through scaled_dot_product_attention, its projections packed in one matmul."""
    layers = [model.q1, model.q2, model.k1, model.k2, model.v1, model.v2]
    weight = torch.cat([layer.weight for layer in layers]).detach().requires_grad_()  # (6 * 96, H)
    bias = torch.cat([layer.bias for layer in layers]).detach().requires_grad_()

    def attention(x, pad_mask):
        N, T, _ = x.shape
        q, k, v = (x @ weight.T + bias).view(N, T, 3, HEADS, DIM).permute(2, 0, 3, 1, 4)  # 3 x (N, heads, T, 96)
        heads = nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=~pad_mask[:, None, None, :])
        attended = model.attention_head_projection(heads.transpose(1, 2).reshape(N, T, HEADS * DIM))
        return model.norm_mh(x + attended)
    return attention


def median_seconds(run, device: torch.device, repeats: int) -> float:
    def timed():
        if device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        run()
        if device.type == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter() - start
    timed()  # warm up
    return statistics.median(timed() for _ in range(repeats))


def compare(device: torch.device, N: int, T: int) -> tuple[float, float]:
    model = ClassificationTransformer({PAD: 0, CLS: 1}, HIDDEN, HEADS, 2048, DIM, DIM, DIM, T).to(device)
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(N, T, HIDDEN, generator=generator).to(device).requires_grad_()
    lengths = torch.randint(T // 4, T + 1, (N,), generator=generator).to(device)
    pad_mask = torch.arange(T, device=device)[None, :] >= lengths[:, None]  # (N, T), True at padding
    grad = torch.randn(N, T, HIDDEN, generator=generator).to(device)
    fused = packed(model)
    with torch.no_grad():
        difference = (model.multi_head_attention(x, pad_mask) - fused(x, pad_mask)).abs().max().item()
    assert difference < 1e-4, f"the two attentions differ by {difference}"

    def student():
        x.grad = None
        model.multi_head_attention(x, pad_mask).backward(grad)

    def pytorch():
        x.grad = None
        fused(x, pad_mask).backward(grad)

    repeats = 10 if device.type == "cuda" or T <= 64 else 3
    return median_seconds(student, device, repeats), median_seconds(pytorch, device, repeats)


def main() -> None:
    devices = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])
    print(f"attention forward + backward, H = {HIDDEN}, {HEADS} heads of {DIM}, with the padding mask, float32 "
          f"(torch {torch.__version__}, {torch.get_num_threads()} CPU threads)")
    print(f"{'device':>6} {'batch':>5} {'T':>4} {'student':>10} {'sdpa':>10} {'ratio':>6}")
    for device in devices:
        for N, T in SHAPES:
            student, pytorch = compare(device, N, T)
            name = "cuda" if device.type == "cuda" else "cpu"
            print(f"{name:>6} {N:>5} {T:>4} {student * 1e3:>8.1f}ms {pytorch * 1e3:>8.1f}ms {student / pytorch:>5.1f}x")
    if not torch.cuda.is_available():
        print("no CUDA device here: the GPU rows are missing")


if __name__ == "__main__":
    main()
