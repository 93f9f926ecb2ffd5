"""Multi30k (assignment 2, Seq2Seq): ``(german, english)`` image descriptions.

``full``: task 1 of the real Multi30k, 29,000 / 1,014 / 1,000 pairs, one gzip
file per split and language. ``tiny``: 4,000 / 300 / 300 pairs from a small
grammar: each pair is generated from one scene (who, doing what, with what,
where) and written out in both languages, with the differences a translation
model has to learn:
  - German articles and adjective endings follow gender and case
    ("ein junger Mann", "einen roten Ball", "mit einer alten Frau"), English
    has "a"/"an"/"the" and bare adjectives;
  - German puts the verb second, so a sentence that opens with a place inverts
    ("Im Park spielt ein Kind."), and at the end of a relative clause
    ("ein Mann, der eine Zeitung liest, ..."); English keeps subject, "is",
    verb-ing;
  - prepositions contract in German ("im", "am");
  - a tail of rare place names, most seen once, which become ``<unk>`` under
    ``min_freq=2``.
Sentences start with a capital and end with a full stop, one a line, as in the
real files.
"""
from __future__ import annotations

import gzip
import random
from functools import lru_cache
from pathlib import Path

from ..cache import cache_dir, download
from ..settings import data_mode
from . import check_split
from .invented_words import invented_word

__all__ = ["MULTI30K_URL", "MULTI30K_FILES", "MULTI30K_CHECKSUMS", "SPLITS", "TINY_MULTI30K_SIZES",
           "read_multi30k", "tiny_multi30k", "load_multi30k"]

# Task 1 of the Multi30k repository: one gzip file per split and language.
# Only MD5 digests are published for them (torchtext pinned these).
MULTI30K_URL = "https://raw.githubusercontent.com/multi30k/dataset/master/data/task1/raw/"
MULTI30K_FILES = {"train": "train", "valid": "val", "test": "test_2016_flickr"}  # split -> file stem
MULTI30K_CHECKSUMS = {
    "train.de.gz": "md5:81ff90b99829c0cd4b1b587d394afd39",
    "train.en.gz": "md5:0065d13af80720a55ca8153d126e6627",
    "val.de.gz": "md5:6e0e229eb049e3fc99a1ef02fb2d5f91",
    "val.en.gz": "md5:2b69aa9253948ac9f67e94917272dd40",
    "test_2016_flickr.de.gz": "md5:efd67d314d98489b716b145475101932",
    "test_2016_flickr.en.gz": "md5:ff2c0fcb4893a13bd73414306bc250ae",
}
SPLITS = tuple(MULTI30K_FILES)  # train, valid, test
TINY_MULTI30K_SIZES = {"train": 4000, "valid": 300, "test": 300}
_LANGUAGES = ("de", "en")


# ---------------------------------------------------------------- the real files
def read_multi30k(root: str | Path, split: str) -> list[tuple[str, str]]:
    """Parse one split of Multi30k task 1: ``root/<name>.de.gz`` and ``<name>.en.gz``.

    The files hold one sentence a line, the n-th German line translated by the
    n-th English one (``<name>``: train, val, test_2016_flickr).

    Args:
        root: the folder of the files.
        split: ``"train"``, ``"valid"`` or ``"test"``.
    Returns:
        list of ``(german, english)`` sentences, without their line breaks.
    """
    check_split("Multi30k", split, SPLITS)
    name = MULTI30K_FILES[split]
    sides = []
    for lang in _LANGUAGES:
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


# ---------------------------------------------------------------- the tiny set
# German noun, gender, plural; English singular, plural
_BEINGS = [("Mann", "m", "Männer", "man", "men"), ("Frau", "f", "Frauen", "woman", "women"),
           ("Kind", "n", "Kinder", "child", "children"), ("Mädchen", "n", "Mädchen", "girl", "girls"),
           ("Hund", "m", "Hunde", "dog", "dogs"), ("Arbeiter", "m", "Arbeiter", "worker", "workers"),
           ("Person", "f", "Personen", "person", "people"), ("Sänger", "m", "Sänger", "singer", "singers"),
           ("Katze", "f", "Katzen", "cat", "cats"), ("Tourist", "m", "Touristen", "tourist", "tourists")]
