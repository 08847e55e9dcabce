"""Writing results to a terminal that may not speak Unicode, and JSON that is always JSON.

Explanation
===========

symtconv's text uses a few non-ASCII symbols (``Cᵀ``, ``y·w``, ``3×3``, ``←``, the seed's
Chinese step names).  With ``PYTHONIOENCODING=ascii`` or ``LC_ALL=C`` the standard
streams cannot encode them; :func:`write` then falls back to ASCII spellings
(:func:`ascii_text`: ``×`` -> ``x``, ``·`` -> ``*``, ``ᵀ`` -> ``^T``, subscripts
-> ``_0``, ...) instead of failing with ``UnicodeEncodeError``.  JSON is written with
``\\u`` escapes on such streams, so no information is lost there.

:func:`json_text` never writes the bare ``NaN`` / ``Infinity`` that Python's ``json``
emits and JSON forbids: a non-finite float becomes the string ``"NaN"``,
``"Infinity"`` or ``"-Infinity"``.

Examples
========

>>> from symtconv.console import ascii_text, json_text
>>> ascii_text("Cᵀ·vec(y) on a 3×3 input, x₁ ← w₂")
'C^T*vec(y) on a 3x3 input, x_1 <- w_2'
>>> ascii_text("zero insertion (元素填充): s-1 zeros")
'zero insertion: s-1 zeros'
>>> json_text({"output": [1.5, float("nan"), float("-inf")]}, indent=None)
'{"output": [1.5, "NaN", "-Infinity"]}'
"""

from __future__ import annotations

import json
import math
import re
import sys
import unicodedata
from typing import Any, TextIO

__all__ = ["ascii_text", "can_encode", "json_safe", "json_text", "write"]

_SPELLINGS = {
    "×": "x", "·": "*", "ᵀ": "^T", "—": "--", "–": "-", "−": "-", "…": "...",
    "←": "<-", "→": "->", "⇔": "<=>", "≤": "<=", "≥": ">=", "≠": "!=", "≡": "==",
    "∈": " in ", "∋": " contains ", "∤": " does not divide ", "≈": "~", "±": "+-",
    "Σ": "sum", "Π": "prod", "∂": "d", "⟨": "<", "⟩": ">", "⌊": "floor(", "⌋": ")",
    "⌈": "ceil(", "⌉": ")", "∞": "inf", "√": "sqrt", "⊙": "(*)", "ρ": "rho",
    "δ": "delta", "ε": "eps", "α": "alpha", "µ": "u", "ĩ": "i~", "“": '"', "”": '"',
    "‘": "'", "’": "'", "′": "'",
}
_SPELLINGS.update({chr(0x2080 + n): f"_{n}" for n in range(10)})  # ₀ … ₉
_SPELLINGS.update({c: f"^{n}" for n, c in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")})
_TABLE = str.maketrans(_SPELLINGS)
#: A parenthesised gloss written only in non-ASCII (the seed's Chinese step names).
_GLOSS = re.compile(r"\s*\([^\x00-\x7f]+\)")


def ascii_text(text: str) -> str:
    """``text`` with ASCII spellings of symtconv's symbols; anything left becomes ``?``."""
    text = _GLOSS.sub("", text).translate(_TABLE)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.encode("ascii", errors="replace").decode("ascii")


def can_encode(text: str, stream: TextIO) -> bool:
    """Whether ``stream`` can write ``text`` as it is."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def write(text: str, stream: TextIO | None = None) -> None:
    """Write ``text`` and a newline to ``stream`` (standard output by default), in ASCII
    spellings when the stream cannot encode it."""
    stream = sys.stdout if stream is None else stream
    if not can_encode(text, stream):
        text = ascii_text(text)
        if not can_encode(text, stream):  # an exotic encoding without ASCII: escape
            text = text.encode("ascii", errors="backslashreplace").decode("ascii")
    stream.write(text + "\n")
    stream.flush()


def json_safe(value: Any) -> Any:
    """``value`` with every non-finite float replaced by ``"NaN"``, ``"Infinity"`` or
    ``"-Infinity"`` (lists, tuples and dicts are walked).

    >>> json_safe([1.0, float("inf"), {"a": float("nan")}])
    [1.0, 'Infinity', {'a': 'NaN'}]
    """
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def json_text(data: Any, *, indent: int | None = 2, ascii_only: bool = False,
              separators: tuple[str, str] | None = None) -> str:
    """Strict JSON for ``data``: non-finite floats as strings (see :func:`json_safe`)."""
    try:
        return json.dumps(data, indent=indent, ensure_ascii=ascii_only, allow_nan=False,
                          separators=separators)
    except ValueError:
        return json.dumps(json_safe(data), indent=indent, ensure_ascii=ascii_only,
                          allow_nan=False, separators=separators)
