"""The checked downloader against a local HTTP server (no internet): fallback, checksums, cache."""

import gzip
import hashlib
import http.server
import subprocess
import sys
import threading
import time
from functools import partial

import numpy as np
import pytest

from playground.engine.data import download, mnist
from playground.engine.data.idx import DataError, idx_bytes

NAMES = {"train_images": "train-images-idx3-ubyte", "train_labels": "train-labels-idx1-ubyte",
         "test_images": "t10k-images-idx3-ubyte", "test_labels": "t10k-labels-idx1-ubyte"}


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.requests.append(self.path)
        if self.path.startswith("/slow/"):
            time.sleep(1.0)
        super().do_GET()


@pytest.fixture
def server(tmp_path):
    """Serves tmp_path/www: good/ (correct files), bad/ (one corrupt, one wrong content), empty/ (404s)."""
    rng = np.random.default_rng(0)
    arrays = {
        "train_images": rng.integers(0, 256, (5, 3, 3), dtype=np.uint8),
        "train_labels": np.array([0, 1, 2, 1, 0], np.uint8),
        "test_images": rng.integers(0, 256, (2, 3, 3), dtype=np.uint8),
        "test_labels": np.array([2, 0], np.uint8),
    }
    www = tmp_path / "www"
    for sub in ("good", "bad", "empty", "slow"):
        (www / sub).mkdir(parents=True)
    files = {}
    for role, a in arrays.items():
        raw = idx_bytes(a)
        gz = gzip.compress(raw, mtime=0)
        (www / "good" / f"{NAMES[role]}.gz").write_bytes(gz)
        (www / "slow" / f"{NAMES[role]}.gz").write_bytes(gz)
        files[role] = mnist.IdxFile(NAMES[role], a.shape, sha256=hashlib.sha256(raw).hexdigest())
    # bad/: a damaged gzip stream, and a valid gzip of different content (checksum mismatch).
    (www / "bad" / f"{NAMES['train_images']}.gz").write_bytes((www / "good" / f"{NAMES['train_images']}.gz").read_bytes()[:-8])
    wrong = arrays["train_labels"].copy()
    wrong[0] = 1
    (www / "bad" / f"{NAMES['train_labels']}.gz").write_bytes(gzip.compress(idx_bytes(wrong)))

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, directory=str(www)))
    httpd.daemon_threads = True
    httpd.requests = []
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield base, httpd, files, arrays
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def tiny(server, tmp_path, monkeypatch):
    base, httpd, files, arrays = server
    monkeypatch.delenv("PLAYGROUND_DATA_DIR", raising=False)
    monkeypatch.setattr(mnist, "DEFAULT_CACHE_DIR", str(tmp_path / "cache"))  # the engine reads no environment for it
    spec = mnist.IdxSet("tiny", "tiny", files, (f"{base}/empty/", f"{base}/bad/", f"{base}/good/"), ("a", "b", "c"))
    monkeypatch.setitem(mnist.IDX_SETS, "tiny", spec)
    mnist.clear_cache()
    yield base, httpd, arrays, tmp_path / "cache"
    mnist.clear_cache()


def test_falls_back_past_404_and_corrupt_mirrors(tiny):
    base, httpd, arrays, cache = tiny
    lines = []
    paths = download.ensure_dataset("tiny", log=lines.append)
    assert all(p.parent == cache / "tiny" and p.name.endswith(".gz") for p in paths.values())
    assert sorted(p.name for p in (cache / "tiny").iterdir()) == sorted(f"{n}.gz" for n in NAMES.values())
    # every file was asked of the 404 mirror first; the bad mirror's copies were rejected
    assert httpd.requests[:3] == [f"/empty/{NAMES['train_images']}.gz", f"/bad/{NAMES['train_images']}.gz",
                                  f"/good/{NAMES['train_images']}.gz"]
    assert any("HTTP 404" in line for line in lines)
    assert any("corrupt gzip" in line for line in lines) and any("sha256" in line for line in lines)
    x, y, _, y_test = mnist.load_idx_set("tiny")
    np.testing.assert_array_equal(y, arrays["train_labels"])
    np.testing.assert_array_equal(y_test, arrays["test_labels"])


def test_cache_reuse_makes_no_request(tiny):
    base, httpd, _, _ = tiny
    download.ensure_dataset("tiny")
    before = len(httpd.requests)
    download.ensure_dataset("tiny")
    mnist.load_idx_set("tiny")
    assert len(httpd.requests) == before


