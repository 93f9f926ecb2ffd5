"""CoLA (assignment 4, Transformer): the real format's parser on files written here, the tiny set, the arrays."""
import random
import re
from collections import Counter

import numpy as np
import pytest

import helpers.data
from helpers.datasets import cola
from helpers.datasets.cola import (CLS, PAD, SPLITS, TINY_COLA_SIZES, UNK, VIOLATIONS, CoLARow, cola_arrays,
                                   cola_vocabulary, fresh_tiny_cola, load_cola, read_cola, tiny_cola)


def write_tsv(root, variant, split, text):
    folder = root / "cola_public" / variant
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{split}.tsv").write_text(text, encoding="utf-8")


# ---------------------------------------------------------------- the real format
RAW = ("gj04\t1\t\tOur friends won't buy this analysis, let alone the next one we propose.\n"
       "gj04\t0\t*\tThe more we study verbs, the crazier they get \"going\".\n"
       "r-67\t0\t?*\tWhat did Betsy paint a picture of and?\n")
TOKENIZED = ("gj04\t1\t\tour friends wo n't buy this analysis , let alone the next one we propose .\n"
             "w_80\t1\t \tjohn talked to bill about himself .")  # no final line break, a mark of one space


def test_read_cola_parses_both_layouts(tmp_path):
    write_tsv(tmp_path, "raw", "in_domain_train", RAW)
    write_tsv(tmp_path, "tokenized", "in_domain_train", TOKENIZED)
    raw = read_cola(tmp_path, "in_domain_train")
    assert raw == [CoLARow("gj04", 1, "", "Our friends won't buy this analysis, let alone the next one we propose."),
                   CoLARow("gj04", 0, "*", 'The more we study verbs, the crazier they get "going".'),  # quotes kept
                   CoLARow("r-67", 0, "?*", "What did Betsy paint a picture of and?")]
    tokenized = read_cola(tmp_path, "in_domain_train", tokenized=True)
    assert [row.sentence for row in tokenized] == [
        "our friends wo n't buy this analysis , let alone the next one we propose .",
        "john talked to bill about himself ."]  # the last line read without its line break
    assert tokenized[1].mark == "" and isinstance(tokenized[1].label, int)


def test_read_cola_explains_what_is_wrong(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"in_domain_dev\.tsv is missing: .*holding cola_public/raw/"):
        read_cola(tmp_path, "in_domain_dev")
    with pytest.raises(ValueError, match="CoLA has no split 'train'"):
        read_cola(tmp_path, "train")
    write_tsv(tmp_path, "raw", "in_domain_dev", RAW + "gj04\t1\tJohn left.\n")  # the mark's tab is missing
    with pytest.raises(ValueError, match=r"in_domain_dev\.tsv, line 4: expected 4 tab-separated fields"):
        read_cola(tmp_path, "in_domain_dev")
    write_tsv(tmp_path, "raw", "out_of_domain_dev", RAW.replace("r-67\t0", "r-67\tyes"))
    with pytest.raises(ValueError, match=r"out_of_domain_dev\.tsv, line 3: .*label 0 or 1"):
        read_cola(tmp_path, "out_of_domain_dev")
    write_tsv(tmp_path, "tokenized", "in_domain_dev", RAW.replace("\n", "\n\n", 1))  # an empty line
    with pytest.raises(ValueError, match=r"in_domain_dev\.tsv, line 2: "):
        read_cola(tmp_path, "in_domain_dev", tokenized=True)


# ---------------------------------------------------------------- the tiny set
def test_tiny_cola_has_the_sizes_and_the_label_share_of_cola():
    for split in SPLITS:
        rows = tiny_cola(split)
        assert len(rows) == TINY_COLA_SIZES[split]
        assert sum(row.label for row in rows) / len(rows) == pytest.approx(0.7, abs=0.005)  # CoLA: 70.4%
        assert all(row.mark == ("" if row.label else "*") for row in rows)
        assert {row.source for row in rows} == set(VIOLATIONS)


def test_tiny_cola_is_deterministic_and_no_sentence_is_in_two_splits():
    first = {split: tiny_cola(split) for split in SPLITS}
    cola._tiny_corpus.cache_clear()
    random.seed(12345)  # the global generator plays no part
    assert {split: tiny_cola(split) for split in SPLITS} == first
    sentences = [row.sentence for split in SPLITS for row in first[split]]
    assert len(set(sentences)) == len(sentences)


def test_tiny_cola_holds_every_kind_of_violation_beside_acceptable_sentences_of_that_kind():
    for split in SPLITS:
        kinds = Counter((row.source, row.label) for row in tiny_cola(split))
        for kind in VIOLATIONS:
            assert kinds[kind, 0] >= 10 and kinds[kind, 1] >= 10, (split, kind, kinds)
    # each kind's violations, as patterns: every sentence they match is that kind, and unacceptable
    # ("the dogs of a man barks .", "the dog chased red the ball .", "john devoured .", "john slept the ball .")
    violations = {"agreement": r"^(the|some) (\w+ )?\w+s (of|with|behind) (a|an) \w+ (\w+s|is|does) ",
                  "word_order": r" (red|new|big|small|old|heavy|green) (the|a|an|some) \w+ \.$",
                  "missing_argument": (r" (put|puts|place|places|placed) (the|a|an|some) (\w+ )?\w+ \.$"
                                       r"|^(\w+|(the|a|an|some) (\w+ )?\w+) (devour|devours|devoured) \.$"),
                  "extra_argument": r" (slept|laughed|arrived|smiled|sneezed|fell) (the|a|an|some) ",
                  "island": r"^what did .* who \w+ \?$|^who did .* and \?$|^what did .* whether .* \w+ \?$"}
    for kind, pattern in violations.items():
        found = [row for row in tiny_cola("in_domain_train") if re.search(pattern, row.sentence)]
        assert len(found) >= 10, kind
        assert all(row.source == kind and row.label == 0 for row in found), [row for row in found
                                                                               if row.source != kind or row.label]


