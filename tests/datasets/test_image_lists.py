"""The image datasets without decoding any image: lists of paths and pairs (in
memory and in text files), their errors, zip archive listings, lengths, module
paths, pickling, and the error that reading an image raises when Pillow is absent
(simulated).  None of these needs Pillow, so they run where it is not installed."""

from __future__ import annotations

import os
import pickle
import sys
import zipfile
from pathlib import Path

import numpy
import pytest

import fchain
import fchain.datasets
from fchain.datasets import (
    DatasetFileError,
    ImageDataset,
    LabeledImageDataset,
    LabeledZippedImageDataset,
    MultiZippedImageDataset,
    ZippedImageDataset,
)
from fchain.datasets import image_dataset as image_dataset_module
from fchain.errors import DTypeError


def _zip(path: Path, names: list[str]) -> Path:
    """A zip archive holding a few bytes under each of ``names`` (names ending in
    '/' are directory entries)."""
    with zipfile.ZipFile(path, "w") as zf:
        for name in names:
            zf.writestr(name, b"" if name.endswith("/") else b"not decoded here")
    return path


# ------------------------------------------------------------ names and paths


def test_chainer_module_path_and_package_exports() -> None:
    for name in ["ImageDataset", "LabeledImageDataset", "ZippedImageDataset",
                 "LabeledZippedImageDataset", "MultiZippedImageDataset"]:
        assert getattr(fchain.datasets, name) is getattr(image_dataset_module, name)
        assert name in fchain.datasets.__all__
    assert fchain.datasets.image_dataset is image_dataset_module
    assert image_dataset_module.__name__ == "fchain.datasets.image_dataset"


def test_importing_the_datasets_does_not_import_pillow() -> None:
    import subprocess

    probe = "import sys, fchain.datasets; print('PIL' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"


# ------------------------------------------------------------ ImageDataset lists


def test_image_paths_from_a_list_and_from_a_file(tmp_path: Path) -> None:
    assert len(ImageDataset(["a.png", Path("b/c.png")])) == 2
    listing = tmp_path / "list.txt"
    listing.write_text("a.png\n  b c.png \t\nsub/d.jpg\n", encoding="utf-8")
    for arg in (str(listing), listing):
        ds = ImageDataset(arg, root=tmp_path)
        assert len(ds) == 3
        assert ds._paths == ["a.png", "b c.png", "sub/d.jpg"]  # stripped, inner spaces kept
    assert len(ImageDataset([])) == 0


def test_image_paths_file_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"ImageDataset: paths names the list file "
                       r"'.*missing\.txt', which cannot be opened"):
        ImageDataset(str(tmp_path / "missing.txt"))
    listing = tmp_path / "list.txt"
    listing.write_text("a.png\n\nb.png\n", encoding="utf-8")
    with pytest.raises(DatasetFileError, match=r"ImageDataset: line 2 of '.*list\.txt' is empty; "
                       "expected the path of an image"):
        ImageDataset(listing)
    with pytest.raises(TypeError, match=r"ImageDataset: paths\[1\] must be a path .* got int"):
        ImageDataset(["a.png", 3])  # type: ignore[list-item]  # the wrong type is the test


def test_image_dtype_defaults_to_config_and_must_be_numeric() -> None:
    assert ImageDataset([])._dtype == numpy.float32
    with fchain.using_config("dtype", numpy.float16):
        assert ImageDataset([])._dtype == numpy.float16
    with fchain.using_config("dtype", fchain.mixed16):
        assert ImageDataset([])._dtype == numpy.float16
    assert ImageDataset([], dtype=numpy.uint8)._dtype == numpy.uint8
    with pytest.raises(DTypeError, match="ImageDataset: dtype must be an integer or floating "
                       "dtype for the image arrays, got <U0"):
        ImageDataset([], dtype=numpy.str_)
    with pytest.raises(DTypeError, match="LabeledImageDataset: dtype .* got bool"):
        LabeledImageDataset([], dtype=bool)


def test_index_out_of_range_names_the_dataset() -> None:
    ds = ImageDataset(["a.png", "b.png"])
    with pytest.raises(IndexError, match="ImageDataset: index 2 out of range for length 2"):
        ds[2]
    with pytest.raises(IndexError, match="ImageDataset: index -3 out of range for length 2"):
        ds[-3]


# ------------------------------------------------------------ LabeledImageDataset lists


