"""The command line, run the way a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from symtconv.cli import main

SEED_OUTPUT = [
    [36, 28, 4, 6, 12],
    [23, 63, 17, 56, 17],
    [28, 29, 32, 31, 28],
    [23, 47, 12, 29, 11],
    [32, 26, 8, 8, 8],
]


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_size_reports_the_seed_shape_example(capsys):
    status, out, _ = run(capsys, "size", "--input", "32", "32", "--kernel", "3", "--stride", "2",
                         "--padding", "2", "--in-channels", "3", "--out-channels", "6", "--json")
    assert status == 0
    data = json.loads(out)
    assert data["output_size"] == [61, 61]
    assert data["output_shape"] == [6, 61, 61]
    status, out, _ = run(capsys, "size", "--input", "32", "32", "--kernel", "3", "--stride", "2",
                         "--padding", "2", "--in-channels", "3", "--out-channels", "6")
    assert "61 × 61" in out


def test_eval_reproduces_the_seed(capsys, monkeypatch):
    args = ["eval", "--input-values", "[[9,1,3],[7,8,7],[8,2,2]]",
            "--kernel-values", "[[4,2,3],[1,4,3],[1,1,1]]", "--stride", "2", "--padding", "1"]
    status, out, _ = run(capsys, *args)
    assert status == 0
    header, values = out.split("\n", 1)
    assert header == "output (5, 5) (sympy tier):" and json.loads(values) == SEED_OUTPUT
    monkeypatch.setenv("COLUMNS", "100")  # wide enough: one line, as the README shows it
    status, out, _ = run(capsys, *args)
    assert json.dumps(SEED_OUTPUT, separators=(",", ":")) in out.splitlines()
    status, out, _ = run(capsys, *args, "--json")
    assert json.loads(out)["output"] == SEED_OUTPUT


def test_eval_with_channels_and_rationals(capsys):
    status, out, _ = run(capsys, "eval", "--input-values", '[[1, "1/2"], [2, 3]]',
                         "--kernel-values", "[[[1, 1]], [[1, -1]]]", "--groups", "2", "--json")
    assert status == 0
    data = json.loads(out)
    assert data["output_shape"] == [2, 3]
    # channel 0: [1, 1/2] * [1, 1] -> [1, 3/2, 1/2]; channel 1: [2, 3] * [1, -1] -> [2, 1, -3]
    assert data["output"] == [[1, "3/2", "1/2"], [2, 1, -3]]


@pytest.mark.parametrize(
    "flags",
    [
        ["--input", "4", "3", "5", "--kernel", "2", "3", "2", "--stride", "2", "1", "2",
         "--dilation", "1", "2", "1", "--output-padding", "1", "0", "0",
         "--padding", "1", "0", "1"],
        ["--input", "5", "--kernel", "3", "--stride", "2", "--dilation", "2", "--output-padding",
         "1", "--padding", "3"],
        ["--input", "3", "4", "--kernel", "2", "--stride", "2", "--padding", "0:1", "1",
         "--in-channels", "4", "--out-channels", "2", "--groups", "2"],
    ],
)
def test_prove_json_proved(capsys, flags):
    status, out, _ = run(capsys, "prove", *flags, "--json")
    data = json.loads(out)
    assert status == 0 and data["proved"] is True
    assert len(data["methods"]) >= 4


def test_prove_not_proved_exits_1(capsys):
    status, out, _ = run(capsys, "prove", "--input", "3", "--kernel", "3", "--dilation", "2",
                         "--output-padding", "1", "--json")
    assert status == 1 and json.loads(out)["proved"] is False


BAD_INPUTS = [
    (["size", "--input", "4", "--kernel", "3", "--stride", "0"], "stride"),
    (["size", "--input", "4", "--kernel", "0"], "kernel_size"),
    (["size", "--input", "4", "--kernel", "3", "--dilation", "0"], "dilation"),
    (["size", "--input", "4", "--kernel", "3", "--padding", "-1"], "padding"),
    (["size", "--input", "4", "--kernel", "3", "--output-padding", "-1"], "output_padding"),
    (["size", "--input", "4", "--kernel", "3", "--stride", "2", "--output-padding", "2"],
     "output_padding"),
    (["size", "--input", "2", "--kernel", "1", "--padding", "1"], "output size"),
    (["size", "--input", "4", "--kernel", "3", "--in-channels", "3", "--groups", "2"],
     "in_channels"),
    (["size", "--input", "4", "4", "--kernel", "3", "3", "3"], "one entry per axis"),
    (["size", "--input", "4", "--kernel", "2.5"], "integer"),
    (["size", "--input", "x", "--kernel", "3"], "integer"),
    (["size", "--kernel", "3"], "--input"),
    (["eval", "--input-values", "[[1,2]", "--kernel-values", "[1]"], "JSON"),
    (["eval", "--input-values", "[[1,2],[3]]", "--kernel-values", "[1]"], "rectangular"),
    (["eval", "--input-values", "[\"abc\"]", "--kernel-values", "[1]"], "rationals"),
    (["eval", "--input-values", "[\"abc\", 1.5]", "--kernel-values", "[1]"], "numbers"),
    (["prove", "--input", "64", "64", "--kernel", "3", "--engine", "sympy"], "at most"),
    (["frobnicate"], "invalid choice"),
    (["size", "--input", "4", "--kernel", "3", "--groups", "0"], "groups must be a positive"),
    (["eval", "--input-values", "[1,2]", "--kernel-values", "[1]", "--groups"], "--groups"),
    (["prove", "--general", "--ndim", "99"], "ndim must be an integer from 1 to"),
    # with --general, --groups is a flag: a count is refused, not ignored
    (["prove", "--general", "--groups", "2"], "--groups 2: with --general"),
    (["derive", "--general", "--groups", "3"], "--groups 3: with --general"),
    (["eval", "--input-values", "[1,2]", "--kernel-values", "[1]", "--stride", "10" * 6],
     "entries"),
    (["derive", "--input", "3", "--kernel", "3", "-o", "no/such/folder/x.tex"],
     "No such file or directory"),
]


@pytest.mark.parametrize(("argv", "needle"), BAD_INPUTS)
def test_bad_input_is_one_line_and_exit_2(capsys, argv, needle):
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("symtconv: error: ")
    assert needle in err


@pytest.mark.parametrize("axes", [1, 2, 3])
def test_one_asymmetric_padding_crops_every_axis(capsys, axes):
    # one `B:E` counts for every axis, as one number does; same output as B:E per axis
    common = ["size", "--input", *["5"] * axes, "--kernel", "3", "--stride", "2", "--json"]
    _, once, _ = run(capsys, *common, "--padding", "0:2")
    _, each, _ = run(capsys, *common, "--padding", *["0:2"] * axes)
    assert json.loads(once)["output_size"] == json.loads(each)["output_size"]
    # (5 - 1)·2 + 3 = 11 positions, 0 cropped at the start and 2 at the end
    assert json.loads(once)["output_size"] == [9] * axes


def test_huge_stride_with_few_terms_goes_to_the_engine(capsys):
    # two y·w terms, but ten million outputs: too many SymPy objects for the SymPy tier
    status, out, _ = run(capsys, "prove", "--input", "2", "--kernel", "1", "--stride",
                         str(10**7), "--json")
    data = json.loads(out)
    assert status == 0 and data["proved"] is True and data["engine"] == "fast"


def test_demo_json(capsys):
    status, out, _ = run(capsys, "demo", "--json")
    data = json.loads(out)
    assert status == 0
    assert data["output"] == SEED_OUTPUT and data["matches_seed"] is True
    assert data["proof"]["proved"] is True
    assert data["steps"]["flipped_kernel"] == [[1, 1, 1], [3, 4, 1], [3, 2, 4]]
    assert data["shape_example"]["output_shape"] == [1, 6, 61, 61]


def test_demo_text_shows_the_seed_steps(capsys):
    status, out, _ = run(capsys, "demo")
    assert status == 0
    for step in ("元素填充", "周围填充", "参数翻转", "输出结果", "Cᵀ·vec(y)", "PROVED"):
        assert step in out


def test_python_dash_m_and_no_traceback():
    done = subprocess.run([sys.executable, "-m", "symtconv", "size", "--input", "3",
                           "--kernel", "3", "--stride", "-1"], capture_output=True, text=True)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1


def test_eval_floats_use_the_numeric_tier(capsys):
    args = ["eval", "--input-values", "[[9.0,1,3],[7,8,7],[8,2,2.0]]",
            "--kernel-values", "[[4,2,3],[1,4,3],[1,1,1]]", "--stride", "2", "--padding", "1",
            "--json"]
    status, out, _ = run(capsys, *args)
    data = json.loads(out)
    assert status == 0 and data["tier"] == "numeric" and data["exact"] is False
    assert data["output"] == [[float(v) for v in row] for row in SEED_OUTPUT]


def test_eval_too_large_for_sympy_stays_exact(capsys):
    import numpy as np

    from symtconv import Geometry
    from symtconv.methods import scatter

    rng = np.random.default_rng(1)
    y = rng.integers(-5, 6, size=(40, 40)).tolist()
    w = [[1, "1/2", 3], [1, -4, 3], ["2/3", 1, 1]]
    status, out, _ = run(capsys, "eval", "--input-values", json.dumps(y),
                         "--kernel-values", json.dumps(w), "--stride", "2", "--padding", "1",
                         "--json")
    data = json.loads(out)
    assert status == 0 and data["tier"] == "numeric" and data["exact"] is True
    from fractions import Fraction

    g = Geometry((40, 40), 3, stride=2, padding=1)
    expected = scatter(g, np.array([y], dtype=object),
                       np.array([[[[Fraction(v) for v in row] for row in w]]], dtype=object))[0]
    got = [[Fraction(v) for v in row] for row in data["output"]]
    assert got == expected.tolist()


@pytest.mark.parametrize("extra", [[], ["--ndim", "2", "--groups"], ["--ndim", "3"]])
def test_prove_general_json(capsys, extra):
    status, out, _ = run(capsys, "prove", "--general", *extra, "--json")
    data = json.loads(out)
    assert status == 0 and data["proved"] is True
    assert "statement" in data and data["steps"]
    assert all(step["status"] == "proved" for step in data["steps"])


def test_size_symbolic_formula_reproduces_the_seed(capsys):
    import sympy as sp

    status, out, _ = run(capsys, "size", "--symbolic", "--json")
    assert status == 0
    formula = sp.parse_expr(json.loads(out)["formula"])
    names = {str(s) for s in formula.free_symbols}
    assert names <= {"i", "k", "s", "p", "d", "a"}
    values = dict(zip(sp.symbols("i k s p d a"), (3, 3, 2, 1, 1, 0), strict=True))
    assert formula.subs(values) == 5  # the seed's worked example: 3x3 -> 5x5
    values = dict(zip(sp.symbols("i k s p d a"), (32, 3, 2, 2, 1, 0), strict=True))
    assert formula.subs(values) == 61  # the seed's shape example


def test_relationships(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")  # wide enough for the table
    status, out, _ = run(capsys, "relationships", "--json")
    rows = json.loads(out)["relationships"]
    assert status == 0
    assert [r["number"] for r in rows] == list(range(1, 17))
    assert all(r["verified"] is True for r in rows)
    status, out, _ = run(capsys, "relationships")
    header, rule, *body = out.splitlines()
    assert header.split()[:2] == ["#", "relationship"] and set(rule) <= {"-", " "}
    table = body[:-1]  # the last line is the footnote on 16*
    assert [row.split()[0] for row in table] == [*map(str, range(1, 16)), "16*"]
    assert all("  verified  " in row for row in table)
    monkeypatch.setenv("COLUMNS", "80")  # too narrow: one block per relationship
    status, out, _ = run(capsys, "relationships")
    blocks = [line for line in out.splitlines() if line[:1].isdigit()]
    assert [line.split(".")[0] for line in blocks] == [*map(str, range(1, 16)), "16*"]
    assert out.count("   verified: ") == 16


def test_general_modes_refuse_geometry_flags(capsys):
    status, _, err = run(capsys, "prove", "--general", "--input", "3")
    assert status == 2 and "--input" in err
    status, _, err = run(capsys, "size", "--input", "3", "--kernel", "2", "--groups")
    assert status == 2 and "--groups" in err
