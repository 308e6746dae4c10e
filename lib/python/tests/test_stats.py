"""Summary statistics and summary handles against NumPy computations."""
import numpy as np
import pytest

import libsbi
from conftest import needs
from libsbi import stats


def reference_moments(v):
    m = v.mean()
    d = v - m
    m2, m3, m4 = (d ** 2).mean(), (d ** 3).mean(), (d ** 4).mean()
    return np.array([m, m2, np.sqrt(m2), m3 / m2 ** 1.5, m4 / m2 ** 2])


def test_moments_match_numpy():
    v = np.random.default_rng(1).gamma(2.0, size=1001)
    ref = reference_moments(v)
    np.testing.assert_allclose(stats.moments(v, ["mean", "var", "std", "skew", "kurt"]), ref,
                               rtol=1e-12)
    np.testing.assert_allclose(stats.moments(v), ref[[0, 1, 3, 4]], rtol=1e-12)
    np.testing.assert_allclose(stats.moments(v, stats.MOMENT_STD | stats.MOMENT_MEAN),
                               ref[[0, 2]], rtol=1e-12)
    assert stats.moment_count("kurt") == 1 and stats.moment_count(31) == 5
    assert stats.mean(v) == pytest.approx(ref[0], rel=1e-14)
    m, s = stats.mean_std(v)
    assert (m, s) == (pytest.approx(ref[0], rel=1e-14), pytest.approx(ref[2], rel=1e-12))


def test_moment_errors():
    with pytest.raises(ValueError, match="unknown moment"):
        stats.moments([1.0, 2.0], ["median"])
    with pytest.raises(libsbi.InvalidArgumentError):
        stats.moments([1.0, 2.0], 0)
    with pytest.raises(libsbi.InvalidArgumentError):
        stats.mean([])
    with pytest.raises(ValueError, match="1-D"):
        stats.mean([[1.0, 2.0]])


def test_time_window_header_example():
    assert stats.time_window(12001, 0.01, 10.0, 110.0) == (1001, 11000)
    assert stats.time_window(10, 1.0, 20.0, 30.0)[0] == stats.time_window(10, 1.0, 20.0, 30.0)[1]


def test_spikes_on_a_synthetic_trace():
    dt = 0.1
    t = np.arange(2000) * dt
    v = np.full_like(t, -70.0)
    for k in [300, 800, 805, 1500]:  # spikes rising over two samples
        v[k - 1], v[k] = 0.0, 20.0
    idx = stats.spike_times(v, dt, -10.0, 0.0, 200.0, 0.5)
    # a spike is reported one sample before its peak; the one at 805 comes
    # 0.5 ms after the one at 800, not more than the refractory period
    np.testing.assert_array_equal(idx, [299, 799, 1499])
    assert stats.spike_count(v, dt, -10.0, 0.0, 200.0, 0.5) == 3
    assert stats.spike_count(v, dt, -10.0, 50.0, 200.0, 0.5) == 2
    assert stats.spike_times(np.full(10, -70.0), dt, -10.0, 0.0, 1.0, 0.5).shape == (0,)


def test_builtin_summaries():
    rng = np.random.default_rng(0)
    raw = rng.standard_normal((5, 100))
    mom = libsbi.Summary.moments(100, 10, 90, ["mean", "std"])
    assert mom.dims == (100, 2)
    out, status = mom.compute(raw)
    np.testing.assert_allclose(out[:, 0], raw[:, 10:90].mean(axis=1), rtol=1e-12)
    np.testing.assert_allclose(out[:, 1], raw[:, 10:90].std(axis=1), rtol=1e-12)
    assert (status == libsbi.ROW_OK).all()
    sub = libsbi.Summary.samples(100, 0, 100, 25)
    np.testing.assert_array_equal(sub(raw), raw[:, ::25])
    spikes = libsbi.Summary.spike_count(100, 0.1, 1.5, 0.0, 10.0, 0.5)
    want = [stats.spike_count(r, 0.1, 1.5, 0.0, 10.0, 0.5) for r in raw]
    np.testing.assert_array_equal(spikes(raw)[:, 0], want)
    both = libsbi.Summary.concat([mom, sub, spikes])
    assert both.dims == (100, 2 + 4 + 1)
    np.testing.assert_array_equal(both(raw), np.hstack([out, raw[:, ::25], spikes(raw)]))
    with pytest.raises(libsbi.InvalidArgumentError):
        libsbi.Summary.moments(100, 50, 200)
    with pytest.raises(libsbi.InvalidArgumentError):
        libsbi.Summary.concat([mom, libsbi.Summary.samples(10, 0, 10)])


@needs("sbi_simulator_create_with_summary")
def test_python_summary_and_simulator_with_summary():
    def raw_sim(theta):
        return np.repeat(theta, 10, axis=1) + np.arange(10.0)

    def summary(raw):
        s = np.stack([raw.mean(axis=1), raw.max(axis=1)], axis=1)
        return s, raw[:, 0] < 0  # negative theta rows fail

    summ = libsbi.Summary(summary, 10, 2, with_status=True)
    sim = libsbi.Simulator(raw_sim, 1, 10).with_summary(summ)
    assert sim.dims == (1, 2) and sim.python
    x, status = sim.simulate(np.array([[1.0], [-1.0]]), seed=0)
    np.testing.assert_allclose(x[0], [5.5, 10.0])
    assert status[0] == libsbi.ROW_OK and status[1] == libsbi.ROW_FAILED
    with pytest.raises(ValueError, match="workers=1"):
        libsbi.Runner(sim, workers=2)


def test_python_summary_exception_is_reraised():
    def bad(raw):
        raise OverflowError("summary broke")

    with pytest.raises(OverflowError, match="summary broke"):
        libsbi.Summary(bad, 1, 1).compute(np.zeros((2, 1)))


@needs("sbi_simulator_create_with_summary")
def test_python_summary_exception_in_a_simulator_is_reraised():
    def bad(raw):
        raise OverflowError("summary broke")

    sim = libsbi.Simulator(lambda t: t, 1, 1).with_summary(libsbi.Summary(bad, 1, 1))
    with pytest.raises(OverflowError, match="summary broke"):
        sim.simulate(np.zeros((3, 1)), seed=0)
