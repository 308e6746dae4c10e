"""Python simulators, the runner and datasets: seeds, chunking, progress,
cancellation, failures, and exceptions crossing the C library."""
import gc
import threading

import numpy as np
import pytest

import libsbi


def noisy(theta, seeds):
    """x = theta + N(0, 0.1^2) noise drawn from each row's seed."""
    noise = np.array([np.random.default_rng(int(s)).standard_normal(theta.shape[1])
                      for s in seeds]).reshape(theta.shape)
    return theta + 0.1 * noise


def test_simulate_passes_rows_and_seeds():
    seen = {}

    def fn(theta, seeds):
        seen["theta"], seen["seeds"] = theta, seeds
        return theta * 2.0

    sim = libsbi.Simulator(fn, 2, 2, with_seeds=True)
    assert isinstance(sim, libsbi.PythonSimulator) and sim.python
    assert sim.dims == (2, 2)
    theta = np.arange(6.0).reshape(3, 2)
    x, status = sim.simulate(theta, seed=5)
    np.testing.assert_array_equal(x, theta * 2)
    np.testing.assert_array_equal(status, [libsbi.ROW_OK] * 3)
    np.testing.assert_array_equal(seen["theta"], theta)
    assert seen["seeds"].dtype == np.uint64
    assert list(seen["seeds"]) == [libsbi.seed_for_index(5, i) for i in range(3)]
    # theta handed to the simulator is a copy: keeping it is safe
    assert seen["theta"].flags.owndata


def test_nan_rows_and_status_flags():
    def fn(theta):
        x = theta.copy()
        x[1] = np.nan
        return x, np.array([False, False, True, False])

    sim = libsbi.Simulator(fn, 1, 1, with_status=True)
    x, status = sim.simulate(np.zeros((4, 1)), seed=0)
    np.testing.assert_array_equal(
        status, [libsbi.ROW_OK, libsbi.ROW_NONFINITE, libsbi.ROW_FAILED, libsbi.ROW_OK])
    assert np.isnan(sim(np.zeros((4, 1)), seed=0)[2, 0])  # failed rows read as NaN


def test_explicit_seeds():
    got = []
    sim = libsbi.Simulator(lambda t, s: (got.append(s.copy()), t)[1], 1, 1, with_seeds=True)
    sim.simulate(np.zeros((2, 1)), seeds=[7, 2**64 - 1])
    assert list(got[0]) == [7, 2**64 - 1]
    with pytest.raises(ValueError, match="seeds"):
        sim.simulate(np.zeros((2, 1)), seeds=[1, 2, 3])
    with pytest.raises(ValueError, match="seeds"):
        sim.simulate(np.zeros((2, 1)), seeds=[-1, 2])


def test_simulator_exception_is_reraised_with_traceback():
    def broken_model(theta):
        raise RuntimeError("model diverged")

    sim = libsbi.Simulator(broken_model, 1, 1)
    with pytest.raises(RuntimeError, match="model diverged") as info:
        sim.simulate(np.zeros((2, 1)), seed=0)
    assert any(fr.name == "broken_model" for fr in info.traceback)
    assert "SBI_ESIMULATOR" in "".join(getattr(info.value, "__notes__", []))


@pytest.mark.parametrize("result, what", [
    (lambda t: np.zeros((len(t), 3)), r"shape \(2, 3\)"),
    (lambda t: np.zeros(len(t)), r"shape \(2,\)"),
    (lambda t: np.zeros((len(t), 2), dtype=complex), "complex"),
    (lambda t: None, "shape ()"),
])
def test_wrong_simulator_output_raises_valueerror(result, what):
    sim = libsbi.Simulator(result, 1, 2)
    with pytest.raises(ValueError, match=what):
        sim.simulate(np.zeros((2, 1)), seed=0)


def test_simulator_constructor_errors():
    with pytest.raises(TypeError, match="callable"):
        libsbi.Simulator(42, 1, 1)
    with pytest.raises(libsbi.InvalidArgumentError):
        libsbi.Simulator(lambda t: t, 0, 1)
    sim = libsbi.Simulator(lambda t: t, 2, 2)
    with pytest.raises(ValueError, match=r"theta: expected shape \(n, 2\)"):
        sim.simulate(np.zeros(2), seed=0)


