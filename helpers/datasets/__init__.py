"""The course's data sets, one module each.

- ``imdb``: film reviews labelled positive or negative (assignment 1);
- ``tweets``: tweets labelled racist or sexist, or not (assignment 2, Word2Vec);
- ``multi30k``: German-English image descriptions (assignment 2, Seq2Seq);
- ``coco_captions``: image features and captions in cs231n's format (assignment 4);
- ``cola``: English sentences judged acceptable or not, as padded arrays (assignment 4, Transformer);
- ``invented_words``: the made-up rare words that the generated sets share.

A data-set module holds its pinned URL and checksums, its ``SPLITS``,
``read_<name>`` (the parser of the real format), ``tiny_<name>`` (the generated
stand-in) and ``load_<name>(split)``, which the data mode
(``helpers.settings.data_mode()``) sends to one or the other. Real files are
fetched and verified by ``helpers.cache.download``.
"""
from __future__ import annotations

from collections.abc import Collection

__all__ = ["check_split"]


def check_split(dataset: str, split: str, splits: Collection[str]) -> None:
    """Raise a ValueError unless ``split`` is one of ``dataset``'s ``splits``."""
    if split not in splits:
        raise ValueError(f"{dataset} has no split {split!r}: use {' or '.join(map(repr, splits))}")
