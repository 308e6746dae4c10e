"""The trainer: options, data, training against an analytic posterior,
progress, cancellation, errors."""
import gc

import numpy as np
import pytest

import libsbi
from conftest import linear_gaussian_data

FAST = dict(max_epochs=100, learning_rate=1e-3, hidden_features=32, num_components=3)
XO = np.array([0.5, -0.3])
NOISE = 0.1


def gaussian_prior():
    return libsbi.Gaussian([0.0, 0.0], var=[1.0, 1.0])


def test_options_round_trip_and_aliases():
    tr = libsbi.Trainer(gaussian_prior(), batch_size=64, learning_rate=1e-3, z_score_x=False)
    assert tr.get("batch_size") == 64 and tr.get("training_batch_size") == 64
    assert tr.get("learning_rate") == 1e-3
    assert tr.get("z_score_x") == 0 and tr.get("z_score_theta") == 1
    tr.set(max_num_epochs=7, z_score_theta="none", stop_after_epochs=3.0)
    opts = tr.options
    assert opts["max_epochs"] == 7 and opts["z_score_theta"] == 0
    assert opts["stop_after_epochs"] == 3
    # reference defaults (sbi 0.27) for the others
    assert opts["validation_fraction"] == 0.1 and opts["clip_max_norm"] == 5.0
    assert opts["hidden_features"] == 50 and opts["num_components"] == 10
    assert opts["threads"] == 1
    tr.set(threads=2)
    assert tr.get("threads") == 2
    assert set(opts) == set(libsbi.inference.OPTIONS)
    assert repr(tr) == "<libsbi.Trainer mdn rows=0>"


def test_option_errors():
    tr = libsbi.Trainer(gaussian_prior())
    with pytest.raises(TypeError, match="unknown trainer option 'epochs'"):
        tr.set(epochs=5)
    with pytest.raises(ValueError, match="batch_size: expected an integer"):
        tr.set(batch_size=2.5)
    with pytest.raises(ValueError, match="learning_rate: expected a number"):
        tr.set(learning_rate="fast")
    with pytest.raises(ValueError, match="structured"):
        tr.set(z_score_x="structured")
    with pytest.raises(libsbi.InvalidArgumentError) as info:
        tr.set(batch_size=0)
    assert info.value.message  # the library says which
    with pytest.raises(libsbi.InvalidArgumentError):
        tr.set(validation_fraction=1.5)
    with pytest.raises(libsbi.InvalidArgumentError, match="threads=0"):
        tr.set(threads=0)
    with pytest.raises(ValueError, match="estimator"):
        libsbi.Trainer(gaussian_prior(), "gan")


def test_estimator_names():
    assert libsbi.estimator_name(1) == "mdn"
    assert libsbi.estimator_kind("nsf") == 3
    assert libsbi.estimator_name(99) == "unknown"
    with pytest.raises(libsbi.InvalidArgumentError):
        libsbi.estimator_kind("gan")


