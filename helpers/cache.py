"""The download cache: fetch a file once, verify its checksum, extract it atomically.

Nothing half-written is ever left under a final name: downloads go to a
``.part`` file that is renamed only once its SHA-256 matches, and archives are
extracted into a temporary folder that is renamed when complete.
"""
from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

from tqdm.auto import tqdm

from .settings import data_dir

__all__ = ["cache_dir", "file_digest", "download", "extract", "DownloadError", "ChecksumError"]


class DownloadError(RuntimeError):
    """The file could not be fetched; the message says how to place it by hand."""


class ChecksumError(RuntimeError):
    """A file's SHA-256 differs from the pinned one."""


def cache_dir() -> Path:
    """Where real data sets live: ``$COURSE_DATA_DIR``, else ``~/.cache/dl-course`` (``settings.data_dir()``)."""
    return data_dir()


def _algorithm(checksum: str) -> tuple[str, str]:
    """``"md5:<hex>"`` -> ("md5", hex); a bare hex digest is a SHA-256."""
    algorithm, _, hexdigest = checksum.rpartition(":")
    algorithm = algorithm or "sha256"
    if algorithm not in ("sha256", "md5"):
        raise ValueError(f"unknown checksum {checksum!r}: give 'sha256:<hex>' or 'md5:<hex>'")
    return algorithm, hexdigest.lower()


def file_digest(path: Path, algorithm: str = "sha256", chunk: int = 1 << 20) -> str:
    """Hex digest (``"sha256"`` or ``"md5"``) of a file, read in chunks."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


def _by_hand(filename: str, url: str, checksum: str, target: Path) -> str:
    algorithm, expected = _algorithm(checksum)
    return (f"Download {filename} from {url} ({algorithm} {expected}) and place it at {target}, "
            f"then run again.")


def download(url: str, checksum: str, filename: str | None = None, root: Path | None = None) -> Path:
    """Return the cached copy of ``url``, downloading it first if needed.

    Args:
        url: where the file is published.
        checksum: its pinned digest, a hex SHA-256 or ``"md5:<hex>"`` where only
            an MD5 is published; a mismatch raises ChecksumError.
        filename: the name in the cache (default: the URL's last part).
        root: the cache folder (default: ``cache_dir()``).
    Returns:
        The path of the verified file.
    """
    algorithm, expected = _algorithm(checksum)
    filename = filename or url.rsplit("/", 1)[-1]
    root = Path(root or cache_dir())
    target = root / filename
    if target.exists():
        actual = file_digest(target, algorithm)
        if actual != expected:
            # Never delete a file someone may have placed by hand: say what is wrong.
            raise ChecksumError(f"{target} has {algorithm} {actual}, expected {expected}. Remove it, "
                                f"or replace it with a good copy. {_by_hand(filename, url, checksum, target)}")
        return target

    root.mkdir(parents=True, exist_ok=True)
    part = root / f".{filename}.part"
    by_hand = _by_hand(filename, url, checksum, target)
    try:
        response = urllib.request.urlopen(url, timeout=30)
    except (urllib.error.URLError, OSError) as error:
        raise DownloadError(f"Could not download {filename} for COURSE_DATA=full: {error}. "
                            f"{by_hand}") from error
    digest = hashlib.new(algorithm)
    try:
        with response, open(part, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc=filename) as bar:
                while block := response.read(1 << 20):
                    out.write(block)
                    digest.update(block)
                    bar.update(len(block))
        received = part.stat().st_size
        if total is not None and received != total:
            raise DownloadError(f"Downloading {filename} broke off after {received:,} of {total:,} "
                                f"bytes; nothing was kept. {by_hand}")
        if digest.hexdigest() != expected:
            raise ChecksumError(f"{filename} downloaded from {url} has {algorithm} {digest.hexdigest()}, "
                                f"expected {expected}; nothing was kept. {by_hand}")
        os.replace(part, target)
    except (OSError, http.client.HTTPException) as error:
        raise DownloadError(f"Downloading {filename} broke off ({error!r}); nothing was kept. "
                            f"{by_hand}") from error
    finally:
        part.unlink(missing_ok=True)
    return target


def extract(archive: Path, dest: Path) -> Path:
    """Unpack a .tar.gz or .zip into ``dest`` unless ``dest`` already exists.

    The archive is unpacked into a temporary sibling folder first, which is
    renamed to ``dest`` only when complete, so an interruption leaves no
    half-extracted ``dest``.
    """
    dest = Path(dest)
    if dest.exists():
        return dest
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        if str(archive).endswith((".tar.gz", ".tgz", ".tar")):
            with tarfile.open(archive) as tar:
                tar.extractall(tmp, filter="data")
        elif str(archive).endswith(".zip"):
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(tmp)
        else:
            raise ValueError(f"don't know how to extract {archive} (expected .tar.gz or .zip)")
        os.replace(tmp, dest)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return dest
