"""The image datasets decoding real files the test writes with Pillow: PNG (L, LA,
RGB, RGBA, palette, 16-bit) and JPEG, from a folder and from zip archives, compared
with the pixels written and with what Pillow itself decodes; dtypes, labels,
indexing, typed use with iterators, and unreadable files."""

from __future__ import annotations

import threading
import zipfile
from pathlib import Path

import numpy
import pytest

pytest.importorskip("PIL.Image", reason="Pillow is not installed (optional extra fchain[image])")

from PIL import Image

import fchain
from fchain.dataset import concat_examples
from fchain.datasets import (
    DatasetFileError,
    ImageDataset,
    LabeledImageDataset,
    LabeledZippedImageDataset,
    MultiZippedImageDataset,
    ZippedImageDataset,
)
from fchain.iterators import MultiprocessIterator, SerialIterator
from fchain.types import Array

H, W = 5, 7


def _pixels(seed: int, shape: tuple[int, ...], bits: int = 8) -> Array:
    """Random pixels of every value an unsigned ``bits``-bit channel holds."""
    dtype = numpy.uint8 if bits == 8 else numpy.uint16
    return numpy.random.default_rng(seed).integers(0, 2**bits - 1, shape, dtype=dtype, endpoint=True)


def _chw(hwc: Array) -> Array:
    """The (C, H, W) layout of an (H, W) or (H, W, C) array, written independently of
    fchain's code."""
    return hwc.reshape(H, W, -1).transpose(2, 0, 1)


@pytest.fixture
def pngs(tmp_path: Path) -> dict[str, Array]:
    """Lossless images of every channel layout, written into ``tmp_path``; the value
    is each file's pixels as (C, H, W), as written."""
    written = {
        "gray.png": _pixels(1, (H, W)),
        "gray_alpha.png": _pixels(2, (H, W, 2)),
        "rgb.png": _pixels(3, (H, W, 3)),
        "rgba.png": _pixels(4, (H, W, 4)),
        "deep.png": _pixels(5, (H, W), bits=16),
    }
    for name, pixels in written.items():
        Image.fromarray(pixels).save(tmp_path / name)
    palette = Image.fromarray(_pixels(6, (H, W, 3))).quantize(5)
    palette.save(tmp_path / "palette.png")
    written["palette.png"] = numpy.asarray(palette)  # the palette indices
    return {name: _chw(pixels) for name, pixels in written.items()}


def _pillow_decodes(source: Path | str) -> Array:
    with Image.open(source) as image:
        return _chw(numpy.asarray(image))


# ------------------------------------------------------------ ImageDataset


def test_every_channel_layout_comes_back_as_written(tmp_path: Path, pngs: dict[str, Array]) -> None:
    names = list(pngs)
    ds = ImageDataset(names, root=tmp_path)
    assert len(ds) == len(names)
    channels = {"gray.png": 1, "gray_alpha.png": 2, "rgb.png": 3, "rgba.png": 4, "deep.png": 1,
                "palette.png": 1}
    for i, name in enumerate(names):
        image = ds[i]
        assert image.shape == (channels[name], H, W), name
        assert image.dtype == numpy.float32, name
        numpy.testing.assert_array_equal(image, pngs[name].astype(numpy.float32), err_msg=name)
    assert ds[names.index("rgba.png")][3].tolist() == pngs["rgba.png"][3].tolist()  # alpha kept
    assert ds[names.index("deep.png")].max() > 255  # 16-bit values, not scaled


def test_jpeg_matches_what_pillow_decodes(tmp_path: Path) -> None:
    smooth = numpy.linspace(0, 255, H * W * 3).reshape(H, W, 3).astype(numpy.uint8)
    Image.fromarray(smooth).save(tmp_path / "photo.jpg", quality=80)
    Image.fromarray(smooth[..., 0]).save(tmp_path / "gray.jpeg", quality=80)
    ds = ImageDataset(["photo.jpg", "gray.jpeg"], root=tmp_path, dtype=numpy.float64)
    color, gray = ds[0], ds[1]
    assert color.shape == (3, H, W) and gray.shape == (1, H, W) and color.dtype == numpy.float64
    numpy.testing.assert_array_equal(color, _pillow_decodes(tmp_path / "photo.jpg"))
    numpy.testing.assert_array_equal(gray, _pillow_decodes(tmp_path / "gray.jpeg"))
    assert not numpy.array_equal(color, _chw(smooth))  # lossy: Pillow's decode is the reference


def test_dtypes(tmp_path: Path, pngs: dict[str, Array]) -> None:
    root = str(tmp_path)
    assert ImageDataset(["rgb.png"], root=root, dtype=numpy.uint8)[0].dtype == numpy.uint8
    numpy.testing.assert_array_equal(ImageDataset(["rgb.png"], root=root, dtype=numpy.uint8)[0],
                                     pngs["rgb.png"])
    with fchain.using_config("dtype", numpy.float16):
        assert ImageDataset(["rgb.png"], root=root)[0].dtype == numpy.float16
    assert ImageDataset(["deep.png"], root=root, dtype=numpy.int32)[0].dtype == numpy.int32


