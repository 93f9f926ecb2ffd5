"""Assignment 4's captioning data: cs231n's COCO files (parser on fixture files written in their exact
layout, and on the real vocabulary), the generated tiny set, and the lessons it must carry: an LSTM
learns captions from its features (unigram BLEU over 0.3, above the most common caption and above
the same model shown the wrong images). The notebooks' own lessons (overfitting 50 captions, the
better model's BLEU) are read from their graded run in tests/test_lessons_a4_{rnn,lstm}.py."""
import json
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from helpers.cache import ChecksumError
from helpers.captioning_solver import CaptioningSolver
from helpers.datasets import coco_captions
from helpers.datasets.coco_captions import (COCO_URL, decode_captions, image_from_url, load_coco_data,
                                            read_coco_captions, sample_coco_minibatch, tiny_coco_captions)
from reference.captioning import CaptioningRNN

h5py = pytest.importorskip("h5py")
SHARED = Path(__file__).resolve().parents[2] / "shared"  # beside the repository, never inside it
REAL_VOCAB = SHARED / "samples" / "coco2014_vocab.json"  # cs231n's 1,004 words
SPECIALS = ["<NULL>", "<START>", "<END>", "<UNK>"]


# ---------------------------------------------------------------- the real layout
def write_coco_folder(root: Path, vocab: dict, n_train=7, n_val=5, m_train=4, m_val=3) -> dict:
    """cs231n's coco_captioning folder in miniature: every file, its datasets, dtypes and names."""
    rng = np.random.default_rng(0)
    V = len(vocab["idx_to_word"])
    arrays = {"train_captions": rng.integers(0, V, (n_train, 17)).astype(np.int32),
              "train_image_idxs": rng.integers(0, m_train, n_train).astype(np.int32),
              "val_captions": rng.integers(0, V, (n_val, 17)).astype(np.int32),
              "val_image_idxs": rng.integers(0, m_val, n_val).astype(np.int32)}
    with h5py.File(root / "coco2014_captions.h5", "w") as f:
        for key, value in arrays.items():
            f.create_dataset(key, data=value)
    for split, m in (("train", m_train), ("val", m_val)):
        for suffix, width in (("", 4096), ("_pca", 512)):
            arrays[f"{split}{suffix}"] = rng.standard_normal((m, width)).astype(np.float32)
            with h5py.File(root / f"{split}2014_vgg16_fc7{suffix}.h5", "w") as f:
                f.create_dataset("features", data=arrays[f"{split}{suffix}"])
        urls = [f"http://farm{k}.staticflickr.com/{split}/{k:04d}_abc.jpg" for k in range(m)]
        (root / f"{split}2014_urls.txt").write_text("\n".join(urls) + "\n")
    (root / "coco2014_vocab.json").write_text(json.dumps(vocab))
    return arrays


SMALL_VOCAB = {"idx_to_word": SPECIALS + ["a", "dog", "cat"],
               "word_to_idx": {w: i for i, w in enumerate(SPECIALS + ["a", "dog", "cat"])}}


@pytest.mark.parametrize("pca", [True, False])
def test_the_parser_reads_cs231ns_layout(tmp_path, pca):
    arrays = write_coco_folder(tmp_path, SMALL_VOCAB)
    data = read_coco_captions(tmp_path, pca_features=pca)
    assert set(data) == {"train_captions", "train_image_idxs", "val_captions", "val_image_idxs", "train_features",
                         "val_features", "idx_to_word", "word_to_idx", "train_urls", "val_urls"}
    for key in ("train_captions", "train_image_idxs", "val_captions", "val_image_idxs"):
        assert data[key].dtype == np.int32 and np.array_equal(data[key], arrays[key])
    suffix = "_pca" if pca else ""
    assert data["train_features"].shape == (4, 512 if pca else 4096) and data["train_features"].dtype == np.float32
    assert np.array_equal(data["val_features"], arrays[f"val{suffix}"])
    assert data["train_urls"].shape == (4,) and data["val_urls"][2] == "http://farm2.staticflickr.com/val/0002_abc.jpg"
    assert data["idx_to_word"][:4] == SPECIALS and data["word_to_idx"]["dog"] == 5


def test_the_parser_says_which_file_is_missing(tmp_path):
    write_coco_folder(tmp_path, SMALL_VOCAB)
    (tmp_path / "val2014_vgg16_fc7_pca.h5").unlink()
    with pytest.raises(FileNotFoundError, match="val2014_vgg16_fc7_pca.h5"):
        read_coco_captions(tmp_path)


