"""The quick-start code of docs/python.md and of the package docstring runs
as written."""
import re

import numpy as np

import libsbi
from conftest import REPO


def run(code):
    scope = {}
    exec(compile(code, "<doc>", "exec"), scope)  # noqa: S102 - our own docs
    return scope


def test_docs_python_quick_start():
    text = (REPO / "docs" / "python.md").read_text()
    first = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    scope = run(first)
    s = scope["samples"]
    assert s.shape == (10_000, 2)
    # x = theta + 0.1 noise under a wide box: the posterior sits at x
    np.testing.assert_allclose(s.mean(axis=0), [0.5, -0.3], atol=0.1)


def test_package_docstring_example():
    code = re.search(r"\n\n((?:    .*\n|\n)+)", libsbi.__doc__).group(1)
    scope = run("\n".join(line[4:] for line in code.splitlines()))
    assert scope["samples"].shape == (10_000, 2)
