"""The posterior: sample, log_prob, MAP, save and load."""
import ctypes as C
import os
from collections import namedtuple

import numpy as np

from . import _arrays as A
from ._api import lib
from ._errors import BudgetExhaustedError, check
from ._handle import Handle
from .prior import Prior
from .rng import as_rng

TrainingSummary = namedtuple("TrainingSummary", "epochs n_train best_validation_loss")


class Posterior(Handle):
    """q(theta | x): a trained density estimator with its z-scoring and prior.

    Immutable; from Trainer.build_posterior(), Posterior.load(path) or
    Posterior.from_bytes(data). Picklable (through its file format).
    Random calls take seed= (an int; a fresh random seed if omitted) or
    rng= (a libsbi.Rng, whose stream then moves on)."""

    _kind = "Posterior"
    _traps = ()
    _needs = ()

    @classmethod
    def _adopt(cls, ptr, traps=(), needs=()):
        self = cls.__new__(cls)
        self._set(ptr, lib.sbi_posterior_free, needs)
        self._traps, self._needs = traps, needs
        return self

    @classmethod
    def load(cls, path):
        """Load a posterior file (FormatError if corrupt or not a posterior,
        VersionError if from a newer format, InputOutputError if unreadable)."""
        out = C.c_void_p()
        check(lib.sbi_posterior_load(C.byref(out), os.fsencode(os.fspath(path))),
              "sbi_posterior_load")
        return cls._adopt(out.value)

    @classmethod
    def from_bytes(cls, data):
        """Load from the bytes of a posterior file (bytes-like object)."""
        buf = np.frombuffer(memoryview(data).cast("B"), dtype=np.uint8)
        out = C.c_void_p()
        check(lib.sbi_posterior_load_mem(C.byref(out), A.addr(buf) if buf.size else None,
                                         buf.size), "sbi_posterior_load_mem")
        return cls._adopt(out.value)

    def save(self, path):
        """Write to a file (atomically)."""
        check(lib.sbi_posterior_save(self._ptr, os.fsencode(os.fspath(path))),
              "sbi_posterior_save")

    def to_bytes(self):
        """The posterior file's bytes."""
        buf, n = C.c_void_p(), C.c_size_t()
        check(lib.sbi_posterior_save_mem(self._ptr, C.byref(buf), C.byref(n)),
              "sbi_posterior_save_mem")
        try:
            return C.string_at(buf.value, n.value)
        finally:
            lib.sbi_free(buf.value)

    def __reduce__(self):
        return (Posterior.from_bytes, (self.to_bytes(),))

    @property
    def dims(self):
        """(theta_dim, x_dim)."""
        td, xd = C.c_int32(), C.c_int32()
        check(lib.sbi_posterior_dims(self._ptr, C.byref(td), C.byref(xd)), "sbi_posterior_dims")
        return td.value, xd.value

    @property
    def theta_dim(self):
        return self.dims[0]

    @property
    def x_dim(self):
        return self.dims[1]

    @property
    def estimator(self):
        """'mdn', 'maf' or 'nsf'."""
        k = C.c_int32()
        check(lib.sbi_posterior_estimator(self._ptr, C.byref(k)), "sbi_posterior_estimator")
        return lib.sbi_estimator_name(k.value).decode()

    @property
    def prior(self):
        """The prior (borrowed: it keeps this posterior's memory alive)."""
        p = C.c_void_p()
        check(lib.sbi_posterior_prior(self._ptr, C.byref(p)), "sbi_posterior_prior")
        return Prior._borrow(p.value, self._res, self._traps, self._needs)

    @property
    def training_summary(self):
        """TrainingSummary(epochs, n_train, best_validation_loss)."""
        e, n, loss = C.c_int64(), C.c_int64(), C.c_double()
        check(lib.sbi_posterior_training_summary(self._ptr, C.byref(e), C.byref(n),
                                                 C.byref(loss)),
              "sbi_posterior_training_summary")
        return TrainingSummary(e.value, n.value, loss.value)

    def sample(self, n, x, *, seed=None, rng=None, max_proposals=None,
               return_acceptance=False):
        """n samples theta ~ q(theta | x) inside the prior's support, shape
        (n, theta_dim), for one observation x ((x_dim,) or (1, x_dim)).
        At most max_proposals candidates (default max(1e6, 1000 n)); when
        they run out, BudgetExhaustedError carries .samples (those accepted)
        and .acceptance. With return_acceptance, returns (samples,
        acceptance rate)."""
        td, xd = self.dims
        xo = A.observation(x, "x", xd)
        n = A.count(n)
        budget = 0 if max_proposals is None else A.count(max_proposals, "max_proposals")
        g = as_rng(seed, rng)
        out = np.empty((n, td))
        got, acc = C.c_int64(), C.c_double()
        rc = lib.sbi_posterior_sample_ex(self._ptr, g._ptr, A.addr(xo), n, budget, A.addr(out),
                                         C.byref(got), C.byref(acc))
        try:
            check(rc, "sbi_posterior_sample_ex", self._traps)
        except BudgetExhaustedError as e:
            e.samples, e.acceptance = out[:got.value], acc.value
            raise
        return (out, acc.value) if return_acceptance else out

    def sample_batched(self, n, xs, *, seed=None, rng=None):
        """n samples for each observation in xs (n_obs, x_dim): shape
        (n_obs, n, theta_dim)."""
        td, xd = self.dims
        xa, _ = A.matrix(xs, "xs", xd)
        n = A.count(n)
        g = as_rng(seed, rng)
        out = np.empty((xa.shape[0], n, td))
        check(lib.sbi_posterior_sample_batched(self._ptr, g._ptr, xa.shape[0], A.addr(xa), n,
                                               A.addr(out)),
              "sbi_posterior_sample_batched", self._traps)
        return out

    def log_prob(self, theta, x, *, norm_posterior=True, seed=None, rng=None):
        """log q(theta | x) for theta (n, theta_dim) -> (n,), or (theta_dim,)
        -> float; -inf outside the prior's support. norm_posterior=True (the
        reference's default) corrects for the mass leaking out of the
        support, estimated from 10 000 samples drawn with seed=/rng=."""
        td, xd = self.dims
        t, one = A.matrix(theta, "theta", td, allow_vector=True)
        xo = A.observation(x, "x", xd)
        if not norm_posterior and (seed is not None or rng is not None):
            raise ValueError("seed=/rng= only apply with norm_posterior=True")
        g = as_rng(seed, rng) if norm_posterior else None
        out = np.empty(t.shape[0])
        check(lib.sbi_posterior_log_prob(self._ptr, g._ptr if g else None, A.addr(xo),
                                         t.shape[0], A.addr(t), A.addr(out)),
              "sbi_posterior_log_prob", self._traps)
        return float(out[0]) if one else out

    def leakage(self, x, *, seed=None, rng=None):
        """The fraction of q(. | x) inside the prior's support (acceptance
        rate of 10 000 rejection samples; exactly 1 for a Gaussian prior).
        log_prob(..., norm_posterior=False) - log(leakage) is the corrected
        log-probability, for many calls at the same x."""
        xo = A.observation(x, "x", self.x_dim)
        g = as_rng(seed, rng)
        acc = C.c_double()
        check(lib.sbi_posterior_leakage(self._ptr, g._ptr, A.addr(xo), C.byref(acc)),
              "sbi_posterior_leakage", self._traps)
        return acc.value

    def map(self, x, *, seed=None, rng=None, return_log_prob=False):
        """The maximum a posteriori theta at x, shape (theta_dim,); with
        return_log_prob, (theta, uncorrected log-probability)."""
        td, xd = self.dims
        xo = A.observation(x, "x", xd)
        g = as_rng(seed, rng)
        theta = np.empty(td)
        lp = C.c_double()
        check(lib.sbi_posterior_map(self._ptr, g._ptr, A.addr(xo), A.addr(theta), C.byref(lp)),
              "sbi_posterior_map", self._traps)
        return (theta, lp.value) if return_log_prob else theta

    def __repr__(self):
        if self.closed:
            return "<libsbi.Posterior (closed)>"
        td, xd = self.dims
        return f"<libsbi.Posterior {self.estimator} theta_dim={td} x_dim={xd}>"
