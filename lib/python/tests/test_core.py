"""Loading the library, the ABI check, version, status codes and errors."""
import os
import re
import subprocess
import sys

import pytest

import libsbi
from conftest import REPO, build_shared_object
from libsbi import _api, _errors

PY_DIR = str(REPO / "lib" / "python")


def run_import(env_extra, code="import libsbi; print(libsbi.library_path)"):
    env = dict(os.environ, PYTHONPATH=PY_DIR, **env_extra)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)


def test_version_matches_the_build():
    text = (REPO / "CMakeLists.txt").read_text()
    want = re.search(r"project\(libsbi VERSION (\d+)\.(\d+)\.(\d+)", text).groups()
    assert libsbi.version() == ".".join(want)
    assert libsbi.__version__ == libsbi.version()
    major, minor, patch = map(int, want)
    assert libsbi.version_number() == 10000 * major + 100 * minor + patch
    abi = int(re.search(r"set\(SBI_ABI_VERSION (\d+)\)", text).group(1))
    assert libsbi.abi_version() == abi == libsbi.ABI_VERSION


def test_env_var_selects_the_library():
    res = run_import({"LIBSBI_LIBRARY": _api.LIBRARY_PATH})
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == _api.LIBRARY_PATH


def test_env_var_bad_path_is_a_clear_import_error(tmp_path):
    res = run_import({"LIBSBI_LIBRARY": str(tmp_path / "nope.so")})
    assert res.returncode != 0
    assert "ImportError" in res.stderr and "LIBSBI_LIBRARY" in res.stderr
    assert "nope.so" in res.stderr


def test_abi_mismatch_is_refused(tmp_path):
    fake = build_shared_object(tmp_path, "int sbi_abi_version(void) { return 99; }\n")
    res = run_import({"LIBSBI_LIBRARY": str(fake)})
    assert res.returncode != 0
    assert "ABI version 99" in res.stderr
    assert f"ABI version {libsbi.ABI_VERSION}" in res.stderr


def test_not_a_libsbi_library_is_refused(tmp_path):
    fake = build_shared_object(tmp_path, "int something_else(void) { return 0; }\n")
    res = run_import({"LIBSBI_LIBRARY": str(fake)})
    assert res.returncode != 0
    assert "not a libsbi library" in res.stderr


def test_build_tree_is_found_without_env():
    env = {k: v for k, v in os.environ.items() if k != "LIBSBI_LIBRARY"}
    env["PYTHONPATH"] = PY_DIR
    res = subprocess.run([sys.executable, "-c", "import libsbi; print(libsbi.library_path)"],
                         env=env, capture_output=True, text=True)
    built = [REPO / b / "src" / f"libsbi.so.{libsbi.ABI_VERSION}" for b in ("build", "build/ci")]
    if not any(p.is_file() for p in built):
        pytest.skip("no build/ or build/ci/ tree in this checkout")
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() in [str(p) for p in built]


def test_missing_function_raises_clearly(monkeypatch):
    monkeypatch.setattr(_api.lib, "sbi_version_string", _api._Missing("sbi_version_string"))
    with pytest.raises(libsbi.MissingFunctionError, match="sbi_version_string is not exported"):
        libsbi.version()


def test_status_strings():
    assert libsbi.status_string(0) == "success"
    for status in range(-1, -13, -1):
        text = libsbi.status_string(status)
        assert text and text != libsbi.status_string(-1000)


def test_errors_map_every_status_to_a_class():
    for status, name in _errors.STATUS_NAMES.items():
        if status == 0:
            continue
        err = _errors.error_for(status, "sbi_x")
        assert isinstance(err, libsbi.Error)
        assert err.status == status and err.status_name == name
        assert type(err) is not libsbi.Error
    assert issubclass(libsbi.InvalidArgumentError, ValueError)
    assert issubclass(libsbi.InputOutputError, OSError)
    assert issubclass(libsbi.OutOfMemoryError, MemoryError)


def test_library_error_carries_status_and_message():
    with libsbi.Rng(1) as rng:
        with pytest.raises(libsbi.InvalidArgumentError) as info:
            rng.categorical([1.0, -2.0], 3)  # a negative weight
    err = info.value
    assert err.status == -1 and err.status_name == "SBI_EINVAL"
    assert err.message and err.message in str(err)
    assert err.function == "sbi_rng_categorical"


def test_trap_reraises_the_first_exception_with_its_traceback():
    trap = _errors.Trap()

    def boom():
        raise KeyError("first")

    cb = _errors.callback(_api.PROGRESS_FN, trap, lambda *a: boom(), 7)
    assert cb(None, 1, 2) == 7
    trap.capture(RuntimeError("second"))
    with pytest.raises(KeyError, match="first") as info:
        _errors.check(-4, "sbi_demo", (trap,))
    assert any(fr.name == "boom" for fr in info.traceback)
    assert "sbi_demo stopped with SBI_ECANCELED" in "".join(info.value.__notes__)
    assert trap.pop() is None


def test_last_error_and_clear_error():
    with pytest.raises(libsbi.InvalidArgumentError) as info:
        libsbi.BoxUniform([1.0], [0.0])
    assert libsbi.last_error() == info.value.message != ""
    libsbi.clear_error()
    assert libsbi.last_error() == ""
