"""CoLA, the Corpus of Linguistic Acceptability (assignment 4, Transformer): is a sentence English?

Each row is ``(source, label, mark, sentence)``: label 1 acceptable, 0 not; ``mark`` is
the judgement the sentence's authors printed (``"*"``, ``"??"``...), empty for most
acceptable ones. ``load_cola()`` gives the sentences as padded arrays of word indices,
``[CLS]`` first, ready for a Transformer that reads its prediction at ``[CLS]``:

| mode   | train | val   | T  | vocabulary | acceptable (val) |
| ------ | ----- | ----- | -- | ---------- | ---------------- |
| `full` | 7,000 | 1,551 | 45 | 2,285      | 71.2%            |
| `tiny` | 5,000 | 1,000 | 15 | 189        | 70.0%            |

``full``: the real CoLA 1.1 (Warstadt et al., 2019), its tokenized ``in_domain_train``
(8,551 sentences) split 7,000 / 1,551 by a seeded permutation, as the assignment did;
``load_cola`` leaves ``in_domain_dev`` (527) and ``out_of_domain_dev`` (516) aside, for testing
(the grader measures the trained model on ``in_domain_dev``: ``cola_rows``).
``tiny``: sentences generated from a small English grammar (``TINY_COLA_SIZES``), 70%
acceptable as CoLA is, and the others made from acceptable ones by one kind of
violation each (``VIOLATIONS``), the kinds CoLA's linguists collect:
  - ``agreement``: the verb disagrees with its subject, often across a noun of the
    other number (*"the teacher of some dogs destroy the lamp ."*);
  - ``word_order``: the object before its verb (*"the dog the ball chased ."*), or an
    adjective before its determiner (*"john bought red the ball ."*);
  - ``missing_argument``: a verb without the object or place it needs (*"john devoured
    ."*, *"the man put the book ."*);
  - ``extra_argument``: an object for a verb that takes none (*"the dog slept the ball ."*);
  - ``island``: a question word taken out of a relative clause, a coordination or a
    *whether* clause (*"what did mary meet the man who bought ?"*).
The ``source`` of a tiny row names the kind of sentence it was generated for, acceptable
or not, as a real row's names the publication it came from (and so the phenomenon it
studies). Tokens are lower case and split as in CoLA's tokenized files (punctuation and
``n't`` their own tokens); a tail of rare invented names becomes ``[UNK]``.
``out_of_domain_dev`` uses nouns and verbs that the other splits never do.

The vocabulary (both modes): ``[PAD]``, ``[CLS]``, ``[UNK]`` at 0, 1, 2, then every
token seen at least ``COLA_MIN_COUNT`` (3) times in the training sentences, the most
frequent first (ties alphabetical); the others become ``[UNK]``. The assignment's own
vocabulary (1,542 words, length 43, from the raw sentences) came from a rule it does
not give.
"""
from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..cache import cache_dir, download, extract
from ..settings import data_mode
from . import check_split
from .invented_words import rare_words

__all__ = ["COLA_URL", "COLA_MD5", "SPLITS", "PAD", "CLS", "UNK", "COLA_MIN_COUNT", "COLA_TRAIN_SIZE",
           "TINY_COLA_SIZES", "VIOLATIONS", "CoLARow", "read_cola", "tiny_cola", "fresh_tiny_cola", "cola_vocabulary",
           "cola_arrays", "cola_rows", "load_cola"]

COLA_URL = "https://nyu-mll.github.io/CoLA/cola_public_1.1.zip"
COLA_MD5 = "md5:9f6d88c3558ec424cd9d66ea03589aba"  # only an MD5 is published
SPLITS = ("in_domain_train", "in_domain_dev", "out_of_domain_dev")
PAD, CLS, UNK = "[PAD]", "[CLS]", "[UNK]"  # indices 0, 1, 2
COLA_MIN_COUNT = 3  # a word enters the vocabulary when seen this many times in training
COLA_TRAIN_SIZE = {"full": 7_000, "tiny": 5_000}  # of in_domain_train's 8,551 (6,000); the others validate
TINY_COLA_SIZES = {"in_domain_train": 6000, "in_domain_dev": 1000, "out_of_domain_dev": 500}
VIOLATIONS = ("agreement", "word_order", "missing_argument", "extra_argument", "island")


