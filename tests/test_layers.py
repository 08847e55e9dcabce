"""The house is acyclic: lower layers never import higher ones, and no modules import each
other in a cycle (DESIGN.md, "Layers").

The imports are read with ``ast`` from every ``symtconv/**/*.py``, including imports inside
functions (a lazy import is still a dependency) and excluding ``if TYPE_CHECKING:`` blocks
(never run).  A module of a package (``symtconv.latex.printer``) is in its package's layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "symtconv"

#: DESIGN.md's layer table, lowest first; a module may import its own layer or lower ones.
LAYERS: list[set[str]] = [
    {"errors", "progress", "limits", "atomic", "console", "notation"},
    {"geometry", "runs"},
    {"tensors", "matrix", "results", "strategies"},
    {"methods", "evaluate"},
    {"proofs", "engine"},
    {"general"},
    {"overlap"},
    {"numeric"},
    {"conventions", "frameworks"},
    {"verification", "runner"},
    {"demo"},
    {"figures", "latex"},
    {"decomposition"},
    {"audit", "explore"},
    {"cli", "__main__", ""},  # "" is the package's own __init__
]

Graph = dict[str, set[str]]


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def import_graph(root: Path) -> Graph:
    """Module -> the modules of the same package tree it imports (run-time imports only)."""
    paths = {module_name(p, root): p for p in root.rglob("*.py")}
    top = root.name
    graph: Graph = {}
    for name, path in paths.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        targets: set[str] = set()

        def visit(node: ast.AST, package: list[str] = package, targets: set[str] = targets) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.If) and _type_checking(child):
                    continue
                if isinstance(child, ast.ImportFrom):
                    if child.level:
                        base = package[: len(package) - (child.level - 1)]
                        target = ".".join(base + ([child.module] if child.module else []))
                    else:
                        target = child.module or ""
                    for alias in child.names:
                        sub = f"{target}.{alias.name}"
                        targets.add(sub if sub in paths else target)
                elif isinstance(child, ast.Import):
                    targets.update(alias.name for alias in child.names)
                visit(child)

        visit(ast.parse(path.read_text(encoding="utf-8")))
        graph[name] = {t for t in targets if (t == top or t.startswith(top + ".")) and t != name}
    return graph


def find_cycle(graph: Graph) -> list[str] | None:
    """One import cycle (its modules in order, the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)) is not None:
            return found
    return None


def layer(module: str) -> int | None:
    parts = module.split(".")
    # a feature package's own command-line module (``symtconv.decomposition.cli``) is part
    # of the front end, registered by ``symtconv.cli``
    name = "cli" if parts[-1] == "cli" else parts[1] if len(parts) > 1 else ""
    return next((n for n, names in enumerate(LAYERS) if name in names), None)


def upward_imports(graph: Graph) -> list[str]:
    """Every import from a lower layer into a higher one, as ``importer -> imported``."""
    return [
        f"{source} (layer {layer(source)}) -> {target} (layer {layer(target)})"
        for source, targets in sorted(graph.items())
        for target in sorted(targets)
        if (ls := layer(source)) is not None and (lt := layer(target)) is not None and lt > ls
    ]


@pytest.fixture(scope="module")
def graph() -> Graph:
    return import_graph(ROOT)


def test_the_graph_sees_the_packages(graph: Graph) -> None:
    # the reader must find the split packages and their lazy and relative imports
    assert "symtconv.latex.sections.matrix" in graph
    assert "symtconv.latex.printer" in graph["symtconv.latex.writer"]
    assert "symtconv.engine" in graph["symtconv.proofs"]  # imported inside prove()
    assert "symtconv.engine.term_sets" in graph["symtconv.engine.methods"]


def test_every_module_is_in_a_layer(graph: Graph) -> None:
    missing = sorted(m for m in graph if layer(m) is None)
    assert not missing, f"add these to LAYERS (and DESIGN.md's table): {missing}"


def test_no_module_imports_a_higher_layer(graph: Graph) -> None:
    assert upward_imports(graph) == []


def test_no_import_cycles(graph: Graph) -> None:
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_a_planted_cycle_and_upward_import_are_found(tmp_path: Path) -> None:
    root = tmp_path / "symtconv"
    (root / "latex").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "errors.py").write_text("def f():\n    from .latex import a\n")  # lazy, upward
    (root / "latex" / "__init__.py").write_text("from .a import x\n")
    (root / "latex" / "a.py").write_text("from .b import y\nx = 1\n")
    (root / "latex" / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .c import z\n"
        "def y():\n    from . import a\n"
    )
    (root / "latex" / "c.py").write_text("from .b import y\n")  # only a typing-time cycle
    planted = import_graph(root)
    assert find_cycle(planted) == ["symtconv.latex.a", "symtconv.latex.b", "symtconv.latex.a"]
    assert upward_imports(planted) == ["symtconv.errors (layer 0) -> symtconv.latex.a (layer 11)"]
    planted["symtconv.latex.b"].discard("symtconv.latex.a")
    assert find_cycle(planted) is None