def test_append_checks_and_counts():
    tr = libsbi.Trainer(gaussian_prior())
    assert tr.dims == (2, 0)
    theta, x = linear_gaussian_data(10, 0)
    x[3, 1] = np.nan
    theta[5, 0] = np.inf
    tr.append_simulations(theta, x)
    assert tr.dims == (2, 2)
    c = tr.counts
    assert (c.n_valid, c.n_excluded) == (8, 2)
    with pytest.raises(ValueError, match=r"theta: expected shape \(n, 2\)"):
        tr.append_simulations(np.zeros((3, 3)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"x: expected shape \(3, x_dim\)"):
        tr.append_simulations(np.zeros((3, 2)), np.zeros((4, 2)))
    with pytest.raises(libsbi.InvalidArgumentError):
        tr.append_simulations(np.zeros((3, 2)), np.zeros((3, 5)))  # x_dim changed
    with pytest.raises(ValueError, match="x is missing"):
        tr.append_simulations(np.zeros((3, 2)))


def test_state_errors():
    tr = libsbi.Trainer(gaussian_prior())
    with pytest.raises(libsbi.StateError):
        tr.train(seed=1)  # no data
    with pytest.raises(libsbi.StateError):
        tr.build_posterior()
    with pytest.raises(libsbi.StateError):
        tr.epochs
    tr.append_simulations(*linear_gaussian_data(2, 0))
    with pytest.raises(libsbi.InvalidArgumentError):
        tr.train(seed=1)  # too few rows to split


def test_training_recovers_the_analytic_posterior():
    theta, x = linear_gaussian_data(2000, 1, NOISE)
    with libsbi.Trainer(gaussian_prior(), "mdn", **FAST) as tr:
        epochs = []
        post = tr.append_simulations(theta, x).train(
            seed=3, progress=lambda e, t, v: epochs.append((e, t, v))).build_posterior()
        assert [e for e, _, _ in epochs] == list(range(1, tr.epochs + 1))
        assert tr.best_validation_loss == pytest.approx(min(v for _, _, v in epochs))
        assert tr.counts.n_train + tr.counts.n_validation == 2000
    s = post.sample(20_000, XO, seed=4)
    # conjugate: N(x / (1 + s^2), s^2 / (1 + s^2))
    mean = XO / (1 + NOISE ** 2)
    sd = NOISE / np.sqrt(1 + NOISE ** 2)
    np.testing.assert_allclose(s.mean(axis=0), mean, atol=0.04)
    np.testing.assert_allclose(s.std(axis=0), sd, rtol=0.3)
    assert abs(np.corrcoef(s.T)[0, 1]) < 0.15


def test_same_seed_same_posterior():
    theta, x = linear_gaussian_data(500, 2)

    def fit(seed):
        tr = libsbi.Trainer(gaussian_prior(), max_epochs=5)
        return tr.append_simulations(theta, x).train(seed=seed).build_posterior()

    a, b, c = fit(9), fit(9), fit(10)
    assert a.to_bytes() == b.to_bytes()
    assert a.to_bytes() != c.to_bytes()
    np.testing.assert_array_equal(a.sample(100, XO, seed=1), b.sample(100, XO, seed=1))


def test_progress_true_stops_and_keeps_the_best_weights():
    tr = libsbi.Trainer(gaussian_prior(), max_epochs=50)
    tr.append_simulations(*linear_gaussian_data(400, 3))
    with pytest.raises(libsbi.CancelledError):
        tr.train(seed=1, progress=lambda e, t, v: e >= 3)
    assert tr.epochs == 3
    assert tr.build_posterior().sample(5, XO, seed=0).shape == (5, 2)


def test_progress_exception_is_reraised():
    def progress(epoch, train_loss, validation_loss):
        if epoch == 2:
            raise RuntimeError(f"stop at {epoch}")

    tr = libsbi.Trainer(gaussian_prior(), max_epochs=50)
    tr.append_simulations(*linear_gaussian_data(400, 3))
    with pytest.raises(RuntimeError, match="stop at 2") as info:
        tr.train(seed=1, progress=progress)
    assert any(fr.name == "progress" for fr in info.traceback)
    # the trainer stays usable, and the callback is gone after the call
    tr.set(max_epochs=2)
    tr.train(seed=1)
    assert tr.epochs == 2


def test_cancel_from_the_progress_callback():
    tr = libsbi.Trainer(gaussian_prior(), max_epochs=50)
    tr.append_simulations(*linear_gaussian_data(400, 3))
    with pytest.raises(libsbi.CancelledError):
        tr.train(seed=1, progress=lambda e, t, v: tr.cancel() if e == 4 else None)
    assert tr.epochs <= 5


def test_append_dataset_equals_append_arrays(box):
    sim = libsbi.Simulator(lambda t: np.where(t[:, :1] > 1.8, np.nan, t * 2.0), 2, 2)
    ds = libsbi.Runner(sim).run_prior(box, 300, seed=5)
    a = libsbi.Trainer(box, max_epochs=3).append_dataset(ds)
    b = libsbi.Trainer(box, max_epochs=3).append_simulations(*ds.valid())
    assert a.counts.n_valid == b.counts.n_valid == ds.count(libsbi.ROW_OK)
    assert a.counts.n_excluded == 300 - ds.count(libsbi.ROW_OK)
    pa = a.train(seed=2).build_posterior()
    pb = b.train(seed=2).build_posterior()
    np.testing.assert_array_equal(pa.sample(50, [1.0, 1.0], seed=3),
                                  pb.sample(50, [1.0, 1.0], seed=3))
    with pytest.raises(TypeError):
        a.append_dataset(np.zeros((2, 2)))


def test_constant_x_dimensions_are_reported():
    theta, x = linear_gaussian_data(300, 4)
    x = np.hstack([x, np.full((300, 1), 3.0)])
    tr = libsbi.Trainer(gaussian_prior(), max_epochs=2).append_simulations(theta, x)
    with pytest.raises(libsbi.StateError):
        tr.constant_x()
    tr.train(seed=1)
    np.testing.assert_array_equal(tr.constant_x(), [False, False, True])


def test_callback_prior_outlives_its_python_object():
    prior = libsbi.CallbackPrior(
        2, lambda rng, n: rng.normal(2 * n).reshape(n, 2),
        lambda t: -0.5 * (t ** 2).sum(axis=1) - np.log(2 * np.pi))
    tr = libsbi.Trainer(prior, max_epochs=3).append_simulations(*linear_gaussian_data(300, 5))
    post = tr.train(seed=1).build_posterior()
    del prior, tr
    gc.collect()
    assert post.prior.kind == "callback"
    assert post.sample(10, XO, seed=1).shape == (10, 2)
    assert np.isfinite(post.log_prob([[0.0, 0.0]], XO, seed=1)).all()
    with pytest.raises(libsbi.InvalidArgumentError):
        post.to_bytes()  # a callback prior cannot be saved


@pytest.mark.parametrize("estimator", ["maf", "nsf"])
def test_flow_estimators(estimator):
    tr = libsbi.Trainer(gaussian_prior(), estimator, max_epochs=3)
    tr.append_simulations(*linear_gaussian_data(300, 6))
    try:
        post = tr.train(seed=1).build_posterior()
    except libsbi.InvalidArgumentError as e:
        if "not available" in e.message:
            pytest.skip(f"library: {e.message}")
        raise
    assert post.estimator == estimator
    assert post.sample(10, XO, seed=1).shape == (10, 2)


def test_cancel_training_from_another_thread():
    import threading

    tr = libsbi.Trainer(gaussian_prior(), max_epochs=100_000, stop_after_epochs=100_000)
    tr.append_simulations(*linear_gaussian_data(400, 3))
    started = threading.Event()
    t = threading.Thread(target=lambda: (started.wait(), tr.cancel()))
    t.start()
    with pytest.raises(libsbi.CancelledError):
        tr.train(seed=1, progress=lambda e, tl, vl: started.set())
    t.join()
    assert 1 <= tr.epochs < 100_000
