"""`make bench`, part 2: one epoch of the Word2Vec notebook's training, three ways.

    (a) the lab's loop: one optimizer step per (target, context) pair, timed on
        CHUNKS runs of STEPS pairs and stretched to the epoch;
    (b) batches of 4,096 pairs, one row of scores per pair;
    (c) the same batches, one row of scores per distinct context word (the notebook's).

On the tweets of the active data mode (tiny by default), with the notebook's
model and optimizer (embedding 50, AdamW). Each figure is the median of several
timed runs, so that one slow moment of the machine does not decide a ratio.
On CUDA when present, else the CPU.
"""
from __future__ import annotations

import statistics

import torch

from helpers import get_device, seed_everything
from helpers.data import data_mode
from helpers.models import Word2Vec
from helpers.timing import Timer
from reference.word2vec import (EMBED_SIZE, LR, batch_loss, distinct_batch_loss, loader,
                                per_pair_steps, train_epoch, tweet_pairs)

STEPS, CHUNKS, WARMUP, EPOCHS = 500, 5, 50, 20


def fresh(n_v: int, device):
    model = Word2Vec(n_v, EMBED_SIZE).to(device)
    return model, torch.optim.AdamW(model.parameters(), lr=LR)


def main() -> None:
    seed_everything(0)
    device = get_device()
    vocab, targets, contexts = tweet_pairs()
    n_pairs = len(targets)

    model, optimizer = fresh(len(vocab), device)
    per_pair_steps(model, optimizer, targets, contexts, WARMUP, device)
    chunks = []
    for chunk in range(CHUNKS):
        start = WARMUP + chunk * STEPS
        with Timer(device) as timer:
            per_pair_steps(model, optimizer, targets[start:], contexts[start:], STEPS, device)
        chunks.append(timer.seconds / STEPS * n_pairs)
    seconds = {"a": statistics.median(chunks)}

    for name, loss in (("b", batch_loss), ("c", distinct_batch_loss)):
        model, optimizer = fresh(len(vocab), device)
        batches = loader(targets, contexts)
        train_epoch(model, optimizer, batches, loss, device)  # warm-up
        epochs = []
        for _ in range(EPOCHS):
            with Timer(device) as timer:
                train_epoch(model, optimizer, batches, loss, device)
            epochs.append(timer.seconds)
        seconds[name] = statistics.median(epochs)

    labels = {"a": f"one pair a step (lab; {CHUNKS} x {STEPS} steps timed)", "b": "batches of 4,096, a row per pair",
              "c": "batches of 4,096, a row per distinct word"}
    for name, label in labels.items():
        print(f"({name}) {label:<44} {seconds[name]:10.3f} s/epoch   [{device.type}]")
    a, b, c = seconds["a"], seconds["b"], seconds["c"]
    print(f"a/b = {a / b:,.0f}x   a/c = {a / c:,.0f}x   ({data_mode()} tweets: {n_pairs:,} pairs, "
          f"vocabulary {len(vocab):,}, {torch.get_num_threads()} CPU threads)")


if __name__ == "__main__":
    main()