def test_paths_file_root_and_absolute_paths(tmp_path: Path, pngs: dict[str, Array]) -> None:
    (tmp_path / "sub").mkdir()
    Image.fromarray(_pixels(9, (H, W, 3))).save(tmp_path / "sub" / "x.png")
    listing = tmp_path / "list.txt"
    listing.write_text(f"sub/x.png\n{tmp_path / 'gray.png'}\n", encoding="utf-8")
    ds = ImageDataset(str(listing), root=tmp_path)
    numpy.testing.assert_array_equal(ds[0], _chw(_pixels(9, (H, W, 3))))
    numpy.testing.assert_array_equal(ds[1], pngs["gray.png"])  # absolute: root not prepended


def test_indexing_forms(tmp_path: Path, pngs: dict[str, Array]) -> None:
    ds = ImageDataset(["gray.png", "rgb.png", "rgba.png"], root=tmp_path)
    numpy.testing.assert_array_equal(ds[-1], pngs["rgba.png"])
    batch = ds[0:3:2]
    assert isinstance(batch, list) and [b.shape[0] for b in batch] == [1, 4]
    assert [b.shape[0] for b in ds[[1, 0]]] == [3, 1]
    assert [b.shape[0] for b in ds] == [1, 3, 4]


def test_images_are_fresh_arrays(tmp_path: Path, pngs: dict[str, Array]) -> None:
    ds = LabeledImageDataset([("rgb.png", 1)], root=tmp_path)
    image, label = ds[0]
    image[...] = 0
    label[...] = 5
    again, label_again = ds[0]
    numpy.testing.assert_array_equal(again, pngs["rgb.png"])
    assert int(label_again) == 1


def test_unreadable_files_name_the_dataset_and_file(tmp_path: Path) -> None:
    ds = ImageDataset(["missing.png", "text.png", "cut.png", "."], root=tmp_path)
    with pytest.raises(FileNotFoundError, match=r"ImageDataset: cannot open image file "
                       r"'.*missing\.png' \(example 0\): No such file"):
        ds[0]
    (tmp_path / "text.png").write_text("not an image", encoding="utf-8")
    with pytest.raises(DatasetFileError, match=r"ImageDataset: '.*text\.png' \(example 1\) is not "
                       "an image file Pillow can read"):
        ds[1]
    Image.fromarray(_pixels(7, (64, 64, 3))).save(tmp_path / "full.png")
    (tmp_path / "cut.png").write_bytes((tmp_path / "full.png").read_bytes()[:200])
    with pytest.raises(DatasetFileError, match=r"ImageDataset: image file '.*cut\.png' \(example 2\) "
                       "could not be decoded"):
        ds[2]
    with pytest.raises(IsADirectoryError, match=r"ImageDataset: cannot open image file"):
        ds[3]


# ------------------------------------------------------------ LabeledImageDataset


def test_labeled_images_and_labels(tmp_path: Path, pngs: dict[str, Array]) -> None:
    listing = tmp_path / "pairs.txt"
    listing.write_text("rgba.png 3\ngray.png 0\n", encoding="utf-8")
    ds = LabeledImageDataset(listing, root=tmp_path)
    assert len(ds) == 2
    image, label = ds[0]
    numpy.testing.assert_array_equal(image, pngs["rgba.png"])
    assert image.dtype == numpy.float32
    assert isinstance(label, numpy.ndarray) and label.shape == () and label.dtype == numpy.int32
    assert int(label) == 3
    _, label = ds[-1]
    assert int(label) == 0
    ds64 = LabeledImageDataset([("gray.png", 7)], root=tmp_path, dtype=numpy.float64,
                               label_dtype=numpy.int64)
    image, label = ds64[0]
    assert image.dtype == numpy.float64 and label.dtype == numpy.int64 and int(label) == 7


def test_typed_pipeline_through_an_iterator(tmp_path: Path, pngs: dict[str, Array]) -> None:
    ds = LabeledImageDataset([("rgb.png", 1), ("rgb.png", 2), ("rgb.png", 3)], root=tmp_path)
    it = SerialIterator(ds, 2, repeat=False, shuffle=False)
    images, labels = concat_examples(it.next())  # tuple[Array, Array]
    assert images.shape == (2, 3, H, W) and labels.tolist() == [1, 2]
    assert fchain.Variable(images).shape == (2, 3, H, W)


# ------------------------------------------------------------ zip archives


