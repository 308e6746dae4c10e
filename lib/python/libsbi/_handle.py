"""Ownership of C handles.

A _Resource owns one C handle and frees it when the last Python reference to
it goes (weakref.finalize; also run at interpreter exit). Python objects hold
resources, and so do whatever borrows from a handle: NumPy views of a
dataset's arrays, a runner (which borrows its simulator), a prior borrowed
from a posterior. close() (or leaving a `with` block) drops the object's own
reference, so the handle is freed at once unless something still borrows it,
and then as soon as that goes: never a dangling pointer.
"""
import weakref


class _Resource:
    __slots__ = ("ptr", "keep", "_finalizer", "__weakref__")

    def __init__(self, ptr, free_fn, keep=()):
        self.ptr = ptr
        self.keep = list(keep)  # what the C handle borrows (must outlive it)
        self._finalizer = weakref.finalize(self, free_fn, ptr) if free_fn else None


class Handle:
    """Base of every wrapped object: close(), context manager, `closed`."""

    _res = None
    _kind = "object"

    def _set(self, ptr, free_fn, keep=()):
        self._res = _Resource(ptr, free_fn, keep)

    @property
    def _ptr(self):
        res = self._res
        if res is None:
            raise ValueError(f"libsbi: operation on a closed {self._kind}")
        return res.ptr

    @property
    def closed(self):
        return self._res is None

    def close(self):
        """Release the C handle (now, or when the last borrower goes)."""
        self._res = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
