"""The Seq2Seq translation notebook's recipe (source/a2_embeddings_seq2seq/seq2seq.ipynb)
in a few classes: its model, training budget, greedy translation. For its lesson test."""
from __future__ import annotations

import random

import torch
from torch import nn
from torch.utils.data import DataLoader

from helpers import seed_everything
from helpers.data import load_multi30k
from helpers.text import (EOS, PAD, SEQ2SEQ_SPECIALS, SOS, BucketBatchSampler, Vocab, collate_pairs,
                          encode_sentence, spacy_tokenizer)

__all__ = ["Encoder", "Decoder", "Seq2Seq", "Translation"]


class Encoder(nn.Module):
    def __init__(self, input_dim, emb_dim, hid_dim, n_layers, dropout):
        super().__init__()
        self.embedding = nn.Embedding(input_dim, emb_dim)
        self.rnn = nn.LSTM(emb_dim, hid_dim, n_layers, dropout=dropout)
        self.dropout = nn.Dropout(dropout)

    def forward(self, src):
        _, state = self.rnn(self.dropout(self.embedding(src)))
        return state


class Decoder(nn.Module):
    def __init__(self, output_dim, emb_dim, hid_dim, n_layers, dropout):
        super().__init__()
        self.output_dim = output_dim
        self.embedding = nn.Embedding(output_dim, emb_dim)
        self.rnn = nn.LSTM(emb_dim, hid_dim, n_layers, dropout=dropout)
        self.fc_out = nn.Linear(hid_dim, output_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, token, state):
        output, state = self.rnn(self.dropout(self.embedding(token.unsqueeze(0))), state)
        return self.fc_out(output.squeeze(0)), state


class Seq2Seq(nn.Module):
    def __init__(self, src_size, trg_size, emb=64, hid=128, layers=2, dropout=0.2):  # the notebook's sizes
        super().__init__()
        self.encoder = Encoder(src_size, emb, hid, layers, dropout)
        self.decoder = Decoder(trg_size, emb, hid, layers, dropout)

    def forward(self, src, trg, teacher_forcing_ratio=0.5):
        outputs = torch.zeros(*trg.shape, self.decoder.output_dim)
        state, token = self.encoder(src), trg[0]
        for t in range(1, len(trg)):
            outputs[t], state = self.decoder(token, state)
            token = trg[t] if random.random() < teacher_forcing_ratio else outputs[t].argmax(1)
        return outputs


class Translation:
    """The notebook's Seq2Seq recipe, trained once for the module."""

    def __init__(self, epochs=25):
        seed_everything(1234)
        self.de, self.en = spacy_tokenizer("de", reverse=True), spacy_tokenizer("en")
        self.pairs = {s: load_multi30k(s) for s in ("train", "valid", "test")}
        train = self.pairs["train"]
        self.src = Vocab.build((g for g, _ in train), self.de, min_freq=2, specials=SEQ2SEQ_SPECIALS)
        self.trg = Vocab.build((e for _, e in train), self.en, min_freq=2, specials=SEQ2SEQ_SPECIALS)
        self.criterion = nn.CrossEntropyLoss(ignore_index=self.trg[PAD])
        self.model = Seq2Seq(len(self.src), len(self.trg))
        for p in self.model.parameters():
            nn.init.uniform_(p, -0.08, 0.08)
        optimizer = torch.optim.Adam(self.model.parameters(), lr=0.005)
        best, best_state = float("inf"), None
        for _ in range(epochs):
            self.model.train()
            for src, trg in self.loader("train", shuffle=True):
                optimizer.zero_grad()
                self.loss(self.model(src, trg), trg).backward()
                nn.utils.clip_grad_norm_(self.model.parameters(), 1)
                optimizer.step()
            valid = self.evaluate("valid")
            if valid < best:
                best, best_state = valid, {k: v.clone() for k, v in self.model.state_dict().items()}
        self.best_valid_loss = best
        self.model.load_state_dict(best_state)

    def loader(self, split, shuffle=False):
        data = [(encode_sentence(self.de(g), self.src), encode_sentence(self.en(e), self.trg))
                for g, e in self.pairs[split]]
        return DataLoader(data, batch_sampler=BucketBatchSampler([len(s) for s, _ in data], 64, shuffle=shuffle),
                          collate_fn=collate_pairs(self.src[PAD], self.trg[PAD]))

    def loss(self, output, trg):
        return self.criterion(output[1:].reshape(-1, output.shape[-1]), trg[1:].reshape(-1))

    def evaluate(self, split):
        self.model.eval()
        with torch.no_grad():
            losses = [self.loss(self.model(src, trg, 0), trg).item() for src, trg in self.loader(split)]
        return sum(losses) / len(losses)

    def translate(self, german, max_len=50):
        src = torch.tensor(encode_sentence(self.de(german), self.src)).unsqueeze(1)
        with torch.no_grad():
            state, token, words = self.model.encoder(src), torch.tensor([self.trg[SOS]]), []
            for _ in range(max_len):
                scores, state = self.model.decoder(token, state)
                token = scores.argmax(1)
                if token.item() == self.trg[EOS]:
                    break
                words.append(self.trg.itos[token.item()])
        return words
