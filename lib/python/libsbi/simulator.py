"""Simulators: a Python callable, or a C simulator (plugin) behind a handle."""
import ctypes as C

import numpy as np

from . import _api
from . import _arrays as A
from ._api import lib
from ._errors import Trap, callback, check
from ._handle import Handle
from .rng import random_seed, seed_for_index

# Row states of a dataset (sbi/simulator.h).
ROW_OK = 0
ROW_FAILED = 1
ROW_NONFINITE = 2
ROW_PENDING = 3


class Simulator(Handle):
    """A simulator handle: theta (n, theta_dim) -> x (n, x_dim).

    Simulator(fn, theta_dim, x_dim) wraps a Python callable (see
    PythonSimulator); plugins give C simulators (load_plugin)."""

    _kind = "Simulator"
    _traps = ()
    python = False  # True when the callback runs Python (refuses workers > 1)

    def __new__(cls, *args, **kwargs):
        if cls is Simulator:
            cls = PythonSimulator
        return super().__new__(cls)

    @classmethod
    def _adopt(cls, ptr, keep=()):
        self = Handle.__new__(Simulator)
        self._set(ptr, lib.sbi_simulator_free, keep)
        return self

    @classmethod
    def adopt(cls, address, keep=()):
        """Take ownership of an sbi_simulator* made by another C library
        that uses this libsbi (e.g. the HH model's sbi_hh_model_simulator,
        called through ctypes): `address` is the pointer as an int. The
        handle is freed with sbi_simulator_free when the object goes; `keep`
        holds what it needs alive meanwhile (the ctypes library...). A C
        simulator may run on worker threads."""
        if not address:
            raise ValueError("Simulator.adopt: NULL simulator pointer")
        return cls._adopt(int(address), list(keep))

    @property
    def dims(self):
        """(theta_dim, x_dim)."""
        td, xd = C.c_int32(), C.c_int32()
        check(lib.sbi_simulator_dims(self._ptr, C.byref(td), C.byref(xd)), "sbi_simulator_dims")
        return td.value, xd.value

    @property
    def theta_dim(self):
        return self.dims[0]

    @property
    def x_dim(self):
        return self.dims[1]

    def with_summary(self, summary):
        """A new simulator whose x is summary(this simulator's x); failed rows
        of either are failed rows of the result."""
        out = C.c_void_p()
        check(lib.sbi_simulator_create_with_summary(C.byref(out), self._ptr, summary._ptr),
              "sbi_simulator_create_with_summary")
        sim = Simulator._adopt(out.value, [self._res, summary._res])
        sim._traps = self._traps + summary._traps
        sim.python = self.python or summary.python
        return sim

    def simulate(self, theta, *, seed=None, seeds=None):
        """Run once on this thread: returns (x, status) with x of shape
        (n, x_dim) and status (n,) int32 holding ROW_OK, ROW_FAILED or
        ROW_NONFINITE. Row i gets seeds[i], by default
        seed_for_index(seed, i) as the runner does (seed random if None)."""
        td, xd = self.dims
        t, _ = A.matrix(theta, "theta", td)
        n = t.shape[0]
        if seeds is None:
            s = random_seed() if seed is None else A.u64(seed)
            seeds = np.array([seed_for_index(s, i) for i in range(n)], dtype=np.uint64)
        else:
            if seed is not None:
                raise ValueError("give seed= or seeds=, not both")
            if not isinstance(seeds, np.ndarray):
                seeds = np.array([A.u64(v, "seeds") for v in seeds], dtype=np.uint64)
            if seeds.shape != (n,) or seeds.dtype.kind not in "iu" or (
                    seeds.dtype.kind == "i" and n and seeds.min() < 0):
                raise ValueError(f"seeds: expected {n} non-negative integers (uint64), got "
                                 f"shape {seeds.shape} dtype {seeds.dtype}")
            seeds = np.ascontiguousarray(seeds, dtype=np.uint64)
        x = np.empty((n, xd))
        status = np.empty(n, dtype=np.int32)
        check(lib.sbi_simulator_run(self._ptr, n, A.addr(t), A.addr(seeds), A.addr(x),
                                    A.addr(status)), "sbi_simulator_run", self._traps)
        return x, status

    def __call__(self, theta, *, seed=None, seeds=None):
        """x for theta (see simulate); failed rows hold NaN."""
        x, status = self.simulate(theta, seed=seed, seeds=seeds)
        x[status != ROW_OK] = np.nan
        return x

    def __repr__(self):
        if self.closed:
            return "<libsbi.Simulator (closed)>"
        td, xd = self.dims
        return f"<libsbi.{type(self).__name__} theta_dim={td} x_dim={xd}>"


class PythonSimulator(Simulator):
    """A simulator written in Python.

    fn(theta) -> x, where theta is a float64 array of shape (n, theta_dim) (a
    copy: keep it if you like) and x is array-like of shape (n, x_dim). Rows
    of x holding NaN or Inf are excluded from training. Options:
      with_seeds=True: fn(theta, seeds), seeds a uint64 array (n,) giving
        each row's seed (seed_for_index(run_seed, global_row)); use it to
        make the noise reproducible, e.g. np.random.default_rng(seeds[i]);
      with_status=True: fn returns (x, failed), failed a (n,) bool array
        marking rows that failed.
    An exception raised by fn stops the run and is re-raised to the caller
    of the libsbi call, with its traceback. The runner calls a Python
    simulator on the caller's thread only (workers=1): Python holds the GIL,
    so worker threads would only take turns.
    """

    python = True

    def __init__(self, fn, theta_dim, x_dim, *, with_seeds=False, with_status=False):
        if not callable(fn):
            raise TypeError(f"simulator: expected a callable, got {type(fn).__name__}")
        trap = Trap()
        self._traps = (trap,)
        self.fn = fn

        def simulate(_ud, n, td, theta, seeds, xd, x, status):
            t = A.buffer(theta, (n, td)).copy()
            if with_seeds:
                res = fn(t, A.buffer(seeds, (n,), np.uint64).copy())
            else:
                res = fn(t)
            if with_status:
                if not (isinstance(res, tuple) and len(res) == 2):
                    raise ValueError("simulator with with_status=True must return (x, failed)")
                res, failed = res
                A.store_failed(status, failed, n, "simulator")
            res = np.asarray(res)
            if res.shape != (n, xd) or res.dtype.kind not in "iuf":
                raise ValueError(f"simulator returned an array of shape {res.shape} and dtype "
                                 f"{res.dtype}; expected ({n}, {xd}) real numbers for theta "
                                 f"of shape ({n}, {td})")
            A.buffer(x, (n, xd))[...] = res
            return 0

        cb = callback(_api.SIMULATE_FN, trap, simulate, 1)
        out = C.c_void_p()
        check(lib.sbi_simulator_create(C.byref(out), A.count(theta_dim, "theta_dim"),
                                       A.count(x_dim, "x_dim"), cb, None),
              "sbi_simulator_create")
        self._set(out.value, lib.sbi_simulator_free, [cb])