class CoLARow(NamedTuple):
    """One judged sentence: ``label`` 1 acceptable, 0 not; ``mark`` the printed judgement."""
    source: str
    label: int
    mark: str
    sentence: str


# ---------------------------------------------------------------- the real files
def read_cola(root: str | Path, split: str, tokenized: bool = False) -> list[CoLARow]:
    """Parse one split of CoLA 1.1: ``root/cola_public/{raw,tokenized}/<split>.tsv``.

    The files are tab-separated without a header: source, label, mark, sentence, one
    sentence a line (the last line may lack its line break). No field is quoted.

    Args:
        root: the folder that ``cola_public_1.1.zip`` extracts into (it holds ``cola_public/``).
        split: ``"in_domain_train"``, ``"in_domain_dev"`` or ``"out_of_domain_dev"``.
        tokenized: read the tokenized files (lower case, punctuation split off) rather
            than the raw sentences.
    Returns:
        list of ``CoLARow`` in file order, ``label`` an int, ``mark`` without spaces.
    """
    check_split("CoLA", split, SPLITS)
    path = Path(root) / "cola_public" / ("tokenized" if tokenized else "raw") / f"{split}.tsv"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: read_cola expects the folder that cola_public_1.1.zip "
                                f"extracts into, holding cola_public/raw/ and cola_public/tokenized/")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{path} is not UTF-8 text ({error}); is it a CoLA file?") from error
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the final line break, where there is one
    rows = []
    for number, line in enumerate(lines, start=1):
        fields = line.rstrip("\r").split("\t")
        if len(fields) != 4 or fields[1] not in ("0", "1") or not fields[3].strip():
            raise ValueError(f"{path}, line {number}: expected 4 tab-separated fields (source, label 0 or 1, "
                             f"mark, sentence); found {fields}")
        source, label, mark, sentence = fields
        rows.append(CoLARow(source, int(label), mark.strip(), sentence))
    return rows


# ---------------------------------------------------------------- the tiny set
# Nouns (singular, plural). The last few of each list are kept for out_of_domain_dev.
_BEINGS = [("man", "men"), ("woman", "women"), ("child", "children"), ("teacher", "teachers"),
           ("student", "students"), ("farmer", "farmers"), ("doctor", "doctors"), ("girl", "girls"),
           ("boy", "boys"), ("dog", "dogs"), ("cat", "cats"), ("bird", "birds"),
           ("sailor", "sailors"), ("nurse", "nurses"), ("horse", "horses")]
_THINGS = {"food": [("apple", "apples"), ("cake", "cakes"), ("sandwich", "sandwiches"), ("pear", "pears")],
           "text": [("book", "books"), ("letter", "letters"), ("poem", "poems"), ("note", "notes")],
           "object": [("ball", "balls"), ("box", "boxes"), ("key", "keys"), ("car", "cars"),
                      ("picture", "pictures"), ("chair", "chairs"), ("lamp", "lamps"), ("hat", "hats")]}
_BEING_ADJECTIVES = "old young tall small happy clever quiet tired".split()
_THING_ADJECTIVES = "red new big small old heavy green".split()
_NAMES = "john mary sue bill kim pat fred anne tom lucy".split()
_PLACES = [["on", "the", "table"], ["in", "the", "box"], ["under", "the", "bed"], ["near", "the", "door"],
           ["on", "the", "shelf"], ["in", "the", "garden"]]
_ATTRACTOR_PREPOSITIONS = ("of", "near", "with", "behind")
# Verbs (base, third person singular, past) by the arguments they take.
_INTRANSITIVE = [("sleep", "sleeps", "slept"), ("laugh", "laughs", "laughed"), ("arrive", "arrives", "arrived"),
                 ("smile", "smiles", "smiled"), ("fall", "falls", "fell"), ("sneeze", "sneezes", "sneezed"),
                 ("wait", "waits", "waited"), ("yawn", "yawns", "yawned"), ("shiver", "shivers", "shivered")]
_OPTIONAL = [("eat", "eats", "ate", "food"), ("read", "reads", "read", "text"), ("write", "writes", "wrote", "text"),
             ("cook", "cooks", "cooked", "food"), ("paint", "paints", "painted", "object"),
             ("bake", "bakes", "baked", "food")]
