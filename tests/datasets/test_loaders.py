"""Loaders of real data sets, on small files the tests generate.

Each test points the dataset root and the system data folders at temporary folders
and replaces the loader's file table (names, sizes, SHA-256 sums, URLs) with the
generated files' own, served when needed by an HTTP server on 127.0.0.1.  No test
reaches any other host.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import os
import struct
import tarfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import numpy
import pytest

import fchain
import fchain.datasets.cifar as cifar_mod
import fchain.datasets.mnist as mnist_mod
from fchain.dataset import set_dataset_root
from fchain.datasets import DatasetNotFoundError, TupleDataset
from fchain.datasets._fetch import Source, SourceFile
from fchain.errors import DTypeError
from fchain.types import Array

# ------------------------------------------------------------------ file makers


def idx(array: numpy.ndarray) -> bytes:
    code = {numpy.dtype(numpy.uint8): 0x08}[array.dtype]
    return bytes([0, 0, code, array.ndim]) + b"".join(
        struct.pack(">I", d) for d in array.shape
    ) + array.tobytes()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FakeMnist:
    """Tiny MNIST-like files: ``n_train``/``n_test`` random 28x28 images."""

    def __init__(self, seed: int, n_train: int = 5, n_test: int = 3) -> None:
        rng = numpy.random.default_rng(seed)
        self.arrays = {
            "train": (rng.integers(0, 256, (n_train, 28, 28), dtype=numpy.uint8),
                      rng.integers(0, 10, n_train, dtype=numpy.uint8)),
            "test": (rng.integers(0, 256, (n_test, 28, 28), dtype=numpy.uint8),
                     rng.integers(0, 10, n_test, dtype=numpy.uint8)),
        }
        self.raw: dict[str, bytes] = {}
        for split, prefix in (("train", "train"), ("test", "t10k")):
            images, labels = self.arrays[split]
            self.raw[f"{prefix}-images-idx3-ubyte"] = idx(images)
            self.raw[f"{prefix}-labels-idx1-ubyte"] = idx(labels)
        self.gz = {name + ".gz": gzip.compress(data, mtime=0) for name, data in self.raw.items()}

    def source(self, urls: tuple[str, ...], title: str = "MNIST",
               subdir: str = "pfnet/chainer/mnist", system_name: str = "mnist") -> Source:
        files = tuple(
            SourceFile(name + ".gz", len(self.gz[name + ".gz"]), sha(self.gz[name + ".gz"]),
                       name, len(data), sha(data))
            for name, data in self.raw.items()
        )
        return Source(title, subdir, system_name, urls, files)


class Server:
    """A bounded HTTP server on 127.0.0.1 serving ``routes`` (path -> bytes)."""

    def __init__(self) -> None:
        self.routes: dict[str, bytes] = {}
        self.requests: list[str] = []
        routes, requests = self.routes, self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802  (http.server's name)
                requests.append(self.path)
                if len(requests) > 100:  # a runaway client: stop answering
                    self.send_error(429)
                    return
                body = routes.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.timeout = 5
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    try:
        yield s
    finally:
        s.close()


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connection refused at once)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Path]]:
    root = tmp_path / "root"
    share = tmp_path / "share"
    monkeypatch.setenv("FCHAIN_DATASET_ROOT", str(root))
    monkeypatch.setenv("XDG_DATA_DIRS", str(share))
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "*")
    set_dataset_root(None)
    yield {
        "root": root,
        "mnist_cache": root / "pfnet" / "chainer" / "mnist",
        "mnist_system": share / "datasets" / "mnist",
        "share": share,
    }
    set_dataset_root(None)


def put(folder: Path, files: dict[str, bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)


def expected_images(images: Array, scale: float, dtype: type[numpy.floating]) -> Array:
    out: Array = images.astype(dtype) * dtype(scale / 255.0)
    return out


# ------------------------------------------------------------------ MNIST: local files


def test_mnist_from_cache_folder_and_npz_cache(dirs: dict[str, Path],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeMnist(0)
    monkeypatch.setattr(mnist_mod, "MNIST_SOURCE", fake.source((closed_port_url(),)))
    put(dirs["mnist_cache"], fake.gz)
    train, test = fchain.datasets.get_mnist()
    assert isinstance(train, TupleDataset) and len(train) == 5 and len(test) == 3
    images, labels = fake.arrays["train"]
    x0, t0 = train[0]
    assert x0.shape == (784,) and x0.dtype == numpy.float32
    numpy.testing.assert_allclose(x0, expected_images(images[0].reshape(784), 1.0, numpy.float32))
    assert t0 == labels[0] and t0.dtype == numpy.int32
    # Chainer's cache layout, readable without pickles.
    with numpy.load(dirs["mnist_cache"] / "train.npz", allow_pickle=False) as npz:
        numpy.testing.assert_array_equal(npz["x"], images.reshape(-1, 784))
        numpy.testing.assert_array_equal(npz["y"], labels)
        assert npz["x"].dtype == numpy.uint8
    # With the sources gone, the cache alone serves.
    for name in fake.gz:
        (dirs["mnist_cache"] / name).unlink()
    _, test2 = fchain.datasets.get_mnist(withlabel=False)
    numpy.testing.assert_allclose(test2, expected_images(
        fake.arrays["test"][0].reshape(-1, 784), 1.0, numpy.float32))


@pytest.mark.parametrize(
    ("kwargs", "shape"),
    [
        ({"ndim": 1}, (784,)),
        ({"ndim": 2}, (28, 28)),
        ({"ndim": 3}, (1, 28, 28)),
        ({"ndim": 3, "rgb_format": True}, (3, 28, 28)),
        ({"ndim": 2, "rgb_format": True}, (28, 28)),
    ],
)
def test_mnist_shapes(dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch,
                      kwargs: dict[str, object], shape: tuple[int, ...]) -> None:
    fake = FakeMnist(1)
    monkeypatch.setattr(mnist_mod, "MNIST_SOURCE", fake.source((closed_port_url(),)))
    put(dirs["mnist_cache"], fake.gz)
    train, _ = fchain.datasets.get_mnist(withlabel=False, scale=2.0, dtype=numpy.float64,
                                         **kwargs)  # type: ignore[call-overload]  # parametrized kwargs
    assert train.shape == (5, *shape) and train.dtype == numpy.float64
    images = fake.arrays["train"][0].astype(numpy.float64) * (2.0 / 255.0)
    for c in range(shape[0] if len(shape) == 3 else 1):
        got = train[:, c] if len(shape) == 3 else train
        numpy.testing.assert_allclose(got.reshape(5, 784), images.reshape(5, 784))


def test_mnist_label_dtype_and_config_dtype(dirs: dict[str, Path],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeMnist(2)
    monkeypatch.setattr(mnist_mod, "MNIST_SOURCE", fake.source((closed_port_url(),)))
    put(dirs["mnist_cache"], fake.gz)
    with fchain.using_config("dtype", numpy.dtype(numpy.float16)):
        train, _ = fchain.datasets.get_mnist(label_dtype=numpy.int64)
    x, t = train[1]
    assert x.dtype == numpy.float16 and t.dtype == numpy.int64
    assert t == fake.arrays["train"][1][1]


def test_raw_and_recompressed_files_accepted_from_system_folder(
    dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeMnist(3)
    monkeypatch.setattr(mnist_mod, "MNIST_SOURCE", fake.source((closed_port_url(),)))
    files: dict[str, bytes] = {}
    for name, data in fake.raw.items():
        if "images" in name:
            files[name] = data  # uncompressed
        else:  # re-compressed differently (as Debian's packages are): other bytes, same content
            buf = io.BytesIO()
            with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=12345,
                               compresslevel=1) as f:
                f.write(data)
            files[name + ".gz"] = buf.getvalue()
            assert files[name + ".gz"] != fake.gz[name + ".gz"]
    put(dirs["mnist_system"], files)
    train, test = fchain.datasets.get_mnist(ndim=2, withlabel=True)
    numpy.testing.assert_array_equal(
        numpy.stack([train[i][1] for i in range(5)]), fake.arrays["train"][1])
    numpy.testing.assert_allclose(test[2][0], expected_images(fake.arrays["test"][0][2], 1.0,
                                                              numpy.float32))


def test_corrupted_local_file_is_rejected(dirs: dict[str, Path],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeMnist(4)
    monkeypatch.setattr(mnist_mod, "MNIST_SOURCE", fake.source((closed_port_url(),)))
    files = dict(fake.gz)
    bad = bytearray(gzip.decompress(files["train-images-idx3-ubyte.gz"]))
    bad[100] ^= 0xFF  # one pixel changed: a valid IDX file, but not the published one
    files["train-images-idx3-ubyte.gz"] = gzip.compress(bytes(bad))
    put(dirs["mnist_cache"], files)
    with pytest.raises(DatasetNotFoundError) as info:
        fchain.datasets.get_mnist()
    message = str(info.value)
    assert "train-images-idx3-ubyte.gz" in message
    assert "content does not match train-images-idx3-ubyte" in message
    assert not (dirs["mnist_cache"] / "train.npz").exists()
    # A good copy in the system folder is used instead of the corrupt cached one.
    put(dirs["mnist_system"], {"train-images-idx3-ubyte.gz": fake.gz["train-images-idx3-ubyte.gz"]})
    train, _ = fchain.datasets.get_mnist(withlabel=False, ndim=2)
    numpy.testing.assert_allclose(train, expected_images(fake.arrays["train"][0], 1.0,
                                                         numpy.float32))


def test_no_files_no_network_says_where_to_put_what(dirs: dict[str, Path],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeMnist(5)
    url = closed_port_url()
    monkeypatch.setattr(mnist_mod, "MNIST_SOURCE", fake.source((url,)))
    with pytest.raises(DatasetNotFoundError) as info:
        fchain.datasets.get_mnist()
    message = str(info.value)
    assert isinstance(info.value, FileNotFoundError)
    # Every missing file of the data set, train and test, in one error.
    assert message.startswith("MNIST: cannot find, and could not download, "
                              "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
                              "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz.")
    assert str(dirs["mnist_cache"]) in message
    assert str(dirs["mnist_system"]) in message
    assert "FCHAIN_DATASET_ROOT" in message
    for name in fake.gz:
        assert f"  {name}  ({len(fake.gz[name])} bytes, sha256 {sha(fake.gz[name])}) from {url}{name}" \
            in message
        assert f"download {url}{name}" in message
    assert not dirs["mnist_cache"].exists() or not any(dirs["mnist_cache"].glob("*.npz"))


def test_missing_test_files_are_reported_before_the_train_split_is_built(
        dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeMnist(5)
    monkeypatch.setattr(mnist_mod, "MNIST_SOURCE", fake.source((closed_port_url(),)))
    put(dirs["mnist_cache"], {k: v for k, v in fake.gz.items() if k.startswith("train")})
    with pytest.raises(DatasetNotFoundError) as info:
        fchain.datasets.get_mnist()
    first_line = str(info.value).splitlines()[0]
    assert first_line == ("MNIST: cannot find, and could not download, "
                          "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz.")
    assert not (dirs["mnist_cache"] / "train.npz").exists()  # nothing built in vain
    # With the train split cached, only the test files are looked for.
    put(dirs["mnist_system"], {k: v for k, v in fake.gz.items() if k.startswith("t10k")})
    train, test = fchain.datasets.get_mnist(withlabel=False, ndim=2)
    assert (len(train), len(test)) == (5, 3)
    (dirs["mnist_cache"] / "test.npz").unlink()
    for name in list(fake.gz):
        if name.startswith("train"):
            (dirs["mnist_cache"] / name).unlink()
    _, test = fchain.datasets.get_mnist(withlabel=False, ndim=2)  # train.npz serves train
    numpy.testing.assert_allclose(test, expected_images(fake.arrays["test"][0], 1.0, numpy.float32))


def test_bad_arguments_fail_before_any_file_access(dirs: dict[str, Path]) -> None:
    with pytest.raises(ValueError, match="get_mnist: invalid ndim for MNIST dataset: 4"):
        fchain.datasets.get_mnist(ndim=4)
    with pytest.raises(DTypeError, match="get_fashion_mnist: dtype must be a floating type, got int32"):
        fchain.datasets.get_fashion_mnist(dtype=numpy.int32)
    with pytest.raises(ValueError, match="get_cifar10: invalid ndim for CIFAR dataset: 2"):
        fchain.datasets.get_cifar10(ndim=2)
    assert not dirs["root"].exists()


def test_invalid_npz_cache_is_rebuilt(dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeMnist(6)
    monkeypatch.setattr(mnist_mod, "MNIST_SOURCE", fake.source((closed_port_url(),)))
    put(dirs["mnist_cache"], fake.gz)
    numpy.savez(dirs["mnist_cache"] / "train.npz", x=numpy.zeros((2, 5)), y=numpy.zeros(2))
    with pytest.warns(UserWarning, match="ignoring the dataset cache .*x must be uint8"):
        train, _ = fchain.datasets.get_mnist()
    assert len(train) == 5
    with numpy.load(dirs["mnist_cache"] / "train.npz", allow_pickle=False) as npz:
        assert npz["x"].shape == (5, 784)


# ------------------------------------------------------------------ downloads


def test_download_from_local_server_with_corrupt_mirror(
    dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch, server: Server
) -> None:
    fake = FakeMnist(7)
    for name, data in fake.gz.items():
        server.routes[f"/good/{name}"] = data
        corrupt = bytearray(data)
        corrupt[len(corrupt) // 2] ^= 0x01  # same size, one bit flipped
        server.routes[f"/bad/{name}"] = bytes(corrupt)
    source = fake.source((f"{server.base}/bad/", f"{server.base}/good/"))
    monkeypatch.setattr(mnist_mod, "MNIST_SOURCE", source)
    train, test = fchain.datasets.get_mnist(ndim=2)
    numpy.testing.assert_allclose(train[4][0], expected_images(fake.arrays["train"][0][4], 1.0,
                                                               numpy.float32))
    assert len(test) == 3
    # Every file was first tried from the corrupt mirror, rejected, then fetched.
    assert sorted(server.requests) == sorted(
        [f"/bad/{n}" for n in fake.gz] + [f"/good/{n}" for n in fake.gz])
    kept = sorted(os.listdir(dirs["mnist_cache"]))
    assert kept == sorted([*fake.gz, "test.npz", "train.npz"])  # no partial files left
    for name, data in fake.gz.items():
        assert (dirs["mnist_cache"] / name).read_bytes() == data


def test_corrupt_download_is_rejected(dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch,
                                      server: Server) -> None:
    fake = FakeMnist(8)
    for name, data in fake.gz.items():
        server.routes[f"/m/{name}"] = data[:-1] + bytes([data[-1] ^ 0xFF])
    monkeypatch.setattr(mnist_mod, "MNIST_SOURCE", fake.source((f"{server.base}/m/",)))
    with pytest.raises(DatasetNotFoundError) as info:
        fchain.datasets.get_mnist()
    assert "SHA-256 mismatch" in str(info.value) and "rejected" in str(info.value)
    assert not dirs["mnist_cache"].exists() or os.listdir(dirs["mnist_cache"]) == []


def test_oversized_or_truncated_download_is_rejected(
    dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch, server: Server
) -> None:
    fake = FakeMnist(9)
    for name, data in fake.gz.items():
        server.routes[f"/big/{name}"] = data + b"extra"
        server.routes[f"/short/{name}"] = data[:-3]
    for prefix, message in (("big", "more than the expected"), ("short", "received")):
        monkeypatch.setattr(mnist_mod, "MNIST_SOURCE", fake.source((f"{server.base}/{prefix}/",)))
        with pytest.raises(DatasetNotFoundError, match=message):
            fchain.datasets.get_mnist()
    assert not dirs["mnist_cache"].exists() or os.listdir(dirs["mnist_cache"]) == []


def test_fashion_mnist_uses_its_own_folders(dirs: dict[str, Path],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeMnist(10)
    source = fake.source((closed_port_url(),), "Fashion-MNIST", "pfnet/chainer/fashion-mnist",
                         "fashion-mnist")
    monkeypatch.setattr(mnist_mod, "FASHION_MNIST_SOURCE", source)
    put(dirs["share"] / "datasets" / "fashion-mnist", fake.gz)
    train, _ = fchain.datasets.get_fashion_mnist(ndim=3)
    assert train[0][0].shape == (1, 28, 28)
    assert (dirs["root"] / "pfnet" / "chainer" / "fashion-mnist" / "train.npz").exists()
    labels = fchain.datasets.get_fashion_mnist_labels()
    assert len(labels) == 10 and labels[0] == "T-shirt/top" and labels[9] == "Ankle boot"


# ------------------------------------------------------------------ CIFAR


def make_cifar_tar(name: str, counts: tuple[int, int], seed: int) -> tuple[bytes, dict[str, numpy.ndarray]]:
    """A small binary CIFAR archive: records of label byte(s) and 3072 pixel bytes."""
    rng = numpy.random.default_rng(seed)
    label_bytes = 1 if name == "cifar-10" else 2
    n_classes = 10 if name == "cifar-10" else 100
    if name == "cifar-10":
        members = {"train": [f"cifar-10-batches-bin/data_batch_{i}.bin" for i in range(1, 6)],
                   "test": ["cifar-10-batches-bin/test_batch.bin"]}
    else:
        members = {"train": ["cifar-100-binary/train.bin"], "test": ["cifar-100-binary/test.bin"]}
    truth: dict[str, numpy.ndarray] = {}
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for split, n_per_member in zip(("train", "test"), counts):
            xs, ys = [], []
            for member in members[split]:
                x = rng.integers(0, 256, (n_per_member, 3072), dtype=numpy.uint8)
                fine = rng.integers(0, n_classes, n_per_member, dtype=numpy.uint8)
                coarse = rng.integers(0, 20, n_per_member, dtype=numpy.uint8)
                records = bytearray()
                for i in range(n_per_member):
                    if label_bytes == 2:
                        records += bytes([coarse[i], fine[i]])
                    else:
                        records += bytes([fine[i]])
                    records += x[i].tobytes()
                info = tarfile.TarInfo(member)
                info.size = len(records)
                tar.addfile(info, io.BytesIO(bytes(records)))
                xs.append(x)
                ys.append(fine)
            truth[f"{split}_x"] = numpy.concatenate(xs)
            truth[f"{split}_y"] = numpy.concatenate(ys)
        readme = tarfile.TarInfo(f"{members['train'][0].split('/')[0]}/readme.txt")
        readme.size = 2
        tar.addfile(readme, io.BytesIO(b"hi"))
    return buf.getvalue(), truth


@pytest.mark.parametrize(
    ("name", "attr", "loader"),
    [("cifar-10", "CIFAR10_SOURCE", fchain.datasets.get_cifar10),
     ("cifar-100", "CIFAR100_SOURCE", fchain.datasets.get_cifar100)],
)
def test_cifar_binary_archive(dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch,
                              server: Server, name: str, attr: str,
                              loader: Callable[..., tuple[object, object]]) -> None:
    data, truth = make_cifar_tar(name, (2, 3), seed=len(name))
    file = f"{name}-binary.tar.gz"
    server.routes[f"/kriz/{file}"] = data
    real: Source = getattr(cifar_mod, attr)
    source = replace(real, urls=(f"{server.base}/kriz/",),
                     files=(SourceFile(file, len(data), sha(data)),))
    monkeypatch.setattr(cifar_mod, attr, source)
    train, test = loader()
    assert isinstance(train, TupleDataset) and isinstance(test, TupleDataset)
    n_train = len(truth["train_y"])
    assert len(train) == n_train and len(test) == 3
    x, t = train[n_train - 1]
    assert x.shape == (3, 32, 32) and x.dtype == numpy.float32 and t.dtype == numpy.int32
    numpy.testing.assert_allclose(
        x, truth["train_x"][-1].reshape(3, 32, 32).astype(numpy.float32) * numpy.float32(1 / 255))
    assert [int(test[i][1]) for i in range(3)] == truth["test_y"].tolist()
    flat, _ = loader(withlabel=False, ndim=1, scale=3.0)
    assert isinstance(flat, numpy.ndarray)
    numpy.testing.assert_allclose(flat, truth["train_x"].astype(numpy.float32)
                                  * numpy.float32(3.0 / 255), rtol=1e-6)
    with numpy.load(dirs["root"] / "pfnet" / "chainer" / "cifar" / f"{name}.npz",
                    allow_pickle=False) as npz:
        assert sorted(npz.files) == ["test_x", "test_y", "train_x", "train_y"]
        numpy.testing.assert_array_equal(npz["train_y"], truth["train_y"])


def test_cifar_corrupt_archive_rejected(dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch,
                                       server: Server) -> None:
    data, _ = make_cifar_tar("cifar-10", (1, 1), seed=0)
    server.routes["/kriz/cifar-10-binary.tar.gz"] = data[:-10] + b"\0" * 10
    source = replace(cifar_mod.CIFAR10_SOURCE, urls=(f"{server.base}/kriz/",),
                     files=(SourceFile("cifar-10-binary.tar.gz", len(data), sha(data)),))
    monkeypatch.setattr(cifar_mod, "CIFAR10_SOURCE", source)
    with pytest.raises(DatasetNotFoundError, match="SHA-256 mismatch"):
        fchain.datasets.get_cifar10()


# ------------------------------------------------------------------ the real tables


def test_real_file_tables_are_well_formed() -> None:
    for source in (mnist_mod.MNIST_SOURCE, mnist_mod.FASHION_MNIST_SOURCE,
                   cifar_mod.CIFAR10_SOURCE, cifar_mod.CIFAR100_SOURCE):
        assert source.urls and all(u.endswith("/") for u in source.urls)
        for f in source.files:
            assert len(f.sha256) == 64 and int(f.sha256, 16) >= 0
            if f.raw_sha256 is not None:
                assert len(f.raw_sha256) == 64 and f.raw_size is not None
    # IDX sizes follow from the shapes: 16-byte header + 28*28 per image, 8 + 1 per label.
    sizes = {f.raw_name: f.raw_size for f in mnist_mod.MNIST_SOURCE.files}
    assert sizes["train-images-idx3-ubyte"] == 16 + 60000 * 784
    assert sizes["t10k-labels-idx1-ubyte"] == 8 + 10000


@pytest.mark.skipif(
    not any(os.path.isfile(os.path.join(d, "datasets", "fashion-mnist", "t10k-labels-idx1-ubyte.gz"))
            for d in (os.environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share").split(":")),
    reason="Debian's dataset-fashion-mnist is not installed",
)
def test_installed_fashion_mnist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FCHAIN_DATASET_ROOT", str(tmp_path))
    set_dataset_root(None)
    train, test = fchain.datasets.get_fashion_mnist(withlabel=True)
    assert len(train) == 60000 and len(test) == 10000
    labels = numpy.array([int(test[i][1]) for i in range(len(test))])
    assert numpy.bincount(labels).tolist() == [1000] * 10
