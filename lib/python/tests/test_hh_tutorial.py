"""The HH tutorial in Python (examples/python/hh_tutorial.py, the HH model's
C plugin loaded through the binding) gives the same posterior and samples,
bit for bit, as the C tutorial (examples/hh/hh_tutorial.c, linked with
libsbi_hh) at the same seeds. CMake hands over the C program and the plugin
(LIBSBI_TEST_HH_TUTORIAL, LIBSBI_HH_PLUGIN)."""
import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import REPO, env_path

C_TUTORIAL = env_path("LIBSBI_TEST_HH_TUTORIAL")
HH_PLUGIN = env_path("LIBSBI_HH_PLUGIN")

pytestmark = pytest.mark.skipif(
    C_TUTORIAL is None or HH_PLUGIN is None,
    reason="the C tutorial and the HH plugin are not built (LIBSBI_TEST_HH_TUTORIAL, "
           "LIBSBI_HH_PLUGIN unset)")


def run_both(tmp_path, *args, c_workers="2", py_workers="1"):
    c_out, py_out = tmp_path / "c", tmp_path / "py"
    subprocess.run([str(C_TUTORIAL), "--out", str(c_out), "--quiet", "--no-plots",
                    "--workers", c_workers, *args], check=True, capture_output=True)
    env = dict(os.environ, PYTHONPATH=str(REPO / "lib" / "python"), MPLBACKEND="Agg")
    res = subprocess.run([sys.executable, str(REPO / "examples" / "python" / "hh_tutorial.py"),
                          "--out", str(py_out), "--workers", py_workers, *args],
                         env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    return c_out, py_out, res.stdout


def test_python_tutorial_matches_the_c_tutorial_bit_for_bit(tmp_path):
    # different worker counts on purpose: results must not depend on them
    c_out, py_out, report = run_both(tmp_path)
    c, py = np.load(c_out / "samples.npy"), np.load(py_out / "samples.npy")
    assert c.shape == py.shape == (10_000, 2)
    assert np.array_equal(c, py)
    assert (c_out / "posterior.sbi").read_bytes() == (py_out / "posterior.sbi").read_bytes()
    # and the inference is right: the truth (50, 5) inside the 95 % intervals
    lo, hi = np.percentile(py, [2.5, 97.5], axis=0)
    assert np.all((lo < [50, 5]) & ([50, 5] < hi)), (lo, hi)
    assert "g_Na" in report and ((py_out / "pairplot.png").is_file()
                                 or (py_out / "pairplot.svg").is_file())


def test_other_seeds_and_sizes_match_too(tmp_path):
    c_out, py_out, _ = run_both(tmp_path, "--seed", "7", "--observation-seed", "3",
                                "--simulations", "200", "--samples", "500", "--no-plots",
                                c_workers="1", py_workers="0")
    assert np.array_equal(np.load(c_out / "samples.npy"), np.load(py_out / "samples.npy"))