def _archive(path: Path, files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        zf.writestr("images/", b"")
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def test_zipped_images_read_without_extracting(tmp_path: Path, pngs: dict[str, Array]) -> None:
    files = {f"images/{n}": (tmp_path / n).read_bytes() for n in ["rgb.png", "gray.png", "rgba.png"]}
    smooth = numpy.linspace(0, 255, H * W * 3).reshape(H, W, 3).astype(numpy.uint8)
    Image.fromarray(smooth).save(tmp_path / "photo.jpg")
    files["photo.jpg"] = (tmp_path / "photo.jpg").read_bytes()
    for compression in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
        archive = _archive(tmp_path / f"a{compression}.zip", files, compression)
        before = sorted(p.name for p in tmp_path.iterdir())
        ds = ZippedImageDataset(archive)
        assert len(ds) == 4
        numpy.testing.assert_array_equal(ds[0], pngs["rgb.png"])
        numpy.testing.assert_array_equal(ds[1], pngs["gray.png"])
        numpy.testing.assert_array_equal(ds[2], pngs["rgba.png"])
        assert ds[2].shape == (4, H, W) and ds[1].shape == (1, H, W)
        numpy.testing.assert_array_equal(ds[3], _pillow_decodes(tmp_path / "photo.jpg"))
        numpy.testing.assert_array_equal(ds.get_example("images/gray.png"), pngs["gray.png"])
        assert ds[-1].dtype == numpy.float32
        assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing extracted


def test_zipped_dtype_and_bad_member(tmp_path: Path, pngs: dict[str, Array]) -> None:
    archive = _archive(tmp_path / "a.zip", {"rgb.png": (tmp_path / "rgb.png").read_bytes(),
                                            "notes.txt": b"a text file"})
    ds = ZippedImageDataset(archive, dtype=numpy.uint8)
    assert ds[0].dtype == numpy.uint8
    with pytest.raises(DatasetFileError, match=r"ZippedImageDataset: 'notes\.txt' in the zip archive "
                       r"'.*a\.zip' is not an image file Pillow can read"):
        ds[1]


def test_zipped_reads_from_threads(tmp_path: Path, pngs: dict[str, Array]) -> None:
    names = list(pngs)
    archive = _archive(tmp_path / "a.zip", {n: (tmp_path / n).read_bytes() for n in names})
    ds = ZippedImageDataset(archive)
    mismatches: list[str] = []

    def read(offset: int) -> None:
        for k in range(40):
            i = (k + offset) % len(names)
            if not numpy.array_equal(ds[i], pngs[names[i]]):
                mismatches.append(names[i])

    threads = [threading.Thread(target=read, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert mismatches == []


def test_zipped_dataset_in_forked_workers(tmp_path: Path, pngs: dict[str, Array]) -> None:
    names = ["rgb.png", "rgba.png", "gray_alpha.png"] * 4
    archive = _archive(tmp_path / "a.zip", {f"{i}_{n}": (tmp_path / n).read_bytes()
                                            for i, n in enumerate(names)})
    ds = ZippedImageDataset(archive)
    ds[0]  # the parent has the archive open when the workers fork
    with MultiprocessIterator(ds, 4, repeat=False, shuffle=False, n_processes=2,
                              mp_context="fork") as it:
        images = [image for batch in it for image in batch]
    assert len(images) == len(names)
    for image, name in zip(images, names):
        numpy.testing.assert_array_equal(image, pngs[name])


def test_labeled_zipped(tmp_path: Path, pngs: dict[str, Array]) -> None:
    archive = _archive(tmp_path / "a.zip", {f"images/{n}": (tmp_path / n).read_bytes()
                                            for n in ["rgb.png", "gray.png"]})
    labels = tmp_path / "labels.txt"
    labels.write_text("images/gray.png 5\nimages/rgb.png 2\nimages/gray.png 1\n", encoding="utf-8")
    ds = LabeledZippedImageDataset(archive, labels, dtype=numpy.float64, label_dtype=numpy.int64)
    assert len(ds) == 3
    image, label = ds[0]
    numpy.testing.assert_array_equal(image, pngs["gray.png"])
    assert image.dtype == numpy.float64 and label.dtype == numpy.int64 and label.shape == ()
    assert [int(label) for _, label in ds] == [5, 2, 1]
    numpy.testing.assert_array_equal(ds[1][0], pngs["rgb.png"])


def test_multi_zipped_concatenates_archives(tmp_path: Path, pngs: dict[str, Array]) -> None:
    def data(name: str) -> bytes:
        return (tmp_path / name).read_bytes()

    first = _archive(tmp_path / "1.zip", {"a.png": data("rgb.png"), "b.png": data("gray.png")})
    empty = _archive(tmp_path / "2.zip", {})
    second = _archive(tmp_path / "3.zip", {"c.png": data("rgba.png")})
    ds = MultiZippedImageDataset([first, empty, second], dtype=numpy.uint8)
    assert len(ds) == 3
    expected = [pngs["rgb.png"], pngs["gray.png"], pngs["rgba.png"]]
    for i in range(3):
        numpy.testing.assert_array_equal(ds[i], expected[i])
        numpy.testing.assert_array_equal(ds[i - 3], expected[i])
        assert ds[i].dtype == numpy.uint8
