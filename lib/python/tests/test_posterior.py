"""The posterior: sampling, log_prob (normalised over the prior box), MAP,
files, bytes, pickling, and its error paths."""
import pickle

import numpy as np
import pytest

import libsbi

LOW, HIGH = np.array([-1.0, -1.0]), np.array([1.0, 1.0])
XO = np.array([0.8, -0.2])  # near an edge of the box: leakage matters


@pytest.fixture(scope="module")
def posterior():
    """NPE on theta ~ U([-1, 1]^2), x = theta + 0.3 N(0, I)."""
    prior = libsbi.BoxUniform(LOW, HIGH)
    rng = np.random.default_rng(0)
    theta = rng.uniform(LOW, HIGH, size=(2000, 2))
    x = theta + 0.3 * rng.standard_normal((2000, 2))
    tr = libsbi.Trainer(prior, max_epochs=60, learning_rate=1e-3, hidden_features=32,
                        num_components=3)
    return tr.append_simulations(theta, x).train(seed=1).build_posterior()


def test_properties(posterior):
    assert posterior.dims == (2, 2) and posterior.theta_dim == 2 and posterior.x_dim == 2
    assert posterior.estimator == "mdn"
    s = posterior.training_summary
    assert s.epochs == 60 and s.n_train == 1800 and np.isfinite(s.best_validation_loss)
    prior = posterior.prior
    assert prior.kind == "box_uniform"
    np.testing.assert_array_equal(prior.bounds()[1], HIGH)
    assert "mdn" in repr(posterior)


def test_sample_shape_support_and_reproducibility(posterior):
    s = posterior.sample(5000, XO, seed=7)
    assert s.shape == (5000, 2) and s.dtype == np.float64 and s.flags.c_contiguous
    assert posterior.prior.in_support(s).all()
    np.testing.assert_array_equal(posterior.sample(5000, XO.reshape(1, 2), seed=7), s)
    np.testing.assert_array_equal(posterior.sample(5000, XO, rng=libsbi.Rng(7)), s)
    assert not np.array_equal(posterior.sample(5000, XO, seed=8), s)
    # an Rng moves on: two calls continue one stream
    rng = libsbi.Rng(7)
    a, b = posterior.sample(10, XO, rng=rng), posterior.sample(10, XO, rng=rng)
    assert not np.array_equal(a, b)
    # samples sit around the observation
    assert np.all(np.abs(s.mean(axis=0) - XO) < 0.3)


def test_acceptance_and_budget(posterior):
    s, acc = posterior.sample(1000, XO, seed=1, return_acceptance=True)
    assert s.shape == (1000, 2) and 0.0 < acc <= 1.0
    with pytest.raises(libsbi.BudgetExhaustedError) as info:
        posterior.sample(1000, XO, seed=1, max_proposals=100)
    err = info.value
    assert err.samples.shape[1] == 2 and err.samples.shape[0] <= 100
    assert posterior.prior.in_support(err.samples).all()
    assert 0.0 < err.acceptance <= 1.0


def test_sample_batched(posterior):
    xs = np.array([[0.0, 0.0], [0.8, -0.2], [-0.5, 0.5]])
    out = posterior.sample_batched(2000, xs, seed=3)
    assert out.shape == (3, 2000, 2)
    np.testing.assert_array_equal(posterior.sample_batched(2000, xs, seed=3), out)
    np.testing.assert_allclose(out.mean(axis=1), xs, atol=0.25)


def test_log_prob_normalised_over_the_box(posterior):
    # Riemann sum of exp(log q) over the prior box, with the leakage correction
    g = (np.arange(200) + 0.5) / 200 * 2.0 - 1.0
    grid = np.stack(np.meshgrid(g, g, indexing="ij"), axis=-1).reshape(-1, 2)
    lp = posterior.log_prob(grid, XO, seed=5)
    mass = np.exp(lp).sum() * (2.0 / 200) ** 2
    # the correction is a Monte Carlo estimate from 10 000 samples
    assert mass == pytest.approx(1.0, abs=0.04)
    raw = posterior.log_prob(grid, XO, norm_posterior=False)
    assert np.exp(raw).sum() * (2.0 / 200) ** 2 < mass


def test_log_prob_correction_is_the_leakage(posterior):
    theta = posterior.sample(20, XO, seed=1)
    raw = posterior.log_prob(theta, XO, norm_posterior=False)
    acc = posterior.leakage(XO, seed=2)
    assert 0.0 < acc < 1.0
    np.testing.assert_allclose(posterior.log_prob(theta, XO, seed=2), raw - np.log(acc),
                               rtol=1e-12)


