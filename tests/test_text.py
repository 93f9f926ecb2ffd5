from collections import Counter

import pytest
import torch
from torch.utils.data import DataLoader

from helpers.text import Vocab, basic_english, collate_padded, pad_batch, whitespace


@pytest.mark.parametrize("text, tokens", [
    ("Don't miss it!<br />Great.", ["don", "'", "t", "miss", "it", "!", "great", "."]),
    ('He said "wow": (really?) 3.5/10; fine, ok...',
     ["he", "said", "wow", "(", "really", "?", ")", "3", ".", "5/10", "fine", ",", "ok", ".", ".", "."]),
    ("It's GREAT!!!", ["it", "'", "s", "great", "!", "!", "!"]),
    ("A<br/>B", ["a<br/>b"]),  # only "<br />" with its space is a line break
    ("well-made 10/10 #1 @user", ["well-made", "10/10", "#1", "@user"]),
    ("a\tb\n\nc  ", ["a", "b", "c"]),
    ("", []),
    ("Ünïcode CAFÉ", ["ünïcode", "café"]),
])
def test_basic_english_matches_torchtext(text, tokens):
    assert basic_english(text) == tokens


def test_whitespace_is_plain_split():
    assert whitespace("Great, GREAT great!") == ["Great,", "GREAT", "great!"]


def test_vocab_orders_by_frequency_then_alphabet_and_caps():
    vocab = Vocab(Counter({"b": 3, "a": 3, "c": 5, "d": 1, "e": 1}), max_size=3, specials=["<unk>", "<pad>"])
    assert vocab.itos == ["<unk>", "<pad>", "c", "a", "b"]
    assert len(vocab) == 5 and vocab.unk_index == 0
    assert vocab["c"] == 2 and vocab["d"] == 0 and "d" not in vocab
    assert vocab.encode(["a", "zzz", "c"]) == [3, 0, 2]
    assert vocab.decode(torch.tensor([2, 3])) == ["c", "a"]
    assert vocab.freqs["d"] == 1  # counts of dropped words are kept


def test_vocab_min_freq_and_build():
    vocab = Vocab.build(["the cat", "the dog", "The end"], basic_english, min_freq=2)
    assert vocab.itos == ["<unk>", "the"]
    with pytest.raises(ValueError, match="unknown token"):
        Vocab(Counter(), specials=["<pad>"], unk="<unk>")


def test_pad_batch_and_collate():
    padded, lengths = pad_batch([torch.tensor([1, 2, 3]), torch.tensor([4])], pad_index=0)
    assert padded.tolist() == [[1, 2, 3], [4, 0, 0]] and lengths.tolist() == [3, 1]
    padded, _ = pad_batch([torch.tensor([1, 2]), torch.tensor([4])], pad_index=9, batch_first=False)
    assert padded.shape == (2, 2) and padded[:, 1].tolist() == [4, 9]
    loader = DataLoader([(1, [5, 6, 7]), (0, [8])], batch_size=2, collate_fn=collate_padded(pad_index=1))
    labels, batch, lengths = next(iter(loader))
    assert labels.tolist() == [1, 0] and batch.tolist() == [[5, 6, 7], [8, 1, 1]] and lengths.tolist() == [3, 1]
