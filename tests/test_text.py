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


# ---------------------------------------------------------------- assignment 2's pieces
from helpers.models import Word2Vec  # noqa: E402
from helpers.text import (SEQ2SEQ_SPECIALS, BucketBatchSampler, RandomBatchSampler, collate_pairs,  # noqa: E402
                          encode_sentence, spacy_tokenizer, stop_words)


def test_spacy_tokenizers_split_punctuation_lower_and_reverse():
    assert spacy_tokenizer("de", reverse=True)("Zwei Männer, im Freien.") == [".", "freien", "im", ",", "männer", "zwei"]
    assert spacy_tokenizer("en")("A man's dog isn't  running.") == ["a", "man", "'s", "dog", "is", "n't", "running", "."]
    assert spacy_tokenizer("en", lower=False)("Two Dogs") == ["Two", "Dogs"]


def test_stop_words_ship_with_spacy():
    words = stop_words("en")
    assert {"the", "a", "is", "my"} <= words and "father" not in words
    assert "und" in stop_words("de")


def test_encode_sentence_wraps_in_sos_and_eos():
    vocab = Vocab(Counter({"two": 2, "dogs": 2}), specials=SEQ2SEQ_SPECIALS)
    assert vocab.itos[:4] == ["<unk>", "<pad>", "<sos>", "<eos>"]
    assert encode_sentence(["two", "cats"], vocab) == [2, vocab["two"], 0, 3]


def test_collate_pairs_pads_time_first():
    src, trg = collate_pairs(1, 9)([([2, 5, 3], [2, 3]), ([2, 3], [2, 7, 7, 3])])
    assert src.tolist() == [[2, 2], [5, 3], [3, 1]] and trg.shape == (4, 2) and trg[2:, 0].tolist() == [9, 9]


def test_bucket_batches_cover_everything_and_cut_padding():
    lengths = [(i * 7919) % 40 + 1 for i in range(1000)]
    sampler = BucketBatchSampler(lengths, 32, pool=10, seed=0)
    epochs = [list(sampler), list(sampler)]
    for batches in epochs:
        assert sorted(i for b in batches for i in b) == list(range(1000)) and len(batches) == len(sampler)
    assert epochs[0] != epochs[1]  # a new order every epoch

    def padding(batches):
        return sum(max(lengths[i] for i in b) * len(b) - sum(lengths[i] for i in b) for b in batches)

    shuffled = list(RandomBatchSampler(1000, 32, torch.Generator().manual_seed(0)))
    assert padding(epochs[0]) < padding([b.tolist() for b in shuffled]) / 5
    fixed = list(BucketBatchSampler(lengths, 32, shuffle=False))
    assert fixed == list(BucketBatchSampler(lengths, 32, shuffle=False))
    assert [lengths[b[0]] for b in fixed][:4] == sorted(lengths)[:128:32]


def test_random_batches_are_index_tensors_for_one_gather():
    data = torch.utils.data.TensorDataset(torch.arange(10), torch.arange(10) * 2)
    loader = DataLoader(data, batch_size=None, sampler=RandomBatchSampler(10, 4))
    batches = list(loader)
    assert len(loader) == 3 and [len(x) for x, _ in batches] == [4, 4, 2]
    assert sorted(torch.cat([x for x, _ in batches]).tolist()) == list(range(10))
    assert all(torch.equal(y, x * 2) for x, y in batches)


def test_word2vec_is_an_embedding_then_a_bias_free_expansion():
    model = Word2Vec(30, 5)
    assert model(torch.tensor([1, 2, 3])).shape == (3, 30) and model.expand.bias is None
    assert torch.allclose(model(torch.tensor([4]))[0], model.expand.weight @ model.embed.weight[4])
