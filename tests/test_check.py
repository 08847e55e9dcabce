"""`symtconv check` on real kernels: a restricted space, isolation, strict judging.

Each misbehaving implementation is planted in tests/wrong_implementations.py.  Those that
could hang run in a real subprocess whose (generous) timeout is the time bound: a hang of
symtconv itself fails the test instead of blocking the suite.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import wrong_implementations as wrong

from symtconv.cli import main
from symtconv.errors import ParameterError, ParameterTypeError
from symtconv.verification import verify

HERE = Path(__file__).resolve().parent
PLANTED = HERE / "wrong_implementations.py"
ROOT = HERE.parent
HANG_GUARD = 180  # seconds: far above what each run needs, even on a loaded machine


def _target(name: str) -> str:
    return f"{PLANTED}:{name}"


def _run(*argv: str, cwd: Path | None = None, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    """`python -m symtconv ...` in a new process (this checkout's symtconv)."""
    environment = {**os.environ, **(env or {})}
    environment["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), environment.get("PYTHONPATH")) if p)
    return subprocess.run([sys.executable, "-m", "symtconv", *argv], cwd=cwd,
                          env=environment, capture_output=True, text=True, timeout=HANG_GUARD)


def _check_json(capsys, *argv: str) -> tuple[int, dict]:
    status = main(["check", *argv, "--json"])
    out = capsys.readouterr().out
    return status, json.loads(out)  # one JSON document, whatever the implementation printed


# --------------------------------------------------------------------------- #
# 1. the space
# --------------------------------------------------------------------------- #


def test_a_2d_only_kernel_fails_outside_its_space_and_passes_inside(capsys):
    status, data = _check_json(capsys, _target("only_2d"), "--max-examples", "10",
                               "--seed", "0")
    assert status == 1
    assert data["diagnosis"] == ("the implementation raised ValueError: not enough values to "
                                 "unpack (expected 2, got 1)")
    status, data = _check_json(capsys, _target("only_2d"), "--ndim", "2", "--without",
                               "dilation", "--max-examples", "25", "--seed", "0")
    assert status == 0, data
    assert data["space"]["ndim"] == [2] and data["space"]["without"] == ["dilation"]
    assert data["space"]["description"].startswith("2-D; input sizes 1-4, kernel 1-3, "
                                                   "stride 1-3, no dilation")


def test_a_wrong_2d_only_kernel_is_caught_in_its_space(capsys):
    status, data = _check_json(capsys, _target("only_2d_unflipped"), "--ndim", "2",
                               "--without", "dilation", "--max-examples", "50", "--seed", "1")
    assert status == 1
    assert data["diagnosis"] == "kernel not flipped"
    assert len(data["counterexample"]["input_size"]) == 2
    assert data["counterexample"]["dilation"] == [1, 1]


def test_the_text_report_states_the_space(capsys):
    assert main(["check", _target("correct"), "--ndim", "1", "3", "--without", "groups",
                 "bias", "batch", "--max-size", "6", "--max-examples", "10"]) == 0
    out = capsys.readouterr().out
    assert ("space: 1-D, 3-D; input sizes 1-6, kernel 1-3, stride 1-3, dilation 1-2, padding, "
            "output_padding, no groups, 1-2 channels per group in and out, no bias, "
            "unbatched only") in out


@pytest.mark.parametrize(
    ("flags", "needle"),
    [
        (["--ndim", "7"], "ndim must be among 1, 2, 3"),
        (["--without", "colour"], "invalid choice: 'colour'"),
        (["--max-size", "0"], "max_size must be an integer in 1-64, got max_size=0"),
        (["--max-size", "65"], "max_size must be an integer in 1-64, got max_size=65"),
        (["--timeout", "0"], "expected a positive number of seconds, got '0'"),
        (["--max-examples", "0"], "--max-examples must be a positive integer"),
    ],
)
def test_bad_space_flags_are_usage_errors(capsys, flags, needle):
    assert main(["check", _target("correct"), *flags]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and needle in err, err


def test_cli_feature_choices_are_the_library_features():
    from symtconv.cli import build_parser
    from symtconv.strategies import FEATURES

    check = build_parser()._subparsers._group_actions[0].choices["check"]
    (without,) = [a for a in check._actions if a.dest == "without"]
    assert tuple(without.choices) == FEATURES


def test_verify_checks_its_arguments():
    with pytest.raises(ParameterTypeError, match="fn must be a callable"):
        verify(42)
    with pytest.raises(ParameterError, match="ndim must be among 1, 2, 3"):
        verify(wrong.correct, ndim=7)
    with pytest.raises(ParameterError, match="without must name features among groups, "):
        verify(wrong.correct, without=["colour"])
    with pytest.raises(ParameterError, match="max_size"):
        verify(wrong.correct, max_size=100)
    with pytest.raises(ParameterError, match="timeout must be positive"):
        verify(wrong.correct, timeout=-1)
    with pytest.raises(ParameterTypeError, match="timeout"):
        verify(wrong.correct, timeout="10")


def test_the_drawn_cases_stay_in_the_space():
    from hypothesis import given, settings

    from symtconv.strategies import Space
    from symtconv.verification import _cases

    space = Space.of(ndim=(2, 3), without=["dilation", "output-padding", "padding", "bias",
                                           "batch", "channels"], max_size=3)

    @settings(max_examples=60)
    @given(_cases(space))
    def inside(case):
        g = case.geometry
        assert g.ndim in (2, 3) and max(g.input_size) <= 3
        assert set(g.dilation) == {1} and set(g.output_padding) == {0}
        assert set(g.padding) == {0} and case.bias is None
        assert not case.batched and g.in_channels == g.out_channels == g.groups == 1

    inside()


# --------------------------------------------------------------------------- #
# 2. isolation: hangs, exits, crashes
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("name", ["sleeps", "busy_loop"])
def test_a_hanging_implementation_times_out(name):
    start = time.monotonic()
    done = _run("check", _target(name), "--timeout", "1", "--max-examples", "5", "--json")
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    assert data["diagnosis"] == "timed out after 1 s"
    # the smallest geometry: every case hangs, so shrinking reaches one element
    assert data["counterexample"]["input_shape"] == [1, 1]
    assert data["examples"] == 1
    # three timeouts at most, not one per shrinking step (generous: a loaded machine)
    assert time.monotonic() - start < HANG_GUARD


@pytest.mark.parametrize(
    ("name", "diagnosis"),
    [
        ("exits_zero", "raised SystemExit(0)"),
        ("interrupts", "raised KeyboardInterrupt"),
        ("segfaults", "crashed: the process was killed by SIGSEGV (Segmentation fault)"),
        ("aborts", "crashed: the process was killed by SIGABRT (Aborted)"),
    ],
)
def test_exits_and_crashes_are_failures(capsys, name, diagnosis):
    status, data = _check_json(capsys, _target(name), "--max-examples", "5", "--timeout", "5")
    assert status == 1
    assert data["passed"] is False and data["diagnosis"] == diagnosis


@pytest.mark.parametrize("exit_line", ["sys.exit(0)", "sys.exit(3)", "os._exit(0)"])
def test_a_module_that_exits_on_import_is_a_usage_error(tmp_path, exit_line):
    module = tmp_path / "exits_on_import.py"
    module.write_text(f"import os, sys\n{exit_line}\n\ndef f(*args, **kwargs):\n    pass\n")
    done = _run("check", f"{module}:f", "--max-examples", "5")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1
    if exit_line.startswith("sys"):
        code = exit_line[len("sys.exit("):-1]
        assert done.stderr == (f"symtconv: error: cannot import {module}: SystemExit: it "
                               f"called sys.exit({code}) while importing\n")
    else:
        assert done.stderr == (f"symtconv: error: cannot import {module}: the process exited "
                               "with status 0 while importing it\n")


def test_a_module_that_does_not_import_is_a_usage_error(tmp_path, capsys):
    module = tmp_path / "broken.py"
    module.write_text("def f(:\n")
    assert main(["check", f"{module}:f"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"symtconv: error: cannot import {module}: SyntaxError")
    assert err.count("\n") == 1


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the child through /proc")
def test_ctrl_c_prints_interrupted_exits_130_and_leaves_no_child():
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "symtconv", "check", _target("sleeps"), "--timeout", "100"],
        env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + HANG_GUARD
        children: list[int] = []
        while not children and time.monotonic() < deadline:
            time.sleep(0.2)
            children = _children(process.pid)
        assert children, "the child process never started"
        time.sleep(1.0)  # the child is in the sleeping call by now (or about to be)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=HANG_GUARD)
    finally:
        process.kill()
    assert process.returncode == 130
    assert err == "symtconv: interrupted\n" and out == ""
    time.sleep(0.5)
    assert not [pid for pid in children if Path(f"/proc/{pid}").exists()
                and "Z" not in (Path(f"/proc/{pid}/stat").read_text().split()[2])]


# --------------------------------------------------------------------------- #
# 3. strict judging
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    ("name", "diagnosis"),
    [
        ("mutates_input", "modified its input in place (input)"),
        ("returns_input", "returned its input buffer (the output shares memory with input)"),
        ("returns_strings", "returned dtype <U32, not numbers"),
        ("returns_bools", "returned dtype bool, not numbers"),
        ("returns_complex", "returned dtype complex128, complex values, not real numbers"),
        ("returns_nan", "returned NaN where the reference is finite"),
    ],
)
def test_results_that_are_not_right_numbers_fail(capsys, name, diagnosis):
    status, data = _check_json(capsys, _target(name), "--max-examples", "10", "--seed", "0")
    assert status == 1
    assert data["diagnosis"] == diagnosis


def test_the_same_judging_in_process():
    report = verify(wrong.returns_strings, max_examples=5, isolate=False)
    assert report.diagnosis == "returned dtype <U32, not numbers"
    report = verify(wrong.mutates_input, max_examples=5, isolate=False)
    assert report.diagnosis == "modified its input in place (input)"


# --------------------------------------------------------------------------- #
# 4. clean output
# --------------------------------------------------------------------------- #


def test_what_the_implementation_prints_is_kept_apart(capsys):
    status, data = _check_json(capsys, _target("prints"), "--max-examples", "5")
    assert status == 0
    assert data["stdout"] == "hello from the kernel\n" * data["examples"]
    assert data["stderr"] == "a warning from the kernel\n" * data["examples"]
    assert main(["check", _target("prints"), "--max-examples", "3"]) == 0
    out = capsys.readouterr().out
    assert "the implementation printed on stdout:\n  | hello from the kernel\n" in out


def test_the_example_count_never_exceeds_max_examples(capsys):
    calls = 0

    def counted(*args, **kwargs):
        nonlocal calls
        calls += 1
        return wrong.bias_ignored(*args, **kwargs)

    report = verify(counted, max_examples=20, seed=3, isolate=False)
    assert not report and 1 <= report.examples <= 20
    assert calls > 20, "shrinking and diagnosis call it more often: those are not examples"
    _, data = _check_json(capsys, _target("kernel_not_flipped"), "--max-examples", "5",
                          "--seed", "3")
    assert data["examples"] <= 5
    assert main(["check", _target("correct"), "--max-examples", "7"]) == 0
    assert capsys.readouterr().out.startswith("PASSED: 7 examples agree")


def test_no_hypothesis_folder_in_the_working_directory(tmp_path):
    work, cache = tmp_path / "work", tmp_path / "cache"
    work.mkdir()
    done = _run("check", _target("correct"), "--max-examples", "5", cwd=work,
                env={"XDG_CACHE_HOME": str(cache)})
    assert done.returncode == 0, done.stderr
    assert list(work.iterdir()) == []
    assert (cache / "symtconv" / "hypothesis").is_dir()


# --------------------------------------------------------------------------- #
# 5. the torch and jax conventions, against the real libraries
# --------------------------------------------------------------------------- #


def test_the_torch_convention_on_torch_itself(capsys):
    pytest.importorskip("torch", reason="the torch convention needs the 'torch' extra")
    assert main(["check", _target("torch_functional"), "--convention", "torch",
                 "--max-examples", "25", "--seed", "2"]) == 0
    assert capsys.readouterr().out.startswith("PASSED: 25 examples")
    status, data = _check_json(capsys, _target("torch_unflipped"), "--convention", "torch",
                               "--max-examples", "25", "--seed", "2")
    assert status == 1 and data["diagnosis"] == "kernel not flipped"


def test_the_jax_convention_on_jax_itself(capsys):
    pytest.importorskip("jax", reason="the jax convention needs jax")
    status, data = _check_json(capsys, _target("jax_lax"), "--convention", "jax",
                               "--max-examples", "25", "--seed", "2")
    assert status == 0, data
    assert data["space"]["notes"] == [
        "jax.lax.conv_transpose has no groups and no bias; lhs has a batch axis"]
    assert "no groups" in data["space"]["description"]
    status, data = _check_json(capsys, _target("jax_without_transpose_kernel"),
                               "--convention", "jax", "--without", "channels",
                               "--max-examples", "25", "--seed", "2")
    assert status == 1 and data["diagnosis"] == "kernel not flipped"