def test_runner_rows_are_prior_streams_and_seeds(box):
    sim = libsbi.Simulator(noisy, 2, 2, with_seeds=True)
    with libsbi.Runner(sim, chunk_size=7) as runner, runner.run_prior(box, 50, seed=11) as ds:
        assert ds.shape == (50, 2, 2) and len(ds) == 50
        theta, x = ds.theta, ds.x
        # row i: theta from the prior's stream (seed, i), seed seed_for_index(seed, i)
        for i in (0, 13, 49):
            np.testing.assert_array_equal(theta[i], box.sample(1, rng=libsbi.Rng(11, i))[0])
        seeds = [libsbi.seed_for_index(11, i) for i in range(50)]
        np.testing.assert_array_equal(x, noisy(np.array(theta), seeds))
        assert ds.count(libsbi.ROW_OK) == 50


@pytest.mark.parametrize("chunk", [1, 3, 64, 1000])
def test_runner_results_do_not_depend_on_chunk_size(box, chunk):
    sim = libsbi.Simulator(noisy, 2, 2, with_seeds=True)
    ref = libsbi.Runner(sim).run_prior(box, 40, seed=3)
    with libsbi.Runner(sim, chunk_size=chunk).run_prior(box, 40, seed=3) as ds:
        np.testing.assert_array_equal(ds.theta, ref.theta)
        np.testing.assert_array_equal(ds.x, ref.x)


def test_runner_chunking_calls():
    sizes = []
    sim = libsbi.Simulator(lambda t: (sizes.append(len(t)), t)[1], 1, 1)
    libsbi.Runner(sim, chunk_size=4).run(np.zeros((10, 1)), seed=0)
    assert sorted(sizes) == [2, 4, 4]


def test_runner_progress_and_cancel_by_return(box):
    reports = []
    sim = libsbi.Simulator(lambda t: t, 2, 2)

    def progress(done, total):
        reports.append((done, total))
        return done >= 20  # True cancels

    runner = libsbi.Runner(sim, chunk_size=10, progress=progress)
    with pytest.raises(libsbi.CancelledError) as info:
        runner.run_prior(box, 100, seed=1)
    assert reports[0] == (10, 100) and reports[-1][0] == 20
    ds = info.value.dataset
    assert ds is not None and len(ds) == 100
    assert ds.count(libsbi.ROW_OK) == 20
    assert ds.count(libsbi.ROW_PENDING) == 80
    # the runner is reusable, and progress can be removed
    runner.progress = None
    assert runner.run_prior(box, 30, seed=1).count(libsbi.ROW_OK) == 30


def test_progress_exception_is_reraised(box):
    def progress(done, total):
        raise KeyError("progress broke")

    runner = libsbi.Runner(libsbi.Simulator(lambda t: t, 2, 2), chunk_size=5, progress=progress)
    with pytest.raises(KeyError, match="progress broke") as info:
        runner.run_prior(box, 20, seed=0)
    assert info.value.dataset.count(libsbi.ROW_OK) >= 5


def test_simulator_exception_in_runner_keeps_simulated_rows(box):
    calls = []

    def sometimes(theta):
        calls.append(len(theta))
        if len(calls) == 3:
            raise ArithmeticError("third chunk failed")
        return theta

    runner = libsbi.Runner(libsbi.Simulator(sometimes, 2, 2), chunk_size=10)
    with pytest.raises(ArithmeticError, match="third chunk") as info:
        runner.run_prior(box, 50, seed=0)
    ds = info.value.dataset
    assert ds.count(libsbi.ROW_OK) == 20 and ds.count(libsbi.ROW_PENDING) == 30


def test_cancel_from_inside_the_simulator(box):
    holder = {}

    def fn(theta):
        holder["runner"].cancel()
        return theta

    runner = libsbi.Runner(libsbi.Simulator(fn, 2, 2), chunk_size=8)
    holder["runner"] = runner
    with pytest.raises(libsbi.CancelledError) as info:
        runner.run_prior(box, 64, seed=0)
    assert info.value.dataset.count(libsbi.ROW_OK) == 8


def test_cancel_from_another_thread(box):
    started = threading.Event()

    def slow(theta):
        started.set()
        threading.Event().wait(0.01)  # releases the GIL
        return theta

    runner = libsbi.Runner(libsbi.Simulator(slow, 2, 2), chunk_size=1)
    t = threading.Thread(target=lambda: (started.wait(), runner.cancel()))
    t.start()
    with pytest.raises(libsbi.CancelledError) as info:
        runner.run_prior(box, 10_000, seed=0)
    t.join()
    assert 0 < info.value.dataset.count(libsbi.ROW_OK) < 10_000