_BEING_ADJ = [("jung", "young"), ("alt", "old"), ("klein", "little"), ("groß", "tall"),
              ("glücklich", "happy"), ("müde", "tired")]
_THINGS = [("Ball", "m", "ball"), ("Hut", "m", "hat"), ("Apfel", "m", "apple"), ("Eimer", "m", "bucket"),
           ("Tasche", "f", "bag"), ("Zeitung", "f", "newspaper"), ("Gitarre", "f", "guitar"),
           ("Kamera", "f", "camera"), ("Flagge", "f", "flag"), ("Buch", "n", "book"),
           ("Fahrrad", "n", "bicycle"), ("Schild", "n", "sign"), ("Seil", "n", "rope")]
_THING_ADJ = [("rot", "red"), ("blau", "blue"), ("grün", "green"), ("gelb", "yellow"),
              ("schwarz", "black"), ("weiß", "white"), ("groß", "big"), ("klein", "small")]
_INTRANSITIVE = [("läuft", "laufen", "walking"), ("rennt", "rennen", "running"), ("sitzt", "sitzen", "sitting"),
                 ("steht", "stehen", "standing"), ("spielt", "spielen", "playing"), ("wartet", "warten", "waiting"),
                 ("springt", "springen", "jumping"), ("tanzt", "tanzen", "dancing"), ("lacht", "lachen", "laughing"),
                 ("schläft", "schlafen", "sleeping"), ("arbeitet", "arbeiten", "working"), ("singt", "singen", "singing")]
_TRANSITIVE = [("hält", "halten", "holding"), ("trägt", "tragen", "carrying"), ("wirft", "werfen", "throwing"),
               ("liest", "lesen", "reading"), ("kauft", "kaufen", "buying"), ("sucht", "suchen", "looking for"),
               ("fotografiert", "fotografieren", "photographing")]
_READABLE = {"Zeitung", "Buch", "Schild"}
_THROWABLE = {"Ball", "Hut", "Apfel", "Eimer", "Tasche", "Buch", "Seil"}
# preposition, case, noun, gender; English preposition, noun
_PLACES = [("auf", "dat", "Straße", "f", "on", "street"), ("in", "dat", "Park", "m", "in", "park"),
           ("an", "dat", "Strand", "m", "on", "beach"), ("in", "dat", "Wasser", "n", "in", "water"),
           ("vor", "dat", "Gebäude", "n", "in front of", "building"), ("auf", "dat", "Bank", "f", "on", "bench"),
           ("in", "dat", "Schnee", "m", "in", "snow"), ("in", "dat", "Küche", "f", "in", "kitchen"),
           ("an", "dat", "Tisch", "m", "at", "table"), ("neben", "dat", "Auto", "n", "next to", "car"),
           ("unter", "dat", "Baum", "m", "under", "tree"), ("auf", "dat", "Bühne", "f", "on", "stage"),
           ("durch", "acc", "Gras", "n", "through", "grass"), ("über", "acc", "Brücke", "f", "across", "bridge")]
_PLACE_ADJ = [("groß", "big"), ("alt", "old"), ("klein", "small"), ("leer", "empty")]
_NUMBERS = [("zwei", "two"), ("drei", "three"), ("vier", "four"), ("mehrere", "several"), ("viele", "many")]

_DEF = {"nom": {"m": "der", "f": "die", "n": "das", "pl": "die"},
        "acc": {"m": "den", "f": "die", "n": "das", "pl": "die"},
        "dat": {"m": "dem", "f": "der", "n": "dem", "pl": "den"}}
_INDEF = {"nom": {"m": "ein", "f": "eine", "n": "ein"},
          "acc": {"m": "einen", "f": "eine", "n": "ein"},
          "dat": {"m": "einem", "f": "einer", "n": "einem"}}
_MIXED_ENDING = {"nom": {"m": "er", "f": "e", "n": "es"}, "acc": {"m": "en", "f": "e", "n": "es"},
                 "dat": {"m": "en", "f": "en", "n": "en"}}  # after ein/eine
