"""The public C headers, parsed (pycparser): functions, typedefs, enum
values. Shared by the tests that check the binding and the docs against
them."""
import ctypes as C
import re
import subprocess

import pytest

from conftest import REPO, compiler

try:
    import pycparser
    from pycparser import c_ast
except ImportError:  # each test skips then (a module-level skip would make pytest exit 5)
    pycparser = c_ast = None


def require_pycparser():
    if pycparser is None:
        pytest.skip("pycparser is not installed (Debian: python3-pycparser)")

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
    require_pycparser()
    cc = compiler()
    if cc is None:
        pytest.skip("no C preprocessor")
    body = "".join(re.sub(r"^\s*#\s*include.*$", "", h.read_text(), flags=re.M)
                   for h in public_headers())
    res = subprocess.run([cc, "-E", "-P", "-DSBI_API=", "-x", "c", "-"], input=body,
                         capture_output=True, text=True, check=True)
    return res.stdout


def declarations():
    require_pycparser()
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


def params(fdecl):
    ps = fdecl.args.params if fdecl.args else []
    if len(ps) == 1 and type_name(ps[0].type) == ("name", "void", 0):
        return []
    return ps


def enum_values():
    """{SBI_NAME: value} of every enum constant in the headers."""
    values = {}
    for h in public_headers():
        for name, value in re.findall(r"\b(SBI_[A-Z0-9_]+)\s*=\s*(-?\d+)", h.read_text()):
            values[name] = int(value)
    return values
