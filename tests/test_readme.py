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
def test_cli_example_runs(capsys, argv, status):
    assert main(argv) == status
    _, err = capsys.readouterr()
    assert err == ""


def test_python_example_runs():
    (block,) = _blocks("python")
    namespace: dict[str, object] = {}
    exec(compile(block, "README.md", "exec"), namespace)
    assert namespace["g"].output_size == (5, 5)
    assert bool(namespace["proof"]) is True