def test_pairs_from_a_list_and_a_file(tmp_path: Path) -> None:
    ds = LabeledImageDataset([("a.png", 3), (Path("b.png"), numpy.int64(7))])
    assert ds._paths == ["a.png", "b.png"]
    assert ds._labels.dtype == numpy.int32 and ds._labels.tolist() == [3, 7]
    listing = tmp_path / "pairs.txt"
    listing.write_text("a.png 0\n  b.png\t12  \nc.png -1\n", encoding="utf-8")
    ds = LabeledImageDataset(listing, label_dtype=numpy.int64)
    assert ds._paths == ["a.png", "b.png", "c.png"]
    assert ds._labels.dtype == numpy.int64 and ds._labels.tolist() == [0, 12, -1]
    floats = LabeledImageDataset([("a.png", 0.5)], label_dtype=numpy.float32)
    assert floats._labels.dtype == numpy.float32 and floats._labels.tolist() == [0.5]


@pytest.mark.parametrize(("text", "message"), [
    ("a.png 1\nb.png\n", r"line 2 of '.*pairs\.txt' has 1 fields \('b\.png'\); expected 2"),
    ("a.png 1 2\n", r"line 1 of '.*pairs\.txt' has 3 fields \('a\.png 1 2'\); expected 2"),
    ("a.png 1\nb.png one\n", r"line 2 of '.*pairs\.txt' has the label 'one'; expected an integer"),
    ("a.png 1.5\n", r"line 1 of '.*pairs\.txt' has the label '1\.5'; expected an integer"),
    ("a.png 1\n\n", r"line 2 of '.*pairs\.txt' is empty; expected '<image path> <integer label>'"),
])
def test_pairs_file_bad_lines(tmp_path: Path, text: str, message: str) -> None:
    listing = tmp_path / "pairs.txt"
    listing.write_text(text, encoding="utf-8")
    with pytest.raises(DatasetFileError, match="LabeledImageDataset: " + message):
        LabeledImageDataset(listing)


def test_pairs_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"LabeledImageDataset: pairs names the list file"):
        LabeledImageDataset(tmp_path / "nope.txt")
    latin = tmp_path / "latin.txt"
    latin.write_bytes(b"caf\xe9.png 1\n")
    with pytest.raises(DatasetFileError, match=r"LabeledImageDataset: pairs file .* is not UTF-8"):
        LabeledImageDataset(latin)
    with pytest.raises(TypeError, match=r"LabeledImageDataset: pairs\[1\] must be a \(path, label\) "
                       r"pair, got 'b\.png'"):
        LabeledImageDataset([("a.png", 1), "b.png"])  # type: ignore[list-item]  # the test
    with pytest.raises(TypeError, match=r"pairs\[0\] must be a \(path, label\) pair, got \('a', 1, 2\)"):
        LabeledImageDataset([("a", 1, 2)])  # type: ignore[list-item]  # the test
    with pytest.raises(TypeError, match=r"the path of pairs\[0\] must be a str or os.PathLike, got int"):
        LabeledImageDataset([(0, 1)])  # type: ignore[list-item]  # the test
    with pytest.raises(ValueError, match="LabeledImageDataset: the labels cannot all be stored as uint8"):
        LabeledImageDataset([("a.png", 300)], label_dtype=numpy.uint8)
    with pytest.raises(DTypeError, match="LabeledImageDataset: label_dtype must be a number dtype"):
        LabeledImageDataset([("a.png", 1)], label_dtype=numpy.str_)


# ------------------------------------------------------------ zip archives


def test_zipped_lists_files_in_archive_order_without_directories(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "a.zip", ["z.png", "imgs/", "imgs/b.png", "a.png"])
    ds = ZippedImageDataset(archive)
    assert len(ds) == 3
    assert ds._images.members.names == ["z.png", "imgs/b.png", "a.png"]
    assert "imgs/b.png" in ds and "imgs/" not in ds and "b.png" not in ds


def test_zipped_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"ZippedImageDataset: cannot open the zip archive "
                       r"'.*none\.zip'"):
        ZippedImageDataset(tmp_path / "none.zip")
    not_zip = tmp_path / "bad.zip"
    not_zip.write_bytes(b"PK but not really a zip archive")
    with pytest.raises(DatasetFileError, match=r"ZippedImageDataset: '.*bad\.zip' is not a zip archive"):
        ZippedImageDataset(not_zip)
    ds = ZippedImageDataset(_zip(tmp_path / "a.zip", ["a.png"]))
    with pytest.raises(KeyError) as info:
        ds.get_example("b.png")
    assert str(info.value) == (f"ZippedImageDataset: the zip archive {str(tmp_path / 'a.zip')!r} "
                               "has no file named 'b.png'")
    with pytest.raises(IndexError, match="ZippedImageDataset: index 1 out of range for length 1"):
        ds[1]


