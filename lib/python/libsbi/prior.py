"""Priors: box-uniform, Gaussian, and priors written in Python."""
import ctypes as C

import numpy as np

from . import _api
from . import _arrays as A
from ._api import lib
from ._errors import Trap, callback, check
from ._handle import Handle
from .rng import Rng, as_rng

KINDS = {1: "box_uniform", 2: "gaussian", 3: "callback"}


class Prior(Handle):
    """A prior over theta (dim values). Create one with BoxUniform, Gaussian
    or CallbackPrior; posteriors also hand out the prior they were trained
    with (Posterior.prior)."""

    _kind = "Prior"
    _traps = ()
    # Resources a copy of this prior needs alive (the Python callbacks of a
    # CallbackPrior, which clones share); a trainer or posterior keeps them.
    _needs = ()

    def _init_out(self, rc, out, function):
        check(rc, function, self._traps)
        self._set(out.value, lib.sbi_prior_free, self._needs)

    @classmethod
    def _borrow(cls, ptr, owner, traps=(), needs=()):
        self = Prior.__new__(Prior)
        self._set(ptr, None, [owner])
        self._traps = traps
        self._needs = needs
        return self

    @property
    def dim(self):
        d = C.c_int32()
        check(lib.sbi_prior_dim(self._ptr, C.byref(d)), "sbi_prior_dim")
        return d.value

    @property
    def kind(self):
        """'box_uniform', 'gaussian' or 'callback'."""
        k = C.c_int32()
        check(lib.sbi_prior_kind(self._ptr, C.byref(k)), "sbi_prior_kind")
        return KINDS.get(k.value, f"unknown({k.value})")

    def bounds(self):
        """(low, high) of the support per dimension (+-inf if unbounded)."""
        d = self.dim
        low, high = np.empty(d), np.empty(d)
        check(lib.sbi_prior_bounds(self._ptr, A.addr(low), A.addr(high)), "sbi_prior_bounds")
        return low, high

    def moments(self):
        """(mean, variance) per dimension; InvalidArgumentError for a
        CallbackPrior."""
        d = self.dim
        mean, var = np.empty(d), np.empty(d)
        check(lib.sbi_prior_moments(self._ptr, A.addr(mean), A.addr(var)), "sbi_prior_moments")
        return mean, var

    def sample(self, n, *, seed=None, rng=None):
        """n draws, shape (n, dim). seed= or rng= (a libsbi.Rng) make it
        reproducible."""
        n = A.count(n)
        g = as_rng(seed, rng)
        out = np.empty((n, self.dim))
        check(lib.sbi_prior_sample(self._ptr, g._ptr, n, A.addr(out)), "sbi_prior_sample",
              self._traps)
        return out

    def log_prob(self, theta):
        """log p(theta) for theta of shape (n, dim) -> (n,), or (dim,) -> float.
        -inf outside the support."""
        t, one = A.matrix(theta, "theta", self.dim, allow_vector=True)
        out = np.empty(t.shape[0])
        check(lib.sbi_prior_log_prob(self._ptr, t.shape[0], A.addr(t), A.addr(out)),
              "sbi_prior_log_prob", self._traps)
        return float(out[0]) if one else out

    def in_support(self, theta):
        """Whether each row lies in the support: (n, dim) -> bool (n,), or
        (dim,) -> bool."""
        t, one = A.matrix(theta, "theta", self.dim, allow_vector=True)
        out = np.empty(t.shape[0], dtype=np.int32)
        check(lib.sbi_prior_in_support(self._ptr, t.shape[0], A.addr(t), A.addr(out)),
              "sbi_prior_in_support", self._traps)
        return bool(out[0]) if one else out.astype(bool)

    def clone(self):
        """An independent copy (a CallbackPrior's copy shares its callbacks)."""
        out = C.c_void_p()
        check(lib.sbi_prior_clone(self._ptr, C.byref(out)), "sbi_prior_clone")
        p = Prior.__new__(Prior)
        p._traps, p._needs = self._traps, self._needs
        p._set(out.value, lib.sbi_prior_free, self._needs)
        return p

    def __repr__(self):
        if self.closed:
            return "<libsbi.Prior (closed)>"
        if self.kind == "box_uniform":
            low, high = self.bounds()
            return f"<libsbi.Prior box_uniform low={low.tolist()} high={high.tolist()}>"
        return f"<libsbi.Prior {self.kind} dim={self.dim}>"


