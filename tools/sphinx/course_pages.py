"""Sphinx extension of the course: generated pages and the self-hosted MathJax.

At `config-inited` it
- writes the pages that are generated from data (the glossary from `book/reference/glossary/*.yml`,
  the syllabus map from the syllabus file, the chapter pages' front matter and the labs' metadata),
  rewriting a file only when its text changes so that a no-change rebuild stays fast;
- adds `_vendor/` (MathJax, installed by `tools/vendor_mathjax.py`) to the static paths. It is added
  here rather than in `_config.yml` because Jupyter Book would otherwise attach every `.js` file
  found there to every page.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError

from course_generators import generate_all


def _on_config_inited(app: Sphinx, config: Config) -> None:
    root = Path(app.srcdir)
    vendor = root / "_vendor"
    if not (vendor / "mathjax" / "tex-chtml.js").exists():
        raise ConfigError(
            "MathJax is not installed in _vendor/mathjax. Run `make book` (or "
            "`.venv/bin/python tools/vendor_mathjax.py`) once, then build again."
        )
    config.html_static_path = [*config.html_static_path, str(vendor)]
    generate_all(root)


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _on_config_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