def test_labeled_zipped_checks_every_name_against_the_archive(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "a.zip", ["a.png", "d/b.png"])
    labels = tmp_path / "labels.txt"
    labels.write_text("d/b.png 4\na.png 2\na.png 9\n", encoding="utf-8")
    ds = LabeledZippedImageDataset(archive, labels)
    assert len(ds) == 3 and ds._labels.tolist() == [4, 2, 9]
    labels.write_text("a.png 2\nb.png 4\n", encoding="utf-8")
    with pytest.raises(DatasetFileError, match=r"LabeledZippedImageDataset: line 2 of "
                       r"'.*labels\.txt' names 'b\.png', which is not a file in the zip archive "
                       r"'.*a\.zip'"):
        LabeledZippedImageDataset(archive, labels)
    labels.write_text("a.png\n", encoding="utf-8")
    with pytest.raises(DatasetFileError, match=r"LabeledZippedImageDataset: line 1 of "
                       r"'.*labels\.txt' has 1 fields"):
        LabeledZippedImageDataset(archive, labels)
    with pytest.raises(FileNotFoundError, match="LabeledZippedImageDataset: labelfilename names"):
        LabeledZippedImageDataset(archive, tmp_path / "none.txt")


def test_multi_zipped_lengths_and_errors(tmp_path: Path) -> None:
    a = _zip(tmp_path / "a.zip", ["1.png", "2.png"])
    empty = _zip(tmp_path / "e.zip", [])
    b = _zip(tmp_path / "b.zip", ["dir/", "3.png"])
    assert len(MultiZippedImageDataset([a, empty, b])) == 3
    assert len(MultiZippedImageDataset([])) == 0
    with pytest.raises(TypeError, match="MultiZippedImageDataset: zipfilenames must be a list"):
        MultiZippedImageDataset(str(a))
    with pytest.raises(IndexError, match="MultiZippedImageDataset: index 3 out of range for length 3"):
        MultiZippedImageDataset([a, empty, b])[3]


def test_zipped_datasets_pickle_without_their_open_archive(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "a.zip", ["a.png", "b.png"])
    ds = ZippedImageDataset(archive)
    ds._images.members.read("a.png")  # opened and used before pickling
    clone = pickle.loads(pickle.dumps(ds))
    assert clone._images.members._zip is None  # the parent's open file did not travel
    assert len(clone) == 2 and clone._images.members.read("b.png") == b"not decoded here"
    multi = pickle.loads(pickle.dumps(MultiZippedImageDataset([archive, archive])))
    assert len(multi) == 4


def test_zip_is_reopened_in_another_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A forked worker must not share the parent's open file (and its position)."""
    ds = ZippedImageDataset(_zip(tmp_path / "a.zip", ["a.png"]))
    ds._images.members.read("a.png")
    parents = ds._images.members._zip
    ds._images.members.read("a.png")
    assert ds._images.members._zip is parents  # same process: kept open
    pid = os.getpid()
    monkeypatch.setattr(os, "getpid", lambda: pid + 1)
    assert ds._images.members.read("a.png") == b"not decoded here"
    assert ds._images.members._zip is not parents


# ------------------------------------------------------------ without Pillow


def test_reading_without_pillow_says_what_to_install(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.png").write_bytes(b"whatever: the import fails first")
    archive = _zip(tmp_path / "a.zip", ["a.png"])
    labels = tmp_path / "labels.txt"
    labels.write_text("a.png 1\n", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "PIL", None)  # as if Pillow were not installed
    monkeypatch.setitem(sys.modules, "PIL.Image", None)
    datasets = {
        "ImageDataset": ImageDataset(["a.png"], root=tmp_path),
        "LabeledImageDataset": LabeledImageDataset([("a.png", 1)], root=tmp_path),
        "ZippedImageDataset": ZippedImageDataset(archive),
        "LabeledZippedImageDataset": LabeledZippedImageDataset(archive, labels),
        "MultiZippedImageDataset": MultiZippedImageDataset([archive]),
    }
    for name, ds in datasets.items():
        assert len(ds) == 1
        with pytest.raises(ImportError) as info:
            ds[0]
        assert isinstance(info.value, image_dataset_module.PillowMissingError)
        message = str(info.value)
        assert message.startswith(f"{name} needs Pillow to read images"), message
        assert "pip install fchain[image]" in message and "pip install Pillow" in message
