"""The user's choices, checked: display names for y, w, x, the .tex path and the figures' stem."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..errors import ParameterError
from .printer import check_name

#: Letters the documents use for other things; a tensor may not be renamed to them.
_RESERVED = frozenset("CTuzijksdpaomnlcgGN")

#: The format of a document's figures: vector, like the document.
FIGURE_FORMAT = "pdf"

_STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def _tex_path(path: str | Path) -> Path:
    """``path`` as a :class:`~pathlib.Path`, which must name a ``.tex`` file."""
    path = Path(path)
    if path.suffix != ".tex":
        raise ParameterError(f"path must name a .tex file, got {str(path)!r}")
    return path


def _check_stem(stem: str) -> None:
    """A figure's name is written into the document: only letters, digits, - and _."""
    if not _STEM.fullmatch(stem):
        raise ParameterError(
            "figures are named after the .tex file, so its name must be letters, digits, '-' "
            f"and '_' (starting with a letter or digit), got {stem!r}"
        )


def _names(names: Mapping[str, str] | Sequence[str] | None) -> dict[str, str]:
    """Checked display names for y, w, x (only the renamed ones)."""
    if names is None:
        return {}
    if isinstance(names, Mapping):
        unknown = set(names) - {"y", "w", "x"}
        if unknown:
            raise ParameterError(f"names can rename y, w and x, got names for {sorted(unknown)}")
        chosen = dict(names)
    else:
        if isinstance(names, str) or len(names) != 3:
            raise ParameterError(f"names must give three names (for y, w, x), got {names!r}")
        chosen = dict(zip("ywx", names, strict=True))
    for base, name in chosen.items():
        check_name(name, f"the name for {base}")
        if name in _RESERVED:
            raise ParameterError(
                f"the name for {base} must not be one of the document's other symbols "
                f"({', '.join(sorted(_RESERVED))}), got {name!r}"
            )
    if len(set(chosen.values())) != len(chosen):
        raise ParameterError(f"names must be different, got {chosen}")
    return {base: name for base, name in chosen.items() if name != base}
