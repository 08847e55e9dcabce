"""``python -m symtconv``: the same as the ``symtconv`` command."""

from .cli import main

raise SystemExit(main())
