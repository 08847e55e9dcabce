"""Hard limits and clean failures (issue 15): answer or refuse in seconds, never a traceback.

Every refusal is one line on stderr and exit status 2; a hang is caught by an alarm (in
process) or a generous subprocess timeout.  Counts computed in closed form are compared
with brute-force loops written here.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symtconv
from symtconv import Geometry, limits
from symtconv.cli import main
from symtconv.console import ascii_text, json_text
from symtconv.errors import ParameterError, ParameterTypeError, TooLargeError
from symtconv.geometry import floor_sum
from symtconv.limits import LIMITS, Cost, require
from symtconv.numeric import conv_transpose
from symtconv.overlap import overlap
from symtconv.runs import Computed

ROOT = Path(__file__).resolve().parent.parent
#: A hang guard, not a timing: far above what any case here needs.
GUARD = 60


@contextmanager
def alarm(seconds: int = GUARD):
    """Fail (instead of hanging) if the block runs longer than ``seconds``."""

    def expired(signum, frame):
        raise AssertionError(f"took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run(capsys, *argv, seconds=GUARD):
    with alarm(seconds):
        status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def refused(capsys, *argv, match=""):
    status, out, err = run(capsys, *argv)
    assert status == 2, (status, out, err)
    assert err.startswith("symtconv: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and match in err, err
    return err


def subprocess_run(*argv, env=None, **kwargs):
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "symtconv", *map(str, argv)],
                          capture_output=True, text=True, timeout=GUARD, env=environment,
                          **kwargs)


# --------------------------------------------------------------------------- #
# closed forms against brute force
# --------------------------------------------------------------------------- #


@given(st.integers(0, 40), st.integers(1, 30), st.integers(0, 40), st.integers(0, 40))
def test_floor_sum_matches_the_sum(n, m, a, b):
    assert floor_sum(n, m, a, b) == sum((a * x + b) // m for x in range(n))


@st.composite
def small_axes(draw, max_ndim=2):
    ndim = draw(st.integers(1, max_ndim))
    params = {k: [] for k in ("input_size", "kernel_size", "stride", "dilation",
                              "padding", "output_padding")}
    for _ in range(ndim):
        s, d = draw(st.integers(1, 6)), draw(st.integers(1, 6))
        params["input_size"].append(draw(st.integers(1, 9)))
        params["kernel_size"].append(draw(st.integers(1, 9)))
        params["stride"].append(s)
        params["dilation"].append(d)
        params["padding"].append((draw(st.integers(0, 12)), draw(st.integers(0, 12))))
        params["output_padding"].append(draw(st.integers(0, max(s, d) - 1)))
    try:
        return Geometry(**{k: tuple(v) for k, v in params.items()},
                        in_channels=draw(st.sampled_from([1, 2])), out_channels=2)
    except ParameterError:
        from hypothesis import assume

        assume(False)


def brute_counts(ax) -> list[int]:
    """How many (n, m) land on each output index j = s·n + d·m - p_begin."""
    counts = [0] * int(ax.output)
    for n in range(ax.i):
        for m in range(ax.k):
            j = ax.s * n + ax.d * m - ax.p_begin
            if 0 <= j < ax.output:
                counts[j] += 1
    return counts


@given(small_axes())
def test_count_terms_in_closed_form_matches_brute_force(g):
    expected = g.in_channels * (g.out_channels // g.groups)
    for ax in g.axes:
        expected *= sum(brute_counts(ax))
    assert g.count_terms() == expected


def test_count_terms_of_huge_geometries_is_instant():
    with alarm(5):
        assert Geometry(10**19, 3).count_terms() == 3 * 10**19
        assert Geometry(30_000_000, 3).count_terms() == 90_000_000
        # i = 3 inputs, stride 10**18: every product lands, none overlaps
        assert Geometry(3, 10**18, stride=10**18).count_terms() == 3 * 10**18


@given(small_axes(max_ndim=1))
def test_overlap_matches_a_brute_force_count(g):
    ax, geo = overlap(g).axes[0], g.axes[0]
    expected = brute_counts(geo)
    assert list(ax.counts) == expected
    assert ax.to_dict()["counts"] == expected and ax.length == len(expected)
    covered = [None] * len(expected)  # the runs cover every index once, with its count
    for run in ax.runs:
        for j in range(run.start, run.stop):
            assert covered[j] is None
            covered[j] = run.value(j)
    assert covered == expected


def count_at(j, i, k, s, d, p):
    """Brute force over the taps (k is small): taps m whose input index is in range."""
    t = j + p
    return sum(1 for m in range(k) if (t - d * m) % s == 0 and 0 <= (t - d * m) // s < i)


@pytest.mark.parametrize("i, k, s, d, p", [
    (3, 4, 10**7, 1, 0),
    (10**19, 3, 1, 1, 0),
    (10**19, 5, 3, 2, 7),
    (10**18, 7, 10**6 + 3, 4, 10),
    (2, 6, 10**18, 10**17, 1),
])
def test_overlap_of_huge_axes_answers_from_one_period(i, k, s, d, p):
    with alarm(10):
        ax = overlap(Geometry(i, k, stride=s, dilation=d, padding=p)).axes[0]
    o = Geometry(i, k, stride=s, dilation=d, padding=p).output_size[0]
    assert isinstance(ax.counts, Computed) and ax.to_dict()["counts"] is None
    assert ax.runs[0].start == 0 and ax.runs[-1].stop == o
    assert all(a.stop == b.start for a, b in zip(ax.runs, ax.runs[1:], strict=False))
    samples = {0, 1, 2, o // 2, o // 3 + 1, o - 2, o - 1, s - p, s * (i // 2) + 5}
    for j in (j for j in samples if 0 <= j < o):
        run = next(r for r in ax.runs if r.start <= j < r.stop)
        assert run.value(j) == ax.counts[j] == count_at(j, i, k, s, d, p)
    json.dumps(ax.to_dict())


def test_overlap_refuses_what_it_cannot_summarise(capsys):
    with pytest.raises(TooLargeError, match=r"overlap\.entries"):
        overlap(Geometry(10**18, 10**18, stride=3))
    with pytest.raises(TooLargeError, match=r"overlap\.cells"):
        overlap(Geometry((3000, 3000), 3)).terms()
    refused(capsys, "overlap", "--input", 10**18, "--kernel", 10**18, "--stride", 3,
            match="overlap.entries")


# --------------------------------------------------------------------------- #
# the one mechanism
# --------------------------------------------------------------------------- #


def test_every_limit_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert limits.table() in readme
    for key in LIMITS:
        assert f"`{key}`" in readme


def test_require_names_the_limit_and_what_to_use_instead():
    require(Cost("engine", bytes=2**30))
    with pytest.raises(TooLargeError) as error:
        require(Cost("engine", bytes=3 * 2**30, what="prove"))
    message = str(error.value)
    assert "engine.bytes" in message and "2 GiB" in message and "use prove --general" in message
    assert "\n" not in message


def test_engine_estimate_is_an_upper_bound_of_the_measured_layer():
    # README: the 16->16, 64x64, k=4 layer peaks at 599 MiB (whole process); accepted
    layer = Geometry((64, 64), 4, stride=2, padding=1, in_channels=16, out_channels=16)
    require(layer.cost("engine"))
    assert layer.cost("engine").bytes >= 500 * 2**20
    # the issue's 3.1 GB and 2.5 GB cases are refused
    for g in (Geometry((22, 22), 7, in_channels=64, out_channels=64),
              Geometry(3, 100_000, dilation=1_000)):
        with pytest.raises(TooLargeError, match=r"engine\.bytes"):
            require(g.cost("engine"))


# --------------------------------------------------------------------------- #
# the issue's cases, on the command line
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("argv, match", [
    (["prove", "--input", 30_000_000, "--kernel", 3], "engine.bytes"),
    (["prove", "--input", 10**19, "--kernel", 3], "engine.bytes"),
    (["prove", "--input", 3, "--kernel", 100_000, "--dilation", 1_000], "engine.bytes"),
    (["prove", "--input", 22, 22, "--kernel", 7, "--in-channels", 64, "--out-channels", 64],
     "engine.bytes"),
    (["prove", "--input", 10**19, "--kernel", 3, "--engine", "sympy"], "sympy.terms"),
    (["derive", "--input", 10**19, "--kernel", 3], "derive."),
    (["derive", "--input", 3000, 3000, "--kernel", 3], "derive.entries"),
    (["derive", "--input", 2, "--kernel", 2, "--stride", 300], "derive.period"),
    (["figure", "--kind", "matrix", "--input", 3, "--kernel", 3, "-o", "f.png",
      "--size", "nan", "nan"], "--size"),
    (["figure", "--kind", "matrix", "--input", 3, "--kernel", 3, "-o", "f.png",
      "--size", "inf", "3"], "--size"),
    (["figure", "--kind", "matrix", "--input", 3, "--kernel", 3, "-o", "f.png",
      "--size", "1e308", "1e308"], "figure.inches"),
    (["figure", "--kind", "matrix", "--input", 3, "--kernel", 3, "-o", "f.png",
      "--size", "0", "3"], "--size"),
    (["figure", "--kind", "matrix", "--input", 3, "--kernel", 3, "-o", "f.png",
      "--size", "150", "150"], "figure.pixels"),
    (["figure", "--kind", "matrix", "--input", 3, "--kernel", 3, "-o", "f.png",
      "--dpi", 100_000], "figure.dpi"),
    (["figure", "--kind", "overlap", "--input", 100_000, 100_000, "--kernel", 3, "-o",
      "f.png"], "overlap."),
    (["figure", "--kind", "matrix", "--input", 3000, 3000, "--kernel", 3, "-o", "f.svg"],
     "figure.terms"),
    (["figure", "--kind", "steps", "--input", 300, 300, "--kernel", 3, "-o", "f.svg"],
     "sympy."),
    (["eval", "--input-values", "[1,2]", "--kernel-values", "[1]", "--stride", 10**7],
     "eval.entries"),
])
def test_too_large_is_refused_in_one_line(capsys, tmp_path, monkeypatch, argv, match):
    monkeypatch.chdir(tmp_path)
    refused(capsys, *argv, match=match)
    assert not list(tmp_path.iterdir())  # nothing written


@pytest.mark.parametrize("size", ["٣", "３", "3_000", "+3", " 3", "3.0", "0x3", "1e3"])
def test_sizes_are_ascii_decimal_only(capsys, size):
    err = refused(capsys, "size", "--input", size, "--kernel", 3, match="ASCII decimal")
    assert err.isascii()
    status, _, _ = run(capsys, "size", "--input", "-3", "--kernel", 3)  # a value error
    assert status == 2


def test_overlap_of_the_issues_huge_geometries(capsys):
    status, out, _ = run(capsys, "overlap", "--input", 3, "--kernel", 4, "--stride", 10**7,
                         "--json", seconds=20)
    assert status == 0
    axis = json.loads(out)["axes"][0]
    assert axis["counts"] is None and axis["length"] == 2 * 10**7 + 4
    values = [v for run in axis["runs"] for v, _ in run["values"]]
    assert max(values) == 1
    status, out, _ = run(capsys, "overlap", "--input", 10**19, "--kernel", 3, seconds=20)
    assert status == 0 and "j in [2, 10000000000000000000): period 1" in out


def digits(*values):
    """Decimal strings of integers past Python's default 4,300-digit conversion limit."""
    before = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        return [str(v) for v in values]
    finally:
        sys.set_int_max_str_digits(before)


