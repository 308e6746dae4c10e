"""NumPy in and out: checked conversion to C-contiguous float64, and
read-only views on library memory that keep their owner alive."""
import ctypes
import operator

import numpy as np

F64 = np.dtype(np.float64)


def _real(a, name):
    arr = a if isinstance(a, np.ndarray) else np.asarray(a)
    if arr.dtype.kind not in "iuf":
        raise ValueError(f"{name}: expected real numbers (float64), got an array of "
                         f"dtype {arr.dtype}")
    # No copy when already C-contiguous, aligned, native float64.
    return np.ascontiguousarray(arr, dtype=F64)


def vector(a, name, length=None):
    """A 1-D float64 array (of `length` values if given)."""
    arr = _real(a, name)
    if arr.ndim != 1 or (length is not None and arr.shape[0] != length):
        want = f"({length},)" if length is not None else "1-D"
        raise ValueError(f"{name}: expected shape {want}, got {arr.shape}")
    return arr


def matrix(a, name, cols, allow_vector=False):
    """A (n, cols) float64 array and whether the input was one row given as a
    1-D array (only accepted with allow_vector)."""
    arr = _real(a, name)
    if allow_vector and arr.ndim == 1 and arr.shape[0] == cols:
        return arr.reshape(1, cols), True
    if arr.ndim != 2 or arr.shape[1] != cols:
        alt = f" or ({cols},)" if allow_vector else ""
        raise ValueError(f"{name}: expected shape (n, {cols}){alt}, got {arr.shape}")
    return arr, False


def observation(a, name, x_dim):
    """One observation: shape (x_dim,) or (1, x_dim)."""
    arr = _real(a, name)
    if arr.shape not in ((x_dim,), (1, x_dim)):
        raise ValueError(f"{name}: expected one observation of shape ({x_dim},) or "
                         f"(1, {x_dim}), got {arr.shape}")
    return arr.reshape(x_dim)


def count(n, name="n"):
    """A non-negative integer count."""
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"{name}: expected an integer, got {type(n).__name__}") from None
    if n < 0:
        raise ValueError(f"{name}: expected a count >= 0, got {n}")
    return n


def u64(v, name="seed"):
    """An integer in [0, 2**64)."""
    try:
        v = operator.index(v)
    except TypeError:
        raise TypeError(f"{name}: expected an integer, got {type(v).__name__}") from None
    if not 0 <= v < 2**64:
        raise ValueError(f"{name}: expected an integer in [0, 2**64), got {v}")
    return v


def addr(arr):
    """The data address of a C-contiguous array (for c_void_p arguments)."""
    return arr.__array_interface__["data"][0]


class _View:
    """Exposes library memory to NumPy; holding it keeps `owner` alive."""

    __slots__ = ("__array_interface__", "owner")

    def __init__(self, owner, address, shape, dtype):
        self.owner = owner
        self.__array_interface__ = {"data": (address, True), "shape": shape,
                                    "typestr": np.dtype(dtype).str, "version": 3}


def view(owner, address, shape, dtype=F64):
    """A read-only array over library memory owned by `owner`."""
    if address is None or 0 in shape:
        arr = np.empty(shape, dtype=dtype)
        arr.flags.writeable = False
        return arr
    return np.asarray(_View(owner, address, shape, dtype))


_CTYPE = {np.dtype(np.float64): ctypes.c_double, np.dtype(np.int32): ctypes.c_int32,
          np.dtype(np.uint64): ctypes.c_uint64}


def buffer(address, shape, dtype=F64):
    """A writable array over a buffer the library lends to a callback; for
    the binding's own use during the call only (never handed to user code).
    Through a ctypes array type (cached by ctypes per length): the fastest
    way to wrap an address, which matters for a Python simulator called
    once per row."""
    count = 1
    for s in shape:
        count *= s
    dtype = np.dtype(dtype)
    if address is None or count == 0:
        return np.empty(shape, dtype=dtype)
    raw = (_CTYPE[dtype] * count).from_address(address)
    return np.frombuffer(raw, dtype=dtype).reshape(shape)


def store_failed(status, failed, n, who):
    """Write a callback's per-row failed flags (shape (n,), non-zero means
    failed) into the library's status buffer; `who` names the callback kind
    in the error."""
    failed = np.asarray(failed)
    if failed.shape != (n,):
        raise ValueError(f"{who}: failed flags must have shape ({n},), got {failed.shape}")
    buffer(status, (n,), np.int32)[...] = failed != 0