def test_the_real_vocabulary(tmp_path):
    if not REAL_VOCAB.exists():
        pytest.skip(f"{REAL_VOCAB} is absent: this test reads cs231n's real COCO vocabulary from ../shared/samples")
    vocab = json.loads(REAL_VOCAB.read_text())
    write_coco_folder(tmp_path, vocab)
    shutil.copy(REAL_VOCAB, tmp_path / "coco2014_vocab.json")  # the real file, byte for byte
    data = load_coco_data(base_dir=tmp_path)
    assert len(data["idx_to_word"]) == len(data["word_to_idx"]) == 1004
    assert data["idx_to_word"][:4] == SPECIALS
    assert all(data["word_to_idx"][w] == i for i, w in enumerate(data["idx_to_word"]))
    caption = np.array([1, data["word_to_idx"]["a"], data["word_to_idx"]["dog"], 2, 0, 0])
    assert decode_captions(caption, data["idx_to_word"]) == "<START> a dog <END>"


def test_full_mode_without_the_files_says_what_to_download(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_DATA", "full")
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError) as error:
        load_coco_data()
    assert COCO_URL in str(error.value) and str(tmp_path / "coco_captioning.zip") in str(error.value)


def test_full_mode_reads_the_archive_placed_in_the_cache(monkeypatch, tmp_path):
    import zipfile

    folder = tmp_path / "made" / "coco_captioning"
    folder.mkdir(parents=True)
    write_coco_folder(folder, SMALL_VOCAB)
    with zipfile.ZipFile(tmp_path / "coco_captioning.zip", "w") as archive:
        for path in folder.iterdir():
            archive.write(path, f"coco_captioning/{path.name}")
    shutil.rmtree(tmp_path / "made")
    monkeypatch.setenv("COURSE_DATA", "full")
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    with pytest.raises(ChecksumError, match="coco2014_vocab.json"):  # not cs231n's vocabulary
        load_coco_data()
    if not REAL_VOCAB.exists():
        pytest.skip(f"{REAL_VOCAB} is absent: the rest of this test needs cs231n's real COCO vocabulary")
    shutil.copy(REAL_VOCAB, tmp_path / "coco_captioning" / "coco2014_vocab.json")
    assert load_coco_data()["train_captions"].shape == (7, 17)
    assert load_coco_data(pca_features=False)["val_features"].shape == (3, 4096)


def test_max_train_draws_captions_as_cs231n_does(tmp_path):
    write_coco_folder(tmp_path, SMALL_VOCAB)
    full = load_coco_data(base_dir=tmp_path)
    np.random.seed(231)
    small = load_coco_data(base_dir=tmp_path, max_train=5)
    np.random.seed(231)
    keep = np.random.randint(7, size=5)
    assert np.array_equal(small["train_captions"], full["train_captions"][keep])
    assert np.array_equal(small["train_image_idxs"], full["train_image_idxs"][keep])
    assert small["train_features"].shape == full["train_features"].shape  # every image's features stay


# ---------------------------------------------------------------- the tiny set
@pytest.fixture(scope="module")
def tiny():
    return tiny_coco_captions()


def test_the_tiny_set_has_cs231ns_shapes_and_dtypes(tiny):
    n_train, n_val = len(tiny["train_captions"]), len(tiny["val_captions"])
    assert 10_000 <= n_train <= 15_000 and 2_000 <= n_val <= 3_000
    for split, m in (("train", 5000), ("val", 1000)):
        captions, idxs = tiny[f"{split}_captions"], tiny[f"{split}_image_idxs"]
        assert captions.dtype == idxs.dtype == np.int32 and captions.shape[1] == 17
        assert tiny[f"{split}_features"].shape == (m, 512) and tiny[f"{split}_features"].dtype == np.float32
        assert tiny[f"{split}_urls"].shape == (m,) and tiny[f"{split}_urls"][7] == f"tiny://{split}/000007"
        assert idxs.min() == 0 and idxs.max() == m - 1
        assert set(np.bincount(idxs)) <= {2, 3}  # two or three captions an image
        assert (captions[:, 0] == 1).all()  # <START>
        lengths = (captions != 0).sum(axis=1)
        assert (captions[np.arange(len(captions)), lengths - 1] == 2).all()  # <END>, then <NULL> only
        assert lengths.max() == 17 and not (captions[:, 1:] == 1).any()
    assert tiny["idx_to_word"][:4] == SPECIALS
    assert tiny["word_to_idx"] == {w: i for i, w in enumerate(tiny["idx_to_word"])}
    assert tiny_coco_captions(pca_features=False)["val_features"].shape == (1000, 4096)