def test_tiny_cola_is_tokenized_as_colas_tokenized_files_and_short():
    for split in SPLITS:
        for row in tiny_cola(split):
            tokens = row.sentence.split(" ")
            assert all(re.fullmatch(r"[a-z]+|n't|[.?]", token) for token in tokens), row
            assert tokens[-1] in (".", "?") and "" not in tokens
            assert len(tokens) <= 15  # T = 16 at most with [CLS]


def test_out_of_domain_dev_uses_words_that_training_never_sees():
    seen = {token for row in tiny_cola("in_domain_train") for token in row.sentence.split()}
    new = Counter(token for row in tiny_cola("out_of_domain_dev") for token in row.sentence.split()
                  if token not in seen)
    assert {"sailor", "nurses", "horse", "shivered", "examine"} <= set(new)


# ---------------------------------------------------------------- the arrays
def rows(*sentences, label=1):
    return [CoLARow("test", label, "", sentence) for sentence in sentences]


def test_cola_arrays_pad_after_cls_and_map_unseen_words_to_unk():
    train = rows("the dog barks .", "the dog sleeps .", "the cat barks .") + rows("dog the barks .", label=0)
    val = rows("the dog barks at the cat .", "a bird sleeps .")
    arrays = cola_arrays(train, val, min_count=2)
    assert set(arrays) == {"train_inxs", "val_inxs", "train_labels", "val_labels", "word_to_ix"}
    word_to_ix = arrays["word_to_ix"]
    # specials first, then by count (. 4, the 4, barks 3, dog 3; ties alphabetical); cat, sleeps once: [UNK]
    assert word_to_ix == {PAD: 0, CLS: 1, UNK: 2, ".": 3, "the": 4, "barks": 5, "dog": 6}
    assert arrays["train_inxs"].dtype == arrays["val_inxs"].dtype == np.int64
    assert arrays["train_labels"].tolist() == [1, 1, 1, 0] and arrays["val_labels"].dtype == np.int64
    assert arrays["train_inxs"].shape == (4, 8) and arrays["val_inxs"].shape == (2, 8)  # 1 + 7 tokens
    assert arrays["train_inxs"][1].tolist() == [1, 4, 6, 2, 3, 0, 0, 0]  # [CLS] the dog [UNK] . [PAD]...
    assert arrays["val_inxs"].tolist() == [[1, 4, 6, 5, 2, 4, 2, 3], [1, 2, 2, 2, 3, 0, 0, 0]]


def test_the_tiny_arrays_follow_the_vocabulary_rule():
    arrays = load_cola()  # tiny, the default mode
    rows = tiny_cola("in_domain_train")
    order = np.random.default_rng(0).permutation(len(rows))  # the documented split: 5,000 / 1,000
    train, val = [rows[i] for i in order[:5_000]], [rows[i] for i in order[5_000:]]
    assert len(val) == 1_000 and not {row.sentence for row in tiny_cola("in_domain_dev")} & {
        row.sentence for row in train + val}  # in_domain_dev stays aside, for the grader
    inxs, word_to_ix = arrays["train_inxs"], arrays["word_to_ix"]
    counts = Counter(token for row in train for token in row.sentence.split())
    assert list(word_to_ix)[:3] == [PAD, CLS, UNK] and list(word_to_ix.values()) == list(range(len(word_to_ix)))
    assert set(word_to_ix) - {PAD, CLS, UNK} == {word for word, count in counts.items() if count >= 3}
    assert word_to_ix == cola_vocabulary(row.sentence for row in train)
    assert inxs.shape == (len(train), 1 + max(len(row.sentence.split()) for row in train + val))
    assert arrays["val_inxs"].shape == (len(val), inxs.shape[1]) and inxs.shape[1] <= 16
    assert (inxs[:, 0] == word_to_ix[CLS]).all() and (arrays["val_inxs"][:, 0] == word_to_ix[CLS]).all()
    lengths = np.array([len(row.sentence.split()) for row in train])
    padding = inxs == word_to_ix[PAD]
    assert (padding.sum(1) == inxs.shape[1] - 1 - lengths).all()
    assert not (padding[:, :-1] & ~padding[:, 1:]).any()  # padding only at the end
    assert np.array_equal(arrays["train_labels"], [row.label for row in train])
    assert np.array_equal(arrays["val_labels"], [row.label for row in val])
    assert (arrays["train_inxs"] == word_to_ix[UNK]).any() and (arrays["val_inxs"] == word_to_ix[UNK]).any()


def test_the_data_module_exports_cola():
    assert helpers.data.load_cola is load_cola and helpers.data.read_cola is read_cola
    assert helpers.data.tiny_cola is tiny_cola and helpers.data.COLA_URL.endswith("cola_public_1.1.zip")


def test_fresh_sentences_are_new_in_domain_and_70_percent_acceptable():
    known = {row.sentence for split in ("in_domain_train", "in_domain_dev", "out_of_domain_dev")
             for row in tiny_cola(split)}
    fresh = fresh_tiny_cola(2026, 1_000)
    assert len({row.sentence for row in fresh}) == 1_000 and not {row.sentence for row in fresh} & known
    assert sum(row.label for row in fresh) == 700 and {row.source for row in fresh} == set(VIOLATIONS)
    assert fresh == fresh_tiny_cola(2026, 1_000) and fresh != fresh_tiny_cola(2027, 1_000)
