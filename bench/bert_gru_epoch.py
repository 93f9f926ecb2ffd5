"""`make bench`, part 3: one epoch of the BERT + GRU notebook at the original's full shape, two ways.

    (a) the encoder in every step, as the original ran it: bert-base-uncased's
        shape (12 layers, 768 wide; random weights, which time the same), then
        the GRU of 256, 2 layers, both directions, trained;
    (b) the notebook's way: the same GRU trained on the encoder's outputs
        computed once and stored in half precision.

An epoch is 17,500 training and 7,500 validation reviews in batches of 128,
each review 128 to 512 tokens (uniform, mean 320, near IMDB's mean in
WordPieces). The encoder runs without gradients, so (a) is (b) plus one
encoder pass over every review of the epoch, and the two are timed apart:

- the GRU's steps (training and validation) on batches of 128 at full length,
  their stored features drawn at random (the values do not change the time);
- the encoder on batches of ``BENCH_REVIEWS`` reviews (default 128), scaled to
  the epoch by the number of reviews: its time grows with them on a CPU, where
  ``BENCH_REVIEWS=16`` measures (a) in minutes rather than an hour. On CUDA keep
  128, where a small batch leaves the device idle.

``BENCH_BATCHES=N`` times N batches of each kind (default 2, after a warm-up).
Peak memory: what the process holds at its largest (CUDA: the device's peak
allocation; the encoder's is at ``BENCH_REVIEWS`` reviews a batch), and what
storing the features of a full epoch would take. On CUDA when present, else the CPU.
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
REVIEWS = int(os.environ.get("BENCH_REVIEWS", BATCH))  # reviews a batch when timing the encoder


def lengths_and_mask(size, device, generator):
    lengths = torch.randint(SHORTEST, LONGEST + 1, (size,), generator=generator)
    mask = torch.arange(int(lengths.max())) < lengths[:, None]  # (size, T)
    return mask.to(device)


def peak_mib(device) -> float:
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10


def timed(run, device) -> float:
    """Mean seconds of ``run()`` over TIMED calls, after one warm-up call."""
    seconds = []
    for i in range(TIMED + 1):
        with Timer(device) as t:
            run()
        if i:
            seconds.append(t.seconds)
    return statistics.mean(seconds)


def main() -> None:
    from transformers import BertConfig, BertModel

    seed_everything(0)
    device = get_device()
    bert = BertModel(BertConfig()).to(device).requires_grad_(False).eval()  # bert-base-uncased's shape
    model = BERTGRUSentiment(bert, 256, 1, 2, True, 0.25).to(device)
    optimizer = torch.optim.Adam(p for p in model.parameters() if p.requires_grad)
    criterion = nn.BCEWithLogitsLoss()
    generator = torch.Generator().manual_seed(0)
    hidden = bert.config.hidden_size

    def stored_features():  # (BATCH, T, hidden) half precision, zero after each review's end
        mask = lengths_and_mask(BATCH, device, generator)
        return (torch.randn(*mask.shape, hidden, generator=generator).to(device) * mask[..., None]).half()

    def train_step():
        features, labels = stored_features(), torch.randint(0, 2, (BATCH,), generator=generator).float().to(device)
        loss = criterion(model.classify(features.float()).squeeze(1), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    def valid_step():
        features = stored_features()
        with torch.no_grad():
            model.classify(features.float())

    def encode():
        mask = lengths_and_mask(REVIEWS, device, generator)
        ids = torch.randint(1000, 30000, mask.shape, generator=generator).to(device) * mask
        model.features(ids, mask)

    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    gru = timed(train_step, device) * TRAIN / BATCH + timed(valid_step, device) * VALID / BATCH
    gru_peak = peak_mib(device)
    encoder = timed(encode, device) * (TRAIN + VALID) / REVIEWS
    seconds = {"a": gru + encoder, "b": gru}
    peaks = {"a": peak_mib(device), "b": gru_peak}

    stored = (TRAIN + VALID) * (SHORTEST + LONGEST) / 2 * hidden * 2 / 2**30
    print(f"(a) the encoder in every step      {seconds['a']:9.0f} s/epoch   peak {peaks['a']:8,.0f} MiB   [{device.type}]")
    print(f"(b) the GRU on stored features     {seconds['b']:9.0f} s/epoch   peak {peaks['b']:8,.0f} MiB   [{device.type}]")
    print(f"a/b = {seconds['a'] / seconds['b']:.1f}x   (the GRU timed on {TIMED} batches of {BATCH} of each kind, the "
          f"encoder on {TIMED} of {REVIEWS} reviews, scaled to the epoch; {torch.get_num_threads()} CPU threads)")
    print(f"stored features of an epoch's {TRAIN + VALID:,} reviews: {stored:.1f} GiB in half precision "
          f"(encode_texts with a cache folder keeps them in a file mapped into memory, not in it)")


if __name__ == "__main__":
    main()
