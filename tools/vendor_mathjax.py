"""Install MathJax into _vendor/mathjax so the site serves it itself (no CDN).

MathJax comes from PyPI (the `django-static-mathjax` wheel carries MathJax 3.2.2's files; only the
wheel is downloaded, Django is not installed). Its checksum is verified, then the parts Sphinx's
`tex-chtml.js` needs (the component, TeX extensions, CommonHTML fonts, menu and a11y) are copied.
`make book` and `make test` run this once; `_vendor/` is git-ignored.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

WHEEL = "django-static-mathjax==3.2.2.1"
WHEEL_SHA256 = "05ad109fd9e5d9d380c76389689b7f523e9ccb7f7a85c1eb962c7564eac7601d"
PREFIX = "mathjax/static/mathjax/es5/"
KEEP = ("tex-chtml.js", "input/tex/", "output/chtml/", "a11y/", "ui/", "adaptors/")
TARGET = Path(__file__).resolve().parent.parent / "_vendor" / "mathjax"


def main() -> int:
    if (TARGET / "tex-chtml.js").exists():
        print(f"MathJax already installed in {TARGET}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", tmp, WHEEL],
            check=True,
        )
        wheel = next(Path(tmp).glob("*.whl"))
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        if digest != WHEEL_SHA256:
            print(f"error: {wheel.name} has SHA-256 {digest}, expected {WHEEL_SHA256}", file=sys.stderr)
            return 1
        staging = TARGET.with_name("mathjax.partial")
        shutil.rmtree(staging, ignore_errors=True)
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.namelist():
                relative = member[len(PREFIX):] if member.startswith(PREFIX) else ""
                if relative and not member.endswith("/") and relative.startswith(KEEP):
                    destination = staging / relative
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    destination.write_bytes(archive.read(member))
        shutil.rmtree(TARGET, ignore_errors=True)
        staging.rename(TARGET)
    size = sum(p.stat().st_size for p in TARGET.rglob("*") if p.is_file())
    print(f"MathJax 3.2.2 installed in {TARGET} ({size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
