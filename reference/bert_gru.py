"""The BERT + GRU sentiment notebook's settings and model (source/a3_transformers_sentiment/bert_gru_sentiment.ipynb),
for its lessons, bench and hidden checks; never imported by the student's kernel."""
from __future__ import annotations

import torch
from torch import nn


__all__ = ["SEED", "HIDDEN_DIM", "OUTPUT_DIM", "N_LAYERS", "BIDIRECTIONAL", "DROPOUT", "SPLIT_SIZES", "MAX_TOKENS",
           "BATCH_SIZES", "EPOCHS", "LRS", "tokenize_and_cut", "to_ids", "BERTGRUSentiment"]

SEED = 1234
HIDDEN_DIM, OUTPUT_DIM, N_LAYERS, BIDIRECTIONAL, DROPOUT = 256, 1, 2, True, 0.25
# The notebook's settings per data mode: reviews taken from IMDB's train and test splits (None: all),
# tokens read of each review, batch size, epochs and Adam's learning rate. tiny reads 96 tokens of
# 2,000 + 1,000 reviews in batches of 32, 4 epochs at 3e-3: enough steps for the GRU on two CPU cores.
SPLIT_SIZES = {"tiny": (2000, 1000), "full": (None, None)}
MAX_TOKENS = {"tiny": 96, "full": 512}
BATCH_SIZES = {"tiny": 32, "full": 128}
EPOCHS = {"tiny": 4, "full": 2}
LRS = {"tiny": 3e-3, "full": 1e-3}


def tokenize_and_cut(tokenizer, sentence: str, max_input_length: int = 512) -> list[str]:
    """The sentence's WordPiece tokens, cut to leave room for ``[CLS]`` and ``[SEP]``."""
    return tokenizer.tokenize(sentence)[:max_input_length - 2]


def to_ids(tokenizer, sentence: str, max_input_length: int = 512) -> list[int]:
    """``[CLS]``, the sentence's token ids (cut), ``[SEP]``."""
    tokens = tokenize_and_cut(tokenizer, sentence, max_input_length)
    return [tokenizer.cls_token_id, *tokenizer.convert_tokens_to_ids(tokens), tokenizer.sep_token_id]


class BERTGRUSentiment(nn.Module):
    """A frozen BERT's last hidden states, read by a (bidirectional) GRU, to one logit.

    Shapes: text (B, T) int64, mask (B, T) -> logits (B, output_dim);
    features (B, T, E) with zeros at padding -> logits (B, output_dim).
    """

    def __init__(self, bert, hidden_dim, output_dim, n_layers, bidirectional, dropout):
        super().__init__()
        self.bert = bert
        self.rnn = nn.GRU(bert.config.hidden_size, hidden_dim, num_layers=n_layers, bidirectional=bidirectional,
                          batch_first=True, dropout=0 if n_layers < 2 else dropout)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(hidden_dim * (2 if bidirectional else 1), output_dim)

    def features(self, text, mask=None):
        if mask is None:
            mask = text != self.bert.config.pad_token_id
        with torch.no_grad():
            states = self.bert(input_ids=text, attention_mask=mask.long()).last_hidden_state
        return states * mask[..., None]

    def classify(self, features):
        _, hidden = self.rnn(features)  # hidden: (n_layers * directions, B, hidden_dim)
        last = torch.cat((hidden[-2], hidden[-1]), dim=1) if self.rnn.bidirectional else hidden[-1]
        return self.out(self.dropout(last))

    def forward(self, text, mask=None):
        return self.classify(self.features(text, mask))
