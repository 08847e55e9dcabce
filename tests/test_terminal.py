"""Text output fitted to the terminal, help for every option, ``--version``.

"Fitted" means: no line of a command's text output is wider than ``COLUMNS``, except a
line that is one *unbreakable token* (characters without a space) after its
indentation — a file path, a compact JSON array.  :func:`_too_wide` is that rule,
written here independently of :func:`symtconv.console.fit`.
"""

from __future__ import annotations

import argparse
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
    # the channel factor is not read as "the product = 1"
    assert "C_in/groups = 2 input channels" in out and "counts × C_in" not in out
