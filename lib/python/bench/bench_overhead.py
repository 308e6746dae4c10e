"""What the Python binding costs (a benchmark, never a test).

1. posterior.sample(10000, x) from Python against the same call from C
   (python_bench_sample, built with the library) on the same posterior file,
   observation and seed: best of --reps wall times.
2. The per-call overhead of a Python simulator: a trivial simulator (x =
   theta) over 10 000 rows with chunk sizes 1 ... 1000, against the same
   trivial simulator written in C (compiled here with cc, if there is one).

Without --posterior, the posterior is an MDN trained here with the
tutorial's defaults on a stand-in problem of the HH tutorial's shape.

Usage (from the repository root, after building in build/):
    OPENBLAS_NUM_THREADS=1 LIBSBI_LIBRARY=build/src/libsbi.so.0 PYTHONPATH=lib/python \\
        /usr/bin/python3 lib/python/bench/bench_overhead.py
"""
import argparse
import ctypes as C
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

import libsbi
from libsbi import _api

REPO = Path(__file__).resolve().parents[3]

TRIVIAL_C = r"""
#include <stdint.h>
#include <string.h>
int trivial(void *ud, int64_t n, int32_t td, const double *theta, const uint64_t *seeds,
            int32_t xd, double *x, int32_t *status)
{
    (void)ud; (void)seeds; (void)status;
    memcpy(x, theta, sizeof(double) * (size_t)(n * (td < xd ? td : xd)));
    return 0;
}
"""


def best_of(reps, fn):
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def train_posterior():
    """An MDN with the tutorial's defaults on a 2-parameter, 7-statistic
    problem (the HH tutorial's shape)."""
    rng = np.random.default_rng(0)
    prior = libsbi.BoxUniform([0.5, 1e-4], [80.0, 15.0])
    theta = prior.sample(1000, seed=1)
    mix = rng.standard_normal((2, 7))
    x = np.tanh(theta / [80.0, 15.0] @ mix) + 0.05 * rng.standard_normal((1000, 7))
    tr = libsbi.Trainer(prior, "mdn", max_epochs=100)
    return tr.append_simulations(theta, x).train(seed=2).build_posterior(), x[0]


def bench_sample(args):
    if args.posterior:
        post = libsbi.Posterior.load(args.posterior)
        xo = libsbi.io.read_table(args.observation).data.reshape(-1)
        print(f"posterior {args.posterior} ({post.estimator}), x from {args.observation}")
    else:
        post, xo = train_posterior()
    n, seed = 10_000, 3
    py = best_of(args.reps, lambda: post.sample(n, xo, seed=seed))
    print(f"posterior.sample({n}, x) from Python: {py * 1e3:.2f} ms (best of {args.reps})")
    prog = Path(args.c_program)
    if not prog.is_file():
        print(f"  (C timing skipped: {prog} not built)")
        return
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "post.sbi"
        post.save(path)
        res = subprocess.run([str(prog), str(path), str(n), str(args.reps), str(seed)]
                             + [repr(float(v)) for v in xo], capture_output=True, text=True,
                             check=True)
    c_ms = float(res.stdout)
    print(f"sbi_posterior_sample({n}) from C:       {c_ms:.2f} ms (best of {args.reps})")
    print(f"  binding overhead: {py * 1e3 - c_ms:+.3f} ms per call "
          f"({(py * 1e3 / c_ms - 1) * 100:+.1f} %)")


def c_trivial_simulator():
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        return None
    d = Path(tempfile.mkdtemp())
    (d / "t.c").write_text(TRIVIAL_C)
    subprocess.run([cc, "-O2", "-shared", "-fPIC", "-o", str(d / "t.so"), str(d / "t.c")],
                   check=True)
    so = C.CDLL(str(d / "t.so"))
    fn = _api.SIMULATE_FN(C.cast(so.trivial, C.c_void_p).value)
    out = C.c_void_p()
    libsbi._errors.check(_api.lib.sbi_simulator_create(C.byref(out), 2, 2, fn, None),
                         "sbi_simulator_create")
    return libsbi.Simulator._adopt(out.value, [fn, so])


def bench_simulator(args):
    prior = libsbi.BoxUniform([0.0, 0.0], [1.0, 1.0])
    rows = 10_000
    sims = [("Python", libsbi.Simulator(lambda t: t, 2, 2))]
    c_sim = c_trivial_simulator()
    if c_sim is not None:
        sims.append(("C", c_sim))
    print(f"trivial simulator (x = theta) over {rows} rows, best of {args.reps}:")
    print(f"  {'chunk':>6} " + " ".join(f"{name + ' ms':>10} {name + ' us/call':>14}"
                                        for name, _ in sims))
    per_call = {}
    for chunk in (1, 10, 100, 1000):
        cells = []
        for name, sim in sims:
            runner = libsbi.Runner(sim, chunk_size=chunk)
            t = best_of(args.reps, lambda: runner.run_prior(prior, rows, seed=1))
            calls = -(-rows // chunk)
            per_call[(name, chunk)] = t / calls
            cells.append(f"{t * 1e3:10.2f} {t / calls * 1e6:14.2f}")
        print(f"  {chunk:>6} " + " ".join(cells))
    if c_sim is not None:
        extra = (per_call[("Python", 1)] - per_call[("C", 1)]) * 1e6
        print(f"  Python simulator overhead per call (chunk 1, over C): {extra:.2f} us")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--c-program", default=str(REPO / "build" / "lib" / "python" /
                                               "python_bench_sample"))
    ap.add_argument("--posterior", help="a posterior file (e.g. the HH tutorial's "
                    "out/hh/posterior.sbi) instead of a freshly trained stand-in")
    ap.add_argument("--observation", help="its observation (CSV or .npy, one row)")
    args = ap.parse_args()
    if bool(args.posterior) != bool(args.observation):
        ap.error("--posterior and --observation go together")
    print(f"libsbi {libsbi.version()} from {libsbi.library_path}; load average "
          f"{os.getloadavg()[0]:.1f} (timings are only meaningful on a quiet machine)")
    bench_sample(args)
    bench_simulator(args)


if __name__ == "__main__":
    main()
