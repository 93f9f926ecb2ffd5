"""`make bench`: one training epoch of the assignment-1 model at full IMDB size, three ways.

    (a) the seed's dataset: each one-hot vector built per sample, word by word;
    (b) a preloaded dense one-hot matrix, batches gathered in one indexing call;
    (c) the same model as a sum of embeddings (nn.EmbeddingBag, sparse gradients)
        over each review's unique token ids: no one-hot vector at all.

Synthetic token ids of the real shape: 25,000 reviews of about 234 tokens drawn
from a Zipf law over a vocabulary of 20,001 (index 0 unknown), hidden 200,
batch 128, SGD. Each variant runs in a fresh process so that its peak memory is
its own. On CUDA when present, else on the CPU.
"""
from __future__ import annotations

import multiprocessing as mp
import resource

import numpy as np
import torch
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, Dataset, RandomSampler, TensorDataset

from helpers.models import EmbeddingBagMLP, OneHotMLP
from helpers.timing import Timer

N_REVIEWS, VOCAB, HIDDEN, BATCH, MEAN_LENGTH = 25_000, 20_001, 200, 128, 234


def synthetic_reviews(seed: int = 0) -> list[np.ndarray]:
    """Token ids (with repeats) of N_REVIEWS reviews, word frequencies Zipf-like."""
    rng = np.random.default_rng(seed)
    lengths = np.clip(rng.lognormal(np.log(MEAN_LENGTH) - 0.25, 0.7, N_REVIEWS), 10, 2500).astype(int)
    tokens = np.minimum(rng.zipf(1.25, lengths.sum()) - 1, VOCAB - 1)  # rank 0 is the commonest word
    return np.split(tokens, np.cumsum(lengths)[:-1])


class SeedOneHotDataset(Dataset):
    """(a) The seed notebook's dataset: builds x (V,) one word at a time, when asked."""

    def __init__(self, reviews, labels):
        self.reviews, self.labels = [r.tolist() for r in reviews], labels

    def __len__(self):
        return len(self.reviews)

    def __getitem__(self, idx):
        x = torch.zeros(VOCAB)
        for word in self.reviews[idx]:
            x[word] = 1
        return x, self.labels[idx]


def dense_one_hot(reviews) -> torch.Tensor:
    """(b) All vectors at once: (N, V) float32, set by one scatter."""
    rows = np.repeat(np.arange(len(reviews)), [len(r) for r in reviews])
    matrix = torch.zeros(len(reviews), VOCAB)
    matrix[torch.from_numpy(rows), torch.from_numpy(np.concatenate(reviews))] = 1.0
    return matrix


def padded_unique_ids(reviews) -> tuple[torch.Tensor, int]:
    """(c) Each review's unique ids, padded with VOCAB: (N, L_max) int64, and the pad value."""
    unique = [np.unique(r) for r in reviews]
    padded = torch.full((len(unique), max(len(u) for u in unique)), VOCAB, dtype=torch.long)
    for row, ids in enumerate(unique):
        padded[row, :len(ids)] = torch.from_numpy(ids)
    return padded, VOCAB


def train_epoch(model, batches, device, optimizer) -> None:
    criterion = nn.BCEWithLogitsLoss()
    for inputs, labels in batches:
        logits = model(*[t.to(device, non_blocking=True) for t in inputs]).squeeze(1)
        loss = criterion(logits, labels.to(device).float())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()


def run_variant(name: str, epochs: int, queue) -> None:
    torch.manual_seed(0)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    reviews = synthetic_reviews()
    labels = torch.from_numpy(np.random.default_rng(1).integers(0, 2, N_REVIEWS))
    if name == "a":
        loader = DataLoader(SeedOneHotDataset(reviews, labels), batch_size=BATCH, shuffle=True)
        batches = lambda: (((x,), y) for x, y in loader)  # noqa: E731
        model = OneHotMLP(VOCAB, HIDDEN).to(device)
    elif name == "b":
        data = TensorDataset(dense_one_hot(reviews), labels)
        sampler = BatchSampler(RandomSampler(data), BATCH, drop_last=False)
        loader = DataLoader(data, batch_size=None, sampler=sampler)  # one gather per batch
        batches = lambda: (((x,), y) for x, y in loader)  # noqa: E731
        model = OneHotMLP(VOCAB, HIDDEN).to(device)
    else:
        padded, pad = padded_unique_ids(reviews)

        def batches():
            for idx in torch.randperm(N_REVIEWS).split(BATCH):
                rows = padded[idx]  # (B, L_max)
                keep = rows != pad
                offsets = torch.cat([torch.zeros(1, dtype=torch.long), keep.sum(1).cumsum(0)[:-1]])
                yield (rows[keep], offsets), labels[idx]

        model = EmbeddingBagMLP(VOCAB, HIDDEN, sparse=True).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    seconds = []
    for _ in range(epochs):
        with Timer(device) as timer:
            train_epoch(model, batches(), device, optimizer)
        seconds.append(timer.seconds)
    peak_mib = (torch.cuda.max_memory_allocated() / 2**20 if device.type == "cuda"
                else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    queue.put((name, float(np.mean(seconds)), peak_mib, device.type))


def main() -> None:
    context = mp.get_context("spawn")
    results = {}
    labels = {"a": "per-sample one-hot (seed)", "b": "preloaded dense one-hot", "c": "embedding bag, unique ids"}
    for name, epochs in (("a", 1), ("b", 3), ("c", 3)):
        queue = context.Queue()
        process = context.Process(target=run_variant, args=(name, epochs, queue))
        process.start()
        results[name] = queue.get()
        process.join()
        _, seconds, peak, device = results[name]
        print(f"({name}) {labels[name]:<28} {seconds:8.2f} s/epoch   peak memory {peak:8.0f} MiB   [{device}]",
              flush=True)
    a, b, c = (results[k][1] for k in "abc")
    print(f"a/b = {a / b:.1f}x   a/c = {a / c:.1f}x   "
          f"({N_REVIEWS:,} reviews, vocabulary {VOCAB:,}, hidden {HIDDEN}, batch {BATCH}, "
          f"{torch.get_num_threads()} CPU threads)")


if __name__ == "__main__":
    main()