_WEAK_ENDING = {"nom": {"m": "e", "f": "e", "n": "e", "pl": "en"}, "acc": {"m": "en", "f": "e", "n": "e", "pl": "en"},
                "dat": {"m": "en", "f": "en", "n": "en", "pl": "en"}}  # after der/die/das
_STRONG_PLURAL_ENDING = {"nom": "e", "acc": "e", "dat": "en"}  # after a number
_CONTRACT = {("in", "dem"): "im", ("an", "dem"): "am"}
_RELATIVE = {"m": "der", "f": "die", "n": "das", "pl": "die"}


def _adjective(stem: str, ending: str) -> str:
    return stem[:-1] + ending if stem.endswith("e") and ending.startswith("e") else stem + ending


def _english_article(next_word: str, definite: bool) -> str:
    return "the" if definite else ("an" if next_word[0] in "aeiou" else "a")


class _Scene:
    """Noun phrases and clauses in both languages; ``rng`` makes every choice."""

    def __init__(self, rng: random.Random, rare_places: list[str]):
        self.rng, self.rare_places = rng, rare_places

    def being(self, case: str = "nom") -> tuple[str, str, str]:
        """(German NP, English NP, German gender or "pl") of a person or animal."""
        rng = self.rng
        noun, gender, plural, en, en_plural = rng.choice(_BEINGS)
        adj = rng.choice(_BEING_ADJ) if rng.random() < 0.5 else None
        roll = rng.random()
        if roll < 0.3:  # plural with a number: strong endings, dative plural -n
            number, en_number = rng.choice(_NUMBERS)
            de_noun = plural + "n" if case == "dat" and not plural.endswith(("n", "s")) else plural
            words = [number] + ([_adjective(adj[0], _STRONG_PLURAL_ENDING[case])] if adj else []) + [de_noun]
            return " ".join(words), " ".join([en_number] + ([adj[1]] if adj else []) + [en_plural]), "pl"
        definite = roll < 0.45
        article = (_DEF if definite else _INDEF)[case][gender]
        ending = (_WEAK_ENDING if definite else _MIXED_ENDING)[case][gender]
        de = " ".join([article] + ([_adjective(adj[0], ending)] if adj else []) + [noun])
        en_words = ([adj[1]] if adj else []) + [en]
        return de, " ".join([_english_article(en_words[0], definite)] + en_words), gender

    def thing(self, verb: str) -> tuple[str, str]:
        """(German accusative NP, English NP) of an object that fits ``verb``."""
        rng = self.rng
        things = [t for t in _THINGS if verb != "liest" or t[0] in _READABLE]
        things = [t for t in things if verb != "wirft" or t[0] in _THROWABLE]
        noun, gender, en = rng.choice(things)
        adj = rng.choice(_THING_ADJ) if rng.random() < 0.5 else None
        definite = rng.random() < 0.25
        article = (_DEF if definite else _INDEF)["acc"][gender]
        ending = (_WEAK_ENDING if definite else _MIXED_ENDING)["acc"][gender]
        de = " ".join([article] + ([_adjective(adj[0], ending)] if adj else []) + [noun])
        en_words = ([adj[1]] if adj else []) + [en]
        return de, " ".join([_english_article(en_words[0], definite)] + en_words)

    def place(self) -> tuple[str, str]:
        """(German PP, English PP) of where the scene happens."""
        rng = self.rng
        if rng.random() < 0.08:
            name = rng.choice(self.rare_places)
            return f"in {name}", f"in {name}"
        prep, case, noun, gender, en_prep, en = rng.choice(_PLACES)
        adj = rng.choice(_PLACE_ADJ) if rng.random() < 0.2 else None
        definite = rng.random() < 0.6
        article = (_DEF if definite else _INDEF)[case][gender]
        ending = (_WEAK_ENDING if definite else _MIXED_ENDING)[case][gender]
        adjective = [_adjective(adj[0], ending)] if adj else []
        contracted = _CONTRACT.get((prep, article))
        de_words = ([contracted] if contracted else [prep, article]) + adjective + [noun]
        en_words = ([adj[1]] if adj else []) + [en]
        return " ".join(de_words), " ".join([en_prep, _english_article(en_words[0], definite)] + en_words)

    def action(self, number: str) -> tuple[str, str, str]:
        """(German verb, German object or companion or "", English "verb-ing [...]") for a subject."""
        rng = self.rng
        if rng.random() < 0.45:
            singular, plural, ing = rng.choice(_TRANSITIVE)
            obj, en_obj = self.thing(singular)
            return (plural if number == "pl" else singular), obj, f"{ing} {en_obj}"
        singular, plural, ing = rng.choice(_INTRANSITIVE)
        if rng.random() < 0.25:  # with a companion, in the dative
            companion, en_companion, _ = self.being("dat")
            return (plural if number == "pl" else singular), f"mit {companion}", f"{ing} with {en_companion}"
        return (plural if number == "pl" else singular), "", ing