_TRANSITIVE = [("devour", "devours", "devoured", "food"), ("like", "likes", "liked", "any"),
               ("find", "finds", "found", "object"), ("destroy", "destroys", "destroyed", "object"),
               ("admire", "admires", "admired", "any"), ("carry", "carries", "carried", "object"),
               ("buy", "buys", "bought", "object"), ("want", "wants", "wanted", "any"),
               ("chase", "chases", "chased", "any"), ("praise", "praises", "praised", "any"),
               ("hide", "hides", "hid", "object"), ("examine", "examines", "examined", "any")]
_PUT = [("put", "puts", "put"), ("place", "places", "placed")]

_VIOLATION_WEIGHTS = {"agreement": 0.25, "word_order": 0.15, "missing_argument": 0.2, "extra_argument": 0.15,
                      "island": 0.25}
_UNACCEPTABLE_SHARE = 0.3
_RARE_NAME_SHARE = 0.08  # names drawn from a long tail of invented ones, most below COLA_MIN_COUNT


def _article(words: list[str]) -> list[str]:
    """``words`` with "a" made "an" before a vowel (and back)."""
    if words[0] in ("a", "an"):
        words[0] = "an" if words[1][0] in "aeiou" else "a"
    return words


class _Lexicon:
    """The words a split may use: in domain, all but the last few of each list; out of
    domain, those last few and as many of the others."""

    def __init__(self, out_of_domain: bool):
        def part(words, held):
            return words[-held:] + words[:held] if out_of_domain else words[:-held]
        self.beings = part(_BEINGS, 3)
        self.things = {kind: part(words, 1) for kind, words in _THINGS.items()}
        self.intransitive = part(_INTRANSITIVE, 2)
        self.transitive = part(_TRANSITIVE, 3)


