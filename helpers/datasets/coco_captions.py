"""COCO captions in cs231n's format (assignment 4, the captioning notebooks).

``load_coco_data()`` returns one dictionary:

| key | what | shape, dtype |
| --- | --- | --- |
| ``train_captions``, ``val_captions`` | ``<START>``, the words, ``<END>``, ``<NULL>`` padding | (N, 17) int32 |
| ``train_image_idxs``, ``val_image_idxs`` | the image (row of the features) each caption describes | (N,) int32 |
| ``train_features``, ``val_features`` | one vector per image: VGG-16 fc7, or its PCA | (M, 512) or (M, 4096) float32 |
| ``train_urls``, ``val_urls`` | where each image is | (M,) str |
| ``idx_to_word`` | the vocabulary, ``<NULL>`` 0, ``<START>`` 1, ``<END>`` 2, ``<UNK>`` 3 | list of V str |
| ``word_to_idx`` | its inverse | dict of V |

``full``: cs231n's ``coco_captioning.zip`` (COCO 2014: 400,135 / 195,954
captions of 82,783 / 40,504 images, 1,004 words; the images stay on Flickr).
``tiny``: generated scenes (one to three objects of a kind and a colour, where
in the picture, a second object, a setting), each described by two or three
captions from a small grammar, with a tail of rare invented names that the
vocabulary leaves as ``<UNK>``. The features are a fixed random projection of
the scene's attributes plus noise (rectified, as fc7 is), so captions can be
learnt from them; the ``urls`` name small pictures of the scenes
(``tiny://train/000042``), drawn on demand by ``image_from_url``.
"""
from __future__ import annotations

import io
import json
import random
import urllib.request
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..cache import ChecksumError, cache_dir, extract, file_digest
from ..settings import data_mode
from . import check_split
from .invented_words import rare_words

__all__ = ["COCO_URL", "COCO_SHA256", "COCO_VOCAB_SHA256", "COCO_FILES", "SPECIAL_TOKENS", "TINY_COCO_IMAGES",
           "read_coco_captions", "tiny_coco_captions", "load_coco_data", "sample_coco_minibatch", "decode_captions", "image_from_url",
           "draw_scene"]

COCO_URL = "http://cs231n.stanford.edu/coco_captioning.zip"
COCO_SHA256 = None  # no digest is published for the archive: it is checked by its contents instead
COCO_VOCAB_SHA256 = "0cf30d2a349e9d24df4c9b0fa3dca46ad69b05876595546fdd690559a8c8da53"  # its coco2014_vocab.json
COCO_FILES = ("coco2014_captions.h5", "coco2014_vocab.json", "train2014_urls.txt", "val2014_urls.txt",
              "train2014_vgg16_fc7.h5", "val2014_vgg16_fc7.h5", "train2014_vgg16_fc7_pca.h5",
              "val2014_vgg16_fc7_pca.h5")
SPECIAL_TOKENS = ("<NULL>", "<START>", "<END>", "<UNK>")  # indices 0, 1, 2, 3
SPLITS = ("train", "val")
CAPTION_LENGTH = 17  # <START>, at most 15 words, <END>, then <NULL> padding
TINY_COCO_IMAGES = {"train": 5000, "val": 1000}


# ---------------------------------------------------------------- the real files
def read_coco_captions(root: str | Path, pca_features: bool = True) -> dict:
    """Parse cs231n's COCO captioning folder (the unzipped ``coco_captioning.zip``).

    Files: ``coco2014_captions.h5`` (datasets ``train_captions``, ``train_image_idxs``,
    ``val_captions``, ``val_image_idxs``), ``{train,val}2014_vgg16_fc7.h5`` and
    ``..._pca.h5`` (dataset ``features``), ``coco2014_vocab.json`` (``idx_to_word``,
    ``word_to_idx``), ``{train,val}2014_urls.txt`` (one URL a line).

    Args:
        root: the folder of those files.
        pca_features: the 512-wide PCA features, or the 4,096-wide fc7 ones.
    Returns:
        the dictionary described in this module's docstring.
    """
    import h5py

    root = Path(root)
    for name in ("coco2014_captions.h5", "coco2014_vocab.json", "train2014_urls.txt", "val2014_urls.txt"):
        if not (root / name).exists():
            raise FileNotFoundError(f"{root / name} is missing: is {root} the unzipped coco_captioning.zip?")
    data = {}
    with h5py.File(root / "coco2014_captions.h5", "r") as f:
        for key, value in f.items():
            data[key] = np.asarray(value)
    suffix = "_pca" if pca_features else ""
    for split in SPLITS:
        path = root / f"{split}2014_vgg16_fc7{suffix}.h5"
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: is {root} the unzipped coco_captioning.zip?")
        with h5py.File(path, "r") as f:
            data[f"{split}_features"] = np.asarray(f["features"])
    data.update(json.loads((root / "coco2014_vocab.json").read_text()))
    for split in SPLITS:
        lines = (root / f"{split}2014_urls.txt").read_text().splitlines()
        data[f"{split}_urls"] = np.asarray([line.strip() for line in lines])
    return data


