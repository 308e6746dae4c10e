"""The generator: reproducibility, streams, distributions, errors."""
import numpy as np
import pytest

import libsbi


def test_same_seed_and_stream_same_numbers():
    a, b = libsbi.Rng(42, 3), libsbi.Rng(42, 3)
    np.testing.assert_array_equal(a.uniform(100), b.uniform(100))
    np.testing.assert_array_equal(a.normal(50), b.normal(50))
    np.testing.assert_array_equal(a.u64(10), b.u64(10))


def test_streams_and_seeds_differ():
    u0 = libsbi.Rng(42, 0).u64(8)
    assert not np.array_equal(u0, libsbi.Rng(42, 1).u64(8))
    assert not np.array_equal(u0, libsbi.Rng(43, 0).u64(8))


def test_reset_goes_back_to_the_stream_start():
    rng = libsbi.Rng(7, 2)
    first = rng.normal(20)
    rng.normal(5)
    rng.reset(7, 2)
    np.testing.assert_array_equal(rng.normal(20), first)


def test_uniform_and_normal_moments():
    rng = libsbi.Rng(2024)
    n = 200_000
    u = rng.uniform(n)
    assert u.dtype == np.float64 and u.shape == (n,)
    assert u.min() > 0.0 and u.max() < 1.0
    # mean 1/2, sd 1/sqrt(12): 5 standard errors
    assert abs(u.mean() - 0.5) < 5 * (1 / np.sqrt(12)) / np.sqrt(n)
    z = rng.normal(n)
    assert abs(z.mean()) < 5 / np.sqrt(n)
    assert abs(z.var() - 1.0) < 5 * np.sqrt(2 / n)


def test_categorical_frequencies():
    w = np.array([1.0, 0.0, 3.0])
    c = libsbi.Rng(5).categorical(w, 100_000)
    assert c.dtype == np.int32
    assert set(np.unique(c)) <= {0, 2}
    p = np.mean(c == 2)
    assert abs(p - 0.75) < 5 * np.sqrt(0.75 * 0.25 / 100_000)


def test_u64_type_and_zero_length():
    rng = libsbi.Rng(1)
    assert rng.u64(3).dtype == np.uint64
    assert rng.uniform(0).shape == (0,)


def test_seed_for_index_is_pure_and_spreads():
    a = libsbi.seed_for_index(10, 0)
    assert a == libsbi.seed_for_index(10, 0)
    seeds = {libsbi.seed_for_index(10, i) for i in range(1000)}
    assert len(seeds) == 1000
    assert 0 <= a < 2**64


@pytest.mark.parametrize("bad", [-1, 2**64])
def test_seed_out_of_range(bad):
    with pytest.raises(ValueError, match="seed"):
        libsbi.Rng(bad)


def test_bad_arguments():
    rng = libsbi.Rng(0)
    with pytest.raises(ValueError, match="count"):
        rng.uniform(-1)
    with pytest.raises(TypeError):
        rng.uniform(2.5)
    with pytest.raises(libsbi.InvalidArgumentError):
        rng.categorical([0.0, 0.0], 4)
    with pytest.raises(ValueError, match="weights"):
        rng.categorical([[1.0, 2.0]], 4)


def test_closed_rng_refuses_calls():
    with libsbi.Rng(0) as rng:
        pass
    assert rng.closed
    with pytest.raises(ValueError, match="closed Rng"):
        rng.uniform(1)
