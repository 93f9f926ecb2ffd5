"""The Seq2Seq translation notebook's model (source/a2_embeddings_seq2seq/seq2seq.ipynb), for
its hidden checks (reference/judges_seq2seq.py)."""
from __future__ import annotations

import random

import torch
from torch import nn

__all__ = ["Encoder", "Decoder", "Seq2Seq"]


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