# ---------------------------------------------------------------- the tiny set
_SETTINGS = [("in", "a kitchen", (225, 205, 170)), ("at", "the beach", (240, 220, 140)),
             ("in", "a park", (110, 170, 90)), ("on", "a street", (150, 150, 150)),
             ("across", "a field", (170, 200, 90)), ("on", "a table", (160, 110, 70)),
             ("inside", "a room", (200, 190, 210)), ("in", "the snow", (245, 245, 250)),
             ("by", "the water", (80, 130, 200)), ("along", "a road", (100, 100, 105))]
# singular, plural, kind (which poses fit, and the shape drawn)
_OBJECTS = [("dog", "dogs", "animal"), ("cat", "cats", "animal"), ("horse", "horses", "animal"),
            ("bird", "birds", "animal"), ("sheep", "sheep", "animal"), ("cow", "cows", "animal"),
            ("man", "men", "person"), ("woman", "women", "person"), ("boy", "boys", "person"),
            ("girl", "girls", "person"), ("bus", "buses", "vehicle"), ("car", "cars", "vehicle"),
            ("truck", "trucks", "vehicle"), ("train", "trains", "vehicle"), ("boat", "boats", "vehicle"),
            ("pizza", "pizzas", "thing"), ("cake", "cakes", "thing"), ("clock", "clocks", "thing"),
            ("kite", "kites", "thing"), ("umbrella", "umbrellas", "thing")]
_POSES = {"animal": ["standing", "sitting", "lying"], "person": ["standing", "walking", "sitting"],
          "vehicle": ["parked", "driving", "stopped"], "thing": ["sitting", "lying", "shown"]}
_COLOURS = [("red", (210, 40, 40)), ("blue", (40, 70, 210)), ("green", (40, 160, 60)),
            ("yellow", (235, 210, 40)), ("black", (20, 20, 20)), ("white", (250, 250, 250)),
            ("brown", (120, 70, 30)), ("orange", (240, 140, 30))]
_COUNTS = ["a", "two", "three"]
_PLACES = ["to the left", "in the centre", "to the right"]
_COMPANIONS = ["next to", "near", "beside"]
_OPENINGS = ["there is ", "a picture of ", "a photo of ", "an image of "]  # or none, most often
_ATTRIBUTES = (len(_SETTINGS), len(_OBJECTS), len(_COUNTS), len(_COLOURS), len(_PLACES), 3,
               len(_OBJECTS) + 1, len(_COLOURS))  # the one-hot blocks of a scene (pose, second object)


def _scene(rng: random.Random) -> tuple[int, ...]:
    """(setting, object, count, colour, place, pose, second object or -1, its colour)."""
    second = rng.randrange(len(_OBJECTS)) if rng.random() < 0.5 else -1
    return (rng.randrange(len(_SETTINGS)), rng.randrange(len(_OBJECTS)), rng.choices(range(3), (6, 3, 2))[0],
            rng.randrange(len(_COLOURS)), rng.randrange(3), rng.randrange(3), second, rng.randrange(len(_COLOURS)))