def test_log_prob_shapes_and_support(posterior):
    lp = posterior.log_prob([[0.0, 0.0], [2.0, 0.0]], XO, norm_posterior=False)
    assert lp.shape == (2,) and np.isfinite(lp[0]) and lp[1] == -np.inf
    one = posterior.log_prob([0.0, 0.0], XO, norm_posterior=False)
    assert isinstance(one, float) and one == pytest.approx(lp[0], rel=1e-12)  # BLAS batch
    with pytest.raises(ValueError, match="only apply"):
        posterior.log_prob([0.0, 0.0], XO, norm_posterior=False, seed=1)


def test_map_beats_samples(posterior):
    theta, lp = posterior.map(XO, seed=1, return_log_prob=True)
    assert theta.shape == (2,)
    assert lp == pytest.approx(posterior.log_prob(theta, XO, norm_posterior=False), rel=1e-9)
    s = posterior.sample(2000, XO, seed=2)
    best = posterior.log_prob(s, XO, norm_posterior=False).max()
    assert lp >= best - 1e-6
    np.testing.assert_array_equal(posterior.map(XO, seed=1), theta)


def test_file_round_trip(posterior, tmp_path):
    path = tmp_path / "post.sbi"
    posterior.save(path)
    with libsbi.Posterior.load(path) as loaded:
        np.testing.assert_array_equal(loaded.sample(100, XO, seed=3),
                                      posterior.sample(100, XO, seed=3))
        assert loaded.to_bytes() == posterior.to_bytes()
        assert loaded.training_summary == posterior.training_summary
    assert loaded.closed
    loaded2 = libsbi.Posterior.load(str(path))
    assert loaded2.dims == (2, 2)


def test_bytes_and_pickle(posterior):
    data = posterior.to_bytes()
    assert isinstance(data, bytes) and len(data) > 100
    assert path_free_equal(libsbi.Posterior.from_bytes(data), posterior)
    assert path_free_equal(libsbi.Posterior.from_bytes(bytearray(data)), posterior)
    assert path_free_equal(libsbi.Posterior.from_bytes(memoryview(data)), posterior)
    assert path_free_equal(pickle.loads(pickle.dumps(posterior)), posterior)


def path_free_equal(a, b):
    return np.array_equal(a.sample(50, XO, seed=1), b.sample(50, XO, seed=1))


def test_bad_files(posterior, tmp_path):
    with pytest.raises(libsbi.InputOutputError) as info:
        libsbi.Posterior.load(tmp_path / "missing.sbi")
    assert info.value.status == -7 and "missing.sbi" in str(info.value)
    (tmp_path / "junk.sbi").write_bytes(b"this is not a posterior file at all" * 10)
    with pytest.raises(libsbi.FormatError):
        libsbi.Posterior.load(tmp_path / "junk.sbi")
    data = posterior.to_bytes()
    with pytest.raises(libsbi.FormatError):
        libsbi.Posterior.from_bytes(data[: len(data) // 2])
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x40
    with pytest.raises(libsbi.FormatError):
        libsbi.Posterior.from_bytes(flipped)
    with pytest.raises(libsbi.FormatError):
        libsbi.Posterior.from_bytes(b"")
    with pytest.raises(libsbi.InputOutputError):
        posterior.save(tmp_path / "no" / "dir" / "p.sbi")


def test_argument_errors(posterior):
    with pytest.raises(ValueError, match=r"x: expected one observation of shape \(2,\)"):
        posterior.sample(10, [1.0, 2.0, 3.0], seed=1)
    with pytest.raises(ValueError, match="x: expected one observation"):
        posterior.sample(10, np.zeros((2, 2)), seed=1)
    with pytest.raises(libsbi.InvalidArgumentError):
        posterior.sample(10, [np.nan, 0.0], seed=1)
    with pytest.raises(ValueError, match=r"theta: expected shape \(n, 2\)"):
        posterior.log_prob(np.zeros((3, 4)), XO)
    with pytest.raises(ValueError, match=r"xs: expected shape \(n, 2\)"):
        posterior.sample_batched(10, XO, seed=1)
    with pytest.raises(ValueError, match="not both"):
        posterior.sample(10, XO, seed=1, rng=libsbi.Rng(1))
    with pytest.raises(TypeError, match="libsbi.Rng"):
        posterior.sample(10, XO, rng=np.random.default_rng(1))
    with pytest.raises(TypeError):
        posterior.sample(1.5, XO)


def test_prior_outlives_a_closed_posterior(posterior):
    p = libsbi.Posterior.from_bytes(posterior.to_bytes())
    prior = p.prior
    p.close()
    with pytest.raises(ValueError, match="closed Posterior"):
        p.sample(1, XO)
    np.testing.assert_array_equal(prior.bounds()[0], LOW)  # memory still alive
