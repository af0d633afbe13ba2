"""Figures drawn as code: AWS architecture diagrams from Python sources next to the pages that use them.

A diagram source is `book/domainD/figures/<name>.py`. It defines ``draw(path)``, which writes
``path`` (a PNG) with the `diagrams` package (AWS's architecture icons, rendered by Graphviz),
usually through :func:`aws_diagram` below so every diagram shares one look: a white background (so
dark mode never shows dark lines on a dark page), labels large enough at phone width, and no
wasted margin. The build renders each source to `book/domainD/figures/<name>.png` (git-ignored)
when the source or this file changed, and the page shows it with a ``{figure}`` that has a caption
and ``:alt:`` text. Decision and flow diagrams use Sphinx's own ``{graphviz}`` directive inside the
page, with the same look set by `graphviz_dot_args` in `_config.yml`.

`make book` needs Graphviz (`dot`); without it the build stops with the command that installs it.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import shutil
from collections.abc import Iterator
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError

SOURCES = "book/domain*/figures/*.py"
STAMP_SUFFIX = ".sha256"
GRAPH_ATTR = {"bgcolor": "white", "pad": "0.3", "fontsize": "22", "dpi": "96", "nodesep": "0.9", "ranksep": "1.4"}
NODE_ATTR = {"fontsize": "15"}


class FigureSourceError(RuntimeError):
    """A diagram source failed to render; the message names the file."""


@contextlib.contextmanager
def aws_diagram(path: Path, direction: str = "LR", **graph_attr: str) -> Iterator[object]:
    """A `diagrams.Diagram` writing `path` (.png) in the course's look. Use it as a context manager."""
    from diagrams import Diagram

    path = Path(path)
    if path.suffix != ".png":
        raise ValueError(f"a diagram is written as a .png file, got {path.name}")
    attrs = {**GRAPH_ATTR, **graph_attr}
    with Diagram("", filename=str(path.with_suffix("")), outformat="png", show=False, direction=direction,
                 graph_attr=attrs, node_attr=NODE_ATTR) as diagram:
        yield diagram


def require_graphviz() -> None:
    if shutil.which("dot") is None:
        raise ConfigError(
            "Graphviz is not installed: the figures are drawn with its `dot` program. Install it "
            "(Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install graphviz), then build again."
        )


def _digest(source: Path) -> str:
    return hashlib.sha256(source.read_bytes() + Path(__file__).read_bytes()).hexdigest()


def render(source: Path, target: Path | None = None) -> Path:
    """Run a diagram source's ``draw`` into `target` (default: the .png next to it); return the PNG."""
    target = target or source.with_suffix(".png")
    spec = importlib.util.spec_from_file_location(f"course_figure_{source.stem}", source)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
        module.draw(target)
    except Exception as error:  # noqa: BLE001 - any failure in a source is reported with its file
        raise FigureSourceError(f"{source}: drawing failed: {type(error).__name__}: {error}") from error
    if not target.exists() or target.stat().st_size == 0:
        raise FigureSourceError(f"{source}: draw() wrote no image at {target.name}")
    return target


def render_all(root: Path, force: bool = False) -> list[Path]:
    """Render every diagram source whose PNG is missing or older than its source; return the ones rendered."""
    rendered = []
    for source in sorted(root.glob(SOURCES)):
        target = source.with_suffix(".png")
        stamp = source.with_suffix(STAMP_SUFFIX)
        digest = _digest(source)
        if not force and target.exists() and stamp.exists() and stamp.read_text() == digest:
            continue
        render(source, target)
        stamp.write_text(digest)
        rendered.append(target)
    return rendered


def _on_config_inited(app: Sphinx, config: Config) -> None:
    require_graphviz()
    try:
        render_all(Path(app.srcdir))
    except FigureSourceError as error:
        raise ConfigError(str(error)) from error


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinx.ext.graphviz")
    app.connect("config-inited", _on_config_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
