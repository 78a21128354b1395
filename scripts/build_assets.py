"""Copy the NHS.UK frontend stylesheet into static/vendor without its @font-face rules.

The package's compiled CSS loads the Frutiger web fonts from assets.nhs.uk. Our Content-Security-Policy
allows no third-party hosts (and the fonts are licensed to nhs.uk), so pages use the frontend's own
fallback font stack (Arial) instead.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk" / "nhsuk-frontend.min.css"
TARGET = ROOT / "static" / "vendor" / "nhsuk-frontend.min.css"


def main() -> int:
    css = SOURCE.read_text(encoding="utf-8")
    stripped, count = re.subn(r"@font-face\{[^}]*\}", "", css)
    stripped = stripped.replace("url(/assets/", "url(/static/nhsuk/assets/")
    if "assets.nhs.uk" in stripped:
        print("build_assets: the stylesheet still refers to assets.nhs.uk", file=sys.stderr)
        return 1
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(
        stripped.replace("/*# sourceMappingURL=nhsuk-frontend.min.css.map */", ""), encoding="utf-8"
    )
    print(f"build_assets: wrote {TARGET.relative_to(ROOT)} ({count} @font-face rules removed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