class _Writer:
    """Writes sentences of one kind, acceptable or not; ``rng`` makes every choice."""

    def __init__(self, rng: random.Random, lexicon: _Lexicon, rare_names: list[str]):
        self.rng, self.lex, self.rare_names = rng, lexicon, rare_names

    # ------------------------------------------------ phrases
    def name(self) -> list[str]:
        """A common name, or now and then one of the invented ones."""
        if self.rng.random() < _RARE_NAME_SHARE:  # Zipf-like: a few common, most seen once or twice
            rank = int(len(self.rare_names) * self.rng.random() ** 2)
            return [self.rare_names[rank]]
        return [self.rng.choice(_NAMES)]

    def noun_phrase(self, plural: bool, noun: str, adjectives: list[str],
                    adjective: bool | None = None) -> list[str]:
        """Determiner, maybe an adjective (always when ``adjective``, never when it is False), noun."""
        rng = self.rng
        words = [rng.choice(["the", "some"] if plural else ["the", "a"])]
        if adjective if adjective is not None else rng.random() < 0.3:
            words.append(rng.choice(adjectives))
        words.append(noun)
        return _article(words)

    def being(self, plural: bool | None = None, adjective: bool | None = None,
              name: bool = True) -> tuple[list[str], bool]:
        """A person or animal, or a name when ``name`` and ``plural`` is None: (tokens, plural)."""
        rng = self.rng
        if plural is None:
            if name and rng.random() < 0.3:
                return self.name(), False
            plural = rng.random() < 0.5
        singular, many = rng.choice(self.lex.beings)
        return self.noun_phrase(plural, many if plural else singular, _BEING_ADJECTIVES, adjective), plural

    def thing(self, kind: str = "object", adjective: bool | None = None) -> list[str]:
        """An object of ``kind`` (a key of ``_THINGS``, or "any" for a being as well)."""
        rng = self.rng
        if kind == "any":
            if rng.random() < 0.4:
                return self.being()[0]
            kind = rng.choice(list(_THINGS))
        plural = rng.random() < 0.3
        singular, many = rng.choice(self.lex.things[kind])
        return self.noun_phrase(plural, many if plural else singular, _THING_ADJECTIVES, adjective)

    def subject(self, attractor: float = 0.0) -> tuple[list[str], bool]:
        """A subject, sometimes followed by a prepositional phrase whose noun has the other number."""
        words, plural = self.being()
        if len(words) > 1 and self.rng.random() < attractor:
            other = not plural if self.rng.random() < 0.8 else plural
            words = words + [self.rng.choice(_ATTRACTOR_PREPOSITIONS)] + self.being(other, adjective=False,
                                                                                   name=False)[0]
        return words, plural

    def verb(self, forms, tense: str, plural: bool) -> str:
        base, third, past = forms[:3]
        return past if tense == "past" else (base if plural else third)

    def tense(self) -> str:
        return self.rng.choice(["past", "present"])

    # ------------------------------------------------ one generator a kind
    def agreement(self, bad: bool) -> list[str]:
        """Present tense, so that the verb shows the subject's number; bad: the other number."""
        rng = self.rng
        subject, plural = self.subject(attractor=0.3)
        shown = plural != bad  # the number the verb shows
        roll = rng.random()
        if roll < 0.15:  # be + adjective
            return subject + ["are" if shown else "is", rng.choice(_BEING_ADJECTIVES), "."]
        if roll < 0.3:  # a question: the auxiliary agrees
            forms = rng.choice(self.lex.transitive)
            return ["do" if shown else "does"] + subject + [forms[0]] + self.thing(forms[3]) + ["?"]
        if roll < 0.4:  # negation
            forms = rng.choice(self.lex.intransitive)
            return subject + ["do" if shown else "does", "n't", forms[0], "."]
        if roll < 0.7:
            forms = rng.choice(self.lex.intransitive)
            place = rng.choice(_PLACES) if rng.random() < 0.3 else []
            return subject + [self.verb(forms, "present", shown)] + place + ["."]
        forms = rng.choice(self.lex.transitive)
        return subject + [self.verb(forms, "present", shown)] + self.thing(forms[3]) + ["."]

    def word_order(self, bad: bool) -> list[str]:
        """A transitive clause; bad: the object before the verb, or an adjective before its determiner."""
        rng = self.rng
        subject, plural = self.subject()
        forms = rng.choice(self.lex.transitive + [verb for verb in _OPTIONAL])
        verb = self.verb(forms, self.tense(), plural)
        if not bad:
            return subject + [verb] + self.thing(forms[3]) + ["."]
        if rng.random() < 0.6:  # subject, object, verb
            return subject + self.thing(forms[3]) + [verb, "."]
        obj = self.thing(forms[3] if forms[3] != "any" else "object", adjective=True)
        return subject + [verb] + [obj[1]] + _article([obj[0]] + obj[2:]) + ["."]  # "red the ball"

    def missing_argument(self, bad: bool) -> list[str]:
        """Verbs that need an object (or an object and a place); bad: one of them left out.

        Acceptable sentences also drop the object of verbs that can go without one.
        """
        rng = self.rng
        subject, plural = self.subject()
        tense = self.tense()
        roll = rng.random()
        if roll < 0.4:  # put, place: an object and a place
            place = [] if bad else rng.choice(_PLACES)
            return subject + [self.verb(rng.choice(_PUT), tense, plural)] + self.thing() + place + ["."]
        if not bad and roll < 0.6:  # an optional object left out: acceptable
            forms = rng.choice(_OPTIONAL)
            return subject + [self.verb(forms, tense, plural), "."]
        forms = rng.choice(self.lex.transitive)
        return subject + [self.verb(forms, tense, plural)] + ([] if bad else self.thing(forms[3])) + ["."]

    def extra_argument(self, bad: bool) -> list[str]:
        """Verbs that take no object; bad: one given all the same. Acceptable ones also use
        verbs whose object is optional, with it."""
        rng = self.rng
        subject, plural = self.subject()
        tense = self.tense()
        if not bad and rng.random() < 0.35:
            forms = rng.choice(_OPTIONAL)
            return subject + [self.verb(forms, tense, plural)] + self.thing(forms[3]) + ["."]
        forms = rng.choice(self.lex.intransitive)
        after = self.thing(rng.choice(list(_THINGS))) if bad else (rng.choice(_PLACES) if rng.random() < 0.4 else [])
        return subject + [self.verb(forms, tense, plural)] + after + ["."]

    def island(self, bad: bool) -> list[str]:
        """Questions and clauses around relative clauses, coordinations and *whether*; bad: a
        question word taken out of one of them."""
        rng = self.rng
        subject, _ = self.being()
        forms = rng.choice([verb for verb in self.lex.transitive if verb[3] != "any"])
        obj = self.thing(forms[3])
        person, _ = self.being(name=False)
        relative = ["who", forms[2]]  # "who bought"
        meet, see = ["meet", "see", "know"], ["see", "meet", "like"]
        if bad:
            roll = rng.random()
            if roll < 0.45:  # out of a relative clause
                return ["what", "did"] + subject + [rng.choice(meet)] + person + relative + ["?"]
            if roll < 0.75:  # out of a coordination
                verb = rng.choice(see)
                return ["who", "did"] + subject + [verb] + self.being()[0] + ["and", "?"]
            verb = rng.choice(["wonder", "ask"])  # out of a whether clause
            return ["what", "did"] + subject + [verb, "whether"] + self.being()[0] + [forms[2], "?"]
        roll = rng.random()
        if roll < 0.2:  # out of a simple clause
            return ["what", "did"] + subject + [forms[0], "?"]
        if roll < 0.35:  # out of a "that" clause
            verb = rng.choice(["say", "think"])
            return ["what", "did"] + subject + [verb, "that"] + self.being()[0] + [forms[2], "?"]
        if roll < 0.55:  # a relative clause with nothing taken out, in a question or not
            if rng.random() < 0.5:
                return ["did"] + subject + [rng.choice(meet)] + person + relative + obj + ["?"]
            return subject + [rng.choice(["met", "saw", "knew"])] + person + relative + obj + ["."]
        if roll < 0.75:  # a coordination with nothing taken out
            verb = rng.choice(see)
            return ["did"] + subject + [verb] + self.being()[0] + ["and"] + self.being()[0] + ["?"]
        if roll < 0.85:
            return ["who", "did"] + subject + [rng.choice(see), "?"]
        verb = rng.choice(["wonder", "ask"])  # a whether clause with nothing taken out
        return ["did"] + subject + [verb, "whether"] + self.being()[0] + [forms[2]] + obj + ["?"]


