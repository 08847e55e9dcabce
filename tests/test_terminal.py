"""Text output fitted to the terminal, help for every option, ``--version``.

"Fitted" means: no line of a command's text output is wider than ``COLUMNS``, except a
line that is one *unbreakable token* (characters without a space) after its
indentation — a file path, a compact JSON array.  :func:`_too_wide` is that rule,
written here independently of :func:`symtconv.console.fit`.
"""

from __future__ import annotations

import argparse
import re
import unicodedata
from pathlib import Path

import pytest

import symtconv
from symtconv.cli import build_parser, main

HERE = Path(__file__).resolve().parent
SEED = ["--input-values", "[[9,1,3],[7,8,7],[8,2,2]]",
        "--kernel-values", "[[4,2,3],[1,4,3],[1,1,1]]", "--stride", "2", "--padding", "1"]


def _columns(line: str) -> int:
    """Terminal columns of ``line``: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def _too_wide(text: str, width: int) -> list[str]:
    """The lines wider than ``width`` that are not one unbreakable token."""
    return [line for line in text.splitlines()
            if _columns(line) > width and " " in line.strip(" ")]


def test_the_rule_can_fail():
    assert _too_wide("a b c d", 5) == ["a b c d"]
    assert _too_wide("   " + "x" * 10, 5) == []  # one token: cannot be broken
    assert _too_wide("元素填充 ab", 10) == ["元素填充 ab"]  # 11 columns, 7 characters


COMMANDS = {
    "size": ["size", "--input", "32", "32", "--kernel", "3", "--stride", "2", "--padding", "2",
             "--in-channels", "3", "--out-channels", "6"],
    "size-symbolic": ["size", "--symbolic"],
    "prove": ["prove", "--input", "4", "3", "--kernel", "2", "3", "--stride", "2", "1",
              "--dilation", "1", "2", "--output-padding", "1", "0", "--padding", "1", "0"],
    "prove-not-proved": ["prove", "--input", "3", "--kernel", "3", "--dilation", "2",
                         "--output-padding", "1"],
    "prove-general": ["prove", "--general"],
    "prove-general-groups": ["prove", "--general", "--ndim", "2", "--groups"],
    "relationships": ["relationships"],
    "eval": ["eval", *SEED],
    "eval-wide": ["eval", "--input-values", "[" + ",".join(["123456"] * 30) + "]",
                  "--kernel-values", "[1, 2]"],
    "demo": ["demo"],
    "overlap": ["overlap", "--input", "40", "--kernel", "3", "--stride", "3", "--dilation", "2",
                "--in-channels", "2"],
    "overlap-symbolic": ["overlap", "--symbolic"],
    "convert": ["convert", "--from", "torch", "--to", "tf", "--input", "8", "8", "--kernel",
                "3", "--stride", "2", "--padding", "1", "--output-padding", "1"],
    "decompose": ["decompose", "--input", "32", "32", "--kernel", "4", "--stride", "2",
                  "--padding", "1", "--in-channels", "3", "--out-channels", "6"],
}


@pytest.mark.parametrize("width", [60, 80, 100])
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_text_output_fits_the_terminal(capsys, monkeypatch, name, width):
    monkeypatch.setenv("COLUMNS", str(width))
    status = main(COMMANDS[name])
    out, err = capsys.readouterr()
    assert status in (0, 1), err
    assert out.strip()
    assert _too_wide(out, width) == []


@pytest.mark.parametrize("width", [60, 80])
def test_derive_and_check_text_fit_the_terminal(capsys, monkeypatch, tmp_path, width):
    monkeypatch.setenv("COLUMNS", str(width))
    status = main(["derive", *SEED, "-o", str(tmp_path / "seed.tex")])
    out, _ = capsys.readouterr()
    assert status == 0 and "seed.tex" in out and _too_wide(out, width) == []
    pytest.importorskip("hypothesis")
    status = main(["check", f"{HERE / 'wrong_implementations.py'}:kernel_not_flipped",
                   "--ndim", "1", "--max-examples", "5", "--seed", "1"])
    out, _ = capsys.readouterr()
    assert status == 1 and _too_wide(out, width) == []


def test_wrapping_keeps_every_token_in_order(capsys, monkeypatch):
    """Fitting only moves line breaks: the words are the same at any width."""
    words = {}
    for width in (60, 1000):
        monkeypatch.setenv("COLUMNS", str(width))
        main(COMMANDS["overlap"])
        words[width] = capsys.readouterr().out.split()
    assert words[60] == words[1000]


def test_demo_labels_every_matrix_and_keeps_the_ci_line(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "matches the seed's published output: yes" in out
    lines = out.splitlines()
    for n, line in enumerate(lines):
        if line.startswith("[") and not lines[n - 1].startswith("["):
            # the first row of every matrix follows a label (a line ending with ':')
            assert lines[n - 1].rstrip().endswith(":"), (lines[n - 1], line)
    # the seed's numbers for every step the heading promises (the blog post's values)
    for row in ("[9  0  1  0  3]", "[0  0  0  0  0  0  0]", "[1  1  1]", "[3  4  1]",
                "[36  28   4   6  12]", "[32  26   8   8   8]"):
        assert row in out


def test_prove_general_prints_formulas_not_raw_sympy(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["prove", "--general"]) == 0
    out = capsys.readouterr().out
    # the entry Eq(x[j], Sum(KroneckerDelta(...)...)) is set as a formula: a delta, sum signs
    assert "KroneckerDelta" not in out and "Eq(x[" not in out
    assert "δ" in out and "╲" in out and "x[j] =" in out


def _all_parsers(parser: argparse.ArgumentParser):
    yield parser.prog, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            yield from action.choices.items()


def test_every_option_has_help():
    missing = [
        f"{name} {action.option_strings or action.dest}"
        for name, parser in _all_parsers(build_parser())
        for action in parser._actions
        if not isinstance(action, argparse._SubParsersAction)
        and (not action.help or action.help == argparse.SUPPRESS)
    ]
    assert missing == []


def test_the_help_walk_sees_every_command():
    names = {name for name, _ in _all_parsers(build_parser())}
    assert {"size", "prove", "eval", "demo", "check", "derive", "decompose"} <= names


def test_groups_help_explains_both_meanings(capsys):
    with pytest.raises(SystemExit):
        main(["prove", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "a count (default 1)" in out and "with --general" in out


def test_version(capsys):
    import tomllib

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    out = capsys.readouterr().out.split()
    assert out == ["symtconv", symtconv.__version__]
    project = tomllib.loads((HERE.parent / "pyproject.toml").read_text())
    # one source of truth: pyproject reads the version from the package
    assert "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "symtconv.__version__"}
    assert symtconv.__version__.count(".") == 2


def test_package_help_lists_the_entry_points():
    for name in ("verify", "decompose", "prove", "evaluate", "prove_general", "Geometry"):
        assert name in (symtconv.__doc__ or "")


def test_derive_figures_prints_no_font_library_notice(tmp_path):
    """matplotlib embedding a font in a PDF made fontTools log a timestamp notice."""
    pytest.importorskip("matplotlib")
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(HERE.parent), "COLUMNS": "80"}
    done = subprocess.run(
        [sys.executable, "-m", "symtconv", "derive", "--input", "3", "3", "--kernel", "3",
         "--stride", "2", "--padding", "1", "--in-channels", "2", "--out-channels", "2",
         "--figures", "-o", str(tmp_path / "d.tex")],
        capture_output=True, text=True, timeout=600, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "d-matrix.pdf").exists()
    assert done.stderr == ""


def test_wide_eval_output_is_still_one_json_value(capsys, monkeypatch):
    import json

    monkeypatch.setenv("COLUMNS", "60")
    y = [[123456 * (r + 1) + c for c in range(12)] for r in range(3)]
    assert main(["eval", "--input-values", json.dumps(y), "--kernel-values", "[[1]]"]) == 0
    header, values = capsys.readouterr().out.split("\n", 1)
    assert header.startswith("output (3, 12)") and json.loads(values) == y
    assert len(values.splitlines()) > 3  # wrapped, not one 300-column line


def test_axes_are_numbered_from_one_in_text(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    main(["size", "--input", "4", "5", "--kernel", "3", "--stride", "2"])
    main(["overlap", "--input", "4", "5", "--kernel", "3", "--stride", "2",
          "--in-channels", "2"])
    out = capsys.readouterr().out
    assert "axis 0" not in out and out.count("axis 1:") == 2 and out.count("axis 2:") == 2
    # the channel factor is not read as "the product = 2", and agrees in number
    out = " ".join(out.split())  # the sentence, wherever the lines were wrapped
    assert "times 2 input channels per group (C_in/groups)" in out
    assert "C_in/groups =" not in out and "counts × C_in" not in out
    main(["overlap", "--input", "4", "--kernel", "3", "--stride", "2"])
    out = " ".join(capsys.readouterr().out.split())
    assert "times 1 input channel per group" in out and "1 input channels" not in out


def _help_paths():
    """The argv of every command's --help: the top level and each subcommand."""
    yield ["--help"]
    for name, _ in _all_parsers(build_parser()):
        if name != "symtconv":
            yield [name, "--help"]