def test_rare_words_become_unk(tiny):
    with_unk = (tiny["train_captions"] == 3).any(axis=1).mean()
    assert 0.01 < with_unk < 0.1, with_unk
    assert (tiny["val_captions"] == 3).any()


def test_the_tiny_set_is_deterministic(tiny):
    coco_captions._tiny_scenes.cache_clear()
    coco_captions._tiny_features.cache_clear()
    again = tiny_coco_captions()
    assert again["word_to_idx"] == tiny["word_to_idx"]
    for key, value in tiny.items():
        if key != "word_to_idx":
            assert np.array_equal(np.asarray(value), np.asarray(again[key])), key


def test_decode_captions_stops_at_end_and_drops_null():
    words = SPECIALS + ["a", "dog"]
    batch = np.array([[1, 4, 5, 2, 0, 0], [1, 0, 4, 2, 5, 5]])
    assert decode_captions(batch, words) == ["<START> a dog <END>", "<START> a <END>"]
    assert decode_captions(np.array([4, 5, 5]), words) == "a dog dog"  # no <END>: all of it


def test_sample_coco_minibatch_pairs_captions_with_their_images(tiny):
    captions, features, urls = sample_coco_minibatch(tiny, batch_size=6, split="val", seed=3)
    again = sample_coco_minibatch(tiny, batch_size=6, split="val", seed=3)
    assert captions.shape == (6, 17) and features.shape == (6, 512) and urls.shape == (6,)
    assert all(np.array_equal(a, b) for a, b in zip((captions, features, urls), again))
    for caption, feature, url in zip(captions, features, urls):
        image = int(url.rsplit("/", 1)[1])
        assert np.array_equal(feature, tiny["val_features"][image])
        rows = np.flatnonzero(tiny["val_image_idxs"] == image)
        assert any(np.array_equal(caption, tiny["val_captions"][r]) for r in rows)


def test_image_from_url_draws_tiny_scenes_and_never_raises(capsys, tmp_path):
    image = image_from_url("tiny://train/000042")
    assert image.shape == (64, 64, 3) and image.dtype == np.uint8 and len(np.unique(image.reshape(-1, 3), axis=0)) > 1
    assert image_from_url((tmp_path / "gone.jpg").as_uri()) is None
    assert "could not be fetched" in capsys.readouterr().out


# ---------------------------------------------------------------- the lessons
def bleu(reference: str, hypothesis: str) -> float:
    """The seed's protocol: unigram BLEU (nltk), <START>, <END> and <UNK> left out."""
    from nltk.translate.bleu_score import sentence_bleu

    keep = lambda text: [w for w in text.split(" ") if w not in ("<START>", "<END>", "<UNK>")]
    return sentence_bleu([keep(reference)], keep(hypothesis), weights=(1,))


def mean_bleu(data, captioner, split="val"):
    """Mean BLEU over 1,000 random examples of ``split``; captioner: features -> list of str."""
    captions, features, _ = sample_coco_minibatch(data, batch_size=1000, split=split, seed=0)
    references = decode_captions(captions, data["idx_to_word"])
    return float(np.mean([bleu(r, h) for r, h in zip(references, captioner(features))]))


def test_an_lstm_learns_captions_from_the_features(tiny):
    np.random.seed(231)
    model = CaptioningRNN(tiny["word_to_idx"], input_dim=512, wordvec_dim=64, hidden_dim=128, cell_type="lstm")
    CaptioningSolver(model, tiny, update_rule="adam", optim_config={"learning_rate": 5e-3}, lr_decay=0.95,
                     batch_size=100, num_epochs=2, verbose=False).train()
    words = tiny["idx_to_word"]
    learnt = mean_bleu(tiny, lambda f: decode_captions(model.sample(f), words))
    common = Counter(decode_captions(tiny["train_captions"], words)).most_common(1)[0][0]
    most_common = mean_bleu(tiny, lambda f: [common] * len(f))
    wrong_images = mean_bleu(tiny, lambda f: decode_captions(model.sample(np.roll(f, 1, axis=0)), words))
    assert learnt > 0.3 and learnt > most_common + 0.1 and learnt > wrong_images + 0.05, \
        (learnt, most_common, wrong_images)
