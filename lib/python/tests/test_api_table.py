"""The binding's ctypes table against the C headers: every SBI_API function
of include/sbi/*.h is declared, with the same argument and return types,
and every callback type matches its typedef. Also checks the house rule that
the headers, run through the preprocessor without their #includes, are
clean input for cffi."""
import ctypes as C

import pytest

from headers import SCALARS, c_ast, declarations as parse_declarations, header_text, params, type_name
from libsbi import _api


@pytest.fixture(scope="module")
def declarations():
    return parse_declarations()


def acceptable(t, typedefs):
    """The ctypes types the binding may use for C type t."""
    kind, name, depth = type_name(t)
    if kind == "name" and name in _api.CALLBACK_TYPES and depth == 0:
        return {_api.CALLBACK_TYPES[name]}
    if kind == "name" and name in typedefs and name not in SCALARS and depth == 0:
        return acceptable(typedefs[name], typedefs)
    if depth == 0:
        if name == "void":
            return {None}
        return {SCALARS[name]}
    if depth == 1 and name == "char":
        return {C.c_char_p}
    if depth == 1:
        ok = {C.c_void_p}
        if name in SCALARS:
            ok.add(C.POINTER(SCALARS[name]))
        return ok
    if depth == 2 and name == "char":
        return {C.POINTER(C.c_char_p)}
    if depth == 2:
        return {C.POINTER(C.c_void_p)}
    raise AssertionError(f"unexpected type depth {depth} for {name}")


def test_every_header_function_is_declared(declarations):
    functions, _ = declarations
    assert functions, "no SBI_API function found in include/sbi/*.h"
    missing = sorted(set(functions) - set(_api.FUNCTIONS))
    extra = sorted(set(_api.FUNCTIONS) - set(functions))
    assert not missing, f"declared in the headers, missing from libsbi/_api.py: {missing}"
    assert not extra, f"in libsbi/_api.py but not in the headers: {extra}"


def test_function_types_match_headers(declarations):
    functions, typedefs = declarations
    wrong = []
    for name, fdecl in functions.items():
        if name not in _api.FUNCTIONS:
            continue
        restype, argtypes = _api.FUNCTIONS[name]
        if restype not in acceptable(fdecl.type, typedefs):
            wrong.append(f"{name}: return {restype}")
        ps = params(fdecl)
        if len(ps) != len(argtypes):
            wrong.append(f"{name}: {len(argtypes)} arguments, header has {len(ps)}")
            continue
        for i, (p, a) in enumerate(zip(ps, argtypes)):
            if a not in acceptable(p.type, typedefs):
                wrong.append(f"{name}: argument {i} ({p.name}) is {a}")
    assert not wrong, "\n".join(wrong)


def test_callback_types_match_typedefs(declarations):
    _, typedefs = declarations
    fn_typedefs = {n: t for n, t in typedefs.items()
                   if isinstance(t, c_ast.PtrDecl) and isinstance(t.type, c_ast.FuncDecl)}
    assert set(fn_typedefs) == set(_api.CALLBACK_TYPES), (
        f"callback typedefs {sorted(fn_typedefs)} vs binding {sorted(_api.CALLBACK_TYPES)}")
    for name, t in fn_typedefs.items():
        cb = _api.CALLBACK_TYPES[name]
        fdecl = t.type
        assert cb._restype_ in acceptable(fdecl.type, typedefs), name
        ps = params(fdecl)
        assert len(ps) == len(cb._argtypes_), name
        for p, a in zip(ps, cb._argtypes_):
            assert a in acceptable(p.type, typedefs), f"{name}: {p.name} is {a}"


def test_headers_are_clean_cffi_input():
    text = header_text()  # cffi parses with pycparser: skips without it
    cffi = pytest.importorskip("cffi")
    ffi = cffi.FFI()
    ffi.cdef(text)  # raises on anything cffi cannot parse
    assert "sbi_last_error" in dir(ffi.dlopen(_api.LIBRARY_PATH))