class BoxUniform(Prior):
    """Uniform on the box [low, high] (like sbi.utils.BoxUniform)."""

    def __init__(self, low, high):
        low = A.vector(low, "low")
        high = A.vector(high, "high", low.shape[0])
        out = C.c_void_p()
        self._init_out(lib.sbi_prior_create_box_uniform(C.byref(out), low.shape[0], A.addr(low),
                                                        A.addr(high)),
                       out, "sbi_prior_create_box_uniform")


class Gaussian(Prior):
    """Multivariate normal: Gaussian(mean, cov) with a full (dim, dim)
    covariance, or Gaussian(mean, var=variances) with a diagonal one."""

    def __init__(self, mean, cov=None, *, var=None):
        mean = A.vector(mean, "mean")
        d = mean.shape[0]
        out = C.c_void_p()
        if (cov is None) == (var is None):
            raise ValueError("Gaussian: give exactly one of cov (dim, dim) or var (dim,)")
        if cov is not None:
            cov, _ = A.matrix(cov, "cov", d)
            if cov.shape[0] != d:
                raise ValueError(f"cov: expected shape ({d}, {d}), got {cov.shape}")
            rc = lib.sbi_prior_create_gaussian(C.byref(out), d, A.addr(mean), A.addr(cov))
            self._init_out(rc, out, "sbi_prior_create_gaussian")
        else:
            var = A.vector(var, "var", d)
            rc = lib.sbi_prior_create_gaussian_diag(C.byref(out), d, A.addr(mean), A.addr(var))
            self._init_out(rc, out, "sbi_prior_create_gaussian_diag")


class CallbackPrior(Prior):
    """A prior written in Python.

    sample(rng, n) -> (n, dim) array, drawing with `rng` (a libsbi.Rng valid
    during the call only) so that results follow the library's seeds;
    log_prob(theta) -> (n,) array, -inf outside the support;
    in_support(theta) -> (n,) bool array (optional: a finite log_prob means
    inside). theta is a (n, dim) copy. An exception raised by a callback
    stops the library call and is re-raised to its caller. Such a prior
    cannot be saved in a posterior file.
    """

    def __init__(self, dim, sample, log_prob, in_support=None):
        dim = A.count(dim, "dim")
        trap = Trap()
        self._traps = (trap,)

        def do_sample(_ud, rng_ptr, n, d, out):
            rng = Rng._borrow(rng_ptr)
            try:
                res = sample(rng, n)
            finally:
                rng.close()
            res, _ = A.matrix(res, "CallbackPrior sample() result", d)
            if res.shape[0] != n:
                raise ValueError(f"CallbackPrior sample() result: expected shape ({n}, {d}), "
                                 f"got {res.shape}")
            A.buffer(out, (n, d))[...] = res
            return 0

        def do_log_prob(_ud, n, d, theta, out):
            t = A.buffer(theta, (n, d)).copy()
            res = A.vector(log_prob(t), "CallbackPrior log_prob() result", n)
            A.buffer(out, (n,))[...] = res
            return 0

        def do_support(_ud, n, d, theta, inside):
            t = A.buffer(theta, (n, d)).copy()
            res = np.asarray(in_support(t))
            if res.shape != (n,):
                raise ValueError(f"CallbackPrior in_support() result: expected shape ({n},), "
                                 f"got {res.shape}")
            A.buffer(inside, (n,), np.int32)[...] = res.astype(bool)
            return 0

        cbs = [callback(_api.PRIOR_SAMPLE_FN, trap, do_sample, 1),
               callback(_api.PRIOR_LOG_PROB_FN, trap, do_log_prob, 1)]
        cbs.append(callback(_api.PRIOR_SUPPORT_FN, trap, do_support, 1)
                   if in_support is not None else _api.PRIOR_SUPPORT_FN())
        out = C.c_void_p()
        rc = lib.sbi_prior_create_callback(C.byref(out), dim, cbs[0], cbs[1], cbs[2], None)
        check(rc, "sbi_prior_create_callback", self._traps)
        self._set(out.value, lib.sbi_prior_free, cbs)
        self._needs = (self._res,)
