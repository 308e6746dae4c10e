"""docs/julia.md against the headers: Julia is not installed here, so the
doc's code is checked mechanically instead. Every ccall names a public
function with argument and return types that match its C declaration, every
@cfunction matches a callback typedef, and every `const SBI_X = Int32(v)`
has the header's value."""
import re

import pytest

from conftest import REPO
from headers import declarations, enum_values, params, type_name

DOC = REPO / "docs" / "julia.md"

# Julia type -> predicate on (kind, name, depth) of the C type
SCALAR = {"Cint": "int", "Int32": "int32_t", "Int64": "int64_t", "UInt64": "uint64_t",
          "Csize_t": "size_t", "Cdouble": "double"}
POINTEE = {"Cdouble": "double", "Int32": "int32_t", "Int64": "int64_t", "UInt64": "uint64_t",
           "Csize_t": "size_t"}


def matches(jl, c, typedefs):
    kind, name, depth = c
    if kind == "name" and depth == 0 and name in typedefs and name not in SCALAR.values():
        inner = type_name(typedefs[name])
        if inner[0] == "fn" or inner[2] > 0:  # callback typedef: a function pointer
            return jl == "Ptr{Cvoid}"
    if jl in SCALAR:
        return depth == 0 and name == SCALAR[jl]
    if jl == "Cvoid":
        return depth == 0 and name == "void"
    if jl == "Cstring":
        return depth == 1 and name == "char"
    if jl == "Ptr{Cvoid}":
        return depth == 1 and name != "char" and (kind == "struct" or name == "void"
                                                  or name.startswith("sbi_"))
    if jl == "Ptr{UInt8}":
        return depth == 1 and name == "void"  # a byte buffer
    if jl == "Ptr{Ptr{Cvoid}}":
        return depth == 2 and name != "char"
    m = re.fullmatch(r"Ptr\{(\w+)\}", jl)
    if m and m.group(1) in POINTEE:
        return depth == 1 and name == POINTEE[m.group(1)]
    raise AssertionError(f"the test does not know the Julia type {jl}")


def split_types(text):
    return [t.strip() for t in text.split(",") if t.strip()]


def julia_code():
    blocks = re.findall(r"```julia\n(.*?)```", DOC.read_text(), re.S)
    assert blocks, "no julia code block in docs/julia.md"
    return "\n".join(blocks)


CCALL = re.compile(r"ccall\(\(:(\w+),\s*libsbi\),\s*([\w{}]+),\s*\(([^()]*)\)", re.S)
CFUNCTION = re.compile(r"@cfunction\(\w+,\s*([\w{}]+),\s*\(([^()]*)\)\)", re.S)


def test_every_ccall_matches_the_header():
    functions, typedefs = declarations()
    calls = CCALL.findall(julia_code())
    assert len(calls) >= 20
    wrong = []
    for name, ret, args in calls:
        if name not in functions:
            wrong.append(f"{name}: not a public function")
            continue
        f = functions[name]
        if not matches(ret, type_name(f.type), typedefs):
            wrong.append(f"{name}: returns {ret}")
        ps, jl = params(f), split_types(args)
        if len(ps) != len(jl):
            wrong.append(f"{name}: {len(jl)} argument types, the header has {len(ps)}")
            continue
        for p, t in zip(ps, jl):
            if not matches(t, type_name(p.type), typedefs):
                wrong.append(f"{name}: {p.name} given as {t}")
    assert not wrong, "\n".join(wrong)


def test_every_cfunction_matches_a_callback_typedef():
    _, typedefs = declarations()
    callbacks = {n: t.type for n, t in typedefs.items()
                 if type_name(t)[0] == "fn" or (type_name(t)[2] > 0 and
                                                 type(t.type).__name__ == "FuncDecl")}
    found = CFUNCTION.findall(julia_code())
    assert len(found) >= 2
    for ret, args in found:
        jl = split_types(args)
        ok = [n for n, f in callbacks.items()
              if matches(ret, type_name(f.type), typedefs) and len(params(f)) == len(jl)
              and all(matches(t, type_name(p.type), typedefs) for p, t in zip(params(f), jl))]
        assert ok, f"@cfunction returning {ret} with ({args}) matches no callback typedef"


def test_constants_have_the_header_values():
    values = enum_values()
    consts = re.findall(r"const (SBI_\w+) = Int32\((-?\d+)\)", julia_code())
    assert consts
    for name, value in consts:
        assert name in values, f"{name} is not in the headers"
        assert values[name] == int(value), f"{name} = {value}, the header says {values[name]}"


@pytest.mark.parametrize("bad", ["Int64", "Ptr{Int32}"])
def test_the_checker_catches_a_wrong_type(bad):
    functions, typedefs = declarations()
    p = params(functions["sbi_trainer_append"])[3]  # int32_t x_dim
    assert matches("Int32", type_name(p.type), typedefs)
    assert not matches(bad, type_name(p.type), typedefs)