@pytest.mark.parametrize("width", [60, 80, 100])
def test_every_help_fits_the_terminal(capsys, monkeypatch, width):
    monkeypatch.setenv("COLUMNS", str(width))
    seen = 0
    for argv in _help_paths():
        with pytest.raises(SystemExit) as done:
            main(argv)
        assert done.value.code == 0
        out = capsys.readouterr().out
        assert out.startswith("usage:"), argv
        assert _too_wide(out, width) == [], argv
        seen += 1
    assert seen >= 14  # the top level and every command


def test_help_names_the_choices_of_a_metavar(capsys):
    """Choices hidden behind a metavar (METHOD, WHICH, COMMAND) are listed in the help."""
    from symtconv.results import METHODS

    with pytest.raises(SystemExit):
        main(["prove", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--methods METHOD [METHOD ...]" in out
    assert all(method in out for method in METHODS)
    with pytest.raises(SystemExit):
        main(["decompose", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert all(f"{which} (" in out or f" {which}" in out
               for which in ("concrete", "general", "both", "none"))
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "COMMAND" in out and "{size," not in out
    for name in ("size", "prove", "eval", "decompose", "audit"):
        assert f"    {name} " in out


def test_help_and_size_write_formulas_not_code(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    with pytest.raises(SystemExit):
        main(["size", "--help"])
    assert "0 ≤ a < max(s, d)" in capsys.readouterr().out
    main(["size", "--input", "32", "32", "--kernel", "3", "--stride", "2",
          "--in-channels", "3", "--out-channels", "6"])
    out = capsys.readouterr().out
    assert "*i" not in out and "*k" not in out and "*o" not in out
    # each shape names its axes and gives the numbers: C_in = 3, i = 32, k = 3, C_out = 6
    assert "input (C_in, i_1, i_2) = (3, 32, 32)" in out
    assert "weight (C_in, C_out/groups, k_1, k_2) = (3, 6, 3, 3)" in out
    main(["convert", "--from", "torch", "--to", "keras", "--input", "8", "--kernel", "3",
          "--stride", "2", "--padding", "1"])
    out = capsys.readouterr().out
    assert "%" not in out and "ek mod 2" in out


#: SymPy's spellings a reader should not be shown in text (the JSON keeps them).
RAW_SYMPY = ("Mod(", "floor(", "ceiling(", "<=", ">=", "Eq(", "*")


def test_decompose_text_is_set_in_notation(capsys, monkeypatch):
    import json

    monkeypatch.setenv("COLUMNS", "80")
    assert main(COMMANDS["decompose"]) == 0
    out = capsys.readouterr().out
    general = out[out.index("PROVED: the sub-pixel"):]
    assert [raw for raw in RAW_SYMPY if raw in general] == []
    assert "⌊" in general and " mod s" in general and "≤" in general
    # one name for the begin crop: the one the sentences use
    assert "p_begin" in general and re.search(r"\bp_b\b", general) is None
    assert main([*COMMANDS["decompose"], "--proof", "general", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    details = " ".join(step["detail"] for step in data["proofs"]["general"]["steps"])
    assert "floor(" in details  # --json keeps SymPy's text


def test_general_groups_count_is_refused(capsys):
    assert main(["prove", "--general", "--groups", "2"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "--groups" in err


def _scatter(y, w, s):
    """Brute force, written here: x[c, s·n + m] += y[i, n]·w[i, c, m] (2-D, no padding)."""
    c_in, c_out = len(w), len(w[0])
    k = (len(w[0][0]), len(w[0][0][0]))
    size = [(len(y[0]) - 1) * s + k[0], (len(y[0][0]) - 1) * s + k[1]]
    x = [[[0] * size[1] for _ in range(size[0])] for _ in range(c_out)]
    for i in range(c_in):
        for c in range(c_out):
            for n0, row in enumerate(y[i]):
                for n1, v in enumerate(row):
                    for m0 in range(k[0]):
                        for m1 in range(k[1]):
                            x[c][s * n0 + m0][s * n1 + m1] += v * w[i][c][m0][m1]
    return x


@pytest.mark.parametrize("width", [60, 100])
def test_eval_prints_one_labelled_aligned_matrix_per_channel(capsys, monkeypatch, width):
    import json

    y = [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]
    w = [[[[1, 2], [3, 4]], [[1, 0], [0, 1]]], [[[2, 2], [1, 1]], [[0, 1], [1, 0]]]]
    monkeypatch.setenv("COLUMNS", str(width))
    assert main(["eval", "--input-values", json.dumps(y), "--kernel-values", json.dumps(w),
                 "--in-channels", "2", "--out-channels", "2", "--stride", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("output (C_out, o_1, o_2) = (2, 4, 4)")
    expected = _scatter(y, w, 2)
    for c, channel in enumerate(expected):
        at = lines.index(f"output channel {c}, x[{c}]:")
        rows = lines[at + 1:at + 1 + len(channel)]
        # whole rows, one per line, their columns aligned (right-justified numbers)
        assert all(r.startswith("[") and r.endswith("]") for r in rows)
        assert len({len(r) for r in rows}) == 1
        assert [[int(v) for v in r[1:-1].split()] for r in rows] == channel
        ends = {tuple(m.end() for m in re.finditer(r"\d+", r)) for r in rows}
        assert len(ends) == 1  # every column's numbers end at the same place


def test_convert_and_audit_number_axes_from_one(capsys, monkeypatch):
    import json

    from symtconv import Geometry
    from symtconv.audit import LayerSpec, audit_specs

    monkeypatch.setenv("COLUMNS", "100")
    attrs = {"kernel_shape": [3, 3], "strides": [2, 2], "auto_pad": "SAME_UPPER"}
    assert main(["convert", "--from", "onnx", "--to", "torch", "--input", "3", "3",
                 "--attrs", json.dumps(attrs)]) == 0
    out = capsys.readouterr().out
    assert "axis 0" not in out and "axis 1:" in out and "axis 2:" in out
    # a checkerboard on both axes, an asymmetric crop on the second only
    spec = LayerSpec("up", "ConvTranspose2d", "torch", (1, 1, 4, 4),
                     Geometry((4, 4), 3, stride=2, padding=(1, (0, 1))))
    audit = audit_specs("m", "torch", [spec], targets=("torch",))
    text = str(audit)
    assert "axis 0" not in text and "axis 1 (k=3" in text and "axis 2 (k=3" in text
    assert "axis 2: crop 0 at the start" in text
    # the JSON's indices stay 0-based, as documented in Finding
    detail = next(f.detail for f in audit.findings if f.code == "checkerboard")
    assert [a["axis"] for a in detail["axes"]] == [0, 1]


@pytest.mark.parametrize("width", [60, 80, 100])
def test_audit_table_fits_or_becomes_blocks(monkeypatch, width):
    from symtconv import Geometry
    from symtconv.audit import LayerSpec, audit_specs
    from symtconv.console import fit

    monkeypatch.setenv("COLUMNS", str(width))
    specs = [LayerSpec(f"decoder.block{n}.upsample", "ConvTranspose2d", "torch",
                       (1, 8, 16, 16), Geometry((16, 16), 3 + n, stride=2, padding=1,
                                                in_channels=8, out_channels=4))
             for n in range(2)]
    text = str(audit_specs("model", "torch", specs, targets=("torch",)))
    out = fit(text, width)  # as the CLI writes it
    assert _too_wide(out, width) == []
    lines = out.splitlines()
    header = [line for line in lines if line.startswith("#  layer")]
    if header:  # a table: header and rows, none wrapped, cells aligned under the header
        at = lines.index(header[0])
        rows = lines[at + 1:at + 3]
        assert [row.split()[1] for row in rows] == [s.name for s in specs]
        assert all(row.index("ConvTranspose2d") == header[0].index("op") for row in rows)
    else:  # one block per layer, each field on a line of its own
        for n, spec in enumerate(specs):
            at = lines.index(f"[{n}] {spec.name} (ConvTranspose2d)")
            assert lines[at + 1].strip() == "input: 1×8×16×16"
            assert lines[at + 3].strip().startswith("k / s / p / d: ")
    assert width < 100 or header  # wide enough: the table
