"""Tables (CSV with a header row, or .npy) as the command-line tool reads and
writes them, and prior specification strings ("box:0.5,1e-4:80,15")."""
import ctypes as C
import os
from collections import namedtuple

import numpy as np

from . import _arrays as A
from ._api import lib
from ._errors import check
from ._handle import Handle
from .prior import Prior

FORMATS = {"auto": 0, "csv": 1, "npy": 2}
_FORMAT_NAMES = {v: k for k, v in FORMATS.items()}

Table = namedtuple("Table", "data names format")
Table.__doc__ = """A table read by read_table: data (float64, read-only, shape
(rows, cols), or (rows,) for a 1-D .npy array), names (list of column names,
or None), format ('csv' or 'npy')."""


class _TableHandle(Handle):
    _kind = "table"


def _format(fmt, allow_auto=True):
    if fmt not in FORMATS or (fmt == "auto" and not allow_auto):
        allowed = [f for f in FORMATS if allow_auto or f != "auto"]
        raise ValueError(f"format: expected one of {allowed}, got {fmt!r}")
    return FORMATS[fmt]


def _table(out):
    h = _TableHandle()
    h._set(out.value, lib.sbi_table_free)
    rows, cols, ndim, fmt = C.c_int64(), C.c_int32(), C.c_int32(), C.c_int32()
    check(lib.sbi_table_shape(h._ptr, C.byref(rows), C.byref(cols)), "sbi_table_shape")
    check(lib.sbi_table_ndim(h._ptr, C.byref(ndim)), "sbi_table_ndim")
    check(lib.sbi_table_format(h._ptr, C.byref(fmt)), "sbi_table_format")
    p = C.c_void_p()
    check(lib.sbi_table_data(h._ptr, C.byref(p)), "sbi_table_data")
    shape = (rows.value,) if ndim.value == 1 else (rows.value, cols.value)
    data = A.view(h._res, p.value, shape)  # zero-copy: keeps the table alive
    names = []
    for j in range(cols.value):
        name = C.c_char_p()
        check(lib.sbi_table_name(h._ptr, j, C.byref(name)), "sbi_table_name")
        if name.value is None:
            names = None
            break
        names.append(name.value.decode("utf-8", "replace"))
    return Table(data, names, _FORMAT_NAMES[fmt.value])


def read_table(path):
    """Read a CSV or .npy file (told apart by content) -> Table."""
    out = C.c_void_p()
    check(lib.sbi_table_read(C.byref(out), os.fsencode(os.fspath(path))), "sbi_table_read")
    return _table(out)


def read_table_bytes(data, format="auto"):
    """Read a table from bytes -> Table."""
    buf = np.frombuffer(memoryview(data).cast("B"), dtype=np.uint8)
    out = C.c_void_p()
    check(lib.sbi_table_read_mem(C.byref(out), A.addr(buf) if buf.size else None, buf.size,
                                 _format(format)), "sbi_table_read_mem")
    return _table(out)


def _write_args(data, names):
    arr = A._real(data, "data")
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2:
        raise ValueError(f"data: expected a 1-D or 2-D array, got shape {arr.shape}")
    cnames = None
    if names is not None:
        names = list(names)
        if len(names) != arr.shape[1]:
            raise ValueError(f"names: expected {arr.shape[1]} names, got {len(names)}")
        cnames = (C.c_char_p * len(names))(*[str(n).encode() for n in names])
    return arr, cnames


def write_table(path, data, names=None, format="auto"):
    """Write data (rows, cols) to path atomically, as CSV (names as the header)
    or .npy ('auto': .npy for a path ending in ".npy")."""
    arr, cnames = _write_args(data, names)
    check(lib.sbi_table_write(os.fsencode(os.fspath(path)), arr.shape[0], arr.shape[1],
                              A.addr(arr), cnames, _format(format)), "sbi_table_write")


def table_to_bytes(data, names=None, format="csv"):
    """The bytes write_table would write ('csv' or 'npy')."""
    arr, cnames = _write_args(data, names)
    buf, n = C.c_void_p(), C.c_size_t()
    check(lib.sbi_table_write_mem(C.byref(buf), C.byref(n), arr.shape[0], arr.shape[1],
                                  A.addr(arr), cnames, _format(format, allow_auto=False)),
          "sbi_table_write_mem")
    try:
        return C.string_at(buf.value, n.value)
    finally:
        lib.sbi_free(buf.value)


def parse_prior(spec):
    """A prior from a specification string: "box:LOW1,LOW2:HIGH1,HIGH2" or
    "gaussian:MEAN1,MEAN2:VAR1,VAR2"."""
    out = C.c_void_p()
    check(lib.sbi_prior_parse_spec(str(spec).encode(), C.byref(out)), "sbi_prior_parse_spec")
    p = Prior.__new__(Prior)
    p._set(out.value, lib.sbi_prior_free)
    return p
