"""The library's counter-based generator (Philox4x32-10): stream (seed, i)."""
import ctypes as C
import os

import numpy as np

from . import _arrays as A
from ._api import lib
from ._errors import check
from ._handle import Handle


def seed_for_index(seed, index):
    """The 64-bit seed the runner hands to the simulator for global row
    `index` of a run with master seed `seed`."""
    return lib.sbi_seed_for_index(A.u64(seed), A.u64(index, "index"))


def random_seed():
    """A fresh 64-bit seed from the operating system."""
    return int.from_bytes(os.urandom(8), "little")


class Rng(Handle):
    """A generator at the start of stream (seed, stream). Same (seed, stream),
    same numbers, on any machine. One Rng is used by one thread at a time."""

    _kind = "Rng"

    def __init__(self, seed=0, stream=0):
        out = C.c_void_p()
        check(lib.sbi_rng_create(C.byref(out), A.u64(seed), A.u64(stream, "stream")),
              "sbi_rng_create")
        self._set(out.value, lib.sbi_rng_free)

    @classmethod
    def _borrow(cls, ptr, owner=None):
        # A generator the library lends to a callback; invalid after it.
        self = cls.__new__(cls)
        self._set(ptr, None, [owner] if owner is not None else [])
        return self

    def reset(self, seed, stream=0):
        """Go to the start of stream (seed, stream)."""
        check(lib.sbi_rng_reset(self._ptr, A.u64(seed), A.u64(stream, "stream")),
              "sbi_rng_reset")

    def _fill(self, fn, name, n, dtype):
        out = np.empty(A.count(n), dtype=dtype)
        check(fn(self._ptr, out.shape[0], A.addr(out)), name)
        return out

    def uniform(self, n):
        """n doubles in the open interval (0, 1)."""
        return self._fill(lib.sbi_rng_uniform, "sbi_rng_uniform", n, np.float64)

    def normal(self, n):
        """n standard normal doubles."""
        return self._fill(lib.sbi_rng_normal, "sbi_rng_normal", n, np.float64)

    def u64(self, n):
        """n raw 64-bit words (uint64)."""
        return self._fill(lib.sbi_rng_u64, "sbi_rng_u64", n, np.uint64)

    def categorical(self, weights, n):
        """n categories in 0..k-1 drawn with probabilities weights/sum(weights)
        (int32)."""
        w = A.vector(weights, "weights")
        out = np.empty(A.count(n), dtype=np.int32)
        check(lib.sbi_rng_categorical(self._ptr, w.shape[0], A.addr(w), out.shape[0],
                                      A.addr(out)), "sbi_rng_categorical")
        return out


def as_rng(seed, rng):
    """The generator for a call taking seed= or rng= (a fresh random seed
    when neither is given)."""
    if rng is not None:
        if seed is not None:
            raise ValueError("give seed= or rng=, not both")
        if not isinstance(rng, Rng):
            raise TypeError(f"rng: expected a libsbi.Rng, got {type(rng).__name__}")
        return rng
    return Rng(random_seed() if seed is None else seed)
