"""Is a posterior right? C2ST (as sbibm scores it), simulation-based
calibration (SBC) ranks with uniformity tests, expected coverage, and their
SVG plots. docs/diagnostics.md describes the procedures."""
import ctypes as C
import os
from collections import namedtuple

import numpy as np

from . import _api
from . import _arrays as A
from ._api import lib
from ._errors import Trap, check
from .rng import random_seed
from .runner import progress_callback

SBCResult = namedtuple("SBCResult", "ranks hpd_ranks theta x")
SBCResult.__doc__ = """sbc_run's result for the test pairs kept (failed
simulations are skipped): ranks (n, dim) int32 SBC ranks, hpd_ranks (n,)
int32 (the input of coverage_curve), theta (n, dim) and x (n, x_dim)."""


def _samples(a, name, dim=None):
    arr = A._real(a, name)
    if arr.ndim != 2 or (dim is not None and arr.shape[1] != dim):
        want = f"(n, {dim})" if dim is not None else "(n, dim)"
        raise ValueError(f"{name}: expected shape {want}, got {arr.shape}")
    return arr


def _ranks(ranks, name="ranks"):
    """A (n_tests, dim) int32 C-contiguous array of ranks."""
    r = np.asarray(ranks)
    if r.dtype.kind not in "iu":
        raise ValueError(f"{name}: expected integers, got dtype {r.dtype}")
    if r.ndim == 1:
        r = r.reshape(-1, 1)
    if r.ndim != 2:
        raise ValueError(f"{name}: expected shape (n_tests, dim), got {r.shape}")
    if r.size and (r.min() < np.iinfo(np.int32).min or r.max() > np.iinfo(np.int32).max):
        raise ValueError(f"{name}: values out of the int32 range")
    return np.ascontiguousarray(r, dtype=np.int32)


def c2st(x, y, *, seed=0, n_folds=5, max_epochs=10_000, z_score=True, return_folds=False):
    """Classifier two-sample test accuracy between samples x (the reference,
    (n_x, dim)) and y ((n_y, dim)), as sbibm computes it (defaults: 5 folds,
    10 000 epochs at most, z-scoring by x). 0.5: indistinguishable; 1.0:
    fully separable. With return_folds, (accuracy, per-fold accuracies)."""
    xa = _samples(x, "x")
    ya = _samples(y, "y", xa.shape[1])
    folds = np.empty(A.count(n_folds, "n_folds"))
    acc = C.c_double()
    check(lib.sbi_c2st_ex(xa.shape[0], A.addr(xa), ya.shape[0], A.addr(ya), xa.shape[1],
                          A.u64(seed), folds.shape[0], A.count(max_epochs, "max_epochs"),
                          1 if z_score else 0, A.addr(folds) if folds.size else None,
                          C.byref(acc)), "sbi_c2st_ex")
    return (acc.value, folds) if return_folds else acc.value


def sbc_ranks(theta, samples):
    """SBC ranks from given draws: theta (n_tests, dim), samples (n_tests,
    n_samples, dim) -> int32 (n_tests, dim), the number of samples strictly
    below theta per marginal."""
    t = _samples(theta, "theta")
    s = A._real(samples, "samples")
    if s.ndim != 3 or s.shape[0] != t.shape[0] or s.shape[2] != t.shape[1]:
        raise ValueError(f"samples: expected shape ({t.shape[0]}, n_samples, {t.shape[1]}), "
                         f"got {s.shape}")
    out = np.empty(t.shape, dtype=np.int32)
    check(lib.sbi_sbc_ranks(t.shape[0], s.shape[1], t.shape[1], A.addr(t), A.addr(s),
                            A.addr(out)), "sbi_sbc_ranks")
    return out


def sbc_run(posterior, simulator, n_tests, n_samples, *, seed=None, prior=None, progress=None):
    """SBC and expected coverage on a trained posterior: n_tests pairs
    (theta*, x*) from the prior (default: the posterior's) and the simulator,
    as the runner draws them with `seed` (use another seed than the training
    data's), n_samples posterior samples each. Returns SBCResult.
    progress(done, total) after each pair; True cancels. A Python simulator
    runs on this thread."""
    td, xd = posterior.dims
    if simulator.dims != (td, xd):
        raise ValueError(f"simulator dims {simulator.dims} do not match the posterior's "
                         f"{(td, xd)}")
    n_tests, n_samples = A.count(n_tests, "n_tests"), A.count(n_samples, "n_samples")
    seed = random_seed() if seed is None else A.u64(seed)
    trap = Trap()
    cb = progress_callback(trap, progress) if progress is not None else _api.PROGRESS_FN()
    ranks = np.empty((n_tests, td), dtype=np.int32)
    hpd = np.empty(n_tests, dtype=np.int32)
    theta = np.empty((n_tests, td))
    x = np.empty((n_tests, xd))
    used = C.c_int64()
    traps = posterior._traps + simulator._traps + (trap,)
    if prior is not None:
        traps += prior._traps
    check(lib.sbi_sbc_run(posterior._ptr, prior._ptr if prior is not None else None,
                          simulator._ptr, n_tests, n_samples, seed, cb, None, A.addr(ranks),
                          A.addr(hpd), A.addr(theta), A.addr(x), C.byref(used)),
          "sbi_sbc_run", traps)
    k = used.value
    return SBCResult(ranks[:k], hpd[:k], theta[:k], x[:k])


