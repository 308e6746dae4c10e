"""Priors against analytic values; array conversion and error paths."""
import gc
import math

import numpy as np
import pytest

import libsbi


def test_box_uniform_analytic(box):
    assert box.dim == 2 and box.kind == "box_uniform"
    low, high = box.bounds()
    np.testing.assert_array_equal(low, [0.0, -1.0])
    np.testing.assert_array_equal(high, [2.0, 3.0])
    mean, var = box.moments()
    np.testing.assert_allclose(mean, [1.0, 1.0], rtol=1e-15)
    np.testing.assert_allclose(var, [4 / 12, 16 / 12], rtol=1e-15)
    theta = np.array([[1.0, 0.0], [2.0, 3.0], [2.5, 0.0], [np.nan, 0.0]])
    lp = box.log_prob(theta)
    assert lp.shape == (4,)
    assert lp[0] == pytest.approx(-math.log(8.0), rel=1e-15)
    assert lp[1] == pytest.approx(-math.log(8.0), rel=1e-15)  # closed box
    assert lp[2] == -np.inf and lp[3] == -np.inf
    np.testing.assert_array_equal(box.in_support(theta), [True, True, False, False])
    assert box.log_prob([1.0, 1.0]) == pytest.approx(-math.log(8.0))
    assert box.in_support([5.0, 1.0]) is False


def test_box_samples_follow_the_documented_draws(box):
    s = box.sample(1000, seed=3)
    assert s.shape == (1000, 2)
    # header: a box uses dim uniforms per row, low + (high - low) u
    u = libsbi.Rng(3).uniform(2000).reshape(1000, 2)
    np.testing.assert_allclose(s, [0.0, -1.0] + np.array([2.0, 4.0]) * u, rtol=1e-15)
    np.testing.assert_array_equal(box.sample(1000, seed=3), s)
    np.testing.assert_array_equal(box.sample(1000, rng=libsbi.Rng(3)), s)


def test_gaussian_full_covariance_log_prob():
    mean = np.array([1.0, -2.0])
    cov = np.array([[2.0, 0.6], [0.6, 1.0]])
    with libsbi.Gaussian(mean, cov) as g:
        assert g.kind == "gaussian" and g.dim == 2
        theta = np.array([[0.0, 0.0], [1.0, -2.0], [3.0, 1.0]])
        d = theta - mean
        inv = np.linalg.inv(cov)
        want = -0.5 * (np.einsum("ni,ij,nj->n", d, inv, d)
                       + 2 * math.log(2 * math.pi) + math.log(np.linalg.det(cov)))
        np.testing.assert_allclose(g.log_prob(theta), want, rtol=1e-12)
        m, v = g.moments()
        np.testing.assert_allclose(m, mean)
        np.testing.assert_allclose(v, np.diag(cov))
        low, high = g.bounds()
        assert np.all(low == -np.inf) and np.all(high == np.inf)
        s = g.sample(100_000, seed=1)
        np.testing.assert_allclose(np.cov(s.T), cov, atol=0.03)
        np.testing.assert_allclose(s.mean(axis=0), mean, atol=0.02)


def test_gaussian_diagonal():
    with libsbi.Gaussian([0.0, 1.0, 2.0], var=[1.0, 4.0, 0.25]) as g:
        theta = np.array([0.5, 0.0, 2.0])
        want = sum(-0.5 * ((t - m) ** 2 / v + math.log(2 * math.pi * v))
                   for t, m, v in zip(theta, [0.0, 1.0, 2.0], [1.0, 4.0, 0.25]))
        assert g.log_prob(theta) == pytest.approx(want, rel=1e-13)


def test_library_rejects_bad_priors():
    with pytest.raises(libsbi.InvalidArgumentError, match=r"low\[1\]") as info:
        libsbi.BoxUniform([0.0, 5.0], [1.0, 2.0])
    assert info.value.status == -1
    with pytest.raises(libsbi.InvalidArgumentError):
        libsbi.Gaussian([0.0, 0.0], [[1.0, 2.0], [2.0, 1.0]])  # not positive definite
    with pytest.raises(libsbi.InvalidArgumentError):
        libsbi.Gaussian([0.0], var=[-1.0])
    with pytest.raises(libsbi.InvalidArgumentError):
        libsbi.BoxUniform([0.0, np.inf], [1.0, np.inf])