def test_eval_takes_integers_of_any_size(capsys):
    big = 10**4999 + 7  # 5,000 digits
    text, *expected = digits(big, 2 * big, 3 * big + 2, big + 2)  # [big, 1] ⋆ [2, 3] by hand
    limit_before = sys.get_int_max_str_digits()
    status, out, err = run(capsys, "eval", "--input-values", f"[{text}, 1]",
                           "--kernel-values", "[2, 3]", "--json", seconds=30)
    assert status == 0, err
    compact = out.replace(" ", "").replace("\n", "")
    assert f'"output":[{expected[0]},{expected[1]},3]' in compact
    status, out, _ = run(capsys, "eval", "--input-values", f"[{text}, 1]", "--kernel-values",
                         "[2, 3]")
    assert status == 0 and f"[{expected[0]},{expected[1]},3]" in out
    status, out, _ = run(capsys, "size", "--input", text, "--kernel", 3, "--json")
    assert status == 0 and f'"output_size":[{expected[2]}]' in out.replace(" ", "").replace(
        "\n", "")
    assert sys.get_int_max_str_digits() == limit_before  # main() restored the caller's limit


def test_eval_of_a_long_integer_signal_is_fast_and_exact(capsys, tmp_path):
    rng = np.random.default_rng(0)
    y, w = rng.integers(-9, 10, 5000), rng.integers(-9, 10, 5000)
    np.save(tmp_path / "y.npy", y)
    (tmp_path / "w.json").write_text(json.dumps(w.tolist()))
    status, out, err = run(capsys, "eval", "--input-values", f"@{tmp_path / 'y.npy'}",
                           "--kernel-values", f"@{tmp_path / 'w.json'}", "--json", seconds=60)
    assert status == 0, err
    data = json.loads(out)
    assert data["exact"] is True and data["output"] == np.convolve(y, w).tolist()