def _generate(rng: random.Random, size: int, out_of_domain: bool, seen: set[str]) -> tuple[CoLARow, ...]:
    """``size`` new sentences, exactly 30% unacceptable; each sentence written is added to ``seen``,
    and none already in it is written again."""
    writer = _Writer(rng, _Lexicon(out_of_domain=out_of_domain), rare_words(random.Random(4), 400, 2, 3))
    kinds, weights = list(_VIOLATION_WEIGHTS), list(_VIOLATION_WEIGHTS.values())
    unacceptable = round(size * _UNACCEPTABLE_SHARE)
    labels = [0] * unacceptable + [1] * (size - unacceptable)
    rng.shuffle(labels)
    rows = []
    for label in labels:
        kind = rng.choices(kinds, weights)[0]
        sentence = " ".join(getattr(writer, kind)(bad=not label))
        while sentence in seen:  # no sentence twice
            sentence = " ".join(getattr(writer, kind)(bad=not label))
        seen.add(sentence)
        rows.append(CoLARow(kind, label, "" if label else "*", sentence))
    return tuple(rows)


@lru_cache(maxsize=None)
def _tiny_corpus() -> dict[str, tuple[CoLARow, ...]]:
    seen: set[str] = set()
    return {split: _generate(random.Random(1_000 + index), TINY_COLA_SIZES[split], split == "out_of_domain_dev", seen)
            for index, split in enumerate(SPLITS)}


def fresh_tiny_cola(seed: int, size: int) -> tuple[CoLARow, ...]:
    """``size`` in-domain sentences of the tiny grammar that no tiny split holds, drawn from ``seed``:
    the grader measures a trained model on sentences nobody could have seen."""
    seen = {row.sentence for rows in _tiny_corpus().values() for row in rows}
    return _generate(random.Random(seed), size, False, seen)


