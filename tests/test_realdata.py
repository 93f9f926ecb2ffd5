"""The `full` data mode on the real files kept in ../shared (read there, never copied into the project).

A temporary cache of symlinks to the real files stands in for the download
cache, laid out as the downloads leave it, so the loaders run exactly as they
would after downloading; no network is needed.
"""
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from helpers.cache import ChecksumError, extract, file_digest
from helpers.datasets.cola import CLS, COLA_MD5, COLA_MIN_COUNT, PAD, UNK, cola_vocabulary, load_cola, read_cola
from helpers.datasets.imdb import IMDB_SHA256, load_imdb, read_imdb
from helpers.datasets.multi30k import MULTI30K_CHECKSUMS, load_multi30k
from helpers.datasets.tweets import TWEETS_SHA256, load_tweets

SHARED = Path(__file__).resolve().parents[2] / "shared"  # beside the repository, never inside it
REALDATA = SHARED / "realdata"
IMDB_SAMPLE = SHARED / "samples" / "aclImdb_v1-sample.tar.gz"  # real aclImdb files, 16 a split and label
COLA_ZIP = REALDATA / "cola_public_1.1.zip"

FIRST_AND_LAST_PAIRS = {
    "train": [("Zwei junge weiße Männer sind im Freien in der Nähe vieler Büsche.",
               "Two young, White males are outside near many bushes."),
              ("Ein Mann in Shorts und Hawaiihemd lehnt sich über das Geländer eines Lotsenboots, mit Nebel "
               "und Bergen im Hintergrund.",
               "A man in shorts and a Hawaiian shirt leans over the rail of a pilot boat, with fog and "
               "mountains in the background.")],
    "valid": [("Eine Gruppe von Männern lädt Baumwolle auf einen Lastwagen",
               "A group of men are loading cotton onto a truck"),
              ("Zwei Frauen in Rot und ein Mann, der aus einer transportablen Toilette kommt.",
               "Two women wearing red and a man coming out of a port-a-potty.")],
    "test": [("Ein Mann mit einem orangefarbenen Hut, der etwas anstarrt.",
              "A man in an orange hat starring at something."),
             ("Ein Mädchen an einer Küste mit einem Berg im Hintergrund.",
              "A girl at the shore of a beach with a mountain in the distance.")],
}


def require(path: Path) -> None:
    """Skip the test, saying why, when a file or folder of ../shared is absent."""
    if not path.exists():
        pytest.skip(f"../shared/{path.relative_to(SHARED)} is absent: these tests read the real data "
                    f"from the folder `shared` beside the repository")


@pytest.fixture
def cache(monkeypatch, tmp_path):
    """An empty download cache in the full data mode."""
    monkeypatch.setenv("COURSE_DATA", "full")
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir()
    return tmp_path / "cache"


@pytest.fixture
def real_cache(cache):
    """The cache holding symlinks to every real file of ../shared/realdata, where the loaders look."""
    require(REALDATA)
    (cache / "train_tweet.csv").symlink_to(REALDATA / "train_tweet.csv")
    (cache / "multi30k").mkdir()
    for path in (REALDATA / "multi30k").glob("*.gz"):
        (cache / "multi30k" / path.name).symlink_to(path)
    (cache / "cola_public_1.1.zip").symlink_to(COLA_ZIP)
    return cache


def test_real_tweets(real_cache):
    tweets = load_tweets("train")
    labels = [label for label, _ in tweets]
    assert len(tweets) == 31_962 and labels.count(1) == 2_242
    assert 0.06 < labels.count(1) / len(tweets) < 0.08  # about 7% racist or sexist
    assert tweets[0] == (0, "@user when a father is dysfunctional and is so selfish he drags his kids "
                            "into his dysfunction.   #run")


@pytest.mark.parametrize("split, size", [("train", 29_000), ("valid", 1_014), ("test", 1_000)])
def test_real_multi30k_is_aligned(real_cache, split, size):
    pairs = load_multi30k(split)
    assert len(pairs) == size
    assert all(german.strip() and english.strip() for german, english in pairs)
    assert [pairs[0], pairs[-1]] == FIRST_AND_LAST_PAIRS[split]


COLA_SIZES = {"in_domain_train": (8_551, 6_023), "in_domain_dev": (527, 365), "out_of_domain_dev": (516, 354)}


