"""IMDB film reviews (assignment 1): ``(label, text)``, label 1 positive, 0 negative.

``full``: the real aclImdb v1 (Maas et al., 2011), 12,500 reviews per label and
split, from one pinned archive. ``tiny``: 2,500 generated reviews per label and
split, of invented films. What makes them look like aclImdb:
  - mixed case, punctuation glued to words, ALL-CAPS emphasis, quotes,
    "<br /><br />" paragraph breaks, apostrophes, names, years and ratings;
  - a long tail of rare words (invented names, places, misspellings), so a
    capped vocabulary leaves unknown tokens;
  - sentiment carried by opinion words, some negated ("not bad at all");
  - a little label noise (a few reviews say the opposite of their label);
  - each split grouped by label, negatives first, as the real files are read.
"""
from __future__ import annotations

import random
import re
from functools import lru_cache
from pathlib import Path

from ..cache import cache_dir, download, extract
from ..settings import data_mode
from . import check_split
from .invented_words import rare_words

__all__ = ["IMDB_URL", "IMDB_SHA256", "SPLITS", "TINY_IMDB_SIZES", "read_imdb", "tiny_imdb", "load_imdb"]

IMDB_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
IMDB_SHA256 = "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"
SPLITS = ("train", "test")
TINY_IMDB_SIZES = {"train": 2500, "test": 2500}  # reviews per label


# ---------------------------------------------------------------- the real files
_IMDB_FILE = re.compile(r"^(\d+)_(\d+)\.txt$")  # <id>_<rating>.txt


def read_imdb(root: str | Path, split: str) -> list[tuple[int, str]]:
    """Parse one split of the real aclImdb layout.

    Reads ``root/<split>/{neg,pos}/<id>_<rating>.txt``: every negative review
    first, then every positive one, each group in the order of its ids. Other
    files (``unsup/``, url lists, ``.DS_Store``, ``._*``) are passed over.

    Args:
        root: the ``aclImdb`` folder.
        split: ``"train"`` or ``"test"``.
    Returns:
        list of ``(label, text)``, label 1 positive and 0 negative.
    """
    check_split("IMDB", split, SPLITS)
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


# ---------------------------------------------------------------- the tiny set
_LABEL_NOISE = 0.03

_POSITIVE = ("great excellent wonderful brilliant superb beautiful fantastic perfect "
             "charming delightful moving touching enjoyable amazing hilarious gripping "
             "stunning memorable powerful clever fun lovely masterful outstanding "
             "terrific refreshing heartfelt inspiring solid impressive").split()
_NEGATIVE = ("awful terrible boring dull horrible poor stupid pointless painful lame "
             "weak bland tedious predictable ridiculous annoying forgettable clumsy "
             "pathetic dreadful mediocre silly messy shallow lousy incoherent "
             "unwatchable laughable tiresome").split()
_PRAISE_VERBS = "loved enjoyed adored recommend liked treasured".split()
_BLAME_VERBS = "hated regretted disliked loathed endured resented".split()
_NOUNS = ("movie film story plot script cast acting direction ending soundtrack "
          "camera work dialogue pacing scene character villain hero romance "
          "photography editing performance sequel remake premise twist finale "
          "score setting costumes effects humor drama comedy thriller western "
          "documentary cinematography screenplay lead role").split()
_NEUTRAL_ADJ = ("long short old new young dark quiet loud strange simple typical "
                "early late small big familiar local foreign modern classic").split()
_VERBS = ("follows shows tells meets finds leaves loses chases visits returns "
          "watches joins marries fights helps escapes discovers remembers").split()
_PEOPLE = ("man woman girl boy detective teacher soldier doctor family couple "
           "writer singer farmer priest stranger neighbour sheriff student").split()
_PLACES_COMMON = ("town city village farm school hospital island desert ship "
                  "hotel prison castle forest house station").split()
_FIRST = ("John Mary James Anna Robert Linda Michael Susan David Karen Peter Helen "
          "Frank Grace Henry Alice George Ruth Walter Clara Bette Cary Ingrid "
          "Orson Greta Marlon Audrey Errol Vivien Spencer").split()
_LAST = ("Smith Brown Taylor Wilson Davies Evans Thomas Johnson Roberts Walker "
         "Wright Robinson Thompson White Hughes Edwards Green Hall Wood Harris "
         "Lewis Martin Jackson Clarke Turner Hill Moore Cooper Ward Morris").split()
_MISSPELLINGS = ("teh borring realy definately wierd alot truely untill "
                 "begining seperate acheive beleive occured recieve").split()