def test_shape_and_dtype_errors(box):
    with pytest.raises(ValueError, match=r"high: expected shape \(2,\)"):
        libsbi.BoxUniform([0.0, 0.0], [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match=r"cov: expected shape \(2, 2\)"):
        libsbi.Gaussian([0.0, 0.0], [[1.0, 0.0]])
    with pytest.raises(ValueError, match="exactly one of"):
        libsbi.Gaussian([0.0])
    with pytest.raises(ValueError, match=r"theta: expected shape \(n, 2\)"):
        box.log_prob(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="dtype complex128"):
        box.log_prob(np.zeros((3, 2), dtype=complex))
    with pytest.raises(ValueError, match="real numbers"):
        box.in_support([["a", "b"]])
    with pytest.raises(ValueError, match="count"):
        box.sample(-1)


def test_conversions_give_the_same_answer(box):
    theta = np.array([[0.5, 0.5], [1.5, 2.5], [3.0, 0.0]])
    want = box.log_prob(theta)
    np.testing.assert_array_equal(box.log_prob(np.asfortranarray(theta)), want)
    np.testing.assert_array_equal(box.log_prob(theta.astype(np.float32)), want)
    np.testing.assert_array_equal(box.log_prob(theta.tolist()), want)
    np.testing.assert_array_equal(box.log_prob(np.array([[1, 0], [1, 2]])),
                                  box.log_prob([[1.0, 0.0], [1.0, 2.0]]))
    wide = np.zeros((3, 4))
    wide[:, ::2] = theta
    np.testing.assert_array_equal(box.log_prob(wide[:, ::2]), want)  # strided view
    big_endian = theta.astype(">f8")
    np.testing.assert_array_equal(box.log_prob(big_endian), want)


def test_clone_is_independent(box):
    c = box.clone()
    box.close()
    assert c.kind == "box_uniform"
    np.testing.assert_array_equal(c.bounds()[1], [2.0, 3.0])


def test_closed_and_context_manager():
    with libsbi.BoxUniform([0.0], [1.0]) as p:
        assert not p.closed
    assert p.closed
    with pytest.raises(ValueError, match="closed Prior"):
        p.dim
    assert "closed" in repr(p)
    p.close()  # twice is fine


def test_handles_are_freed_when_objects_go():
    import weakref
    p = libsbi.BoxUniform([0.0], [1.0])
    res = weakref.ref(p._res)
    fin = p._res._finalizer
    del p
    gc.collect()
    assert res() is None and not fin.alive


class Normal1D:
    """A standard normal prior written in Python, drawing from the library's
    generator so results follow its seeds."""

    def __init__(self):
        self.calls = 0

    def sample(self, rng, n):
        self.calls += 1
        return rng.normal(n).reshape(n, 1)

    def log_prob(self, theta):
        return -0.5 * theta[:, 0] ** 2 - 0.5 * math.log(2 * math.pi)


def test_callback_prior():
    m = Normal1D()
    with libsbi.CallbackPrior(1, m.sample, m.log_prob) as p:
        assert p.kind == "callback" and p.dim == 1
        s = p.sample(5, seed=9)
        np.testing.assert_array_equal(s[:, 0], libsbi.Rng(9).normal(5))
        np.testing.assert_allclose(p.log_prob([[0.0], [1.0]]),
                                   [-0.5 * math.log(2 * math.pi), -0.5 - 0.5 * math.log(2 * math.pi)])
        np.testing.assert_array_equal(p.in_support([[0.0], [np.nan]]), [True, False])
        with pytest.raises(libsbi.InvalidArgumentError):
            p.moments()
        c = p.clone()
    del p
    gc.collect()
    assert c.sample(2, seed=1).shape == (2, 1)  # the clone keeps the callbacks alive


def test_callback_prior_with_in_support():
    p = libsbi.CallbackPrior(1, lambda rng, n: rng.uniform(n).reshape(n, 1),
                             lambda t: np.zeros(len(t)),
                             in_support=lambda t: (t[:, 0] > 0) & (t[:, 0] < 1))
    np.testing.assert_array_equal(p.in_support([[0.5], [2.0]]), [True, False])


def test_callback_prior_exception_is_reraised():
    def sample(rng, n):
        raise ZeroDivisionError("prior sample broke")

    p = libsbi.CallbackPrior(1, sample, lambda t: np.zeros(len(t)))
    with pytest.raises(ZeroDivisionError, match="prior sample broke") as info:
        p.sample(3, seed=1)
    assert any(fr.name == "sample" for fr in info.traceback)
    # the prior still works afterwards
    with pytest.raises(ZeroDivisionError):
        p.sample(1, seed=1)


def test_callback_prior_bad_result_shape():
    p = libsbi.CallbackPrior(2, lambda rng, n: np.zeros((n, 3)), lambda t: np.zeros(len(t)))
    with pytest.raises(ValueError, match=r"sample\(\) result"):
        p.sample(4, seed=0)
    q = libsbi.CallbackPrior(1, lambda rng, n: np.zeros((n, 1)), lambda t: np.zeros(len(t) + 1))
    with pytest.raises(ValueError, match=r"log_prob\(\) result"):
        q.log_prob([[0.0]])
