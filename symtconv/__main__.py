"""``python -m symtconv``: the same as the ``symtconv`` command."""

import sys

try:
    from .cli import main
except KeyboardInterrupt:  # Ctrl-C while the package loads: the same one line as main()
    sys.stderr.write("symtconv: interrupted\n")
    raise SystemExit(130) from None

raise SystemExit(main())
