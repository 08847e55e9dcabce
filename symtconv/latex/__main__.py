"""``python -m symtconv.latex --rebuild DIR`` / ``--check DIR``: the committed documents."""

from .documents import _main

if __name__ == "__main__":
    raise SystemExit(_main())