def _caption(scene: tuple[int, ...], rng: random.Random, rare_names: list[str], rare_weights: list[float]) -> str:
    """One description of ``scene``: some attributes said, some left out; at most 15 words."""
    setting, obj, count, colour, place, pose, second, second_colour = scene

    def noun_phrase(index: int, number: int, colour: int | None) -> str:
        singular, plural, kind = _OBJECTS[index]
        noun = plural if number else singular
        if colour is None:
            return f"{_COUNTS[number]} {noun}"
        if kind == "person":  # people wear the colour
            return f"{_COUNTS[number]} {noun} in {_COLOURS[colour][0]}"
        return f"{_COUNTS[number]} {_COLOURS[colour][0]} {noun}"

    parts = {"thing": noun_phrase(obj, count, colour if rng.random() < 0.8 else None)}  # in the order said
    if rng.random() < 0.6:
        parts["pose"] = _POSES[_OBJECTS[obj][2]][pose]
    if rng.random() < 0.3:
        parts["place"] = _PLACES[place]
    if second >= 0 and rng.random() < 0.7:
        other = noun_phrase(second, 0, second_colour if rng.random() < 0.5 else None)
        parts["second"] = f"{rng.choice(_COMPANIONS)} {other}"
    if rng.random() < 0.85:
        preposition, where, _ = _SETTINGS[setting]
        parts["setting"] = f"{preposition} {where}"
    if rng.random() < 0.12:  # the rare tail: names no feature can tell
        parts["name"] = "near " + rng.choices(rare_names, rare_weights)[0]
    opening = "" if rng.random() < 0.7 else rng.choice(_OPENINGS if count == 0 else _OPENINGS[1:])
    words = (opening + " ".join(parts.values())).split()
    for optional in ("name", "pose", "place", "second"):  # too long: leave details out
        if len(words) <= CAPTION_LENGTH - 2:
            break
        parts.pop(optional, None)
        words = (opening + " ".join(parts.values())).split()
    return " ".join("an" if word == "a" and following[0] in "aeiou" else word
                    for word, following in zip(words, words[1:] + ["."]))


def _features(scenes: np.ndarray, rng: np.random.Generator, projection: np.ndarray) -> np.ndarray:
    """The fc7 stand-in: relu(one-hot attributes @ projection + noise), (M, 4096) float32."""
    one_hot = np.zeros((len(scenes), sum(_ATTRIBUTES)), dtype=np.float32)
    offset = 0
    for column, size in enumerate(_ATTRIBUTES):
        one_hot[np.arange(len(scenes)), offset + scenes[:, column] % size] = 1  # second object -1: the last slot
        offset += size
    noise = rng.standard_normal((len(scenes), projection.shape[1]), dtype=np.float32)
    return np.maximum(one_hot @ projection + noise, 0)


@lru_cache(maxsize=1)
def _tiny_scenes() -> dict:
    """The scenes, their captions and the vocabulary (the features are made apart)."""
    rng = random.Random(2014)
    rare_names = rare_words(rng, 300)
    rare_weights = [1 / (rank + 1) for rank in range(len(rare_names))]  # Zipf: a few common, most rare
    texts, data = {}, {}
    for split, count in TINY_COCO_IMAGES.items():
        scenes = np.array([_scene(rng) for _ in range(count)], dtype=np.int64)
        image_idxs, captions = [], []
        for image, scene in enumerate(scenes):
            said, wanted = set(), rng.randint(2, 3)
            while len(said) < wanted:
                said.add(_caption(tuple(scene), rng, rare_names, rare_weights))
            captions += sorted(said)
            image_idxs += [image] * len(said)
        order = np.random.default_rng(len(split)).permutation(len(captions))  # an image's captions apart
        texts[split] = [captions[i] for i in order]
        data[f"{split}_image_idxs"] = np.asarray(image_idxs, dtype=np.int32)[order]
        data[f"{split}_urls"] = np.asarray([f"tiny://{split}/{image:06d}" for image in range(count)])
        data[f"_{split}_scenes"] = scenes
    counts: dict[str, int] = {}
    for caption in texts["train"]:
        for word in caption.split():
            counts[word] = counts.get(word, 0) + 1
    kept = sorted((w for w, n in counts.items() if n >= 5), key=lambda w: (-counts[w], w))
    data["idx_to_word"] = list(SPECIAL_TOKENS) + kept
    data["word_to_idx"] = {word: i for i, word in enumerate(data["idx_to_word"])}
    for split in SPLITS:
        data[f"{split}_captions"] = _encode(texts[split], data["word_to_idx"])
    return data


