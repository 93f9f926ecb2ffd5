"""Assignment 2's data: the real formats' parsers on fixture files, the downloads, the tiny sets."""
import gzip
import hashlib
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from helpers.cache import ChecksumError, DownloadError, download
from helpers.datasets.multi30k import load_multi30k, read_multi30k
from helpers.datasets.tweets import TWEET_TOPICS, TWEETS_SHA256, load_tweets, read_tweets
from helpers.text import spacy_tokenizer
from test_cache_data import PAYLOAD, server  # noqa: F401 (the loopback server fixture)

FIXTURES = Path(__file__).parent / "fixtures"


def test_read_tweets_parses_the_real_csv():
    tweets = read_tweets(FIXTURES / "tweets" / "train_tweet.csv")
    assert len(tweets) == 8 and [label for label, _ in tweets].count(1) == 1
    assert tweets[0] == (0, "@user when a father is dysfunctional and is so selfish he drags his kids "
                            "into his dysfunction.   #run")
    assert tweets[2] == (0, "bihday your majesty")  # spaces after the comma skipped, as Hugging Face did
    assert "ð\x9f\x98\x99" in tweets[3][1]  # mojibake kept as it is
    assert tweets[6][1].startswith("[2/2] huge fan fare") and tweets[7] == (0, 'a quote, with commas, and "double quotes" inside')


def test_read_tweets_rejects_other_files(tmp_path):
    wrong = tmp_path / "test_tweets.csv"
    wrong.write_text("id,tweet\n1,hello\n")
    with pytest.raises(ValueError, match="expected the header id,label,tweet"):
        read_tweets(wrong)
    bad_row = tmp_path / "bad.csv"
    bad_row.write_text("id,label,tweet\n1,0,fine\n2,maybe,hello\n")
    with pytest.raises(ValueError, match="line 3: expected id, label 0 or 1"):
        read_tweets(bad_row)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"id,label,tweet\n1,0,\xff\xfe\n")
    with pytest.raises(ValueError, match="not UTF-8"):
        read_tweets(binary)


def test_read_multi30k_parses_the_real_gzip_files():
    train = read_multi30k(FIXTURES / "multi30k", "train")
    assert train[0] == ("Zwei junge weiße Männer sind im Freien in der Nähe vieler Büsche.",
                        "Two young, White males are outside near many bushes.")
    assert len(train) == 3 and len(read_multi30k(FIXTURES / "multi30k", "valid")) == 2
    assert read_multi30k(FIXTURES / "multi30k", "test")[1][1].startswith("A Boston Terrier")
    with pytest.raises(ValueError, match="Multi30k has no split 'val': use 'train' or 'valid' or 'test'"):
        read_multi30k(FIXTURES / "multi30k", "val")


def test_read_multi30k_reports_missing_and_misaligned_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="task1/raw"):
        read_multi30k(tmp_path, "train")
    for path in (FIXTURES / "multi30k").glob("val.*"):
        shutil.copy(path, tmp_path)
    with gzip.open(tmp_path / "val.en.gz", "wt", encoding="utf-8") as f:
        f.write("only one line\n")
    with pytest.raises(ValueError, match="aligned line by line"):
        read_multi30k(tmp_path, "valid")


def test_md5_pins_are_checked(server, tmp_path):  # noqa: F811
    good = "md5:" + hashlib.md5(PAYLOAD).hexdigest()
    assert download(f"{server}/val.de.gz", good, root=tmp_path).read_bytes() == PAYLOAD
    with pytest.raises(ChecksumError, match="has md5 .* expected 0{32}.*nothing was kept"):
        download(f"{server}/val.en.gz", "md5:" + "0" * 32, root=tmp_path)
    with pytest.raises(ValueError, match="unknown checksum"):
        download(f"{server}/x", "crc32:1234", root=tmp_path)


