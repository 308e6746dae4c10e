"""SVG figures from the library's small plotting module (no matplotlib
needed): line plots, points, histograms, and the posterior pairplot."""
import ctypes as C
import math
import os

import numpy as np

from . import _arrays as A
from ._api import lib
from ._errors import check
from ._handle import Handle

STYLES = {"solid": 0, "dashed": 1, "dotted": 2}
MARKERS = {"circle": 0, "cross": 1, "plus": 2}


def _s(text):
    return None if text is None else str(text).encode()


def _choice(table, value, name):
    if value not in table:
        raise ValueError(f"{name}: expected one of {list(table)}, got {value!r}")
    return table[value]


def _names(names, dim):
    if names is None:
        return None
    names = list(names)
    if len(names) != dim:
        raise ValueError(f"names: expected {dim} names, got {len(names)}")
    return (C.c_char_p * dim)(*[str(n).encode() for n in names])


class Figure(Handle):
    """A figure of width x height pixels with a grid of rows x cols panels
    (numbered row by row from 0). Save with save(path) or to_svg()."""

    _kind = "Figure"

    def __init__(self, width=800, height=600, rows=1, cols=1):
        out = C.c_void_p()
        check(lib.sbi_plot_create(C.byref(out), int(width), int(height), int(rows), int(cols)),
              "sbi_plot_create")
        self._set(out.value, lib.sbi_plot_free)

    def set_title(self, title):
        check(lib.sbi_plot_set_title(self._ptr, _s(title)), "sbi_plot_set_title")
        return self

    def set_row_weight(self, row, weight):
        check(lib.sbi_plot_set_row_weight(self._ptr, int(row), float(weight)),
              "sbi_plot_set_row_weight")
        return self

    def set_labels(self, panel=0, title=None, xlabel=None, ylabel=None):
        check(lib.sbi_plot_set_labels(self._ptr, int(panel), _s(title), _s(xlabel), _s(ylabel)),
              "sbi_plot_set_labels")
        return self

    def set_limits(self, panel=0, xlim=None, ylim=None):
        """xlim / ylim: (min, max), or None to choose from the data."""
        xmin, xmax = xlim if xlim is not None else (math.nan, math.nan)
        ymin, ymax = ylim if ylim is not None else (math.nan, math.nan)
        check(lib.sbi_plot_set_limits(self._ptr, int(panel), float(xmin), float(xmax),
                                      float(ymin), float(ymax)), "sbi_plot_set_limits")
        return self

    def _xy(self, x, y):
        y = A.vector(y, "y")
        if x is None:
            return None, y
        return A.vector(x, "x", y.shape[0]), y

    def line(self, panel, y, x=None, *, label=None, color=None, width=0.0, style="solid"):
        """A polyline through (x, y) (x default 0, 1, 2, ...)."""
        x, y = self._xy(x, y)
        check(lib.sbi_plot_add_line(self._ptr, int(panel), y.shape[0],
                                    None if x is None else A.addr(x), A.addr(y), _s(label),
                                    _s(color), float(width), _choice(STYLES, style, "style")),
              "sbi_plot_add_line")
        return self

    def points(self, panel, x, y, *, label=None, color=None, size=0.0, marker="circle"):
        """Markers at (x, y)."""
        x, y = self._xy(x, y)
        check(lib.sbi_plot_add_points(self._ptr, int(panel), y.shape[0], A.addr(x), A.addr(y),
                                      _s(label), _s(color), float(size),
                                      _choice(MARKERS, marker, "marker")), "sbi_plot_add_points")
        return self

    def vline(self, panel, x, *, label=None, color=None, style="solid"):
        """A vertical line across the panel at x."""
        check(lib.sbi_plot_add_vline(self._ptr, int(panel), float(x), _s(label), _s(color),
                                     _choice(STYLES, style, "style")), "sbi_plot_add_vline")
        return self

    def histogram(self, panel, values, *, bins=0, range=None, label=None, color=None):
        """A density histogram over range=(lo, hi) (default: the finite
        values' span). A column of a C-ordered 2-D array (samples[:, j]) is
        read in place through its stride."""
        v = values if isinstance(values, np.ndarray) else np.asarray(values)
        if v.dtype != np.float64 or v.ndim != 1 or v.strides[0] % 8 or v.strides[0] <= 0:
            v = A.vector(v, "values")
        if range is None:
            finite = v[np.isfinite(v)]
            lo, hi = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
            if lo == hi:
                lo, hi = lo - 0.5, hi + 0.5
        else:
            lo, hi = range
        check(lib.sbi_plot_add_histogram(self._ptr, int(panel), v.shape[0],
                                         A.addr(v) if v.size else None, v.strides[0] // 8,
                                         int(bins), float(lo), float(hi), _s(label), _s(color)),
              "sbi_plot_add_histogram")
        return self

    def save(self, path):
        """Write the SVG file (atomically)."""
        check(lib.sbi_plot_save(self._ptr, os.fsencode(os.fspath(path))), "sbi_plot_save")

    def to_svg(self):
        """The SVG text."""
        buf, n = C.c_void_p(), C.c_size_t()
        check(lib.sbi_plot_render(self._ptr, C.byref(buf), C.byref(n)), "sbi_plot_render")
        try:
            return C.string_at(buf.value, n.value).decode("utf-8")
        finally:
            lib.sbi_free(buf.value)

    def _repr_svg_(self):  # Jupyter shows the figure
        return self.to_svg()


def pairplot(path, samples, low, high, *, names=None, truth=None, bins=0, title=None):
    """Write the pairplot of samples (n, dim) as SVG: marginal histograms on
    the diagonal, 2-D histograms above, axes limited to [low, high] (the
    prior box), true parameters marked when `truth` is given."""
    s = A._real(samples, "samples")
    if s.ndim != 2:
        raise ValueError(f"samples: expected shape (n, dim), got {s.shape}")
    dim = s.shape[1]
    low = A.vector(low, "low", dim)
    high = A.vector(high, "high", dim)
    t = None if truth is None else A.vector(truth, "truth", dim)
    check(lib.sbi_plot_pairplot(os.fsencode(os.fspath(path)), s.shape[0], dim, A.addr(s),
                                A.addr(low), A.addr(high), _names(names, dim),
                                None if t is None else A.addr(t), int(bins), _s(title)),
          "sbi_plot_pairplot")