def _sentence(scene: _Scene) -> tuple[str, str]:
    rng = scene.rng
    subject, en_subject, gender = scene.being()
    be = "are" if gender == "pl" else "is"
    verb, obj, en_action = scene.action(gender)
    place, en_place = scene.place()
    roll = rng.random()
    if roll < 0.5:  # subject, verb, object, place
        de = " ".join(filter(None, [subject, verb, obj, place]))
    elif roll < 0.75:  # the place first: the verb stays second, the subject follows it
        de = " ".join(filter(None, [place, verb, subject, obj]))
    elif roll < 0.9:  # a relative clause: its verb goes last
        verb2, obj2, en_action2 = scene.action(gender)
        clause = " ".join(filter(None, [_RELATIVE[gender], obj2, verb2]))
        de = " ".join(filter(None, [f"{subject} , {clause} ,", verb, obj, place]))
        en_subject = f"{en_subject} who {be} {en_action2}"
    else:  # two subjects joined by "und": a plural verb
        other, en_other, _ = scene.being()
        verb, obj, en_action = scene.action("pl")
        subject, en_subject, be = f"{subject} und {other}", f"{en_subject} and {en_other}", "are"
        de = " ".join(filter(None, [subject, verb, obj, place]))
    en = f"{en_subject} {be} {en_action} {en_place}"
    finish = lambda text: (text[0].upper() + text[1:]).replace(" ,", ",") + "."
    return finish(de), finish(en)


@lru_cache(maxsize=None)
def _corpus() -> dict[str, tuple[tuple[str, str], ...]]:
    rng = random.Random(30_000)
    rare_places = sorted({invented_word(rng, 2, 3).capitalize() for _ in range(400)})
    scene = _Scene(rng, rare_places)
    total = sum(TINY_MULTI30K_SIZES.values())
    pairs: dict[tuple[str, str], None] = {}  # unique pairs, in order of generation
    while len(pairs) < total:
        pairs.setdefault(_sentence(scene))
    ordered = list(pairs)
    splits, start = {}, 0
    for split, size in TINY_MULTI30K_SIZES.items():
        splits[split] = tuple(ordered[start:start + size])
        start += size
    return splits


def tiny_multi30k(split: str) -> tuple[tuple[str, str], ...]:
    """Generated ``(german, english)`` pairs of ``split`` (``train``, ``valid`` or ``test``).

    No pair appears in two splits. Deterministic on every call and machine.
    """
    check_split("Multi30k", split, SPLITS)
    return _corpus()[split]


# ---------------------------------------------------------------- either
def load_multi30k(split: str) -> list[tuple[str, str]]:
    """German-English image descriptions of ``split`` (train, valid or test).

    ``tiny``: 4,000 / 300 / 300 generated pairs; ``full``: the real 29,000 /
    1,014 / 1,000, downloaded on first use.
    """
    check_split("Multi30k", split, SPLITS)
    if data_mode() == "tiny":
        return list(tiny_multi30k(split))
    root = cache_dir() / "multi30k"
    for lang in _LANGUAGES:
        filename = f"{MULTI30K_FILES[split]}.{lang}.gz"
        download(MULTI30K_URL + filename, MULTI30K_CHECKSUMS[filename], root=root)
    return read_multi30k(root, split)
