"""The Hodgkin-Huxley tutorial in Python: infer (g_Na, g_K) of a neuron from 7
summary statistics of its voltage response, with libsbi and the HH model's C
simulator plugin (lib/hh, sbi_hh_plugin.so). The same seeds and calls as
examples/hh/hh_tutorial.c, so the same 10 000 posterior samples, bit for bit.

    PYTHONPATH=lib/python python3 examples/python/hh_tutorial.py [--out DIR]

Writes DIR/samples.npy, DIR/posterior.sbi and a pairplot (matplotlib's PNG if
matplotlib is installed, else libsbi's own SVG).
"""
import argparse
import os
from pathlib import Path

import numpy as np

import libsbi


def hh_plugin_path():
    """The HH simulator plugin: LIBSBI_HH_PLUGIN, else the build tree's."""
    built = Path(libsbi.library_path).resolve().parents[1] / "lib" / "hh" / "sbi_hh_plugin.so"
    path = os.environ.get("LIBSBI_HH_PLUGIN") or (str(built) if built.is_file() else None)
    if path is None:
        raise SystemExit("the HH plugin was not found: build lib/hh or set LIBSBI_HH_PLUGIN")
    return path


def main():
    ap = argparse.ArgumentParser(description="The Hodgkin-Huxley tutorial with libsbi.")
    ap.add_argument("--simulations", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--observation-seed", type=int, default=42)
    ap.add_argument("--samples", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=0, help="0: all cores")
    ap.add_argument("--out", default="out/hh-python")
    ap.add_argument("--no-plots", action="store_true", help="skip the pairplot")
    a = ap.parse_args()

    # --- the tutorial ---
    hh = libsbi.load_plugin(hh_plugin_path())                      # the model, in C
    simulator, prior, truth = hh.simulator(), hh.prior(), hh.theta_true
    x_o, status = simulator.simulate(truth[None], seeds=[a.observation_seed])   # 1. observation
    assert status[0] == libsbi.ROW_OK, "the observation's simulation failed"
    runner = libsbi.Runner(simulator, workers=a.workers, chunk_size=16)
    data = runner.run_prior(prior, a.simulations, seed=a.seed)                   # 2. simulate
    trainer = libsbi.Trainer(prior, "mdn").append_dataset(data)                  # 3. train
    posterior = trainer.train(seed=a.seed).build_posterior()
    samples = posterior.sample(a.samples, x_o, rng=libsbi.Rng(a.seed, 1))       # 4. sample
    # ---

    print(f"{data.count(libsbi.ROW_OK)} of {a.simulations} simulations valid, "
          f"{trainer.epochs} epochs")
    for j, name in enumerate(["g_Na", "g_K"]):
        lo, hi = np.percentile(samples[:, j], [2.5, 97.5])
        print(f"{name:5s} mean {samples[:, j].mean():7.3f}  sd {samples[:, j].std():6.3f}  "
              f"95% [{lo:.3f}, {hi:.3f}]  true {truth[j]:g}")
    low, high = hh.prior_box()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    np.save(out / "samples.npy", samples)
    posterior.save(out / "posterior.sbi")
    if a.no_plots:
        print(f"wrote {out}/samples.npy, posterior.sbi")
        return
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        libsbi.plot.pairplot(out / "pairplot.svg", samples, low, high, names=["g_Na", "g_K"],
                             truth=truth, title="HH posterior (libsbi, Python)")
        print(f"wrote {out}/samples.npy, posterior.sbi, pairplot.svg (no matplotlib)")
        return
    fig, ax = plt.subplots(2, 2, figsize=(6, 6))
    for i in range(2):
        for j in range(2):
            if i == j:
                ax[i, j].hist(samples[:, i], bins=50, range=(low[i], high[i]), density=True)
                ax[i, j].axvline(truth[i], color="C1")
            elif i < j:
                ax[i, j].hist2d(samples[:, j], samples[:, i], bins=50, cmap="Blues", cmin=1,
                                range=[[low[j], high[j]], [low[i], high[i]]])
                ax[i, j].plot(truth[j], truth[i], "x", color="C1")
                ax[i, j].set(xlabel="g_K", ylabel="g_Na")
            else:
                ax[i, j].axis("off")
    ax[0, 0].set_xlabel("g_Na (mS/cm²)")
    ax[1, 1].set_xlabel("g_K (mS/cm²)")
    fig.tight_layout()
    fig.savefig(out / "pairplot.png", dpi=100)
    print(f"wrote {out}/samples.npy, posterior.sbi, pairplot.png")


if __name__ == "__main__":
    main()
