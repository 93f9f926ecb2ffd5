"""Data sets of the course, in two modes.

``COURSE_DATA=tiny`` (the default) gives small generated sets that run on a
laptop in minutes; ``COURSE_DATA=full`` gives the real ones, downloaded once
into the cache (see ``helpers.cache``). Fetching is kept apart from parsing:
each ``read_*`` function parses the real format from a folder, so it can be
tested on small fixture files.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from .cache import cache_dir, download, extract
from .synthetic import tiny_imdb

__all__ = ["MODES", "data_mode", "load_imdb", "read_imdb", "IMDB_URL", "IMDB_SHA256"]

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
