import hashlib
import http.server
import io
import tarfile
import threading

import pytest

from helpers.cache import ChecksumError, DownloadError, download, extract
from helpers.datasets.imdb import IMDB_SHA256, load_imdb, read_imdb

FIXTURE = __import__("pathlib").Path(__file__).parent / "fixtures" / "aclImdb"
PAYLOAD = b"review text " * 5000
PAYLOAD_SHA = hashlib.sha256(PAYLOAD).hexdigest()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        if self.path.endswith("truncated.bin"):  # promises more than it sends, then hangs up
            self.send_header("Content-Length", str(len(PAYLOAD) * 2))
            self.end_headers()
            self.wfile.write(PAYLOAD)
            self.wfile.flush()
            self.connection.shutdown(2)
            return
        self.send_header("Content-Length", str(len(PAYLOAD)))
        self.end_headers()
        self.wfile.write(PAYLOAD)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_download_verifies_and_caches(server, tmp_path):
    path = download(f"{server}/data.bin", PAYLOAD_SHA, root=tmp_path)
    assert path.read_bytes() == PAYLOAD
    assert download("http://127.0.0.1:9/unreachable", PAYLOAD_SHA, "data.bin", root=tmp_path) == path


def test_checksum_mismatch_is_clear_and_keeps_nothing(server, tmp_path):
    with pytest.raises(ChecksumError, match="expected 0{64}.*nothing was kept"):
        download(f"{server}/data.bin", "0" * 64, root=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_interrupted_download_leaves_nothing_half_written(server, tmp_path):
    with pytest.raises(DownloadError, match="broke off"):
        download(f"{server}/truncated.bin", PAYLOAD_SHA, root=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_file_placed_by_hand_with_wrong_checksum_is_kept(tmp_path):
    placed = tmp_path / "data.bin"
    placed.write_bytes(b"something else")
    with pytest.raises(ChecksumError, match="Remove it, or replace it"):
        download("http://127.0.0.1:9/data.bin", PAYLOAD_SHA, root=tmp_path)
    assert placed.read_bytes() == b"something else"


def test_extract_is_atomic(tmp_path):
    archive = tmp_path / "a.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("top/file.txt")
        info.size = 5
        tar.addfile(info, io.BytesIO(b"hello"))
    dest = extract(archive, tmp_path / "out")
    assert (dest / "top" / "file.txt").read_text() == "hello"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tar.gz", "out"]
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"not a tar file")
    with pytest.raises(tarfile.TarError):
        extract(broken, tmp_path / "out2")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tar.gz", "broken.tar.gz", "out"]


def test_read_imdb_parses_the_real_layout():
    train = read_imdb(FIXTURE, "train")
    assert [label for label, _ in train] == [0, 0, 0, 1, 1]  # grouped, negatives first
    assert [text for _, text in train][:3] == ["Boring!", "Not good at all.", "A dull, LONG film.<br /><br />Avoid."]
    assert train[3] == (1, 'Loved it: a "classic".')
    assert read_imdb(FIXTURE, "test") == [(0, "Meh."), (1, "Ünïcode café, wonderful.")]
    with pytest.raises(ValueError, match="'train' or 'test'"):
        read_imdb(FIXTURE, "valid")
    with pytest.raises(FileNotFoundError, match="extracted aclImdb"):
        read_imdb(FIXTURE.parent, "train")


def test_full_mode_without_network_says_how_to_place_the_file(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_DATA", "full")
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    monkeypatch.setattr("helpers.datasets.imdb.IMDB_URL", "http://127.0.0.1:9/aclImdb_v1.tar.gz")
    with pytest.raises(DownloadError) as error:
        load_imdb("train")
    message = str(error.value)
    for part in ("aclImdb_v1.tar.gz", "http://127.0.0.1:9/aclImdb_v1.tar.gz", IMDB_SHA256,
                 str(tmp_path / "aclImdb_v1.tar.gz")):
        assert part in message
    assert list(tmp_path.iterdir()) == []


def test_tiny_imdb_looks_like_the_real_set():
    train, test = load_imdb("train"), load_imdb("test")
    assert len(train) == len(test) == 5000
    assert [label for label, _ in train] == [0] * 2500 + [1] * 2500
    texts = [text for _, text in train]
    assert train == load_imdb("train") and train != test  # deterministic, splits differ
    assert sum("<br /><br />" in t for t in texts) > 1000
    assert any(word.isupper() and len(word) > 3 for t in texts for word in t.split())
    assert sum(t.count("'") for t in texts) > 1000 and sum(t.count(",") for t in texts) > 5000
    assert any(char.isdigit() for char in texts[0] + texts[1] + texts[2])


def test_helpers_data_still_gives_the_notebooks_every_name():
    import helpers.data
    from helpers import datasets, settings
    for name in helpers.data.__all__:
        assert hasattr(helpers.data, name), name
    assert helpers.data.load_imdb is load_imdb and helpers.data.data_mode is settings.data_mode
    assert datasets.imdb.read_imdb is helpers.data.read_imdb