def test_full_mode_without_network_names_every_file(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_DATA", "full")
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    monkeypatch.setattr("helpers.datasets.tweets.TWEETS_URL", "http://127.0.0.1:9/train_tweet.csv")
    monkeypatch.setattr("helpers.datasets.multi30k.MULTI30K_URL", "http://127.0.0.1:9/raw/")
    with pytest.raises(DownloadError, match=f"train_tweet.csv.*{TWEETS_SHA256}"):
        load_tweets("train")
    with pytest.raises(DownloadError, match=r"val.de.gz .*md5 6e0e229eb049e3fc99a1ef02fb2d5f91.*multi30k/val.de.gz"):
        load_multi30k("valid")
    placed = tmp_path / "train_tweet.csv"
    shutil.copy(FIXTURES / "tweets" / "train_tweet.csv", placed)  # not the real file: kept, explained
    with pytest.raises(ChecksumError, match="Remove it, or replace it"):
        load_tweets("train")
    assert placed.exists()


def test_tiny_tweets_look_like_the_real_ones():
    tweets = load_tweets("train")
    texts = [t for _, t in tweets]
    assert tweets == load_tweets("train") and len(tweets) == 4000
    assert 0.05 < sum(label for label, _ in tweets) / len(tweets) < 0.09  # about 7% labelled 1
    assert sum("@user" in t for t in texts) > 1000 and sum("#" in t for t in texts) > 2000
    assert sum("&amp;" in t for t in texts) > 30 and sum(t.startswith(" ") for t in texts) > 500
    assert any(w.isupper() and len(w) > 3 for t in texts for w in t.split())
    assert sum("ð" in t for t in texts) > 50
    words = Counter(w.lower() for t in texts for w in re.findall(r"[A-Za-z]+", t))
    rare = [w for w, c in words.items() if c <= 10]
    assert len(rare) > 300  # a long tail for the count filter to remove
    with pytest.raises(ValueError, match="Tweets has no split 'test': use 'train'"):
        load_tweets("test")


def test_tiny_tweets_stay_on_one_topic():
    topic_of = {w: topic for topic, words in TWEET_TOPICS.items() for w in words}
    for label, tweet in load_tweets("train")[:300]:
        topics = {topic_of[w] for w in re.findall(r"[a-z]+", tweet.lower()) if w in topic_of}
        assert len(topics) <= 1 and (not topics or ("hate" in topics) == bool(label)), tweet


def test_tiny_multi30k_has_the_real_differences_between_the_languages():
    train, valid, test = (load_multi30k(s) for s in ("train", "valid", "test"))
    assert (len(train), len(valid), len(test)) == (4000, 300, 300)
    assert not (set(train) & set(valid) or set(train) & set(test) or set(valid) & set(test))
    german = " ".join(g for g, _ in train)
    english = " ".join(e for _, e in train)
    # articles and adjective endings by gender and case
    for phrase in ("ein junger Mann", "eine junge Frau", "ein kleines Kind", "einen roten Ball", "im Park",
                   "am Strand", "einer alten Frau"):
        assert phrase in german or phrase.capitalize() in german, phrase
    assert re.search(r"\b[Zz]wei \w+e[nr]?\b", german)
    # a fronted place keeps the verb second: "Im Park spielt ein Kind."
    assert sum(bool(re.match(r"(Im|Am|Auf|In|Vor|Unter|Neben|Durch|Über) [^,]*?\b(spielt|läuft|sitzt|steht) "
                             r"(ein|eine|der|die|das)\b", g)) for g, _ in train) > 20
    # relative clauses put their verb last: "..., der eine Zeitung liest, ..."
    assert sum(bool(re.search(r", (der|die|das) [^,]* (liest|hält|trägt|wirft|kauft|sucht|fotografiert|"
                              r"lesen|halten|tragen|werfen|kaufen|suchen|fotografieren), ", g)) for g, _ in train) > 50
    assert " who is " in english and " an " in english and " are " in english
    assert all(g.endswith(".") and e.endswith(".") and g[0].isupper() and e[0].isupper() for g, e in train)
    # rare place names: seen once, so min_freq=2 turns them into <unk>
    counts = Counter(t for g, _ in train for t in spacy_tokenizer("de")(g))
    assert sum(1 for c in counts.values() if c == 1) > 50
