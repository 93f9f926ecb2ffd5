"""The `tiny` data sets: small, deterministic stand-ins for the real ones.

Each generator mimics its real set's shape and quirks, and is built so that the
lessons of the course still show (tests/test_lessons_*.py asserts them).
"""
from __future__ import annotations

import random
from functools import lru_cache

__all__ = ["tiny_imdb", "TINY_IMDB_SIZES", "invented_word"]

# ---------------------------------------------------------------- tiny IMDB
# Reviews of invented films. What makes them look like aclImdb:
#   - mixed case, punctuation glued to words, ALL-CAPS emphasis, quotes,
#     "<br /><br />" paragraph breaks, apostrophes, names, years and ratings;
#   - a long tail of rare words (invented names, places, misspellings), so a
#     capped vocabulary leaves unknown tokens;
#   - sentiment carried by opinion words, some negated ("not bad at all");
#   - a little label noise (a few reviews say the opposite of their label);
#   - each split grouped by label, negatives first, as the real files are read.

TINY_IMDB_SIZES = {"train": 2500, "test": 2500}  # reviews per label
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
_SYLLABLES = ("ka ro mi ten dal vor is an bel tru shi gor pa len dra mu fen "
              "ost ril qua ze bo hart win cal nor sel").split()
_MISSPELLINGS = ("teh borring realy definately wierd alot truely untill "
                 "begining seperate acheive beleive occured recieve").split()


def invented_word(rng: random.Random, min_syllables: int = 2, max_syllables: int = 4) -> str:
    """A made-up lower-case word of a few syllables: a name, a place, slang.

    The tiny sets draw their rare-word tails from these.
    """
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(min_syllables, max_syllables)))


def _rare_words(count: int, rng: random.Random) -> list[str]:
    """Invented names and places: the long tail that a capped vocabulary drops."""
    words = set()
    while len(words) < count:
        word = invented_word(rng)
        words.add(word.capitalize() if rng.random() < 0.7 else word)
    return sorted(words)


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
    positive one. Deterministic; about 2,500 reviews per label and split.
    """
    if split not in TINY_IMDB_SIZES:
        raise ValueError(f"split must be one of {sorted(TINY_IMDB_SIZES)}, got {split!r}")
    rare = _rare_words(8000, random.Random(0))
    rng = random.Random(1 if split == "train" else 2)
    writer = _ReviewWriter(rng, rare)
    reviews = []
    for label in (0, 1):
        for _ in range(TINY_IMDB_SIZES[split]):
            says_positive = bool(label) != (rng.random() < _LABEL_NOISE)
            reviews.append((label, writer.review(says_positive)))
    return tuple(reviews)
