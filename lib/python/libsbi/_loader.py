"""Find and load the libsbi shared library, and refuse an incompatible one.

Search order (the first hit wins):
  1. the LIBSBI_LIBRARY environment variable: the path of a libsbi.so.N
     (no fallback: a wrong path is an ImportError, so a typo cannot silently
     pick up another library);
  2. the library recorded by `cmake --install` next to this package
     (_install_paths.py, written at install time);
  3. a build tree of the repository this package sits in: build/src/ and
     build/ci/src/ (the two build folders the project's scripts use);
  4. the system: the soname libsbi.so.N through the dynamic linker
     (LD_LIBRARY_PATH, ld.so.cache), then ctypes.util.find_library("sbi").
"""
import ctypes
import ctypes.util
import os
import sys
from pathlib import Path

ENV_VAR = "LIBSBI_LIBRARY"

# The ABI major this binding was written for (the N of libsbi.so.N).
ABI_VERSION = 0


def _soname():
    if sys.platform == "darwin":
        return f"libsbi.{ABI_VERSION}.dylib"
    if sys.platform == "win32":
        return "sbi.dll"
    return f"libsbi.so.{ABI_VERSION}"


def _installed_candidates():
    try:
        from . import _install_paths  # written by `cmake --install`
    except ImportError:
        return []
    return [Path(_install_paths.LIBRARY)]


def _build_tree_candidates():
    # lib/python/libsbi/_loader.py -> the repository root is three levels up.
    root = Path(__file__).resolve().parents[3]
    return [root / b / "src" / _soname() for b in ("build", "build/ci")]


def _open(path):
    mode = getattr(os, "RTLD_GLOBAL", 0)  # plugins resolve sbi_* against it
    return ctypes.CDLL(str(path), mode=mode)


def _check_abi(lib, where):
    try:
        fn = lib.sbi_abi_version
    except AttributeError:
        raise ImportError(f"libsbi: {where} is not a libsbi library "
                          f"(it has no sbi_abi_version)") from None
    fn.restype = ctypes.c_int32
    fn.argtypes = []
    abi = fn()
    if abi != ABI_VERSION:
        raise ImportError(
            f"libsbi: the library {where} has ABI version {abi}, but this Python "
            f"binding was written for ABI version {ABI_VERSION}; install the binding "
            f"that ships with that library, or point {ENV_VAR} at a libsbi.so."
            f"{ABI_VERSION}")


def load():
    """Return (ctypes.CDLL, description of where it came from)."""
    env = os.environ.get(ENV_VAR)
    if env:
        try:
            lib = _open(env)
        except OSError as e:
            raise ImportError(f"libsbi: {ENV_VAR}={env} could not be loaded: {e}") from None
        _check_abi(lib, env)
        return lib, env

    tried = []
    for path in _installed_candidates() + _build_tree_candidates():
        if path.is_file():
            lib = _open(path)
            _check_abi(lib, str(path))
            return lib, str(path)
        tried.append(str(path))

    names = [_soname()]
    found = ctypes.util.find_library("sbi")
    if found and found not in names:
        names.append(found)
    for name in names:
        try:
            lib = _open(name)
        except OSError:
            tried.append(name)
            continue
        _check_abi(lib, name)
        return lib, name

    raise ImportError(
        "libsbi: the shared library was not found. Build it (cmake -S . -B build && "
        f"cmake --build build), install it, or set {ENV_VAR} to the path of "
        f"{_soname()}. Tried: " + ", ".join(tried))
