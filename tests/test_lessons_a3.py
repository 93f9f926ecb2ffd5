"""The lessons of assignment 3's BERT + GRU notebook must show in the tiny data (design: "Lessons").

Training is the notebook's dearest step (about two minutes on two cores), so the lessons that
need a trained model read the numbers that the notebook itself printed when the `graded` fixture
autograded the sample student `alternative` (a second solution, written from the release alone,
run in the sandbox by a real kernel), rather than train once more: the lessons must show in any
right solution, not only in ours. The others are computed here.
"""
import math
import re

import pytest
import torch

from helpers.models import count_parameters
from helpers.pretrained import encode_texts, load_bert
from reference.bert_gru import BIDIRECTIONAL, DROPOUT, HIDDEN_DIM, N_LAYERS, OUTPUT_DIM, BERTGRUSentiment, to_ids

NOTEBOOK = "a3_transformers_sentiment/bert_gru_sentiment.ipynb"
RIGHT_POSITIVE, MIDDLE, WRONG_NEGATIVE = math.log1p(math.exp(-1)), math.log(2), math.log1p(math.e)


def test_the_frozen_encoder_with_a_gru_beats_85_percent(printed):
    assert printed.number("given_08", r"test accuracy ([\d.]+)%") > 85


def test_the_loss_of_rounded_predictions_is_a_function_of_the_counts_alone(printed):
    """The seed's evaluate: 0.313 for a right positive, ln 2 for a right negative or a wrong
    positive, 1.313 for a wrong negative; it cannot fall below 0.503 on balanced classes."""
    text = printed["given_09"]
    tp, fn, tn, fp = (int(n) for n in re.search(r"\[(\d+), (\d+), (\d+), (\d+)\]", text).groups())
    from_counts = (tp * RIGHT_POSITIVE + (fn + tn) * MIDDLE + fp * WRONG_NEGATIVE) / (tp + fn + tn + fp)
    on_rounded = printed.number("given_09", r"on the rounded predictions ([\d.]+)")
    on_logits = printed.number("given_09", r"loss on the logits ([\d.]+)")
    assert on_rounded == pytest.approx(from_counts, abs=1e-3)
    assert on_rounded > 0.5 * (RIGHT_POSITIVE + MIDDLE) > on_logits + 0.1
    # the seed's accuracies, errors shared equally, predict its printed losses (0.559, 0.543, 0.545)
    for accuracy, seed_printed in ((0.8979, 0.559), (0.9158, 0.543), (0.9230, 0.545)):
        predicted = 0.5 * (accuracy * RIGHT_POSITIVE + (1 - accuracy) * MIDDLE) + \
            0.5 * (accuracy * MIDDLE + (1 - accuracy) * WRONG_NEGATIVE)
        assert abs(predicted - seed_printed) < 0.006


def test_the_seeds_sentences_land_on_the_right_sides(printed):
    negative = printed.number("B11", r"([\d.]+)  Justice League is terrible")
    positive = printed.number("B11", r"([\d.]+)  Avengers was great")
    assert negative < 0.3 and positive > 0.7


def test_the_stored_vectors_make_the_epoch_faster(printed):
    """With MiniLM (about 8 times cheaper than bert-base) the GRU's backward pass on two CPU cores
    costs about as much as the encoder: the gain is about 2x in the tiny mode; `make bench`
    measures bert-base's shape, where the encoder dominates."""
    assert printed.number("given_07", r"([\d.]+) times faster") > 1.4


def test_freezing_leaves_only_the_gru_and_the_head_trainable():
    _, bert = load_bert("tiny", frozen=False, verbose=False)
    model = BERTGRUSentiment(bert, HIDDEN_DIM, OUTPUT_DIM, N_LAYERS, BIDIRECTIONAL, DROPOUT)
    head = count_parameters(model.rnn) + count_parameters(model.out)
    assert count_parameters(model) == count_parameters(bert) + head == 24_882_561
    bert.requires_grad_(False)
    assert count_parameters(model) == head == 2_169_345
    from transformers import BertConfig, BertModel  # bert-base-uncased's shape gives the seed's counts
    base = BertModel(BertConfig())
    seed = BERTGRUSentiment(base, HIDDEN_DIM, OUTPUT_DIM, N_LAYERS, BIDIRECTIONAL, DROPOUT)
    assert count_parameters(seed) == 112_241_409
    base.requires_grad_(False)
    assert count_parameters(seed) == 2_759_169


def test_with_the_attention_mask_a_reviews_vectors_do_not_depend_on_its_batch():
    tokenizer, bert = load_bert("tiny", verbose=False)
    short, long = to_ids(tokenizer, "What a terrific film."), to_ids(tokenizer, "The plot was dull. " * 20)
    alone = encode_texts(bert, [short], dtype=torch.float32)
    together = encode_texts(bert, [short, long], batch_size=2, dtype=torch.float32)
    assert torch.allclose(alone.features, together.features[:len(short)], atol=1e-4)
    # without the mask, as the seed ran it, the padding changes the short review's vectors
    padded = torch.tensor([short + [tokenizer.pad_token_id] * (len(long) - len(short)), long])
    with torch.no_grad():
        unmasked = bert(input_ids=padded).last_hidden_state[0, :len(short)]
    assert (unmasked - alone.features).abs().max() > 0.1


def test_stored_vectors_are_kept_by_the_encoders_weights_and_the_texts(tmp_path):
    tokenizer, bert = load_bert("tiny", verbose=False)
    texts = [to_ids(tokenizer, "A moving, gripping story."), to_ids(tokenizer, "Dull.")]
    first = encode_texts(bert, texts, cache=tmp_path)
    assert len(list(tmp_path.glob("*.bin"))) == 1
    again = encode_texts(bert, texts, cache=tmp_path)
    assert torch.equal(first.features, again.features) and len(list(tmp_path.glob("*.bin"))) == 1
    encode_texts(bert, texts[:1], cache=tmp_path)  # other texts: another entry
    with torch.no_grad():
        bert.embeddings.word_embeddings.weight[0, 0] += 1  # other weights: another entry
    encode_texts(bert, texts, cache=tmp_path)
    assert len(list(tmp_path.glob("*.bin"))) == 3
