"""Summary statistics: moments, time windows, spike counting (as the HH
tutorial defines them), and summary handles that turn raw simulator output
into x."""
import ctypes as C

import numpy as np

from . import _api
from . import _arrays as A
from ._api import lib
from ._errors import Trap, callback, check
from ._handle import Handle

MOMENT_MEAN = 1
MOMENT_VAR = 2
MOMENT_STD = 4
MOMENT_SKEW = 8
MOMENT_KURT = 16
_MOMENT_NAMES = {"mean": MOMENT_MEAN, "var": MOMENT_VAR, "std": MOMENT_STD,
                 "skew": MOMENT_SKEW, "kurt": MOMENT_KURT}


def _which(which):
    """Flags from an int or names ("mean", "var", "std", "skew", "kurt")."""
    if isinstance(which, str):
        which = [which]
    if isinstance(which, (list, tuple)):
        flags = 0
        for w in which:
            if w not in _MOMENT_NAMES:
                raise ValueError(f"unknown moment {w!r}; choose from {list(_MOMENT_NAMES)}")
            flags |= _MOMENT_NAMES[w]
        return flags
    return int(which)


def moment_count(which):
    """How many values moments() returns for `which`."""
    c = C.c_int32()
    check(lib.sbi_stats_moment_count(_which(which), C.byref(c)), "sbi_stats_moment_count")
    return c.value


def moments(v, which=("mean", "var", "skew", "kurt")):
    """Moments of v (population, 1/n; skew m3/s^3, Pearson kurtosis m4/s^4)
    in the order mean, var, std, skew, kurt of those selected. `which` is
    MOMENT_* flags or a list of names."""
    v = A.vector(v, "v")
    flags = _which(which)
    out = np.empty(moment_count(flags))
    check(lib.sbi_stats_moments(A.addr(v), v.shape[0], flags, A.addr(out)), "sbi_stats_moments")
    return out


def mean(v):
    """Mean of v (pairwise summation, as NumPy)."""
    v = A.vector(v, "v")
    m = C.c_double()
    check(lib.sbi_stats_mean(A.addr(v), v.shape[0], C.byref(m)), "sbi_stats_mean")
    return m.value


def mean_std(v):
    """(mean, population standard deviation) of v."""
    v = A.vector(v, "v")
    m, s = C.c_double(), C.c_double()
    check(lib.sbi_stats_mean_std(A.addr(v), v.shape[0], C.byref(m), C.byref(s)),
          "sbi_stats_mean_std")
    return m.value, s.value


def time_window(n, dt, t_lo, t_hi):
    """(begin, end): the sample indices i < n with t_lo < i*dt < t_hi."""
    b, e = C.c_int64(), C.c_int64()
    check(lib.sbi_stats_time_window(A.count(n), float(dt), float(t_lo), float(t_hi),
                                    C.byref(b), C.byref(e)), "sbi_stats_time_window")
    return b.value, e.value


def spike_times(v, dt, threshold, t_start, t_end, refractory):
    """Indices (int64) of the spikes of trace v, detected as the reference
    HH tutorial does (see sbi/stats.h)."""
    v = A.vector(v, "v")
    args = (float(dt), float(threshold), float(t_start), float(t_end), float(refractory))
    count = C.c_int64()
    check(lib.sbi_stats_spike_times(A.addr(v), v.shape[0], *args, 0, None, C.byref(count)),
          "sbi_stats_spike_times")
    idx = np.empty(count.value, dtype=np.int64)
    check(lib.sbi_stats_spike_times(A.addr(v), v.shape[0], *args, idx.shape[0],
                                    A.addr(idx) if idx.size else None, C.byref(count)),
          "sbi_stats_spike_times")
    return idx


def spike_count(v, dt, threshold, t_start, t_end, refractory):
    """The number of spikes of spike_times()."""
    v = A.vector(v, "v")
    count = C.c_int64()
    check(lib.sbi_stats_spike_count(A.addr(v), v.shape[0], float(dt), float(threshold),
                                    float(t_start), float(t_end), float(refractory),
                                    C.byref(count)), "sbi_stats_spike_count")
    return count.value