@lru_cache(maxsize=1)
def _tiny_features(pca_features: bool) -> dict:
    """The fc7 stand-in of every scene (4,096 wide), or its projection onto 512 fixed
    orthonormal directions, centred on the training mean (the PCA stand-in)."""
    scenes = _tiny_scenes()
    rng = np.random.default_rng(2014)
    projection = rng.standard_normal((sum(_ATTRIBUTES), 4096), dtype=np.float32)
    features = {f"{split}_features": _features(scenes[f"_{split}_scenes"], rng, projection) for split in SPLITS}
    if pca_features:
        basis, _ = np.linalg.qr(rng.standard_normal((4096, 512), dtype=np.float32))
        mean = features["train_features"].mean(axis=0)
        features = {key: ((value - mean) @ basis).astype(np.float32) for key, value in features.items()}
    return features


def _encode(captions: list[str], word_to_idx: dict[str, int]) -> np.ndarray:
    """Captions -> (N, 17) int32: <START> words <END> <NULL>..., unknown words <UNK>."""
    encoded = np.zeros((len(captions), CAPTION_LENGTH), dtype=np.int32)  # <NULL> is 0
    for row, caption in enumerate(captions):
        words = [word_to_idx.get(w, 3) for w in caption.split()]
        encoded[row, :len(words) + 2] = [1] + words + [2]
    return encoded


def tiny_coco_captions(pca_features: bool = True) -> dict:
    """The generated set as ``load_coco_data``'s dictionary (a fresh copy; deterministic).

    5,000 training and 1,000 validation scenes, two or three captions each;
    features 512 wide (``pca_features``) or 4,096.
    """
    data = {**_tiny_scenes(), **_tiny_features(pca_features)}
    return {key: (value.copy() if hasattr(value, "copy") else value)
            for key, value in data.items() if not key.startswith("_")}


# ---------------------------------------------------------------- either
def load_coco_data(base_dir: str | Path | None = None, max_train: int | None = None,
                   pca_features: bool = True) -> dict:
    """The captioning data as cs231n's dictionary (see this module's docstring), by data mode.

    Args:
        base_dir: a folder holding the unzipped files (``full`` only); default: the
            cache's ``coco_captioning``, extracted from ``coco_captioning.zip`` there.
        max_train: keep only this many training captions, drawn at random with
            replacement with numpy's global generator (seed it first), as cs231n does;
            the features of every image stay.
        pca_features: 512-wide features (PCA) rather than 4,096.
    """
    if base_dir is not None:
        data = read_coco_captions(base_dir, pca_features)
    elif data_mode() == "tiny":
        data = tiny_coco_captions(pca_features)
    else:
        data = read_coco_captions(_fetch_full(), pca_features)
    if max_train is not None:
        keep = np.random.randint(data["train_captions"].shape[0], size=max_train)
        data["train_captions"] = data["train_captions"][keep]
        data["train_image_idxs"] = data["train_image_idxs"][keep]
    return data


def _fetch_full() -> Path:
    """The unzipped archive in the cache; a clear error when it is not there (no digest to download against)."""
    root = cache_dir()
    folder = root / "coco_captioning"
    archive = root / "coco_captioning.zip"
    if not folder.exists() and archive.exists():
        extracted = extract(archive, root / ".coco_captioning.unzipped")
        inner = next((p.parent for p in extracted.rglob("coco2014_vocab.json")), None)
        if inner is None:
            raise FileNotFoundError(f"{archive} holds no coco2014_vocab.json: is it cs231n's coco_captioning.zip?")
        inner.rename(folder)
    if folder.exists():
        missing = [name for name in COCO_FILES if not (folder / name).exists()]
        if missing:
            raise FileNotFoundError(f"{folder} lacks {', '.join(missing)}: unzip all of {COCO_URL} there")
        digest = file_digest(folder / "coco2014_vocab.json")
        if digest != COCO_VOCAB_SHA256:
            raise ChecksumError(f"{folder / 'coco2014_vocab.json'} has sha256 {digest}, expected {COCO_VOCAB_SHA256} "
                                f"(cs231n's 1,004 words): replace the folder with a fresh copy of {COCO_URL}")
        return folder
    raise FileNotFoundError(
        f"COURSE_DATA=full needs cs231n's COCO captioning files (about 1 GB, no published checksum, so the "
        f"course does not download them itself): download {COCO_URL} and place it at {archive} (it is "
        f"unzipped on first use), or unzip it into {folder} so that {folder / 'coco2014_vocab.json'} exists. "
        f"COURSE_DATA_DIR moves the cache.")


