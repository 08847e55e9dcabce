"""Take the README's screenshot of the explorer: docs/explorer.png.

Writes the seed's page, opens it in headless Chromium (symtconv.explore.browser), clicks
x[1,1] and saves the whole page.  Needs selenium and Chromium with its driver:
``pip install '.[browser]'`` and ``apt-get install chromium chromium-driver``.

    python tools/explorer_screenshot.py [docs/explorer.png]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from symtconv import Geometry
from symtconv.explore import write_page
from symtconv.explore.browser import screenshot

SEED_Y = [[9, 1, 3], [7, 8, 7], [8, 2, 2]]
SEED_W = [[4, 2, 3], [1, 4, 3], [1, 1, 1]]


def main(argv: list[str]) -> int:
    png = Path(argv[0]) if argv else Path(__file__).resolve().parents[1] / "docs/explorer.png"
    with tempfile.TemporaryDirectory() as tmp:
        page = write_page(Path(tmp) / "seed.html", Geometry((3, 3), 3, stride=2, padding=1),
                          SEED_Y, SEED_W)
        screenshot(page, png, select="1,1", width=1200, height=900)
    print(f"wrote {png} ({png.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
