"""Tables (CSV / .npy) against NumPy's own readers and writers, prior
specifications, and SVG figures (well-formed XML holding what was drawn)."""
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import libsbi
from libsbi import io, plot


def test_npy_written_by_numpy_reads_back(tmp_path):
    a = np.random.default_rng(0).standard_normal((7, 3))
    np.save(tmp_path / "a.npy", a)
    t = io.read_table(tmp_path / "a.npy")
    assert t.format == "npy" and t.names is None
    np.testing.assert_array_equal(t.data, a)
    assert not t.data.flags.writeable
    np.save(tmp_path / "v.npy", a[:, 0].astype(np.float32))
    v = io.read_table(str(tmp_path / "v.npy")).data
    assert v.shape == (7,)
    np.testing.assert_array_equal(v, a[:, 0].astype(np.float32).astype(np.float64))


def test_written_npy_and_csv_read_in_numpy(tmp_path):
    a = np.array([[1.0, 2.5], [np.nan, -np.inf], [1e-300, 0.1]])
    io.write_table(tmp_path / "a.npy", a)
    np.testing.assert_array_equal(np.load(tmp_path / "a.npy"), a)
    io.write_table(tmp_path / "a.csv", a, names=["g_Na", "g_K"])
    text = (tmp_path / "a.csv").read_text()
    assert text.splitlines()[0] == "g_Na,g_K"
    np.testing.assert_array_equal(np.genfromtxt(tmp_path / "a.csv", delimiter=",",
                                                skip_header=1), a)
    t = io.read_table(tmp_path / "a.csv")
    assert t.names == ["g_Na", "g_K"] and t.format == "csv"
    np.testing.assert_array_equal(t.data, a)  # shortest round-trip decimal


def test_bytes_round_trip():
    a = np.arange(6.0).reshape(3, 2)
    for fmt in ("csv", "npy"):
        b = io.table_to_bytes(a, names=["a", "b"] if fmt == "csv" else None, format=fmt)
        t = io.read_table_bytes(b)
        assert t.format == fmt
        np.testing.assert_array_equal(t.data, a)
    assert io.read_table_bytes(b"x,y\n1,2\n", "csv").names == ["x", "y"]


def test_table_errors(tmp_path):
    with pytest.raises(libsbi.InputOutputError, match="nope.csv"):
        io.read_table(tmp_path / "nope.csv")
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n3,zz\n")
    with pytest.raises(libsbi.FormatError) as info:
        io.read_table(tmp_path / "bad.csv")
    assert info.value.status == -5 and "3" in info.value.message  # names the line
    with pytest.raises(libsbi.FormatError):
        io.read_table_bytes(b"\x93NUMPY\x01\x00garbage", "npy")
    with pytest.raises(ValueError, match="names"):
        io.write_table(tmp_path / "x.csv", np.zeros((2, 2)), names=["one"])
    with pytest.raises(libsbi.InvalidArgumentError):
        io.write_table(tmp_path / "x.csv", np.zeros((2, 2)), names=["a,b", "c"])
    with pytest.raises(ValueError, match="format"):
        io.table_to_bytes(np.zeros((1, 1)), format="auto")
    with pytest.raises(libsbi.InputOutputError):
        io.write_table(tmp_path / "no" / "such" / "dir.csv", np.zeros((1, 1)))
    assert not (tmp_path / "no").exists()


def test_parse_prior():
    p = io.parse_prior("box:0.5,1e-4:80,15")
    assert p.kind == "box_uniform"
    np.testing.assert_array_equal(p.bounds()[0], [0.5, 1e-4])
    g = io.parse_prior("gaussian:0,1:4,9")
    np.testing.assert_array_equal(g.moments()[1], [4.0, 9.0])
    with pytest.raises(libsbi.InvalidArgumentError, match="."):
        io.parse_prior("box:1:0")
    with pytest.raises(libsbi.InvalidArgumentError):
        io.parse_prior("cauchy:0:1")


def svg_text(root):
    return " ".join(t for t in root.itertext())


def test_figure_svg_is_well_formed_and_holds_the_labels(tmp_path):
    t = np.linspace(0, 10, 500)
    samples = np.random.default_rng(1).standard_normal((1000, 2))
    fig = plot.Figure(600, 400, 2, 1)
    fig.set_title("Traces & <tests>").set_row_weight(0, 3.0)
    fig.set_labels(0, "voltage", "time (ms)", "V (mV)")
    fig.line(0, np.sin(t), t, label="sin", color="#1f77b4", style="dashed")
    fig.points(0, t[::50], np.cos(t[::50]), label="cos", marker="cross")
    fig.vline(0, 5.0, label="five")
    fig.histogram(1, samples[:, 1], bins=20, label="column 1")  # strided, no copy
    fig.set_limits(1, xlim=(-4, 4))
    svg = fig.to_svg()
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    text = svg_text(root)
    for want in ("Traces & <tests>", "time (ms)", "V (mV)", "sin", "cos", "five", "column 1"):
        assert want in text
    fig.save(tmp_path / "f.svg")
    assert ET.parse(tmp_path / "f.svg").getroot().tag.endswith("svg")
    assert fig._repr_svg_() == svg


def test_strided_histogram_equals_a_copied_column():
    samples = np.random.default_rng(2).standard_normal((500, 3))
    a = plot.Figure(300, 300).histogram(0, samples[:, 2], bins=10, range=(-3, 3)).to_svg()
    b = plot.Figure(300, 300).histogram(0, samples[:, 2].copy(), bins=10, range=(-3, 3)).to_svg()
    assert a == b


def test_figure_errors():
    with pytest.raises(libsbi.InvalidArgumentError):
        plot.Figure(10, 10)
    fig = plot.Figure()
    with pytest.raises(libsbi.InvalidArgumentError):
        fig.set_labels(5, "no such panel")
    with pytest.raises(ValueError, match="style"):
        fig.line(0, [1.0, 2.0], style="wavy")
    with pytest.raises(ValueError, match=r"x: expected shape \(2,\)"):
        fig.line(0, [1.0, 2.0], [1.0])
    with pytest.raises(libsbi.InvalidArgumentError):
        fig.set_limits(0, xlim=(1.0, 0.0))


def test_pairplot(tmp_path):
    s = np.random.default_rng(3).uniform([0.5, 1e-4], [80, 15], size=(2000, 2))
    plot.pairplot(tmp_path / "pair.svg", s, [0.5, 1e-4], [80, 15], names=["g_Na", "g_K"],
                  truth=[50, 5], title="posterior")
    root = ET.parse(tmp_path / "pair.svg").getroot()
    text = svg_text(root)
    assert "g_Na" in text and "g_K" in text and "posterior" in text
    with pytest.raises(ValueError, match="truth"):
        plot.pairplot(tmp_path / "p.svg", s, [0, 0], [1, 1], truth=[1.0])
    with pytest.raises(libsbi.InvalidArgumentError):
        plot.pairplot(tmp_path / "p.svg", s, [1, 1], [0, 0])
