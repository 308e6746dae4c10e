"""Datasets: n rows of (theta, x, status)."""
import ctypes as C

import numpy as np

from . import _arrays as A
from ._api import lib
from ._errors import check
from ._handle import Handle
from .simulator import ROW_FAILED, ROW_NONFINITE, ROW_OK, ROW_PENDING  # noqa: F401


class Dataset(Handle):
    """Simulated rows. Dataset(theta, x) copies arrays in (rows whose x is
    not finite become ROW_NONFINITE); runners return datasets.

    theta, x and status are read-only NumPy views of the library's memory
    (no copy); a view keeps the dataset's memory alive even after close().
    """

    _kind = "Dataset"

    def __init__(self, theta, x):
        t = A._real(theta, "theta")
        if t.ndim != 2:
            raise ValueError(f"theta: expected shape (n, theta_dim), got {t.shape}")
        xa = A._real(x, "x")
        if xa.ndim != 2 or xa.shape[0] != t.shape[0]:
            raise ValueError(f"x: expected shape ({t.shape[0]}, x_dim) to match theta "
                             f"{t.shape}, got {xa.shape}")
        out = C.c_void_p()
        check(lib.sbi_dataset_create(C.byref(out), t.shape[0], t.shape[1], xa.shape[1],
                                     A.addr(t), A.addr(xa)), "sbi_dataset_create")
        self._set(out.value, lib.sbi_dataset_free)

    @classmethod
    def _adopt(cls, ptr):
        self = cls.__new__(cls)
        self._set(ptr, lib.sbi_dataset_free)
        return self

    @property
    def shape(self):
        """(n, theta_dim, x_dim)."""
        n, td, xd = C.c_int64(), C.c_int32(), C.c_int32()
        check(lib.sbi_dataset_shape(self._ptr, C.byref(n), C.byref(td), C.byref(xd)),
              "sbi_dataset_shape")
        return n.value, td.value, xd.value

    def __len__(self):
        return self.shape[0]

    def _borrowed(self, fn, name, cols, dtype):
        p = C.c_void_p()
        check(fn(self._ptr, C.byref(p)), name)
        n = self.shape[0]
        return A.view(self._res, p.value, (n, cols) if cols else (n,), dtype)

    @property
    def theta(self):
        """(n, theta_dim) read-only view."""
        return self._borrowed(lib.sbi_dataset_theta, "sbi_dataset_theta", self.shape[1],
                              np.float64)

    @property
    def x(self):
        """(n, x_dim) read-only view."""
        return self._borrowed(lib.sbi_dataset_x, "sbi_dataset_x", self.shape[2], np.float64)

    @property
    def status(self):
        """(n,) read-only int32 view: ROW_OK, ROW_FAILED, ROW_NONFINITE or
        ROW_PENDING per row."""
        return self._borrowed(lib.sbi_dataset_status, "sbi_dataset_status", None, np.int32)

    def count(self, row_status=ROW_OK):
        """Number of rows in the given state."""
        c = C.c_int64()
        check(lib.sbi_dataset_count(self._ptr, row_status, C.byref(c)), "sbi_dataset_count")
        return c.value

    def valid(self):
        """(theta, x) copies of the ROW_OK rows, in order."""
        _, td, xd = self.shape
        k = self.count(ROW_OK)
        theta, x = np.empty((k, td)), np.empty((k, xd))
        got = C.c_int64()
        check(lib.sbi_dataset_copy_valid(self._ptr, A.addr(theta), A.addr(x), C.byref(got)),
              "sbi_dataset_copy_valid")
        return theta[:got.value], x[:got.value]

    def __repr__(self):
        if self.closed:
            return "<libsbi.Dataset (closed)>"
        n, td, xd = self.shape
        return f"<libsbi.Dataset n={n} theta_dim={td} x_dim={xd} valid={self.count(ROW_OK)}>"