class _ReviewWriter:
    """Writes one review at a time from small sentence templates."""

    def __init__(self, rng: random.Random, rare: list[str]):
        self.rng = rng
        self.rare = rare

    def pick(self, words):
        return self.rng.choice(words)

    def rare_word(self) -> str:
        # Zipf-like: low ranks are reused, high ranks are seen once or twice.
        rank = int(len(self.rare) * self.rng.random() ** 3)
        return self.rare[min(rank, len(self.rare) - 1)]

    def name(self) -> str:
        if self.rng.random() < 0.5:
            return f"{self.pick(_FIRST)} {self.pick(_LAST)}"
        return f"{self.pick(_FIRST)} {self.rare_word().capitalize()}"

    def title(self) -> str:
        return f'"The {self.rare_word().capitalize()} {self.pick(_NOUNS).capitalize()}"'

    def opinion(self, positive: bool) -> str:
        """A sentence that carries sentiment, sometimes through a negation."""
        good, bad = (_POSITIVE, _NEGATIVE) if positive else (_NEGATIVE, _POSITIVE)
        love, hate = (_PRAISE_VERBS, _BLAME_VERBS) if positive else (_BLAME_VERBS, _PRAISE_VERBS)
        word, noun = self.pick(good), self.pick(_NOUNS)
        if self.rng.random() < 0.15:  # emphasis, as real reviewers shout
            word = word.upper()
        templates = [
            f"the {noun} was {word}",
            f"what a {word} {noun}",
            f"I {self.pick(love)} the {noun}, it is {word}",
            f"{self.name()} gives a {word} performance",
            f"honestly the {noun} is just {word}",
            f"it was not {self.pick(bad)} at all, the {noun} was {word}",
            f"the {noun} is {self.pick(['really', 'so', 'truly', 'quite'])} {word}",
            f"I {self.pick(love)} every minute of it",
            f"the {noun}'s {self.pick(_NOUNS)} isn't {self.pick(bad)}, it's {word}",
            f"I didn't expect the {noun} to be this {word}",
            f"{word} {noun} and a {self.pick(good)} {self.pick(_NOUNS)}",
        ]
        return self.pick(templates)

    def plot(self) -> str:
        """A neutral sentence about the story, with names, places and numbers."""
        templates = [
            f"the {self.pick(_NOUNS)} {self.pick(_VERBS)} a {self.pick(_NEUTRAL_ADJ)} "
            f"{self.pick(_PEOPLE)} from {self.rare_word().capitalize()}",
            f"{self.name()} plays a {self.pick(_PEOPLE)} who {self.pick(_VERBS)} "
            f"the {self.pick(_PLACES_COMMON)}",
            f"it was made in {self.rng.randint(1930, 2009)} and runs about "
            f"{self.rng.randint(80, 180)} minutes",
            f"the {self.pick(_PEOPLE)}'s {self.pick(_NOUNS)} (from {self.rng.randint(1930, 2009)}) "
            f"doesn't tell us much about the {self.pick(_PLACES_COMMON)}",
            f"it's the \"{self.pick(_NEUTRAL_ADJ)}\" kind of {self.pick(_NOUNS)} where the "
            f"{self.pick(_PEOPLE)} {self.pick(_VERBS)} the {self.pick(_PEOPLE)}",
            f"I saw {self.title()} on TV with my {self.pick(['wife', 'husband', 'friends', 'kids', 'dad'])}",
            f"the {self.pick(_NOUNS)} is set in a {self.pick(_NEUTRAL_ADJ)} "
            f"{self.pick(_PLACES_COMMON)} near {self.rare_word()}",
            f"there is a {self.pick(_PEOPLE)} called {self.rare_word().capitalize()} "
            f"and a {self.pick(_PEOPLE)} called {self.rare_word().capitalize()}",
            f"this is the {self.pick(['first', 'second', 'third', 'last'])} {self.pick(_NOUNS)} "
            f"by {self.name()} that I have seen",
            f"{self.pick(_MISSPELLINGS)} the {self.pick(_NOUNS)} of {self.rare_word()} "
            f"and the {self.rare_word()}",
        ]
        return self.pick(templates)

    def sentence(self, body: str) -> str:
        rng = self.rng
        end = rng.choices([".", "!", "...", "?"], weights=[70, 15, 10, 5])[0]
        words = body.split()
        for _ in range(2):  # commas glued to words
            if rng.random() < 0.4 and len(words) > 3:
                i = rng.randrange(1, len(words) - 1)
                if words[i].isalpha():
                    words[i] += ","
        text = " ".join(words)
        return text[0].upper() + text[1:] + end

    def review(self, positive: bool) -> str:
        rng = self.rng
        n_sentences = rng.randint(6, 16)
        sentences = []
        for _ in range(n_sentences):
            body = self.opinion(positive) if rng.random() < 0.4 else self.plot()
            sentences.append(self.sentence(body))
        if rng.random() < 0.5:
            score = rng.randint(7, 10) if positive else rng.randint(1, 4)
            sentences.append(f"{score}/10")
        paragraphs, current = [], []
        for sentence in sentences:
            current.append(sentence)
            if rng.random() < 0.2:
                paragraphs.append(" ".join(current))
                current = []
        if current:
            paragraphs.append(" ".join(current))
        return "<br /><br />".join(paragraphs)


@lru_cache(maxsize=4)
def tiny_imdb(split: str) -> tuple[tuple[int, str], ...]:
    """The tiny IMDB split: ``(label, review)`` pairs, label 1 positive, 0 negative.

    Grouped by label like the real files: every negative review, then every
    positive one. Deterministic; 2,500 reviews per label and split.
    """
    check_split("IMDB", split, SPLITS)
    rare = rare_words(random.Random(0), 8000, capitalized=0.7)
    rng = random.Random(1 if split == "train" else 2)
    writer = _ReviewWriter(rng, rare)
    reviews = []
    for label in (0, 1):
        for _ in range(TINY_IMDB_SIZES[split]):
            says_positive = bool(label) != (rng.random() < _LABEL_NOISE)
            reviews.append((label, writer.review(says_positive)))
    return tuple(reviews)


# ---------------------------------------------------------------- either
def load_imdb(split: str) -> list[tuple[int, str]]:
    """IMDB reviews of one split as ``(label, text)``, label 1 positive, 0 negative.

    Grouped by label (negatives first) in both modes, as the original files
    are: shuffle before training. ``tiny``: 2,500 generated reviews per label;
    ``full``: the 12,500 real reviews per label, downloaded on first use.
    """
    check_split("IMDB", split, SPLITS)
    if data_mode() == "tiny":
        return list(tiny_imdb(split))
    archive = download(IMDB_URL, IMDB_SHA256)
    root = extract(archive, cache_dir() / "aclImdb_v1") / "aclImdb"
    return read_imdb(root, split)