# ---------------------------------------------------------------- working with the dictionary
def sample_coco_minibatch(data: dict, batch_size: int = 100, split: str = "train", seed: int | None = None):
    """Draw ``batch_size`` captions of ``split`` at random (with replacement), with their images.

    Args:
        data: ``load_coco_data``'s dictionary.
        batch_size: how many captions.
        split: ``"train"`` or ``"val"``.
        seed: a seed for this draw alone; None draws from numpy's global generator.
    Returns:
        captions (batch_size, 17) int32, features (batch_size, D) float32, urls (batch_size,) str.
    """
    check_split("COCO captions", split, SPLITS)
    size = data[f"{split}_captions"].shape[0]
    picks = (np.random if seed is None else np.random.RandomState(seed)).choice(size, batch_size)
    images = data[f"{split}_image_idxs"][picks]
    return data[f"{split}_captions"][picks], data[f"{split}_features"][images], data[f"{split}_urls"][images]


def decode_captions(captions, idx_to_word):
    """Word indices back to text: each caption up to its ``<END>`` (included), ``<NULL>`` dropped.

    Args:
        captions: one caption (T,) or a batch (N, T) of integers.
        idx_to_word: the vocabulary, index -> word.
    Returns:
        a str, or a list of N str.
    """
    captions = np.asarray(captions)
    rows = captions[None] if captions.ndim == 1 else captions
    decoded = []
    for row in rows:
        words = []
        for index in row:
            word = idx_to_word[int(index)]
            if word != "<NULL>":
                words.append(word)
            if word == "<END>":
                break
        decoded.append(" ".join(words))
    return decoded[0] if captions.ndim == 1 else decoded


def draw_scene(scene, size: int = 64) -> np.ndarray:
    """A small picture of a tiny scene: the setting's colour, the objects as shapes in theirs.

    Returns (size, size, 3) uint8.
    """
    setting, obj, count, colour, place, _, second, second_colour = (int(v) for v in scene)
    image = np.empty((size, size, 3), dtype=np.uint8)
    image[:] = _SETTINGS[setting][2]
    rows, cols = np.mgrid[0:size, 0:size] / size
    kind = _OBJECTS[obj][2]
    centre_x = (place + 0.5) / 3
    for k in range(count + 1):
        centre_y = 0.5 + (k - count / 2) * 0.22
        dx, dy = np.abs(cols - centre_x), np.abs(rows - centre_y)
        mask = {"animal": dx ** 2 / 0.016 + dy ** 2 / 0.008 < 1, "person": (dx < 0.05) & (dy < 0.1),
                "vehicle": (dx < 0.14) & (dy < 0.07), "thing": dx + dy < 0.1}[kind]
        image[mask] = _COLOURS[colour][1]
    if second >= 0:
        mask = (np.abs(cols - (1 - centre_x if place != 1 else 0.85)) < 0.06) & (np.abs(rows - 0.88) < 0.06)
        image[mask] = _COLOURS[second_colour][1]
    return image


def image_from_url(url: str):
    """The image at ``url`` as an (H, W, 3) uint8 array, or None (with a note) when it cannot be had.

    ``tiny://<split>/<index>``: the picture of a generated scene, drawn here.
    Anything else is downloaded (a COCO image on Flickr; many are gone).
    """
    if url.startswith("tiny://"):
        split, index = url[len("tiny://"):].split("/")
        return draw_scene(_tiny_scenes()[f"_{split}_scenes"][int(index)])
    try:
        from PIL import Image

        with urllib.request.urlopen(url, timeout=10) as response:
            return np.asarray(Image.open(io.BytesIO(response.read())).convert("RGB"))
    except Exception as error:  # offline, gone from Flickr, not an image: show none, say why
        print(f"(no image: {url} could not be fetched: {error})")
        return None
