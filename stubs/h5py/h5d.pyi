# Local stub: the low-level dataset calls fchain.serializers.hdf5 makes (stored size
# and creation properties, read without touching the data).
from h5py.h5p import PropDCID

class DatasetID:
    def get_storage_size(self) -> int: ...
    def get_create_plist(self) -> PropDCID: ...