class Summary(Handle):
    """Maps raw simulator output rows (raw_dim) to x rows (out_dim).

    Summary(fn, raw_dim, out_dim) wraps a Python callable fn(raw) -> out
    ((n, raw_dim) -> (n, out_dim); with with_status=True it returns (out,
    failed)). Built-in summaries: Summary.moments, Summary.spike_count,
    Summary.samples, Summary.concat. Combine with a simulator through
    Simulator.with_summary(summary)."""

    _kind = "Summary"
    _traps = ()
    python = False

    def __init__(self, fn, raw_dim, out_dim, *, with_status=False):
        if not callable(fn):
            raise TypeError(f"summary: expected a callable, got {type(fn).__name__}")
        trap = Trap()
        self._traps = (trap,)
        self.python = True

        def summary(_ud, n, rd, raw, od, out, status):
            res = fn(A.buffer(raw, (n, rd)).copy())
            if with_status:
                res, failed = res
                A.store_failed(status, failed, n, "summary")
            res = np.asarray(res)
            if res.shape != (n, od) or res.dtype.kind not in "iuf":
                raise ValueError(f"summary returned shape {res.shape} dtype {res.dtype}; "
                                 f"expected ({n}, {od}) real numbers")
            A.buffer(out, (n, od))[...] = res
            return 0

        cb = callback(_api.SUMMARY_FN, trap, summary, 1)
        out = C.c_void_p()
        check(lib.sbi_summary_create(C.byref(out), A.count(raw_dim, "raw_dim"),
                                     A.count(out_dim, "out_dim"), cb, None), "sbi_summary_create")
        self._set(out.value, lib.sbi_summary_free, [cb])

    @classmethod
    def _made(cls, rc, out, function, keep=(), traps=(), python=False):
        check(rc, function)
        self = Handle.__new__(cls)
        self._set(out.value, lib.sbi_summary_free, keep)
        self._traps, self.python = traps, python
        return self

    @classmethod
    def moments(cls, raw_dim, begin, end, which=("mean", "var", "skew", "kurt")):
        """Moments of raw samples [begin, end) of each row."""
        out = C.c_void_p()
        return cls._made(lib.sbi_summary_create_moments(C.byref(out), A.count(raw_dim, "raw_dim"),
                                                        int(begin), int(end), _which(which)),
                         out, "sbi_summary_create_moments")

    @classmethod
    def spike_count(cls, raw_dim, dt, threshold, t_start, t_end, refractory):
        """The spike count of each row (one value), as spike_count()."""
        out = C.c_void_p()
        return cls._made(lib.sbi_summary_create_spike_count(
            C.byref(out), A.count(raw_dim, "raw_dim"), float(dt), float(threshold),
            float(t_start), float(t_end), float(refractory)), out,
            "sbi_summary_create_spike_count")

    @classmethod
    def samples(cls, raw_dim, begin, end, step=1):
        """Raw samples begin, begin+step, ... < end of each row."""
        out = C.c_void_p()
        return cls._made(lib.sbi_summary_create_samples(C.byref(out), A.count(raw_dim, "raw_dim"),
                                                        int(begin), int(end), int(step)),
                         out, "sbi_summary_create_samples")

    @classmethod
    def concat(cls, parts):
        """The outputs of parts side by side."""
        parts = list(parts)
        if not all(isinstance(p, Summary) for p in parts):
            raise TypeError("concat: expected a list of libsbi.Summary")
        arr = (C.c_void_p * max(len(parts), 1))(*[p._ptr for p in parts])
        out = C.c_void_p()
        traps = tuple(t for p in parts for t in p._traps)
        return cls._made(lib.sbi_summary_create_concat(C.byref(out), len(parts), arr), out,
                         "sbi_summary_create_concat", [p._res for p in parts], traps,
                         any(p.python for p in parts))

    @property
    def dims(self):
        """(raw_dim, out_dim)."""
        r, o = C.c_int32(), C.c_int32()
        check(lib.sbi_summary_dims(self._ptr, C.byref(r), C.byref(o)), "sbi_summary_dims")
        return r.value, o.value

    def compute(self, raw):
        """(out, status) for raw rows (n, raw_dim): out (n, out_dim), status
        ROW_OK / ROW_FAILED / ROW_NONFINITE per row."""
        rd, od = self.dims
        r, _ = A.matrix(raw, "raw", rd)
        out = np.empty((r.shape[0], od))
        # zeros, not empty: libsbi's built-in summaries (hh branch, c9b0457)
        # test status[i] == ROW_OK before writing it.
        status = np.zeros(r.shape[0], dtype=np.int32)
        check(lib.sbi_summary_compute(self._ptr, r.shape[0], A.addr(r), A.addr(out),
                                      A.addr(status)), "sbi_summary_compute", self._traps)
        return out, status

    def __call__(self, raw):
        """out for raw rows; failed rows hold NaN."""
        out, status = self.compute(raw)
        out[status != 0] = np.nan
        return out

    def __repr__(self):
        if self.closed:
            return "<libsbi.Summary (closed)>"
        return "<libsbi.Summary raw_dim=%d out_dim=%d>" % self.dims
