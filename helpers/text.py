"""Text to tensors: tokenizing, vocabularies, numericalising and padding.

The course used torchtext for these; torchtext no longer loads beside a current
PyTorch, so this module gives the few pieces the notebooks need, with the same
behaviour.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

import torch

__all__ = ["basic_english", "whitespace", "Vocab", "pad_batch", "collate_padded"]

# torchtext's get_tokenizer("basic_english"): lower-case, then these
# substitutions in this order, then split on whitespace.
_BASIC_ENGLISH_RULES = [
    (re.compile(r"\'"), " '  "),
    (re.compile(r"\""), ""),
    (re.compile(r"\."), " . "),
    (re.compile(r"<br \/>"), " "),
    (re.compile(r","), " , "),
    (re.compile(r"\("), " ( "),
    (re.compile(r"\)"), " ) "),
    (re.compile(r"\!"), " ! "),
    (re.compile(r"\?"), " ? "),
    (re.compile(r"\;"), " "),
    (re.compile(r"\:"), " "),
    (re.compile(r"\s+"), " "),
]


def basic_english(text: str) -> list[str]:
    """Split English text into lower-case words and punctuation marks.

    Exactly torchtext's ``get_tokenizer("basic_english")``: quotes are dropped,
    ``. , ( ) ! ?`` and apostrophes become tokens of their own, ``; :`` and
    ``<br />`` become spaces.

    >>> basic_english("Don't miss it!<br />Great.")
    ['don', "'", 't', 'miss', 'it', '!', 'great', '.']
    """
    text = text.lower()
    for pattern, replacement in _BASIC_ENGLISH_RULES:
        text = pattern.sub(replacement, text)
    return text.split()


def whitespace(text: str) -> list[str]:
    """Split on whitespace only (the seed notebook's ``line.split()``)."""
    return text.split()


class Vocab:
    """A token <-> index mapping built from token counts.

    Specials come first (index 0, 1, ...), then tokens by falling frequency,
    ties broken alphabetically (as torchtext did). Tokens not in the vocabulary
    map to the index of ``unk``.

    Attributes:
        itos: list[str], index -> token.
        stoi: dict[str, int], token -> index.
        freqs: Counter of every token seen while building, kept or not.
    """

    def __init__(self, freqs: Counter, max_size: int | None = None, min_freq: int = 1,
                 specials: Sequence[str] = ("<unk>",), unk: str = "<unk>"):
        if unk not in specials:
            raise ValueError(f"the unknown token {unk!r} must be one of the specials {list(specials)}")
        self.freqs = freqs
        kept = sorted((t for t, c in freqs.items() if c >= min_freq and t not in specials),
                      key=lambda t: (-freqs[t], t))
        if max_size is not None:
            kept = kept[:max_size]
        self.itos = list(specials) + kept
        self.stoi = {token: index for index, token in enumerate(self.itos)}
        self.unk_index = self.stoi[unk]

    @classmethod
    def build(cls, texts: Iterable[str], tokenizer: Callable[[str], list[str]] = basic_english,
              **options) -> "Vocab":
        """Count the tokens of ``texts`` and build a vocabulary (options as ``__init__``)."""
        freqs = Counter()
        for text in texts:
            freqs.update(tokenizer(text))
        return cls(freqs, **options)

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: str) -> bool:
        return token in self.stoi

    def __getitem__(self, token: str) -> int:
        return self.stoi.get(token, self.unk_index)

    def encode(self, tokens: Iterable[str]) -> list[int]:
        """Tokens -> indices, unknown tokens -> ``unk_index``."""
        unk, stoi = self.unk_index, self.stoi
        return [stoi.get(token, unk) for token in tokens]

    def decode(self, indices: Iterable[int]) -> list[str]:
        """Indices (ints or a 1-D tensor) -> tokens."""
        return [self.itos[int(i)] for i in indices]

    def __repr__(self) -> str:
        return f"Vocab({len(self)} tokens, specials={self.itos[:self.unk_index + 1]}...)"


def pad_batch(sequences: Sequence[torch.Tensor], pad_index: int,
              batch_first: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """Pad 1-D index tensors of different lengths into one tensor.

    Args:
        sequences: B tensors of shape (T_i,), integer dtype.
        pad_index: the value written after each sequence's end.
        batch_first: shape (B, T) if True, else (T, B) as the RNN tutorials use.
    Returns:
        padded: (B, T) or (T, B) with T = max T_i; lengths: (B,) int64.
    """
    lengths = torch.tensor([len(s) for s in sequences], dtype=torch.long)
    padded = torch.nn.utils.rnn.pad_sequence(list(sequences), batch_first=batch_first,
                                             padding_value=pad_index)
    return padded, lengths


def collate_padded(pad_index: int, batch_first: bool = True):
    """A DataLoader ``collate_fn`` for ``(label, indices)`` samples.

    The returned function turns a list of B samples into
    ``(labels (B,), padded (B, T) or (T, B), lengths (B,))``.
    """
    def collate(samples):
        labels = torch.tensor([label for label, _ in samples])
        sequences = [torch.as_tensor(ids, dtype=torch.long) for _, ids in samples]
        padded, lengths = pad_batch(sequences, pad_index, batch_first)
        return labels, padded, lengths
    return collate
