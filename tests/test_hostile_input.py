"""Inputs from a hostile review: each one once hung, used gigabytes or ended in a traceback.

Every case must end in one line on stderr and exit status 2 (or a library error of
symtconv's own), quickly; the subprocess timeouts are hang guards, not speed targets.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from symtconv import Geometry, TooLargeError
from symtconv.cli import main
from symtconv.evaluate import as_exact
from symtconv.limits import LIMITS, bytes_text, limit
from symtconv.numeric import conv_transpose

ROOT = Path(__file__).resolve().parents[1]


def one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("symtconv: error: ") and err.count("\n") == 1, err
    return err


def run(argv: list[str], timeout: float = 120,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = env or {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "symtconv", *argv], capture_output=True,
                          text=True, timeout=timeout, env=env)


def test_a_size_of_too_many_digits_is_refused(capsys):
    err = one_line_error(capsys, ["size", "--input", "1" * 10_001, "--kernel", "3"])
    assert "at most 10000 ASCII decimal digits" in err


def test_a_size_beyond_float_range_prints_its_cost():
    # 10**99 is accepted as a size; its cost (far past any float) is printed exactly
    assert bytes_text(10**400) == "about 10^400 bytes"
    assert bytes_text(3 * 2**29) == "1.5 GiB"
    from symtconv.limits import Cost, require

    with pytest.raises(TooLargeError, match=r"about 10\^400 bytes"):
        require(Cost("engine", bytes=10**400, what="prove"))
    with pytest.raises(TooLargeError, match=r"prove: about 10\^\d+ y·w terms"):
        require(Geometry(10**400, 3).cost("engine", what="prove"))


def test_a_huge_exponent_in_a_value_string_is_refused_not_computed(capsys):
    err = one_line_error(capsys, ["eval", "--input-values", '[["1e100000000"]]',
                                  "--kernel-values", "[1]"])
    assert "'1e100000000'" in err


@pytest.mark.parametrize("text", ["٣", "３", "1_000", " 0.5 ", "0x10"])
def test_value_strings_take_ascii_rationals_only(text):
    with pytest.raises(TypeError, match="integers or rationals"):
        as_exact([text], "input values")


@pytest.mark.parametrize(("text", "value"), [("3", 3), ("-1/3", "-1/3"), ("0.25", "1/4"),
                                             ("1e-3", "1/1000"), ("+2", 2)])
def test_value_strings_that_are_rationals_are_read_exactly(text, value):
    from fractions import Fraction

    assert as_exact([text], "y")[0] == Fraction(str(value))


def test_a_value_file_past_the_byte_limit_is_refused_without_reading_it_all():
    # /dev/zero never ends: only the limit stops the read
    done = run(["eval", "--input-values", "@/dev/zero", "--kernel-values", "[1]"])
    assert done.returncode == 2, done.stderr
    assert "(values.bytes)" in done.stderr and done.stderr.count("\n") == 1


def test_a_value_file_that_is_not_text_is_a_usage_error(capsys, tmp_path):
    path = tmp_path / "bin.json"
    path.write_bytes(b"\xff\xfe")
    err = one_line_error(capsys, ["eval", "--input-values", f"@{path}", "--kernel-values", "[1]"])
    assert "not UTF-8" in err


def test_a_json_file_with_the_npy_suffix_is_named_for_what_it_is(capsys, tmp_path):
    path = tmp_path / "y.npy"
    path.write_text("[1, 2]")
    err = one_line_error(capsys, ["eval", "--input-values", f"@{path}", "--kernel-values", "[1]"])
    assert "does not start with numpy's .npy header" in err


@pytest.mark.parametrize("depth", [33, 100_000])
def test_deeply_nested_values_are_a_usage_error(capsys, tmp_path, depth):
    path = tmp_path / "deep.json"
    path.write_text("[" * depth + "1" + "]" * depth)
    one_line_error(capsys, ["eval", "--input-values", f"@{path}", "--kernel-values", "[1]"])


@pytest.mark.parametrize("size", [["0.001", "0.001"], ["1e-300", "1"]])
def test_a_figure_too_small_to_draw_is_refused(capsys, size, tmp_path):
    err = one_line_error(capsys, ["figure", "--kind", "matrix", "--input", "3", "--kernel", "3",
                                  "--size", *size, "-o", str(tmp_path / "f.png")])
    assert "at least 0.5" in err


@pytest.mark.parametrize("suffix", ["svg", "pdf", "png"])
def test_every_figure_format_is_held_to_the_pixel_limit(capsys, suffix, tmp_path):
    err = one_line_error(capsys, ["figure", "--kind", "matrix", "--input", "3", "--kernel", "3",
                                  "--size", "200", "200", "-o", str(tmp_path / f"f.{suffix}")])
    assert "(figure.pixels)" in err
    assert not (tmp_path / f"f.{suffix}").exists()


@pytest.mark.parametrize("flags", [["--stride", "100000000"], ["--kernel", "10000000"],
                                   ["--dilation", "10000000"]])
def test_decompose_refuses_huge_phase_tables_before_building_them(flags):
    argv = ["decompose", "--input", "3", *(["--kernel", "3"] if "--kernel" not in flags else []),
            *flags]
    done = run(argv, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "(decompose.taps)" in done.stderr and done.stderr.count("\n") == 1


def test_decompose_from_python_refuses_too():
    from symtconv.decomposition import decompose

    with pytest.raises(TooLargeError, match=r"decompose\.taps"):
        decompose(Geometry(3, 3, stride=10**8))
    assert decompose(Geometry(3, 3, stride=2)).stride == (2,)  # normal sizes still plan


def test_the_sympy_tier_limit_is_one_it_can_answer_within():
    # a proof at the limit must finish: 2,500 terms, measured at a few seconds
    assert limit("prove.terms") <= 2_500
    side = int(limit("prove.terms") ** 0.5)
    done = run(["prove", "--input", str(side), "--kernel", str(side), "--engine", "sympy"],
               timeout=600)
    assert done.returncode == 0, done.stderr


def test_numeric_refuses_dimensions_numpy_cannot_make():
    with pytest.raises(TooLargeError, match="does not fit in memory"):
        conv_transpose(np.ones((1, 1, 3)), np.ones((1, 1, 3)), stride=10**30)


def test_float_eval_prints_no_numpy_warnings(capsys):
    assert main(["eval", "--input-values", "[1e308]", "--kernel-values", "[10]", "--json"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert '"Infinity"' in out


def test_the_new_limits_are_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for key in ("values.bytes", "decompose.taps"):
        assert key in LIMITS
        assert f"`{key}`" in readme


@pytest.mark.parametrize("argv", [["--help"], ["overlap", "--help"], ["figure", "--help"],
                                  ["--version"]])
def test_help_on_an_ascii_terminal_is_spelled_in_ascii(argv):
    env = {"PYTHONIOENCODING": "ascii"}
    done = run(argv, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT), **env})
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and done.stdout.strip()
    done.stdout.encode("ascii")  # nothing a plain terminal cannot show
