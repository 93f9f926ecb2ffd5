"""Text to tensors: tokenizing, vocabularies, numericalising, padding and batching.

The course used torchtext for these; torchtext no longer loads beside a current
PyTorch, so this module gives the few pieces the notebooks need, with the same
behaviour.
"""
from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache

import torch
from torch.utils.data import Sampler

__all__ = ["basic_english", "whitespace", "spacy_tokenizer", "stop_words", "NLTK_ENGLISH_STOP_WORDS", "Vocab",
           "UNK", "PAD", "SOS", "EOS", "SEQ2SEQ_SPECIALS", "encode_sentence",
           "pad_batch", "collate_padded", "collate_pairs", "BucketBatchSampler", "RandomBatchSampler"]

UNK, PAD, SOS, EOS = "<unk>", "<pad>", "<sos>", "<eos>"
SEQ2SEQ_SPECIALS = (UNK, PAD, SOS, EOS)  # torchtext's Field order: unk 0, pad 1, sos 2, eos 3

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


@lru_cache(maxsize=None)
def _blank_pipeline(lang: str):
    import spacy
    return spacy.blank(lang)  # rules only: no model download


def spacy_tokenizer(lang: str, lower: bool = True, reverse: bool = False) -> Callable[[str], list[str]]:
    """A tokenizer from spaCy's blank ``lang`` pipeline (``"de"``, ``"en"``, ...).

    The blank pipelines carry each language's tokenizer rules (punctuation,
    abbreviations, contractions) and need no model download.

    >>> spacy_tokenizer("de", reverse=True)("Zwei Hunde spielen.")
    ['.', 'spielen', 'hunde', 'zwei']
    """
    tokenizer = _blank_pipeline(lang).tokenizer

    def tokenize(text: str) -> list[str]:
        tokens = [token.text.lower() if lower else token.text for token in tokenizer(text)
                  if not token.is_space]
        return tokens[::-1] if reverse else tokens
    return tokenize


# NLTK's English stop words: nltk_data's corpora/stopwords/english, the 179 words that
# nltk.corpus.stopwords.words("english") gave the Word2Vec lab (the corpus is a download of its own).
NLTK_ENGLISH_STOP_WORDS = frozenset("""
    i me my myself we our ours ourselves you you're you've you'll you'd your yours yourself
    yourselves he him his himself she she's her hers herself it it's its itself they them their
    theirs themselves what which who whom this that that'll these those am is are was were be been
    being have has had having do does did doing a an the and but if or because as until while of
    at by for with about against between into through during before after above below to from up
    down in out on off over under again further then once here there when where why how all any
    both each few more most other some such no nor not only own same so than too very s t can
    will just don don't should should've now d ll m o re ve y ain aren aren't couldn couldn't
    didn didn't doesn doesn't hadn hadn't hasn hasn't haven haven't isn isn't ma mightn mightn't
    mustn mustn't needn needn't shan shan't shouldn shouldn't wasn wasn't weren weren't won won't
    wouldn wouldn't
""".split())


def stop_words(lang: str = "en", source: str = "spacy") -> frozenset[str]:
    """A stop-word list, lower case.

    Args:
        lang: the language (``"en"``, ``"de"``, ...).
        source: ``"spacy"``, the list that ships with spaCy for ``lang`` (326 English
            words), or ``"nltk"``, NLTK's English list (179 words, English only).

    Later NLTK releases add 19 contractions (``"i'm"``, ``"we've"``, ...); a
    cleaning that drops apostrophes before this step, as the Word2Vec notebook's
    does, never meets them, so either release gives the same tokens.
    """
    if source == "nltk":
        if lang != "en":
            raise ValueError(f"the NLTK list here is English only, got lang={lang!r}; use source='spacy'")
        return NLTK_ENGLISH_STOP_WORDS
    if source != "spacy":
        raise ValueError(f"source must be 'spacy' or 'nltk', got {source!r}")
    import importlib
    return frozenset(importlib.import_module(f"spacy.lang.{lang}.stop_words").STOP_WORDS)


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


def encode_sentence(tokens: Iterable[str], vocab: Vocab) -> list[int]:
    """``<sos>``, the tokens' indices, ``<eos>``: a sentence as a seq2seq model reads it."""
    return [vocab.stoi[SOS], *vocab.encode(tokens), vocab.stoi[EOS]]


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


def collate_pairs(src_pad: int, trg_pad: int):
    """A DataLoader ``collate_fn`` for ``(src indices, trg indices)`` samples.

    Returns a function turning B samples into ``(src, trg)``, time first as the
    RNN tutorials use: src (S, B) and trg (T, B), int64, padded.
    """
    def collate(samples):
        src = [torch.as_tensor(s, dtype=torch.long) for s, _ in samples]
        trg = [torch.as_tensor(t, dtype=torch.long) for _, t in samples]
        return pad_batch(src, src_pad, batch_first=False)[0], pad_batch(trg, trg_pad, batch_first=False)[0]
    return collate


class BucketBatchSampler(Sampler):
    """Batches of samples of similar length, as torchtext's BucketIterator made.

    Each epoch: shuffle the indices, cut them into pools of ``pool`` batches,
    sort each pool by length, cut it into batches, and shuffle the batches. A
    batch then needs little padding, yet batches still differ between epochs.
    Pass it to a DataLoader as ``batch_sampler``.

    Args:
        lengths: the length of every sample (N,).
        batch_size: samples per batch (the last batch of a pool may be smaller).
        shuffle: False gives one fixed order, sorted by length (for evaluation).
        seed: the seed of the first epoch's shuffle; each epoch draws a new order.
    """

    def __init__(self, lengths: Sequence[int], batch_size: int, shuffle: bool = True,
                 pool: int = 100, seed: int = 0):
        self.lengths, self.batch_size, self.shuffle = list(lengths), batch_size, shuffle
        self.pool_size = batch_size * pool
        self.rng = random.Random(seed)

    def __iter__(self) -> Iterator[list[int]]:
        indices = list(range(len(self.lengths)))
        if self.shuffle:
            self.rng.shuffle(indices)
        batches = []
        for start in range(0, len(indices), self.pool_size):
            pool = sorted(indices[start:start + self.pool_size], key=self.lengths.__getitem__)
            batches += [pool[i:i + self.batch_size] for i in range(0, len(pool), self.batch_size)]
        if self.shuffle:
            self.rng.shuffle(batches)
        return iter(batches)

    def __len__(self) -> int:
        full, rest = divmod(len(self.lengths), self.pool_size)
        return full * -(-self.pool_size // self.batch_size) + -(-rest // self.batch_size)


class RandomBatchSampler(Sampler):
    """Shuffled batches of indices, each one int64 tensor (B,), a new order each epoch.

    With ``DataLoader(TensorDataset(...), batch_size=None, sampler=RandomBatchSampler(n, B))``
    a batch is gathered by one tensor indexing, instead of B calls to
    ``__getitem__`` and a collate: for batches of thousands of small samples
    that is most of an epoch's time.
    """

    def __init__(self, n: int, batch_size: int, generator: torch.Generator | None = None):
        self.n, self.batch_size, self.generator = n, batch_size, generator

    def __iter__(self) -> Iterator[torch.Tensor]:
        return iter(torch.randperm(self.n, generator=self.generator).split(self.batch_size))

    def __len__(self) -> int:
        return -(-self.n // self.batch_size)