def test_eval_with_floats_and_a_long_kernel(capsys, tmp_path):
    np.save(tmp_path / "w.npy", np.linspace(0, 1, 30_000))
    status, out, _ = run(capsys, "eval", "--input-values", "[0.5, 1.5, 2.0]", "--kernel-values",
                         f"@{tmp_path / 'w.npy'}", "--json", seconds=30)
    assert status == 0 and len(json.loads(out)["output"]) == 30_002
    np.save(tmp_path / "y.npy", np.ones(30_000))  # 9e8 products in one GEMM block: 6.7 GiB
    refused(capsys, "eval", "--input-values", f"@{tmp_path / 'y.npy'}", "--kernel-values",
            f"@{tmp_path / 'w.npy'}", match="numeric.bytes")


def test_eval_exact_python_integers_are_bounded_by_products(capsys, tmp_path):
    big = np.array([2**70 + n for n in range(4000)], dtype=object)
    (tmp_path / "y.json").write_text(json.dumps([int(v) for v in big]))
    refused(capsys, "eval", "--input-values", f"@{tmp_path / 'y.json'}", "--kernel-values",
            f"@{tmp_path / 'y.json'}", match="numeric.products")


def test_eval_json_has_no_bare_nan(capsys):
    status, out, _ = run(capsys, "eval", "--input-values", "[1.0, NaN, Infinity]",
                         "--kernel-values", "[1, -1]", "--json")
    assert status == 0

    def forbid(name):
        raise AssertionError(f"bare {name} in the JSON")

    data = json.loads(out, parse_constant=forbid)
    assert data["output"] == [1.0, "NaN", "NaN", "-Infinity"]  # inf - inf, nan - 1, -inf
    assert json_text([float("inf")], indent=None) == '["Infinity"]'