def tiny_cola(split: str) -> tuple[CoLARow, ...]:
    """Generated ``CoLARow`` s of ``split``, shaped as the tokenized real ones.

    ``source`` names the kind of sentence (one of ``VIOLATIONS``), ``mark`` is ``"*"``
    for the unacceptable ones. No sentence appears twice, in one split or across them.
    Deterministic on every call and machine.
    """
    check_split("CoLA", split, SPLITS)
    return _tiny_corpus()[split]


# ---------------------------------------------------------------- arrays for the model
def cola_vocabulary(sentences: Iterable[str], min_count: int = COLA_MIN_COUNT) -> dict[str, int]:
    """``word_to_ix``: ``[PAD]`` 0, ``[CLS]`` 1, ``[UNK]`` 2, then every token seen at least
    ``min_count`` times in ``sentences`` (split at spaces), the most frequent first, ties alphabetical."""
    counts = Counter(token for sentence in sentences for token in sentence.split())
    words = sorted((word for word, count in counts.items() if count >= min_count), key=lambda w: (-counts[w], w))
    return {word: index for index, word in enumerate([PAD, CLS, UNK] + words)}


def cola_arrays(train_rows: Iterable[CoLARow], val_rows: Iterable[CoLARow],
                min_count: int = COLA_MIN_COUNT) -> dict[str, object]:
    """The sentences as padded word indices, with the vocabulary of the training ones.

    Every sentence becomes ``[CLS]``, its tokens (split at spaces; those not in the
    vocabulary become ``[UNK]``), then ``[PAD]`` up to one length T: 1 + the longest
    sentence of either part.

    Args:
        train_rows, val_rows: ``CoLARow`` s (or anything with ``.sentence`` and ``.label``)
            of tokenized sentences.
        min_count: how often a training token must occur to enter the vocabulary.
    Returns:
        dict: ``train_inxs`` (N_train, T) int64, ``val_inxs`` (N_val, T) int64,
        ``train_labels`` (N_train,) int64, ``val_labels`` (N_val,) int64 (1 acceptable),
        ``word_to_ix`` (``cola_vocabulary`` of the training sentences).
    """
    train_rows, val_rows = list(train_rows), list(val_rows)
    word_to_ix = cola_vocabulary((row.sentence for row in train_rows), min_count)
    length = 1 + max(len(row.sentence.split()) for row in train_rows + val_rows)
    unknown = word_to_ix[UNK]

    def indices(rows):
        inxs = np.full((len(rows), length), word_to_ix[PAD], dtype=np.int64)
        for i, row in enumerate(rows):
            tokens = [CLS] + row.sentence.split()
            inxs[i, :len(tokens)] = [word_to_ix.get(token, unknown) for token in tokens]
        return inxs, np.array([row.label for row in rows], dtype=np.int64)

    train_inxs, train_labels = indices(train_rows)
    val_inxs, val_labels = indices(val_rows)
    return {"train_inxs": train_inxs, "val_inxs": val_inxs, "train_labels": train_labels,
            "val_labels": val_labels, "word_to_ix": word_to_ix}


# ---------------------------------------------------------------- either
def cola_rows(split: str) -> list[CoLARow]:
    """The ``CoLARow`` s of ``split``: ``tiny`` generated, ``full`` the real tokenized file
    (downloaded and extracted on first use)."""
    check_split("CoLA", split, SPLITS)
    if data_mode() == "tiny":
        return list(tiny_cola(split))
    archive = download(COLA_URL, COLA_MD5)
    return read_cola(extract(archive, cache_dir() / "cola_public_1.1"), split, tokenized=True)


def load_cola() -> dict[str, object]:
    """CoLA as arrays for the Transformer: the keys of ``cola_arrays``.

    ``in_domain_train`` shuffled by ``numpy.random.default_rng(0)`` and split into training
    and validation sentences: ``full`` the real 8,551 (downloaded on first use) into 7,000 /
    1,551, T 45; ``tiny`` the generated 6,000 into 5,000 / 1,000, T 15. ``in_domain_dev``
    stays aside, for the grader.
    """
    rows = cola_rows("in_domain_train")
    order = np.random.default_rng(0).permutation(len(rows))
    size = COLA_TRAIN_SIZE[data_mode()]
    return cola_arrays([rows[i] for i in order[:size]], [rows[i] for i in order[size:]])
