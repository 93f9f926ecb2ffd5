"""Tweets labelled racist or sexist (assignment 2, Word2Vec): ``(label, tweet)``.

``full``: the 31,962 labelled tweets behind Hugging Face's
tweets_hate_speech_detection, one pinned CSV. ``tiny``: 4,000 generated tweets.
What makes them look like the real CSV:
  - ``@user`` for every mention (the real set anonymised them), hashtags,
    ``&amp;`` entities, mixed case, ALL-CAPS, repeated punctuation, digits,
    mojibake where emoji were, stray leading spaces;
  - plenty of stop words, and a tail of rare words (invented names, slang,
    misspellings) that the rare-token filter removes;
  - about 7% of tweets labelled 1 (racist or sexist), the rest 0.

What makes the Word2Vec lesson show: each tweet is about one topic, and a
topic's words (and hashtags) co-occur, so nearest neighbours in a trained
embedding are topical. ``TWEET_TOPICS`` lists them for the lesson test.
"""
from __future__ import annotations

import csv
import random
from functools import lru_cache
from pathlib import Path

from ..cache import download
from ..settings import data_mode
from . import check_split
from .invented_words import rare_words

__all__ = ["TWEETS_URL", "TWEETS_SHA256", "SPLITS", "TINY_TWEETS_SIZE", "TWEET_TOPICS",
           "read_tweets", "tiny_tweets", "load_tweets"]

# The CSV behind Hugging Face's tweets_hate_speech_detection, with the SHA-256
# that its dataset card pins.
TWEETS_URL = "https://raw.githubusercontent.com/sharmaroshan/Twitter-Sentiment-Analysis/master/train_tweet.csv"
TWEETS_SHA256 = "4f1bfabc2908029734fb2acd34028a8dfd1b92098bddfe60b0f0836c964e26ab"
SPLITS = ("train",)  # the only labelled one
TINY_TWEETS_SIZE = 4000


# ---------------------------------------------------------------- the real file
def read_tweets(path: str | Path) -> list[tuple[int, str]]:
    """Parse the real tweets CSV: a header ``id,label,tweet``, then one tweet a row.

    Tweets may hold commas, quotes and line breaks (CSV-quoted). As in the
    Hugging Face loader, the spaces after each comma are skipped; the rest of
    the text, mojibake included, is kept as it is.

    Args:
        path: the CSV file (``train_tweet.csv``).
    Returns:
        list of ``(label, tweet)`` in file order; label 1 racist or sexist, 0 not.
    """
    try:
        with open(path, encoding="utf-8", newline="") as f:
            rows = csv.reader(f, skipinitialspace=True)
            header = next(rows, None)
            if header != ["id", "label", "tweet"]:
                raise ValueError(f"{path}: expected the header id,label,tweet, found {header}")
            tweets = []
            for row in rows:
                if len(row) != 3 or row[1] not in ("0", "1"):
                    raise ValueError(f"{path}, line {rows.line_num}: expected id, label 0 or 1, tweet; "
                                     f"found {row[:3]}")
                tweets.append((int(row[1]), row[2]))
    except UnicodeDecodeError as error:
        raise ValueError(f"{path} is not UTF-8 text ({error}); is it the tweets CSV?") from error
    return tweets


# ---------------------------------------------------------------- the tiny set
_HATE_SHARE = 0.07

TWEET_TOPICS = {
    "family": "father dad mother mom son daughter family kids brother sister parents grandma".split(),
    "school": "school teacher class exam homework student study college lesson library".split(),
    "food": "food pizza dinner lunch breakfast cook chocolate coffee cake recipe delicious".split(),
    "sport": "game team match football goal coach player season fans stadium".split(),
    "music": "music song concert album band guitar sing dance playlist festival".split(),
    "beach": "summer beach sun sunny holiday vacation swim ocean travel trip".split(),
    "work": "work job office monday boss meeting career project deadline colleague".split(),
    "hate": "racist sexist bigot hateful racism sexism ignorant disgusting shame blame".split(),
}
_HASHTAGS = {
    "family": "fathersday family dad love".split(),
    "school": "school exams studying".split(),
    "food": "food foodie yummy".split(),
    "sport": "football gameday sport".split(),
    "music": "music concert nowplaying".split(),
    "beach": "summer beach travel".split(),
    "work": "work mondaymotivation".split(),
    "hate": "racism sexism".split(),
}
_GENERAL = ("love happy day today time life good great new get go make one people like see "
            "thank best fun friend week night amp feel always first").split()
_STOP = ("the a an is are my i to and with for of in this so you it at all me we our be "
         "just on your that have was not but what when can").split()
_PUNCT = ["!", "!!", "!!!", ".", "...", "?", ":)", ",", " ð", " ð\x9f\x98\x81", " â\x9d¤ï¸\x8f"]


def _styled(word: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.08:
        return word.upper()
    if roll < 0.2:
        return word.capitalize()
    return word


def _tweet(topic: str, rng: random.Random, rare: list[str]) -> str:
    words = []
    for _ in range(rng.randint(7, 13)):
        roll = rng.random()
        if roll < 0.42:
            words.append(rng.choice(TWEET_TOPICS[topic]))
        elif roll < 0.62:
            words.append(rng.choice(_GENERAL))
        elif roll < 0.95:
            words.append(rng.choice(_STOP))
        else:
            words.append(rng.choice(rare))
    text = " ".join(_styled(w, rng) for w in words)
    if rng.random() < 0.3:
        text = text.replace(" and ", " &amp; ", 1)
    if rng.random() < 0.1:
        text += f" {rng.randint(2, 2016)}"
    text += rng.choice(_PUNCT)
    mentions = " ".join(["@user"] * rng.choice([0, 0, 1, 1, 2, 3]))
    tags = " ".join("#" + rng.choice(_HASHTAGS[topic]) for _ in range(rng.choice([0, 1, 1, 2, 3])))
    tweet = " ".join(part for part in (mentions, text, tags) if part)
    return (" " if rng.random() < 0.3 else "") + tweet


@lru_cache(maxsize=None)
def tiny_tweets(split: str = "train") -> tuple[tuple[int, str], ...]:
    """``TINY_TWEETS_SIZE`` generated tweets as ``(label, tweet)``, in a fixed order.

    label 1 marks a racist or sexist tweet (about 7%), 0 any other, as in the
    real set. Deterministic: the same tweets on every call and machine.
    """
    check_split("Tweets", split, SPLITS)
    rng = random.Random(2023)
    rare = rare_words(rng, 600, 2, 3)
    everyday = [t for t in TWEET_TOPICS if t != "hate"]
    tweets = []
    for _ in range(TINY_TWEETS_SIZE):
        label = int(rng.random() < _HATE_SHARE)
        topic = "hate" if label else rng.choice(everyday)
        tweets.append((label, _tweet(topic, rng, rare)))
    return tuple(tweets)


# ---------------------------------------------------------------- either
def load_tweets(split: str = "train") -> list[tuple[int, str]]:
    """Tweets as ``(label, tweet)``, label 1 racist or sexist (about 7%), else 0.

    Only ``"train"`` is labelled. ``tiny``: 4,000 generated tweets; ``full``:
    the 31,962 real ones, downloaded on first use.
    """
    check_split("Tweets", split, SPLITS)
    if data_mode() == "tiny":
        return list(tiny_tweets(split))
    return read_tweets(download(TWEETS_URL, TWEETS_SHA256))