def test_load_cola_splits_the_real_training_file_7000_to_1551(real_cache):
    require(COLA_ZIP)
    arrays = load_cola()
    train_inxs, val_inxs, word_to_ix = arrays["train_inxs"], arrays["val_inxs"], arrays["word_to_ix"]
    assert train_inxs.shape == (7_000, 45) and val_inxs.shape == (1_551, 45)  # the longest sentence: 44 tokens
    assert arrays["train_labels"].shape == (7_000,) and arrays["val_labels"].shape == (1_551,)
    assert arrays["train_labels"].sum() + arrays["val_labels"].sum() == 6_023
    assert 0.68 < arrays["val_labels"].mean() < 0.74  # about 70% acceptable, as the whole file
    assert (train_inxs[:, 0] == word_to_ix[CLS]).all() and (val_inxs[:, -1] == word_to_ix[PAD]).mean() > 0.99
    # the vocabulary: the specials, then every token seen at least COLA_MIN_COUNT times in the 7,000
    assert list(word_to_ix)[:3] == [PAD, CLS, UNK]
    assert (np.bincount(train_inxs.ravel(), minlength=len(word_to_ix))[3:] >= COLA_MIN_COUNT).all()
    assert 2_000 < len(word_to_ix) < 2_600  # documented: 2,285
    rows = read_cola(real_cache / "cola_public_1.1", "in_domain_train", tokenized=True)
    order = np.random.default_rng(0).permutation(len(rows))  # the documented split
    train = [rows[i] for i in order[:7_000]]
    assert word_to_ix == cola_vocabulary(row.sentence for row in train)
    first = [CLS] + train[0].sentence.split()
    assert train_inxs[0, :len(first)].tolist() == [word_to_ix.get(word, word_to_ix[UNK]) for word in first]
    assert np.array_equal(arrays["val_labels"], [rows[i].label for i in order[7_000:]])
    assert (val_inxs == word_to_ix[UNK]).any() and (train_inxs == word_to_ix[UNK]).any()


@pytest.mark.parametrize("tokenized", [False, True])
def test_real_cola_files_parse(real_cache, tokenized):
    require(COLA_ZIP)
    load_cola()  # downloads (here: finds) and extracts the archive in the cache
    root = real_cache / "cola_public_1.1"
    assert not (root / "cola_public" / "raw" / "out_of_domain_dev.tsv").read_bytes().endswith(b"\n")
    for split, (size, acceptable) in COLA_SIZES.items():
        rows = read_cola(root, split, tokenized=tokenized)
        assert len(rows) == size and sum(row.label for row in rows) == acceptable, split
        assert all(row.sentence.strip() and row.source for row in rows)
        assert {row.mark for row in rows if row.label == 0} <= {"*", "?*", "??", "*?", ""}
    assert read_cola(root, "in_domain_train", tokenized=tokenized)[0].sentence == (
        "our friends wo n't buy this analysis , let alone the next one we propose ." if tokenized
        else "Our friends won't buy this analysis, let alone the next one we propose.")


def test_read_imdb_on_the_real_sample(tmp_path):
    require(IMDB_SAMPLE)
    root = extract(IMDB_SAMPLE, tmp_path / "aclImdb_v1") / "aclImdb"
    # the clutter of the real archive is there, and must be passed over
    for clutter in ("train/unsup", "train/urls_neg.txt", "train/neg/.DS_Store", "train/neg/._.DS_Store"):
        assert (root / clutter).exists(), clutter
    for split in ("train", "test"):
        reviews = read_imdb(root, split)
        assert [label for label, _ in reviews] == [0] * 16 + [1] * 16  # negatives first
        expected = []
        for folder in ("neg", "pos"):
            by_id = {int(path.name.split("_")[0]): path for path in (root / split / folder).glob("[0-9]*.txt")}
            assert sorted(by_id) == list(range(16))
            expected += [by_id[i].read_text(encoding="utf-8") for i in range(16)]  # in the order of the ids
        assert [text for _, text in reviews] == expected
    assert read_imdb(root, "train")[0][1].startswith("Story of a man who has unnatural feelings for a pig.")


def test_load_imdb_explains_and_keeps_an_archive_with_the_wrong_checksum(cache):
    require(IMDB_SAMPLE)
    placed = cache / "aclImdb_v1.tar.gz"  # the official name, but the sample's bytes
    shutil.copyfile(IMDB_SAMPLE, placed)
    with pytest.raises(ChecksumError, match=f"has sha256 {file_digest(IMDB_SAMPLE)}, expected {IMDB_SHA256}. "
                                            f"Remove it, or replace it with a good copy"):
        load_imdb("train")
    assert placed.read_bytes() == IMDB_SAMPLE.read_bytes()
    assert [path.name for path in cache.iterdir()] == ["aclImdb_v1.tar.gz"]  # nothing extracted


@pytest.mark.parametrize("name, expected, load", [
    ("train_tweet.csv", TWEETS_SHA256, lambda: load_tweets("train")),
    ("multi30k/val.de.gz", MULTI30K_CHECKSUMS["val.de.gz"].removeprefix("md5:"), lambda: load_multi30k("valid")),
    ("cola_public_1.1.zip", COLA_MD5.removeprefix("md5:"), load_cola),
])
def test_a_truncated_real_file_is_explained_and_kept(real_cache, name, expected, load):
    require(REALDATA / name)
    placed = real_cache / name
    placed.unlink()
    with open(REALDATA / name, "rb") as real:
        placed.write_bytes(real.read(1000))
    with pytest.raises(ChecksumError, match=re.escape(f"{placed} has ") + f".*, expected {expected}. Remove it"):
        load()
    assert placed.stat().st_size == 1000
