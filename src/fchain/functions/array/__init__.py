"""``fchain.functions.array``: Chainer's module paths of its array manipulations
(``chainer.functions.array.<module>.<function>``)."""

from __future__ import annotations

from fchain.functions.array import broadcast as broadcast
from fchain.functions.array import cast as cast
from fchain.functions.array import concat as concat
from fchain.functions.array import copy as copy
from fchain.functions.array import depth2space as depth2space
from fchain.functions.array import diagonal as diagonal
from fchain.functions.array import dstack as dstack
from fchain.functions.array import expand_dims as expand_dims
from fchain.functions.array import flatten as flatten
from fchain.functions.array import flip as flip
from fchain.functions.array import fliplr as fliplr
from fchain.functions.array import flipud as flipud
from fchain.functions.array import get_item as get_item
from fchain.functions.array import hstack as hstack
from fchain.functions.array import im2col as im2col
from fchain.functions.array import moveaxis as moveaxis
from fchain.functions.array import pad as pad
from fchain.functions.array import pad_sequence as pad_sequence
from fchain.functions.array import permutate as permutate
from fchain.functions.array import repeat as repeat
from fchain.functions.array import reshape as reshape
from fchain.functions.array import resize_images as resize_images
from fchain.functions.array import rollaxis as rollaxis
from fchain.functions.array import scatter_add as scatter_add
from fchain.functions.array import select_item as select_item
from fchain.functions.array import separate as separate
from fchain.functions.array import space2depth as space2depth
from fchain.functions.array import spatial_transformer_grid as spatial_transformer_grid
from fchain.functions.array import spatial_transformer_sampler as spatial_transformer_sampler
from fchain.functions.array import split_axis as split_axis
from fchain.functions.array import squeeze as squeeze
from fchain.functions.array import stack as stack
from fchain.functions.array import swapaxes as swapaxes
from fchain.functions.array import tile as tile
from fchain.functions.array import transpose as transpose
from fchain.functions.array import transpose_sequence as transpose_sequence
from fchain.functions.array import vstack as vstack
from fchain.functions.array import where as where

__all__ = [
    "broadcast",
    "cast",
    "concat",
    "copy",
    "depth2space",
    "diagonal",
    "dstack",
    "expand_dims",
    "flatten",
    "flip",
    "fliplr",
    "flipud",
    "get_item",
    "hstack",
    "im2col",
    "moveaxis",
    "pad",
    "pad_sequence",
    "permutate",
    "repeat",
    "reshape",
    "resize_images",
    "rollaxis",
    "scatter_add",
    "select_item",
    "separate",
    "space2depth",
    "spatial_transformer_grid",
    "spatial_transformer_sampler",
    "split_axis",
    "squeeze",
    "stack",
    "swapaxes",
    "tile",
    "transpose",
    "transpose_sequence",
    "vstack",
    "where",
]
