"""The simulation runner: a simulator over many rows, in chunks, with
progress and cancellation; and simulate_for_sbi, the one-call form."""
import ctypes as C
import os

from . import _api
from . import _arrays as A
from ._api import lib
from ._errors import Trap, callback, check
from ._handle import Handle
from .dataset import Dataset
from .rng import random_seed


def progress_callback(trap, fn):
    """A sbi_progress_fn calling fn(done, total); fn returning True cancels."""
    return callback(_api.PROGRESS_FN, trap,
                    lambda _ud, done, total: 1 if fn(done, total) is True else 0, 1)


class Runner(Handle):
    """Runs `simulator` over many rows. Row i gets the seed
    seed_for_index(seed, i), so results do not depend on workers or
    chunk_size.

    workers: threads (1 = the caller's thread, 0 = one per core). A Python
      simulator needs workers=1 (ValueError otherwise): it holds the GIL.
    chunk_size: rows per simulator call (default 64).
    progress: fn(done, total) called on the caller's thread; return True to
      cancel (the run raises CancelledError, whose .dataset holds the rows
      done). cancel() may also be called from another thread.
    first_index: global index of the first row (default 0): a run of n rows
      simulates global rows [first, first + n), so slices run apart (other
      processes, machines) concatenate to one big run.
    checkpoint: a file path; every finished chunk is appended to it, and a
      later run with the same settings resumes from it, simulating only the
      missing rows (None: off). The file stays after the run.
    An exception raised in a Python simulator or progress callback stops
    the run and is re-raised; its attribute `dataset` (when it can be set)
    holds the rows simulated before it.
    """

    _kind = "Runner"

    def __init__(self, simulator, *, workers=1, chunk_size=None, progress=None, first_index=0,
                 checkpoint=None):
        self.simulator = simulator
        self._trap = Trap()
        out = C.c_void_p()
        check(lib.sbi_runner_create(C.byref(out), simulator._ptr), "sbi_runner_create")
        # The runner borrows the simulator: its resource keeps it alive.
        self._set(out.value, lib.sbi_runner_free, [simulator._res])
        self._workers = 1
        self.workers = workers
        if chunk_size is not None:
            self.chunk_size = chunk_size
        self.progress = progress
        if first_index:
            self.first_index = first_index
        if checkpoint is not None:
            self.checkpoint = checkpoint

    @property
    def workers(self):
        return self._workers

    @workers.setter
    def workers(self, n):
        n = A.count(n, "workers")
        if n != 1 and self.simulator.python:
            raise ValueError(
                f"workers={n}: a Python simulator runs on the caller's thread only "
                "(workers=1); Python's GIL would make worker threads take turns. "
                "Vectorise the simulator over its (n, theta_dim) batch instead, "
                "or use a C simulator (plugin) for threads.")
        check(lib.sbi_runner_set_workers(self._ptr, n), "sbi_runner_set_workers")
        self._workers = n

    @property
    def chunk_size(self):
        return self._chunk

    @chunk_size.setter
    def chunk_size(self, rows):
        rows = A.count(rows, "chunk_size")
        check(lib.sbi_runner_set_chunk_size(self._ptr, rows), "sbi_runner_set_chunk_size")
        self._chunk = rows

    _chunk = 64

    @property
    def progress(self):
        return self._progress

    @progress.setter
    def progress(self, fn):
        if fn is not None and not callable(fn):
            raise TypeError("progress: expected a callable fn(done, total) or None")
        cb = progress_callback(self._trap, fn) if fn is not None else _api.PROGRESS_FN()
        check(lib.sbi_runner_set_progress(self._ptr, cb, None), "sbi_runner_set_progress")
        # The C runner holds the callback's address: keep it (only the
        # current one) as long as the runner.
        keep = self._res.keep
        if self._progress_cb is not None:
            keep.remove(self._progress_cb)
        keep.append(cb)
        self._progress, self._progress_cb = fn, cb

    _progress_cb = None

    @property
    def first_index(self):
        return self._first

    @first_index.setter
    def first_index(self, first):
        first = A.count(first, "first_index")
        check(lib.sbi_runner_set_first_index(self._ptr, first), "sbi_runner_set_first_index")
        self._first = first

    _first = 0

    @property
    def checkpoint(self):
        return self._checkpoint

    @checkpoint.setter
    def checkpoint(self, path):
        p = None if path is None else os.fsencode(os.fspath(path))
        check(lib.sbi_runner_set_checkpoint(self._ptr, p), "sbi_runner_set_checkpoint")
        self._checkpoint = path

    _checkpoint = None

    def cancel(self):
        """Ask a run in progress to stop after the chunks in flight (safe from
        any thread and from inside the simulator)."""
        check(lib.sbi_runner_cancel(self._ptr), "sbi_runner_cancel")

    def __repr__(self):
        if self.closed:
            return "<libsbi.Runner (closed)>"
        return (f"<libsbi.Runner workers={self._workers} chunk_size={self._chunk} "
                f"simulator={self.simulator!r}>")

    def _finish(self, rc, out, function, extra_traps=()):
        ds = Dataset._adopt(out.value) if out.value else None
        try:
            check(rc, function, self.simulator._traps + (self._trap,) + extra_traps)
        except BaseException as exc:
            if ds is not None:
                try:
                    exc.dataset = ds
                except AttributeError:
                    pass
            raise
        return ds

    def run_prior(self, prior, n, seed=None):
        """Draw theta_i from the prior's stream (seed, i) and simulate n rows;
        returns a Dataset. seed None: a random one."""
        if prior.dim != self.simulator.theta_dim:
            raise ValueError(f"prior has dim {prior.dim} but the simulator takes theta_dim "
                             f"{self.simulator.theta_dim}")
        if prior._traps and self._workers != 1:
            raise ValueError(f"workers={self._workers}: a CallbackPrior written in Python is "
                             "sampled on the caller's thread only (workers=1)")
        seed = random_seed() if seed is None else A.u64(seed)
        out = C.c_void_p()
        rc = lib.sbi_runner_run_prior(self._ptr, prior._ptr, A.count(n), seed, C.byref(out))
        return self._finish(rc, out, "sbi_runner_run_prior", prior._traps)

    def run(self, theta, seed=None):
        """Simulate the given theta (n, theta_dim); returns a Dataset."""
        t, _ = A.matrix(theta, "theta", self.simulator.theta_dim)
        seed = random_seed() if seed is None else A.u64(seed)
        out = C.c_void_p()
        rc = lib.sbi_runner_run(self._ptr, t.shape[0], A.addr(t), seed, C.byref(out))
        return self._finish(rc, out, "sbi_runner_run")


def simulate_for_sbi(simulator, prior, num_simulations, *, seed=None, workers=1,
                     chunk_size=None, progress=None):
    """theta from the prior and x from the simulator, as (theta, x) arrays of
    all rows (invalid rows included: x NaN for failed ones), like
    sbi.inference.simulate_for_sbi. For the rows' status use Runner."""
    import numpy as np

    with Runner(simulator, workers=workers, chunk_size=chunk_size, progress=progress) as r:
        with r.run_prior(prior, num_simulations, seed) as ds:
            theta, x = np.array(ds.theta), np.array(ds.x)
            x[ds.status != 0] = np.nan
    return theta, x
