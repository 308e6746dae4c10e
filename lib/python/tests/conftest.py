"""Shared helpers for the binding's tests (run from the repository root by
ctest, with LIBSBI_LIBRARY set to the library just built)."""
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import libsbi
from libsbi import _api

REPO = Path(__file__).resolve().parents[3]
SHARED = REPO.parent / "shared"


def needs(*functions):
    """Skip a test whose library functions are not exported yet."""
    missing = [f for f in functions if not _api.has(f)]
    return pytest.mark.skipif(bool(missing), reason="library lacks " + ", ".join(missing))


def env_path(var):
    """A path handed to the tests by CMake, or None when unset/empty."""
    v = os.environ.get(var, "")
    return Path(v) if v else None


def compiler():
    return shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")


def build_shared_object(tmp_path, source, name="fake.so"):
    """Compile C source into a shared object in tmp_path (skips without cc)."""
    cc = compiler()
    if cc is None:
        pytest.skip("no C compiler to build a test library")
    src = tmp_path / (name + ".c")
    src.write_text(source)
    out = tmp_path / name
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(out), str(src)], check=True)
    return out


def linear_gaussian_data(n, seed, noise=0.1):
    """theta ~ N(0, I_2), x = theta + noise * N(0, I_2): the posterior at x is
    N(x / (1 + noise^2), noise^2 / (1 + noise^2) I) (conjugate, analytic)."""
    rng = np.random.default_rng(seed)
    theta = rng.standard_normal((n, 2))
    x = theta + noise * rng.standard_normal((n, 2))
    return theta, x


@pytest.fixture
def box():
    with libsbi.BoxUniform([0.0, -1.0], [2.0, 3.0]) as p:
        yield p
