"""Diagnostics: C2ST on known answers, SBC ranks and tests, coverage, and
sbc_run with a Python simulator, against NumPy computations."""
import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import libsbi
from libsbi import diagnostics as D


def phi(z):
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def test_c2st_known_answers():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((500, 1)), rng.standard_normal((500, 1))
    assert D.c2st(a, b, seed=1) == pytest.approx(0.5, abs=0.05)
    # N(0,1) vs N(2,1): the Bayes classifier's accuracy is Phi(delta/2)
    acc, folds = D.c2st(a, b + 2.0, seed=1, return_folds=True)
    assert acc == pytest.approx(phi(1.0), abs=0.04)
    assert folds.shape == (5,) and acc == pytest.approx(folds.mean(), rel=1e-12)
    assert D.c2st(a, b + 2.0, seed=1) == acc  # same seed, same result


def test_c2st_errors():
    with pytest.raises(ValueError, match=r"y: expected shape \(n, 2\)"):
        D.c2st(np.zeros((10, 2)), np.zeros((10, 3)))
    with pytest.raises(libsbi.InvalidArgumentError):
        D.c2st(np.ones((10, 1)), np.zeros((10, 1)))  # constant column in x
    with pytest.raises(libsbi.InvalidArgumentError):
        D.c2st(np.random.default_rng(0).standard_normal((10, 1)), np.zeros((10, 1)), n_folds=1)


def test_sbc_ranks_match_numpy():
    rng = np.random.default_rng(1)
    theta = rng.standard_normal((30, 2))
    samples = rng.standard_normal((30, 50, 2))
    want = (samples < theta[:, None, :]).sum(axis=1)
    np.testing.assert_array_equal(D.sbc_ranks(theta, samples), want)
    with pytest.raises(ValueError, match="samples"):
        D.sbc_ranks(theta, samples[:, :, :1])


def test_uniformity_tests_and_histogram():
    rng = np.random.default_rng(2)
    n_samples = 99
    uniform = rng.integers(0, n_samples + 1, size=(400, 2))
    skewed = np.minimum(rng.integers(0, n_samples + 1, size=(400, 2)), 30)
    _, p_u = D.sbc_ks(uniform, n_samples)
    _, p_s = D.sbc_ks(skewed, n_samples)
    assert (p_u > 0.001).all() and (p_s < 1e-6).all()
    chi2, p = D.sbc_chi2(uniform, n_samples, 10)
    counts = D.sbc_histogram(uniform, n_samples, 10)
    bins = uniform * 10 // (n_samples + 1)
    for k in range(2):
        np.testing.assert_array_equal(counts[k], np.bincount(bins[:, k], minlength=10))
        expected = 400 / 10
        assert chi2[k] == pytest.approx(((counts[k] - expected) ** 2 / expected).sum(), rel=1e-9)
    assert (p > 0.001).all()
    with pytest.raises(libsbi.InvalidArgumentError):
        D.sbc_ks([[5], [200]], n_samples)  # a rank above n_samples
    with pytest.raises(ValueError, match="integers"):
        D.sbc_ks(np.zeros((3, 1)), n_samples)


def test_coverage_ranks_and_curve():
    rng = np.random.default_rng(3)
    lq_true = rng.standard_normal(200)
    lq_s = rng.standard_normal((200, 99))
    ranks = D.coverage_ranks(lq_true, lq_s)
    np.testing.assert_array_equal(ranks, (lq_s > lq_true[:, None]).sum(axis=1))
    levels, cov = D.coverage_curve(ranks, 99, [0.1, 0.5, 0.9])
    want = [np.mean((ranks + 0.5) / 100 < lv) for lv in levels]
    np.testing.assert_allclose(cov, want)
    lv, _ = D.coverage_curve(ranks, 99)
    assert lv.shape == (19,)


def test_plots(tmp_path):
    rng = np.random.default_rng(4)
    ranks = rng.integers(0, 100, size=(100, 2))
    D.sbc_plot_svg(tmp_path / "sbc.svg", ranks, 99, labels=["g_Na", "g_K"])
    assert "g_Na" in " ".join(ET.parse(tmp_path / "sbc.svg").getroot().itertext())
    levels, cov = D.coverage_curve(rng.integers(0, 100, size=100), 99)
    D.coverage_plot_svg(tmp_path / "cov.svg", levels, cov, 100)
    ET.parse(tmp_path / "cov.svg")
    with pytest.raises(ValueError, match="labels"):
        D.sbc_plot_svg(tmp_path / "x.svg", ranks, 99, labels=["one"])


@pytest.fixture(scope="module")
def linear_posterior():
    prior = libsbi.Gaussian([0.0, 0.0], var=[1.0, 1.0])
    sim = libsbi.Simulator(noisy, 2, 2, with_seeds=True)
    ds = libsbi.Runner(sim, chunk_size=500).run_prior(prior, 2000, seed=1)
    tr = libsbi.Trainer(prior, max_epochs=60, learning_rate=1e-3, hidden_features=32,
                        num_components=2)
    return tr.append_dataset(ds).train(seed=2).build_posterior(), sim


def noisy(theta, seeds):
    return theta + 0.1 * np.array([np.random.default_rng(int(s)).standard_normal(2)
                                   for s in seeds])


def test_sbc_run_with_a_python_simulator(linear_posterior):
    post, sim = linear_posterior
    done = []
    res = D.sbc_run(post, sim, 60, 100, seed=77, progress=lambda d, t: done.append((d, t)))
    assert res.ranks.shape == (60, 2) and res.hpd_ranks.shape == (60,)
    assert res.ranks.min() >= 0 and res.ranks.max() <= 100
    assert done[-1] == (60, 60)
    # the pairs are the runner's rows for that seed
    ds = libsbi.Runner(sim).run_prior(post.prior, 60, seed=77)
    np.testing.assert_array_equal(res.theta, ds.theta)
    np.testing.assert_array_equal(res.x, ds.x)
    _, p = D.sbc_ks(res.ranks, 100)
    assert (p > 1e-4).all()  # a decent posterior is not grossly miscalibrated


def test_sbc_run_pairs_equals_sbc_run_on_the_same_pairs(linear_posterior):
    post, sim = linear_posterior
    res = D.sbc_run(post, sim, 20, 50, seed=5)
    pairs = D.sbc_run_pairs(post, res.theta, res.x, 50, seed=5)
    np.testing.assert_array_equal(pairs.ranks, res.ranks)
    np.testing.assert_array_equal(pairs.hpd_ranks, res.hpd_ranks)
    with pytest.raises(ValueError, match="rows"):
        D.sbc_run_pairs(post, res.theta, res.x[:3], 50, seed=5)
    with pytest.raises(libsbi.InvalidArgumentError):
        D.sbc_run_pairs(post, np.full((2, 2), np.nan), res.x[:2], 50, seed=5)


def test_sbc_run_reraises_simulator_exceptions(linear_posterior):
    post, _ = linear_posterior

    def broken(theta):
        raise LookupError("sbc simulator broke")

    with pytest.raises(LookupError, match="sbc simulator broke"):
        D.sbc_run(post, libsbi.Simulator(broken, 2, 2), 5, 10, seed=1)
    with pytest.raises(libsbi.CancelledError):
        D.sbc_run(post, linear_posterior[1], 5, 10, seed=1, progress=lambda d, t: d >= 2)
    with pytest.raises(ValueError, match="dims"):
        D.sbc_run(post, libsbi.Simulator(lambda t: t, 2, 3), 5, 10, seed=1)
