"""``fchain.dataset.cached_download`` and ``cache_or_load_file`` against a local HTTP
server (the ``Server`` of ``test_loaders.py``) and a closed port (offline)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

import fchain
from fchain.dataset import DownloadError, cache_or_load_file, cached_download
from tests.datasets.test_loaders import Server, closed_port_url, dirs, server

__all__ = ["dirs", "server"]  # fixtures used below

BODY = b"some file a Chainer example downloads\n" * 50
BODY_SHA = hashlib.sha256(BODY).hexdigest()


def cache_of(root: Path, url: str) -> Path:
    return root / "_dl_cache" / hashlib.md5(url.encode()).hexdigest()


def test_first_call_downloads_into_chainers_cache_place_later_calls_do_not(
        dirs: dict[str, Path], server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    server.routes["/f.txt"] = BODY
    url = f"{server.base}/f.txt"
    path = cached_download(url)
    assert Path(path) == cache_of(dirs["root"], url)
    assert Path(path).read_bytes() == BODY
    assert f"Downloading from {url}..." in capsys.readouterr().err
    assert cached_download(url) == path
    assert server.requests == ["/f.txt"]  # the second call used the cache
    assert os.listdir(dirs["root"] / "_dl_cache") == [os.path.basename(path)]  # no partial files


def test_a_pinned_sha256_is_checked_on_download_and_on_the_cached_copy(
        dirs: dict[str, Path], server: Server) -> None:
    server.routes["/f.txt"] = BODY
    url = f"{server.base}/f.txt"
    path = Path(cached_download(url, sha256=BODY_SHA.upper()))
    assert path.read_bytes() == BODY
    path.write_bytes(b"tampered")
    with pytest.warns(UserWarning, match="has SHA-256 .*, not .*; downloading it again"):
        assert cached_download(url, sha256=BODY_SHA) == str(path)
    assert path.read_bytes() == BODY and len(server.requests) == 2
    assert cached_download(url) == str(path) and len(server.requests) == 2


def test_bytes_that_do_not_match_are_rejected_and_nothing_is_kept(
        dirs: dict[str, Path], server: Server) -> None:
    server.routes["/f.txt"] = BODY[:-1] + b"?"
    url = f"{server.base}/f.txt"
    with pytest.raises(DownloadError, match="SHA-256 mismatch") as info:
        cached_download(url, sha256=BODY_SHA)
    assert str(cache_of(dirs["root"], url)) in str(info.value)
    assert not cache_of(dirs["root"], url).exists()
    assert os.listdir(dirs["root"] / "_dl_cache") == []


def test_offline_the_error_says_what_failed_and_where_to_put_the_file(dirs: dict[str, Path]) -> None:
    url = closed_port_url() + "data.bin"
    with pytest.raises(DownloadError) as info:
        cached_download(url, sha256=BODY_SHA)
    message = str(info.value)
    assert message.startswith(f"cached_download: cannot download {url}: ")
    assert f"fetch the file with SHA-256 {BODY_SHA} elsewhere and put it at {cache_of(dirs['root'], url)}" \
        in message
    assert isinstance(info.value, OSError)  # what Chainer code catches
    # A file put there by hand is then used without any network.
    target = cache_of(dirs["root"], url)
    target.write_bytes(BODY)
    assert cached_download(url, sha256=BODY_SHA) == str(target)


def test_a_server_error_is_a_download_error(dirs: dict[str, Path], server: Server) -> None:
    with pytest.raises(DownloadError, match="HTTP Error 404"):
        cached_download(f"{server.base}/missing")


def test_cache_or_load_file_creates_once_then_loads(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "cache.txt"
    calls: list[str] = []

    def creator(tmp: str) -> str:
        assert not os.path.exists(tmp) and os.path.dirname(os.path.dirname(tmp)) == str(target.parent)
        Path(tmp).write_text("made")
        calls.append("create")
        return "created content"

    def loader(path: str) -> str:
        calls.append("load")
        return Path(path).read_text()

    assert cache_or_load_file(str(target), creator, loader) == "created content"
    assert target.read_text() == "made"
    assert cache_or_load_file(str(target), creator, loader) == "made"
    assert calls == ["create", "load"]
    assert os.listdir(target.parent) == ["cache.txt"]  # the scratch folder is gone


def test_cache_or_load_file_leaves_nothing_when_the_creator_fails(tmp_path: Path) -> None:
    target = tmp_path / "cache.txt"

    def creator(tmp: str) -> str:
        Path(tmp).write_text("half")
        raise RuntimeError("creator failed")

    with pytest.raises(RuntimeError, match="creator failed"):
        cache_or_load_file(str(target), creator, lambda p: "")
    assert os.listdir(tmp_path) == []


def test_names_at_chainers_paths() -> None:
    assert fchain.dataset.cached_download is fchain.dataset.download.cached_download is cached_download
    assert fchain.dataset.cache_or_load_file is cache_or_load_file