def sbc_run_pairs(posterior, theta, x, n_samples, *, seed=None, progress=None):
    """SBC and expected coverage on given test pairs (e.g. held-out
    simulations not used for training): theta (n_tests, theta_dim), x
    (n_tests, x_dim); the same sampling streams as sbc_run. Returns
    SBCResult (with the given theta and x)."""
    td, xd = posterior.dims
    t, _ = A.matrix(theta, "theta", td)
    xa, _ = A.matrix(x, "x", xd)
    if xa.shape[0] != t.shape[0]:
        raise ValueError(f"x: expected {t.shape[0]} rows to match theta, got {xa.shape[0]}")
    n_samples = A.count(n_samples, "n_samples")
    seed = random_seed() if seed is None else A.u64(seed)
    trap = Trap()
    cb = progress_callback(trap, progress) if progress is not None else _api.PROGRESS_FN()
    ranks = np.empty((t.shape[0], td), dtype=np.int32)
    hpd = np.empty(t.shape[0], dtype=np.int32)
    check(lib.sbi_sbc_run_pairs(posterior._ptr, t.shape[0], A.addr(t), A.addr(xa), n_samples,
                                seed, cb, None, A.addr(ranks), A.addr(hpd)),
          "sbi_sbc_run_pairs", posterior._traps + (trap,))
    return SBCResult(ranks, hpd, np.array(t), np.array(xa))


def sbc_ks(ranks, n_samples):
    """Kolmogorov-Smirnov test of each rank column against the discrete
    uniform on 0..n_samples: (statistics, p-values), (dim,) each."""
    r = _ranks(ranks)
    stat, p = np.empty(r.shape[1]), np.empty(r.shape[1])
    check(lib.sbi_sbc_ks(r.shape[0], r.shape[1], A.addr(r), A.count(n_samples, "n_samples"),
                         A.addr(stat), A.addr(p)), "sbi_sbc_ks")
    return stat, p


def sbc_chi2(ranks, n_samples, n_bins=0):
    """Pearson chi-square test of each rank column against uniformity
    (n_bins 0: min(20, n_samples+1, max(2, n_tests/5))): (chi2, p-values)."""
    r = _ranks(ranks)
    chi2, p = np.empty(r.shape[1]), np.empty(r.shape[1])
    check(lib.sbi_sbc_chi2(r.shape[0], r.shape[1], A.addr(r), A.count(n_samples, "n_samples"),
                           int(n_bins), A.addr(chi2), A.addr(p)), "sbi_sbc_chi2")
    return chi2, p


def sbc_histogram(ranks, n_samples, n_bins):
    """Rank histogram counts, int64 (dim, n_bins), in sbc_chi2's bins."""
    r = _ranks(ranks)
    n_bins = A.count(n_bins, "n_bins")
    counts = np.empty((r.shape[1], n_bins), dtype=np.int64)
    check(lib.sbi_sbc_histogram(r.shape[0], r.shape[1], A.addr(r),
                                A.count(n_samples, "n_samples"), n_bins, A.addr(counts)),
          "sbi_sbc_histogram")
    return counts


def coverage_ranks(log_q_true, log_q_samples):
    """HPD ranks: for each test, how many of its samples have a higher
    log-probability than the true parameters. log_q_true (n_tests,),
    log_q_samples (n_tests, n_samples) -> int32 (n_tests,)."""
    t = A.vector(log_q_true, "log_q_true")
    s = _samples(log_q_samples, "log_q_samples")
    if s.shape[0] != t.shape[0]:
        raise ValueError(f"log_q_samples: expected {t.shape[0]} rows, got {s.shape[0]}")
    out = np.empty(t.shape[0], dtype=np.int32)
    check(lib.sbi_coverage_ranks(t.shape[0], s.shape[1], A.addr(t), A.addr(s), A.addr(out)),
          "sbi_coverage_ranks")
    return out


def coverage_curve(hpd_ranks, n_samples, levels=None):
    """Empirical expected coverage at each credibility level (default
    0.05, 0.10, ..., 0.95): (levels, coverage). A calibrated posterior gives
    coverage ~ level."""
    r = np.ascontiguousarray(_ranks(hpd_ranks, "hpd_ranks").reshape(-1))
    lv = A.vector(np.arange(1, 20) / 20 if levels is None else levels, "levels")
    cov = np.empty(lv.shape[0])
    check(lib.sbi_coverage_curve(r.shape[0], A.addr(r), A.count(n_samples, "n_samples"),
                                 lv.shape[0], A.addr(lv), A.addr(cov)), "sbi_coverage_curve")
    return lv, cov


def sbc_plot_svg(path, ranks, n_samples, n_bins=0, labels=None):
    """SVG rank histograms (one panel per dimension) with the 99 % band of
    a uniform histogram."""
    r = _ranks(ranks)
    names = None
    if labels is not None:
        labels = list(labels)
        if len(labels) != r.shape[1]:
            raise ValueError(f"labels: expected {r.shape[1]} labels, got {len(labels)}")
        names = (C.c_char_p * len(labels))(*[str(s).encode() for s in labels])
    check(lib.sbi_sbc_plot_svg(os.fsencode(os.fspath(path)), r.shape[0], r.shape[1], A.addr(r),
                               A.count(n_samples, "n_samples"), int(n_bins), names),
          "sbi_sbc_plot_svg")


def coverage_plot_svg(path, levels, coverage, n_tests):
    """SVG expected-coverage curve with the diagonal and a 99 % band."""
    lv = A.vector(levels, "levels")
    cov = A.vector(coverage, "coverage", lv.shape[0])
    check(lib.sbi_coverage_plot_svg(os.fsencode(os.fspath(path)), lv.shape[0], A.addr(lv),
                                    A.addr(cov), A.count(n_tests, "n_tests")),
          "sbi_coverage_plot_svg")