def test_python_simulator_refuses_worker_threads():
    sim = libsbi.Simulator(lambda t: t, 1, 1)
    with pytest.raises(ValueError, match="workers=1"):
        libsbi.Runner(sim, workers=2)
    r = libsbi.Runner(sim)
    with pytest.raises(ValueError, match="GIL"):
        r.workers = 0
    assert r.workers == 1


def test_runner_argument_errors(box):
    r = libsbi.Runner(libsbi.Simulator(lambda t: t, 3, 3))
    with pytest.raises(ValueError, match="prior has dim 2"):
        r.run_prior(box, 10, seed=0)
    with pytest.raises(libsbi.InvalidArgumentError):
        r.chunk_size = 0
    with pytest.raises(TypeError):
        r.progress = 5
    with pytest.raises(ValueError, match=r"theta: expected shape \(n, 3\)"):
        r.run(np.zeros((4, 2)), seed=0)


def test_runner_keeps_its_simulator_alive(box):
    runner = libsbi.Runner(libsbi.Simulator(lambda t: t + 1.0, 2, 2))
    gc.collect()
    with runner.run_prior(box, 5, seed=0) as ds:
        np.testing.assert_array_equal(ds.x, np.asarray(ds.theta) + 1.0)


def test_dataset_from_arrays():
    theta = np.arange(8.0).reshape(4, 2)
    x = np.array([[1.0], [np.nan], [np.inf], [4.0]])
    with libsbi.Dataset(theta, x) as ds:
        assert ds.shape == (4, 2, 1)
        np.testing.assert_array_equal(ds.theta, theta)
        np.testing.assert_array_equal(
            ds.status, [libsbi.ROW_OK, libsbi.ROW_NONFINITE, libsbi.ROW_NONFINITE, libsbi.ROW_OK])
        assert ds.count(libsbi.ROW_NONFINITE) == 2
        vt, vx = ds.valid()
        np.testing.assert_array_equal(vt, theta[[0, 3]])
        np.testing.assert_array_equal(vx, x[[0, 3]])
        assert "valid=2" in repr(ds)
    with pytest.raises(ValueError, match=r"x: expected shape \(4, x_dim\)"):
        libsbi.Dataset(theta, x[:3])
    with pytest.raises(ValueError, match="theta"):
        libsbi.Dataset(theta[0], x)
    empty = libsbi.Dataset(np.zeros((0, 2)), np.zeros((0, 3)))
    assert empty.shape == (0, 2, 3) and empty.theta.shape == (0, 2)


def test_dataset_views_are_zero_copy_readonly_and_outlive_close():
    ds = libsbi.Dataset(np.ones((3, 2)), np.ones((3, 1)))
    theta = ds.theta
    assert not theta.flags.writeable
    assert theta.ctypes.data == ds.theta.ctypes.data  # the library's memory, no copy
    with pytest.raises(ValueError):
        theta[0, 0] = 5.0
    ds.close()
    with pytest.raises(ValueError, match="closed Dataset"):
        ds.x
    del ds
    gc.collect()
    np.testing.assert_array_equal(theta, np.ones((3, 2)))  # still valid memory


def test_simulate_for_sbi(box):
    def fn(theta):
        x = theta.copy()
        x[theta[:, 0] > 1.5] = np.nan
        return x

    theta, x = libsbi.simulate_for_sbi(libsbi.Simulator(fn, 2, 2), box, 200, seed=4)
    assert theta.shape == (200, 2) and x.shape == (200, 2)
    bad = theta[:, 0] > 1.5
    assert np.isnan(x[bad]).all() and not np.isnan(x[~bad]).any()
    theta2, _ = libsbi.simulate_for_sbi(libsbi.Simulator(fn, 2, 2), box, 200, seed=4)
    np.testing.assert_array_equal(theta, theta2)


def test_python_callback_prior_in_runner():
    prior = libsbi.CallbackPrior(1, lambda rng, n: rng.uniform(n).reshape(n, 1),
                                 lambda t: np.zeros(len(t)))
    sim = libsbi.Simulator(lambda t: t, 1, 1)
    with libsbi.Runner(sim).run_prior(prior, 6, seed=2) as ds:
        np.testing.assert_array_equal(ds.theta[3], libsbi.Rng(2, 3).uniform(1))


