"""The README stays true: its CLI examples and its Python example run as shown."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from symtconv.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def _cli_examples() -> list[tuple[list[str], int]]:
    """Each ``symtconv ...`` line with its exit status (0 unless it says ``# exits N``)."""
    commands = []
    for block in _blocks("bash"):
        text = block.replace("\\\n", " ")
        for line in text.splitlines():
            command, _, comment = line.partition(" #")
            if command.strip().startswith("symtconv "):
                status = re.search(r"exits (\d)", comment)
                commands.append((shlex.split(command)[1:], int(status[1]) if status else 0))
    return commands


def test_readme_has_the_two_commands():
    assert "pip install . && symtconv demo" in README
    assert "pip install '.[test]' && python -m pytest" in README


@pytest.mark.parametrize(("argv", "status"), _cli_examples(), ids=lambda v: str(v)[:40])
def test_cli_example_runs(capsys, monkeypatch, tmp_path, argv, status):
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    if argv[0] == "figure":
        pytest.importorskip("matplotlib", reason="figures need the 'plot' extra")
    assert main(argv) == status
    _, err = capsys.readouterr()
    assert err == ""


def test_python_api_example_runs():
    block = _blocks("python")[0]
    namespace: dict[str, object] = {}
    exec(compile(block, "README.md", "exec"), namespace)
    assert namespace["g"].output_size == (5, 5)
    assert bool(namespace["proof"]) is True


def test_torch_verification_example_runs():
    pytest.importorskip("torch", reason="the example needs the 'torch' extra")
    block = _blocks("python")[1]
    namespace: dict[str, object] = {}
    exec(compile(block, "README.md", "exec"), namespace)
    assert bool(namespace["report"]) is True


def test_strategies_example_runs():
    block = _blocks("python")[2]
    namespace: dict[str, object] = {"my_conv_transpose": _reference_kernel()}
    exec(compile(block, "README.md", "exec"), namespace)
    namespace["test_my_kernel"]()  # the hypothesis test itself runs here


def _reference_kernel():
    from symtconv.numeric import conv_transpose

    return lambda y, w, **kwargs: conv_transpose(y.astype(float), w.astype(float), **kwargs)