def test_values_from_stdin(capsys, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("[[9,1,3],[7,8,7],[8,2,2]]"))
    status, out, _ = run(capsys, "eval", "--input-values", "-", "--kernel-values",
                         "[[4,2,3],[1,4,3],[1,1,1]]", "--stride", 2, "--padding", 1, "--json")
    assert status == 0 and json.loads(out)["output"][0] == [36, 28, 4, 6, 12]
    refused(capsys, "eval", "--input-values", "-", "--kernel-values", "-", match="only one")
    refused(capsys, "eval", "--input-values", "@/no/such/file.json", "--kernel-values", "[1]",
            match="/no/such/file.json")


def test_npy_must_hold_numbers(capsys, tmp_path):
    np.save(tmp_path / "s.npy", np.array(["a", "b"]))
    refused(capsys, "eval", "--input-values", f"@{tmp_path / 's.npy'}", "--kernel-values", "[1]",
            match="dtype")


# --------------------------------------------------------------------------- #
# Ctrl-C and encodings: real processes
# --------------------------------------------------------------------------- #


def test_ctrl_c_prints_one_line_and_exits_130():
    code = ("import sys; from symtconv.cli import main; print('ready', file=sys.stderr, "
            "flush=True); raise SystemExit(main(['prove', '--input', '100', '100', '--kernel', "
            "'1', '--engine', 'sympy']))")  # 10,000 SymPy terms: many seconds
    process = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert process.stderr.readline() == "ready\n"
        time.sleep(1.0)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=GUARD)
    finally:
        process.kill()
    assert process.returncode == 130, (out, err)
    assert err == "symtconv: interrupted\n"


@pytest.mark.parametrize("argv", [
    ["size", "--input", "32", "32", "--kernel", "3", "--stride", "2", "--padding", "2"],
    ["demo"],
    ["overlap", "--input", "5", "--kernel", "3", "--stride", "2"],
    ["size", "--input", "٣", "--kernel", "3"],
])
def test_ascii_terminals_get_ascii_spellings(argv):
    result = subprocess_run(*argv, env={"PYTHONIOENCODING": "ascii"})
    assert "Traceback" not in result.stderr and "UnicodeEncodeError" not in result.stderr
    assert result.returncode in (0, 1, 2) and result.stdout.isascii()
    if argv[0] == "size" and result.returncode == 0:
        assert "output size: 61 x 61" in result.stdout
    if argv == ["demo"]:
        assert result.returncode == 0 and "C^T*vec(y)" in result.stdout


