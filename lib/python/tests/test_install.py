"""After `cmake --install`, `import libsbi` from the installed package finds
the installed library (no LIBSBI_LIBRARY, no build tree around)."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from libsbi import _api


def build_dir():
    lib = Path(_api.LIBRARY_PATH).resolve()
    for d in (lib.parent.parent, lib.parent):
        if (d / "CMakeCache.txt").is_file():
            return d
    return None


def test_installed_package_finds_installed_library(tmp_path):
    cmake, build = shutil.which("cmake"), build_dir()
    if cmake is None or build is None:
        pytest.skip("needs cmake and the library's build tree")
    prefix = tmp_path / "prefix"
    # cmake does not need a sanitizer runtime preloaded (sanitized builds set
    # LD_PRELOAD for Python's sake); running it without is faster and safer.
    plain = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    res = subprocess.run([cmake, "--install", str(build), "--prefix", str(prefix)],
                         capture_output=True, text=True, env=plain, timeout=120)
    assert res.returncode == 0, f"cmake --install failed:\n{res.stdout}\n{res.stderr}"
    pkgs = list(prefix.glob("lib/python*/site-packages/libsbi/__init__.py"))
    assert len(pkgs) == 1, f"installed package not found under {prefix}"
    site = pkgs[0].parent.parent
    env = {k: v for k, v in os.environ.items() if k not in ("LIBSBI_LIBRARY", "PYTHONPATH")}
    env["PYTHONPATH"] = str(site)
    code = ("import libsbi, numpy as np; print(libsbi.library_path); "
            "p = libsbi.BoxUniform([0.0], [2.0]); print(p.log_prob([[1.0]])[0])")
    res = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path,
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    path, lp = res.stdout.split()
    assert Path(path).resolve().is_relative_to(prefix.resolve())
    assert float(lp) == pytest.approx(-0.6931471805599453)
    assert str(pkgs[0].parent) in subprocess.run(
        [sys.executable, "-c", "import libsbi; print(libsbi.__file__)"], env=env, cwd=tmp_path,
        capture_output=True, text=True).stdout