def test_keyboard_interrupt_in_the_simulator_propagates(box):
    def interrupted(theta):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        libsbi.Runner(libsbi.Simulator(interrupted, 2, 2)).run_prior(box, 10, seed=0)


def test_slices_by_first_index_concatenate_to_one_run(box):
    sim = libsbi.Simulator(noisy, 2, 2, with_seeds=True)
    whole = libsbi.Runner(sim).run_prior(box, 30, seed=8)
    parts = []
    for first in (0, 10, 20):
        r = libsbi.Runner(sim, first_index=first, chunk_size=3)
        assert r.first_index == first
        parts.append(r.run_prior(box, 10, seed=8))
    np.testing.assert_array_equal(np.vstack([p.theta for p in parts]), whole.theta)
    np.testing.assert_array_equal(np.vstack([p.x for p in parts]), whole.x)
    with pytest.raises(ValueError, match="first_index"):
        libsbi.Runner(sim, first_index=-1)


def test_checkpoint_resumes_a_cancelled_run(box, tmp_path):
    calls = []

    def counting(theta, seeds):
        calls.append(len(theta))
        return noisy(theta, seeds)

    sim = libsbi.Simulator(counting, 2, 2, with_seeds=True)
    path = tmp_path / "run.ckpt"
    first = libsbi.Runner(sim, chunk_size=10, checkpoint=path,
                          progress=lambda done, total: done >= 30)
    with pytest.raises(libsbi.CancelledError):
        first.run_prior(box, 100, seed=4)
    assert path.is_file() and sum(calls) == 30
    calls.clear()
    resumed = libsbi.Runner(sim, chunk_size=7, checkpoint=str(path)).run_prior(box, 100, seed=4)
    assert sum(calls) == 70  # only the missing rows
    calls.clear()
    whole = libsbi.Runner(sim).run_prior(box, 100, seed=4)
    np.testing.assert_array_equal(resumed.x, whole.x)
    np.testing.assert_array_equal(resumed.theta, whole.theta)
    (tmp_path / "junk").write_bytes(b"not a checkpoint")
    with pytest.raises(libsbi.FormatError):
        libsbi.Runner(sim, checkpoint=tmp_path / "junk").run_prior(box, 10, seed=4)


def test_replacing_progress_keeps_only_the_current_callback(box):
    runner = libsbi.Runner(libsbi.Simulator(lambda t: t, 2, 2), chunk_size=5)
    before = len(runner._res.keep)
    seen = []
    for k in range(5):
        runner.progress = lambda d, t, k=k: seen.append(k)
    assert len(runner._res.keep) == before
    runner.run_prior(box, 10, seed=0)
    assert seen == [4, 4]
    assert "workers=1" in repr(runner)


TWICE_C = r"""
#include <stdint.h>
int twice(void *ud, int64_t n, int32_t td, const double *theta, const uint64_t *seeds,
          int32_t xd, double *x, int32_t *status)
{
    (void)ud; (void)seeds; (void)xd;
    for (int64_t i = 0; i < n * td; i++) x[i] = 2.0 * theta[i];
    for (int64_t i = 0; i < n; i++) status[i] = theta[i * td] < 0.1;
    return 0;
}
"""


def test_adopted_c_simulator_runs_on_worker_threads(box, tmp_path):
    import ctypes

    from conftest import build_shared_object
    from libsbi import _api
    so = ctypes.CDLL(str(build_shared_object(tmp_path, TWICE_C, "twice.so")))
    fn = _api.SIMULATE_FN(ctypes.cast(so.twice, ctypes.c_void_p).value)
    out = ctypes.c_void_p()
    assert _api.lib.sbi_simulator_create(ctypes.byref(out), 2, 2, fn, None) == 0
    sim = libsbi.Simulator.adopt(out.value, keep=[fn, so])
    assert not sim.python and sim.dims == (2, 2)
    one = libsbi.Runner(sim).run_prior(box, 200, seed=3)
    two = libsbi.Runner(sim, workers=2, chunk_size=7).run_prior(box, 200, seed=3)
    np.testing.assert_array_equal(one.x, two.x)
    ok = one.status == libsbi.ROW_OK
    np.testing.assert_array_equal(np.asarray(one.x)[ok], 2.0 * np.asarray(one.theta)[ok])
    np.testing.assert_array_equal(~ok, np.asarray(one.theta)[:, 0] < 0.1)
    with pytest.raises(ValueError, match="NULL"):
        libsbi.Simulator.adopt(0)