def test_ascii_json_keeps_everything():
    argv = ["prove", "--input", "3", "--kernel", "3", "--dilation", "2", "--output-padding", "1",
            "--json"]  # not proved (exit 1); its notes say Cᵀ and ⟨y, conv(x)⟩
    result = subprocess_run(*argv, env={"PYTHONIOENCODING": "ascii"})
    utf8 = subprocess_run(*argv)
    assert result.returncode == utf8.returncode == 1 and result.stdout.isascii()
    ascii_data, utf8_data = json.loads(result.stdout), json.loads(utf8.stdout)
    for data in (ascii_data, utf8_data):
        data.pop("seconds")  # the only thing that differs between two runs
    assert ascii_data == utf8_data  # escaped, not transliterated: nothing lost
    assert not utf8.stdout.isascii()


def test_ascii_text_spellings():
    assert ascii_text("Cᵀ·vec(y), 3×3, x₁₂ ≤ 2") == "C^T*vec(y), 3x3, x_1_2 <= 2"


# --------------------------------------------------------------------------- #
# the library API
# --------------------------------------------------------------------------- #


def test_library_entry_points_name_a_missing_geometry():
    with pytest.raises(ParameterTypeError, match=r"geometry must be a symtconv\.Geometry"):
        symtconv.prove(None)
    with pytest.raises(ParameterTypeError, match="geometry=None"):
        symtconv.evaluate(None, [1], [1])
    with pytest.raises(ParameterTypeError, match="geometry=42"):
        symtconv.prove(42, engine="fast")


def test_object_arrays_must_hold_numbers():
    with pytest.raises(ParameterTypeError, match="input must hold numbers"):
        conv_transpose(np.array([[[1, "a"]]], dtype=object), np.ones((1, 1, 2)))
    with pytest.raises(ParameterTypeError, match="weight must hold numbers"):
        conv_transpose(np.ones((1, 1, 2)), np.array([[[None, 1]]], dtype=object))


@pytest.mark.parametrize("peak", [3, 2**24, 2**26 + 1, 2**29])
def test_integer_results_stay_exact_on_both_sides_of_2_to_53(peak):
    rng = np.random.default_rng(peak)
    y = rng.integers(-peak, peak + 1, size=(2, 3, 7), dtype=np.int64)
    w = rng.integers(-peak, peak + 1, size=(3, 2, 4), dtype=np.int64)
    x = conv_transpose(y, w, stride=2, padding=1)
    assert x.dtype == np.int64
    expected = np.zeros(x.shape, dtype=object)  # Python integers, by the scatter definition
    for n, ci, co, i, m in np.ndindex(2, 3, 2, 7, 4):
        j = 2 * i + m - 1
        if 0 <= j < x.shape[-1]:
            expected[n, co, j] += int(y[n, ci, i]) * int(w[ci, co, m])
    assert x.tolist() == expected.tolist()


# --------------------------------------------------------------------------- #
# random huge geometries: answer or refuse within seconds
# --------------------------------------------------------------------------- #


def sizes(low=1):
    return st.integers(0, 18).flatmap(lambda e: st.integers(low, max(low, 10**e)))


@settings(max_examples=25)
@given(st.sampled_from(["size", "prove", "overlap", "eval"]), st.lists(sizes(), min_size=1,
       max_size=2), sizes(), sizes(), sizes(0), sizes())
def test_random_huge_geometries_answer_or_refuse_quickly(command, inputs, k, s, p, d):
    # a lower engine limit keeps accepted proofs light on a shared machine; the point is
    # that the estimate decides before any work
    small = dataclasses.replace(LIMITS["engine.bytes"], value=256 * 2**20)
    original = LIMITS["engine.bytes"]
    LIMITS["engine.bytes"] = small
    try:
        argv = [command, "--stride", s, "--padding", p, "--dilation", d]
        if command == "eval":  # sizes come from the values; the stride etc. stay huge
            argv += ["--input-values", json.dumps([1] * min(inputs[0], 3)),
                     "--kernel-values", json.dumps([2] * min(k, 3))]
        else:
            argv += ["--input", *inputs, "--kernel", k]
        started = time.perf_counter()
        with alarm(30):
            status = main([str(a) for a in argv])
        assert status in (0, 1, 2)
        assert time.perf_counter() - started < 30
    finally:
        LIMITS["engine.bytes"] = original


def test_limits_are_consistent():
    for key, lim in LIMITS.items():
        assert key == f"{lim.tier}.{lim.quantity}" and lim.value > 0
        assert lim.instead.startswith(("use", "call"))
    assert math.isclose(limits.limit("engine.bytes"), 2 * 2**30)
