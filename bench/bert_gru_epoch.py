"""`make bench`, part 3: one epoch of the BERT + GRU notebook at the original's full shape, two ways.

    (a) the encoder in every step, as the original ran it: bert-base-uncased's
        shape (12 layers, 768 wide; random weights, which time the same), then
        the GRU of 256, 2 layers, both directions, trained;
    (b) the notebook's way: the same GRU trained on the encoder's outputs
        computed once and stored in half precision.

An epoch is 17,500 training and 7,500 validation reviews in batches of 128,
each review 128 to 512 tokens (uniform, mean 320, near IMDB's mean in
WordPieces). Timing a whole epoch of (a) on a CPU takes an hour, so TIMED
batches of each kind are timed and the epoch is scaled from them (it says
so); ``BENCH_REVIEWS=N`` times batches of N reviews rather than 128 and scales
by the number of reviews (what the CPU's time grows with; on CUDA keep 128,
where a small batch leaves the device idle). Peak memory: what the process holds at its largest (CUDA: the device's
peak allocation), and what storing the features of a full epoch would take.
On CUDA when present, else the CPU. ``BENCH_BATCHES=N`` times N batches.
"""
from __future__ import annotations

import os
import resource
import statistics

import torch
from torch import nn

from helpers import get_device, seed_everything
from helpers.timing import Timer
from reference.bert_gru import BERTGRUSentiment

TRAIN, VALID, BATCH, SHORTEST, LONGEST = 17_500, 7_500, 128, 128, 512
TIMED = int(os.environ.get("BENCH_BATCHES", 2))
REVIEWS = int(os.environ.get("BENCH_REVIEWS", BATCH))  # reviews per timed batch


def batch(device, generator):
    lengths = torch.randint(SHORTEST, LONGEST + 1, (REVIEWS,), generator=generator)
    ids = torch.randint(1000, 30000, (REVIEWS, int(lengths.max())), generator=generator)
    mask = torch.arange(ids.shape[1]) < lengths[:, None]
    return (ids * mask).to(device), mask.to(device), torch.randint(0, 2, (REVIEWS,), generator=generator).float().to(device)


def peak_mib(device) -> float:
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10


def main() -> None:
    from transformers import BertConfig, BertModel

    seed_everything(0)
    device = get_device()
    bert = BertModel(BertConfig()).to(device).requires_grad_(False).eval()  # bert-base-uncased's shape
    model = BERTGRUSentiment(bert, 256, 1, 2, True, 0.25).to(device)
    optimizer = torch.optim.Adam(p for p in model.parameters() if p.requires_grad)
    criterion = nn.BCEWithLogitsLoss()
    generator = torch.Generator().manual_seed(0)

    def step(ids, mask, y, cached):
        features = cached if cached is not None else model.features(ids, mask)
        loss = criterion(model.classify(features.float()).squeeze(1), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    def valid(ids, mask, cached):
        with torch.no_grad():
            model.classify((cached if cached is not None else model.features(ids, mask)).float())

    seconds, peaks = {}, {}
    for name in ("b", "a"):  # (b) first: on the CPU the peak is the largest so far
        if device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(device)
        train_times, valid_times = [], []
        for i in range(TIMED + 1):  # the first is a warm-up
            ids, mask, y = batch(device, generator)
            cached = None
            if name == "b":
                with torch.no_grad():
                    cached = model.features(ids, mask).half()
            with Timer(device) as t:
                step(ids, mask, y, cached)
            with Timer(device) as v:
                valid(ids, mask, cached)
            if i:
                train_times.append(t.seconds)
                valid_times.append(v.seconds)
        seconds[name] = (statistics.mean(train_times) * TRAIN + statistics.mean(valid_times) * VALID) / REVIEWS
        peaks[name] = peak_mib(device)

    stored = (TRAIN + VALID) * (SHORTEST + LONGEST) / 2 * bert.config.hidden_size * 2 / 2**30
    print(f"(a) the encoder in every step      {seconds['a']:9.0f} s/epoch   peak {peaks['a']:8,.0f} MiB   [{device.type}]")
    print(f"(b) the GRU on stored features     {seconds['b']:9.0f} s/epoch   peak {peaks['b']:8,.0f} MiB   [{device.type}]")
    print(f"a/b = {seconds['a'] / seconds['b']:.1f}x   (scaled from {TIMED} timed batches of {REVIEWS} of each kind; "
          f"{torch.get_num_threads()} CPU threads)")
    print(f"stored features of an epoch's {TRAIN + VALID:,} reviews: {stored:.1f} GiB in half precision "
          f"(encode_texts with a cache folder keeps them in a file mapped into memory, not in it)")


if __name__ == "__main__":
    main()
