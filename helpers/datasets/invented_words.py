"""Invented words: the long tail of rare names, places and slang in every tiny data set.

A capped vocabulary (or a ``min_freq`` filter) turns most of them into
``<unk>``, as it does the rare words of the real sets.
"""
from __future__ import annotations

import random

__all__ = ["SYLLABLES", "invented_word", "rare_words"]

SYLLABLES = ("ka ro mi ten dal vor is an bel tru shi gor pa len dra mu fen "
             "ost ril qua ze bo hart win cal nor sel").split()


def invented_word(rng: random.Random, min_syllables: int = 2, max_syllables: int = 4) -> str:
    """A made-up lower-case word of ``min_syllables`` to ``max_syllables`` syllables, e.g. ``"kadalvor"``."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(min_syllables, max_syllables)))


def rare_words(rng: random.Random, count: int, min_syllables: int = 2, max_syllables: int = 4,
               capitalized: float = 0.0) -> list[str]:
    """``count`` distinct invented words, sorted.

    Args:
        rng: makes every choice.
        count: how many distinct words.
        min_syllables, max_syllables: the length of each word.
        capitalized: the chance that a word is capitalized, as a name; at 0
            no draw is made for it, so ``rng`` moves on as if it were absent.
    Returns:
        list of ``count`` str.
    """
    words = set()
    while len(words) < count:
        word = invented_word(rng, min_syllables, max_syllables)
        words.add(word.capitalize() if capitalized and rng.random() < capitalized else word)
    return sorted(words)
