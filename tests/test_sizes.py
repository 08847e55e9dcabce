"""Modules stay under 1,000 lines and classes under 400 (DESIGN.md: a concept is a file)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_MODULE_LINES = 1000
MAX_CLASS_LINES = 400


def oversized(path: Path) -> list[str]:
    """What in ``path`` is too long: the module, and every class (decorators included)."""
    text = path.read_text(encoding="utf-8")
    found = []
    lines = len(text.splitlines())
    if lines > MAX_MODULE_LINES:
        found.append(f"{path.name}: {lines} lines > {MAX_MODULE_LINES}")
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ClassDef):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            length = (node.end_lineno or node.lineno) - start + 1
            if length > MAX_CLASS_LINES:
                found.append(f"{path.name}: class {node.name} {length} lines > {MAX_CLASS_LINES}")
    return found


def test_no_module_or_class_is_too_long() -> None:
    paths = sorted((ROOT / "symtconv").rglob("*.py"))
    assert len(paths) > 40  # the packages are found, not an empty glob
    too_long = {
        path.relative_to(ROOT).as_posix(): found for path in paths if (found := oversized(path))
    }
    assert too_long == {}


def test_a_long_module_and_a_long_class_are_reported(tmp_path: Path) -> None:
    body = "\n".join(f"    x{n} = {n}" for n in range(MAX_CLASS_LINES))  # + header: 401 lines
    path = tmp_path / "planted.py"
    path.write_text("import dataclasses\n\n\n@dataclasses.dataclass\nclass Big:\n" + body + "\n")
    assert oversized(path) == [f"planted.py: class Big {MAX_CLASS_LINES + 2} lines > 400"]
    path.write_text(f"class Small:\n{body[: body.index(chr(10))]}\n" + "\n" * MAX_MODULE_LINES)
    assert oversized(path) == [f"planted.py: {MAX_MODULE_LINES + 2} lines > 1000"]
