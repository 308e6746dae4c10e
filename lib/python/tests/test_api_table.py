"""The binding's ctypes table against the C headers: every SBI_API function
of include/sbi/*.h is declared, with the same argument and return types,
and every callback type matches its typedef. Also checks the house rule that
the headers, run through the preprocessor without their #includes, are
clean input for cffi."""
import ctypes as C
import re
import subprocess

import pytest

from conftest import REPO, compiler
from libsbi import _api

pycparser = pytest.importorskip("pycparser")
from pycparser import c_ast  # noqa: E402

INCLUDE = REPO / "include"

# Stand-ins for the fixed-width types (pycparser keeps the typedef names).
PRELUDE = """
typedef int int32_t; typedef long int64_t; typedef unsigned long uint64_t;
typedef unsigned long size_t; typedef unsigned int uint32_t; typedef unsigned char uint8_t;
"""

SCALARS = {
    "int": C.c_int, "int32_t": C.c_int32, "int64_t": C.c_int64, "uint64_t": C.c_uint64,
    "size_t": C.c_size_t, "double": C.c_double, "uint32_t": C.c_uint32,
    "uint8_t": C.c_uint8, "char": C.c_char,
}


def public_headers():
    """include/sbi/*.h in dependency order: the umbrella sbi.h's includes,
    depth first, then any header it does not include yet."""
    order = []

    def visit(path):
        if path in order or not path.is_file():
            return
        for inc in re.findall(r'^\s*#\s*include\s+"([^"]+)"', path.read_text(), re.M):
            visit(INCLUDE / inc)
        order.append(path)

    visit(INCLUDE / "sbi.h")
    for h in sorted((INCLUDE / "sbi").glob("*.h")):
        visit(h)
    return [h for h in order if h.name != "sbi.h"]


def header_text():
    """All public headers, #include lines removed, preprocessed with SBI_API
    defined empty."""
    cc = compiler()
    if cc is None:
        pytest.skip("no C preprocessor")
    body = "".join(re.sub(r"^\s*#\s*include.*$", "", h.read_text(), flags=re.M)
                   for h in public_headers())
    res = subprocess.run([cc, "-E", "-P", "-DSBI_API=", "-x", "c", "-"], input=body,
                         capture_output=True, text=True, check=True)
    return res.stdout


@pytest.fixture(scope="module")
def declarations():
    ast = pycparser.CParser().parse(PRELUDE + header_text())
    functions, typedefs = {}, {}
    for node in ast.ext:
        if isinstance(node, c_ast.Decl) and isinstance(node.type, c_ast.FuncDecl):
            functions[node.name] = node.type
        elif isinstance(node, c_ast.Typedef):
            typedefs[node.name] = node.type
    return functions, typedefs


def type_name(t):
    """('scalar'|'ptr'|'fnptr'|'struct', name, depth) for a pycparser type."""
    depth = 0
    while isinstance(t, c_ast.PtrDecl):
        depth += 1
        t = t.type
    if isinstance(t, c_ast.FuncDecl):
        return ("fn", None, depth)
    inner = t.type
    if isinstance(inner, c_ast.Struct):
        return ("struct", inner.name, depth)
    return ("name", " ".join(inner.names), depth)


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


def params(fdecl):
    ps = fdecl.args.params if fdecl.args else []
    if len(ps) == 1 and type_name(ps[0].type) == ("name", "void", 0):
        return []
    return ps


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
    cffi = pytest.importorskip("cffi")
    ffi = cffi.FFI()
    ffi.cdef(header_text())  # raises on anything cffi cannot parse
    assert "sbi_last_error" in dir(ffi.dlopen(_api.LIBRARY_PATH))
