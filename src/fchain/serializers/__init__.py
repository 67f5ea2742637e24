"""Chainer-compatible serializers: npz and HDF5 files in Chainer's key layout.

``save_npz(file, obj)`` / ``load_npz(file, obj)`` and ``save_hdf5`` / ``load_hdf5``
save and restore anything with a ``serialize`` method (links, optimizers, trainers);
the classes behind them follow Chainer's serializer protocol
(``fchain.facade.serializer``).  Files move both ways between fchain and Chainer.
Loads never unpickle, check the whole file (shapes and dtypes as declared, before
reading data) before changing anything, and report every problem at once; keys the
object never asks for are ignored, as in Chainer, with a ``SerializationWarning``
(``unexpected_keys='ignore'`` or ``'error'`` to change that).  Saves to a path are
atomic, and remove what killed saves of the same file left.
"""

from fchain.facade.serializer import AbstractSerializer as AbstractSerializer
from fchain.facade.serializer import Deserializer as Deserializer
from fchain.facade.serializer import Serializer as Serializer
from fchain.serializers.hdf5 import HDF5Deserializer as HDF5Deserializer
from fchain.serializers.hdf5 import HDF5Group as HDF5Group
from fchain.serializers.hdf5 import HDF5Serializer as HDF5Serializer
from fchain.serializers.hdf5 import load_hdf5 as load_hdf5
from fchain.serializers.hdf5 import save_hdf5 as save_hdf5
from fchain.serializers.npz import DictionarySerializer as DictionarySerializer
from fchain.serializers.npz import NpzDeserializer as NpzDeserializer
from fchain.serializers.npz import load_npz as load_npz
from fchain.serializers.npz import save_npz as save_npz

__all__ = [
    "AbstractSerializer",
    "DictionarySerializer",
    "Deserializer",
    "HDF5Deserializer",
    "HDF5Group",
    "HDF5Serializer",
    "NpzDeserializer",
    "Serializer",
    "load_hdf5",
    "load_npz",
    "save_hdf5",
    "save_npz",
]
