"""Data sets of the course, in two modes.

``COURSE_DATA=tiny`` (the default) gives small generated sets that run on a
laptop in minutes; ``COURSE_DATA=full`` gives the real ones, downloaded once
into the cache (see ``helpers.cache``). Fetching is kept apart from parsing:
each ``read_*`` function parses the real format from a folder, so it can be
tested on small fixture files.
"""
from __future__ import annotations

import csv
import gzip
import os
import re
from pathlib import Path

from .cache import cache_dir, download, extract
from .synthetic import tiny_imdb
from .synthetic_multi30k import tiny_multi30k
from .synthetic_tweets import tiny_tweets

__all__ = ["MODES", "data_mode", "load_imdb", "read_imdb", "IMDB_URL", "IMDB_SHA256",
           "load_tweets", "read_tweets", "TWEETS_URL", "TWEETS_SHA256",
           "load_multi30k", "read_multi30k", "MULTI30K_URL", "MULTI30K_FILES", "MULTI30K_CHECKSUMS"]

MODES = ("tiny", "full")


def data_mode() -> str:
    """The active data mode, from ``$COURSE_DATA``: ``"tiny"`` (default) or ``"full"``."""
    mode = os.environ.get("COURSE_DATA", "tiny").strip().lower() or "tiny"
    if mode not in MODES:
        raise ValueError(f"COURSE_DATA must be one of {MODES}, got {mode!r}; "
                         f"unset it for the tiny data or set COURSE_DATA=full for the real data")
    return mode


# ---------------------------------------------------------------- IMDB
IMDB_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
IMDB_SHA256 = "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"
_IMDB_FILE = re.compile(r"^(\d+)_(\d+)\.txt$")  # <id>_<rating>.txt


def read_imdb(root: str | Path, split: str) -> list[tuple[int, str]]:
    """Parse one split of the real aclImdb layout.

    Reads ``root/<split>/{neg,pos}/<id>_<rating>.txt``: every negative review
    first, then every positive one, each group in the order of its ids.

    Args:
        root: the ``aclImdb`` folder.
        split: ``"train"`` or ``"test"``.
    Returns:
        list of ``(label, text)``, label 1 positive and 0 negative.
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    reviews = []
    for label, folder in ((0, "neg"), (1, "pos")):
        directory = Path(root) / split / folder
        if not directory.is_dir():
            raise FileNotFoundError(f"{directory} is missing: is {root} an extracted aclImdb folder?")
        files = [(int(m.group(1)), path) for path in directory.iterdir()
                 if (m := _IMDB_FILE.match(path.name))]
        for _, path in sorted(files):
            reviews.append((label, path.read_text(encoding="utf-8")))
    return reviews


def load_imdb(split: str) -> list[tuple[int, str]]:
    """IMDB reviews of one split as ``(label, text)``, label 1 positive, 0 negative.

    Grouped by label (negatives first) in both modes, as the original files
    are: shuffle before training. ``tiny``: 2,500 generated reviews per label;
    ``full``: the 12,500 real reviews per label, downloaded on first use.
    """
    if data_mode() == "tiny":
        if split not in ("train", "test"):
            raise ValueError(f"split must be 'train' or 'test', got {split!r}")
        return list(tiny_imdb(split))
    archive = download(IMDB_URL, IMDB_SHA256)
    root = extract(archive, cache_dir() / "aclImdb_v1") / "aclImdb"
    return read_imdb(root, split)


# ---------------------------------------------------------------- tweets
# The CSV behind Hugging Face's tweets_hate_speech_detection, with the SHA-256
# that its dataset card pins.
TWEETS_URL = "https://raw.githubusercontent.com/sharmaroshan/Twitter-Sentiment-Analysis/master/train_tweet.csv"
TWEETS_SHA256 = "4f1bfabc2908029734fb2acd34028a8dfd1b92098bddfe60b0f0836c964e26ab"


def read_tweets(path: str | Path) -> list[tuple[int, str]]:
    """Parse the real tweets CSV: a header ``id,label,tweet``, then one tweet a row.

    Tweets may hold commas, quotes and line breaks (CSV-quoted). As in the
    Hugging Face loader, the spaces after each comma are skipped; the rest of
    the text, mojibake included, is kept as it is.

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


def load_tweets(split: str = "train") -> list[tuple[int, str]]:
    """Tweets as ``(label, tweet)``, label 1 racist or sexist (about 7%), else 0.

    Only ``"train"`` is labelled. ``tiny``: 4,000 generated tweets; ``full``:
    the 31,962 real ones, downloaded on first use.
    """
    if split != "train":
        raise ValueError(f"the tweets come with one labelled split, 'train'; got {split!r}")
    if data_mode() == "tiny":
        return list(tiny_tweets(split))
    return read_tweets(download(TWEETS_URL, TWEETS_SHA256))


# ---------------------------------------------------------------- Multi30k
# Task 1 of the Multi30k repository: one gzip file per split and language.
# Only MD5 digests are published for them (torchtext pinned these).
MULTI30K_URL = "https://raw.githubusercontent.com/multi30k/dataset/master/data/task1/raw/"
MULTI30K_FILES = {"train": "train", "valid": "val", "test": "test_2016_flickr"}
MULTI30K_CHECKSUMS = {
    "train.de.gz": "md5:81ff90b99829c0cd4b1b587d394afd39",
    "train.en.gz": "md5:0065d13af80720a55ca8153d126e6627",
    "val.de.gz": "md5:6e0e229eb049e3fc99a1ef02fb2d5f91",
    "val.en.gz": "md5:2b69aa9253948ac9f67e94917272dd40",
    "test_2016_flickr.de.gz": "md5:efd67d314d98489b716b145475101932",
    "test_2016_flickr.en.gz": "md5:ff2c0fcb4893a13bd73414306bc250ae",
}


def _split_name(split: str) -> str:
    if split not in MULTI30K_FILES:
        raise ValueError(f"split must be one of {list(MULTI30K_FILES)}, got {split!r}")
    return MULTI30K_FILES[split]


def read_multi30k(root: str | Path, split: str) -> list[tuple[str, str]]:
    """Parse one split of Multi30k task 1: ``root/<name>.de.gz`` and ``<name>.en.gz``.

    The files hold one sentence a line, the n-th German line translated by the
    n-th English one (``<name>``: train, val, test_2016_flickr).

    Returns:
        list of ``(german, english)`` sentences, without their line breaks.
    """
    name = _split_name(split)
    sides = []
    for lang in ("de", "en"):
        path = Path(root) / f"{name}.{lang}.gz"
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: is {root} a folder of Multi30k's task1/raw files?")
        with gzip.open(path, "rt", encoding="utf-8") as f:
            sides.append([line.rstrip("\r\n") for line in f])
    german, english = sides
    if len(german) != len(english):
        raise ValueError(f"{root}: {name}.de.gz has {len(german)} lines but {name}.en.gz has "
                         f"{len(english)}; the files must be aligned line by line")
    return list(zip(german, english))


def load_multi30k(split: str) -> list[tuple[str, str]]:
    """German-English image descriptions of ``split`` (train, valid or test).

    ``tiny``: 4,000 / 300 / 300 generated pairs; ``full``: the real 29,000 /
    1,014 / 1,000, downloaded on first use.
    """
    name = _split_name(split)
    if data_mode() == "tiny":
        return list(tiny_multi30k(split))
    root = cache_dir() / "multi30k"
    for lang in ("de", "en"):
        filename = f"{name}.{lang}.gz"
        download(MULTI30K_URL + filename, MULTI30K_CHECKSUMS[filename], root=root)
    return read_multi30k(root, split)