def test_local_data_dir_means_no_request(tiny, tmp_path):
    base, httpd, _, cache = tiny
    download.ensure_dataset("tiny", mirrors=[f"{base}/good/"])
    (cache / "tiny").rename(tmp_path / "local_tiny")
    (tmp_path / "data").mkdir()
    (tmp_path / "local_tiny").rename(tmp_path / "data" / "tiny")
    before = len(httpd.requests)
    paths = download.ensure_dataset("tiny", data_dir=tmp_path / "data")
    assert len(httpd.requests) == before
    assert all((tmp_path / "data") in p.parents for p in paths.values())


def test_only_missing_files_are_fetched(tiny):
    base, httpd, _, cache = tiny
    download.ensure_dataset("tiny", mirrors=[f"{base}/good/"])
    (cache / "tiny" / f"{NAMES['test_labels']}.gz").unlink()
    before = len(httpd.requests)
    download.ensure_dataset("tiny", mirrors=[f"{base}/good/"])
    assert httpd.requests[before:] == [f"/good/{NAMES['test_labels']}.gz"]


def test_all_mirrors_failing_lists_what_was_tried_and_leaves_nothing(tiny):
    base, _, _, cache = tiny
    with pytest.raises(DataError) as info:
        download.ensure_dataset("tiny", mirrors=[f"{base}/empty/", f"{base}/bad/"])
    message = str(info.value)
    assert message.startswith("tiny: could not download train-images-idx3-ubyte.gz")
    assert f"{base}/empty/train-images-idx3-ubyte.gz: HTTP 404" in message
    assert f"{base}/bad/train-images-idx3-ubyte.gz: " in message and "corrupt gzip" in message
    assert list((cache / "tiny").iterdir()) == []  # no temp files, no half files


def test_load_downloads_missing_files(tiny):
    _, httpd, arrays, _ = tiny
    x = mnist.load_idx_set("tiny")[0]
    np.testing.assert_allclose(x[..., 0], arrays["train_images"] / 255.0, rtol=1e-6)
    assert httpd.requests


def test_md5_of_the_gz_is_checked(tiny, monkeypatch):
    base, _, _, cache = tiny
    spec = mnist.IDX_SETS["tiny"]
    files = {role: mnist.IdxFile(f.filename, f.shape, md5_gz="0" * 32) for role, f in spec.files.items()}
    monkeypatch.setitem(mnist.IDX_SETS, "tiny", mnist.IdxSet("tiny", "tiny", files, spec.mirrors, spec.class_names))
    with pytest.raises(DataError, match=r"md5 of the download is [0-9a-f]{32}, expected 0{32}"):
        download.ensure_dataset("tiny", mirrors=[f"{base}/good/"])
    good = (cache.parent / "www" / "good" / f"{NAMES['train_images']}.gz").read_bytes()
    files["train_images"] = mnist.IdxFile(NAMES["train_images"], (5, 3, 3), md5_gz=hashlib.md5(good).hexdigest())
    path = download.download_file(files["train_images"], [f"{base}/good/"], cache / "tiny")
    assert path.read_bytes() == good


def test_timeout_moves_on_to_the_next_mirror(tiny):
    base, _, _, cache = tiny
    file = mnist.IDX_SETS["tiny"].files["train_labels"]
    lines = []
    path = download.download_file(file, [f"{base}/slow/", f"{base}/good/"], cache / "tiny", timeout=0.2,
                                  log=lines.append)
    assert path.exists() and "timed out" in lines[0]


def test_command_line_entry(tiny, capsys):
    base, _, _, cache = tiny
    assert download.main(["tiny", "--mirror", f"{base}/good/", "--cache-dir", str(cache)]) == 0
    out = capsys.readouterr().out
    assert f"tiny train_images: {cache / 'tiny'}" in out and "tiny: all files verified" in out
    damaged = cache / "tiny" / f"{NAMES['test_labels']}.gz"
    damaged.write_bytes(gzip.compress(idx_bytes(np.array([1, 1], np.uint8))))
    mnist.clear_cache()
    assert download.main(["tiny", "--cache-dir", str(cache)]) == 1
    assert "sha256" in capsys.readouterr().err
    assert download.main(["tiny", "nonesuch"]) == 1
    assert "unknown IDX dataset 'nonesuch'" in capsys.readouterr().err


def test_module_runs_without_double_import_warning():
    result = subprocess.run([sys.executable, "-W", "error", "-m", "playground.engine.data.download", "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "mnist and/or fashion-mnist" in result.stdout
