"""Simulator plugins through the binding: the HH plugin (handed over by CMake
as LIBSBI_HH_PLUGIN) against the reference's noise-free statistics, options,
threads, lifetimes, and the loader's errors."""
import ctypes
import gc

import numpy as np
import pytest

import libsbi
from conftest import SHARED, build_shared_object, env_path

HH_PLUGIN = env_path("LIBSBI_HH_PLUGIN")
needs_hh = pytest.mark.skipif(HH_PLUGIN is None, reason="the HH plugin is not built "
                              "(LIBSBI_HH_PLUGIN unset)")


@pytest.fixture
def hh():
    with libsbi.load_plugin(HH_PLUGIN) as p:
        yield p


@needs_hh
def test_description(hh):
    assert hh.name == "hh" and hh.path == str(HH_PLUGIN)
    assert hh.description and hh.version
    assert hh.dims == (2, 7)
    assert hh.theta_names == ["gbar_Na", "gbar_K"]
    assert hh.theta_units == ["mS/cm^2", "mS/cm^2"]
    assert hh.x_names[0] == "spike_count" and len(hh.x_names) == 7
    low, high = hh.prior_box()
    np.testing.assert_array_equal(low, [0.5, 1e-4])
    np.testing.assert_array_equal(high, [80.0, 15.0])
    prior = hh.prior()
    assert prior.kind == "box_uniform"
    np.testing.assert_array_equal(prior.bounds()[1], high)
    np.testing.assert_array_equal(hh.theta_true, [50.0, 5.0])
    assert "'hh'" in repr(hh)
    assert libsbi.plugin_abi_version() == 1


@needs_hh
def test_noise_free_statistics_match_the_reference(hh):
    path = SHARED / "data" / "hh" / "stats_noise_off.csv"
    if not path.is_file():
        pytest.skip(f"{path} not available")
    ref = np.genfromtxt(path, delimiter=",", skip_header=1)
    hh.set_option("noise", 0)
    assert hh.options["noise"] == 0.0
    x, status = hh.simulator().simulate(ref[:8, :2], seed=0)
    assert (status == libsbi.ROW_OK).all()
    np.testing.assert_allclose(x, ref[:8, 2:], rtol=1e-8, atol=1e-12)


@needs_hh
def test_options(hh):
    opts = hh.options
    assert opts["dt"] == 0.01 and opts["noise"] == 1.0 and len(opts) == 16
    hh.set_option("noise", 0.0)
    quiet = hh.simulator()  # options apply to simulators made afterwards
    a = quiet.simulate([[50.0, 5.0]], seeds=[1])[0]
    b = quiet.simulate([[50.0, 5.0]], seeds=[2])[0]
    np.testing.assert_array_equal(a, b)
    with pytest.raises(libsbi.InvalidArgumentError):
        hh.set_option("dt", -1.0)
    assert hh.get_option("dt") == 0.01
    with pytest.raises(libsbi.InvalidArgumentError):
        hh.get_option("no_such_option")


@needs_hh
def test_plugin_simulator_on_threads_and_after_the_handle(hh):
    sim = hh.simulator()
    prior = hh.prior()
    hh.close()
    gc.collect()
    one = libsbi.Runner(sim, workers=1, chunk_size=3).run_prior(prior, 24, seed=5)
    two = libsbi.Runner(sim, workers=2, chunk_size=5).run_prior(prior, 24, seed=5)
    np.testing.assert_array_equal(one.x, two.x)
    assert one.count(libsbi.ROW_OK) == 24
    # invalid theta is a failed row, never a crash
    x, status = sim.simulate([[-1.0, 5.0], [np.nan, 1.0]], seed=0)
    assert (status == libsbi.ROW_FAILED).all() and np.isnan(x).all()


@needs_hh
def test_descriptor_in_process():
    so = ctypes.CDLL(str(HH_PLUGIN))
    so.sbi_plugin_describe.restype = ctypes.c_void_p
    address = so.sbi_plugin_describe()
    libsbi.plugin.validate_descriptor(address)
    p = libsbi.Plugin.open_descriptor(address, keep=[so])
    assert p.name == "hh" and p.path == "" and p.dims == (2, 7)
    junk = (ctypes.c_uint8 * 256)()
    with pytest.raises(libsbi.VersionError):
        libsbi.plugin.validate_descriptor(ctypes.addressof(junk))


def test_load_errors(tmp_path):
    with pytest.raises(libsbi.PluginError) as info:
        libsbi.load_plugin(tmp_path / "missing.so")
    assert info.value.status == -11 and "missing.so" in info.value.message
    plain = build_shared_object(tmp_path, "int not_a_plugin(void) { return 1; }\n", "plain.so")
    with pytest.raises(libsbi.PluginError, match="sbi_plugin_describe"):
        libsbi.load_plugin(plain)
    null = build_shared_object(tmp_path, "const void *sbi_plugin_describe(void) { return 0; }\n",
                               "null.so")
    with pytest.raises(libsbi.PluginError):
        libsbi.load_plugin(null)
    newer = build_shared_object(tmp_path, """
        #include <stdint.h>
        static const struct { uint32_t size, abi; char rest[256]; } d = {264, 99, {0}};
        const void *sbi_plugin_describe(void) { return &d; }
        """, "newer.so")
    with pytest.raises(libsbi.VersionError):
        libsbi.load_plugin(newer)
