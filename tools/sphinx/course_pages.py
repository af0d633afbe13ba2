"""Sphinx extension of the course: generated pages and the self-hosted MathJax.

At `config-inited` it
- writes the pages that are generated from data (the glossary from `book/reference/glossary/*.yml`,
  the syllabus map from the syllabus file, the chapter pages' front matter and the labs' metadata),
  rewriting a file only when its text changes so that a no-change rebuild stays fast;
- writes the exam page's data from the question bank (`exam_site.py`) into `_generated/`, and adds
  it and the exam engine `tools/exam/` to the static paths; the exam page alone loads them;
- adds `_vendor/` (MathJax, installed by `tools/vendor_mathjax.py`) to the static paths. It is added
  here rather than in `_config.yml` because Jupyter Book would otherwise attach every `.js` file
  found there to every page.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from anki_decks import write_decks
from docutils import nodes
from docutils.statemachine import StringList
from exam_site import DATA_FILE, write_exam_data
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError
from sphinx.util.docutils import SphinxDirective

from course_generators import TASK_DOC, generate_all, insert_self_checks, practise_section, self_checks_for

EXAM_PAGE = "book/practice/exam"


def _on_config_inited(app: Sphinx, config: Config) -> None:
    root = Path(app.srcdir)
    vendor = root / "_vendor"
    if not (vendor / "mathjax" / "tex-chtml.js").exists():
        raise ConfigError(
            "MathJax is not installed in _vendor/mathjax. Run `make book` (or "
            "`.venv/bin/python tools/vendor_mathjax.py`) once, then build again."
        )
    generated = root / "_generated"
    write_exam_data(root, generated)
    # The exam page's engine (tools/exam) and its data (_generated, git-ignored) land in _static/.
    config.html_static_path = [*config.html_static_path, str(vendor), str(root / "tools" / "exam"), str(generated)]
    generate_all(root)
    # Anki decks of the glossary and the practice pool, linked from the practice index ({download}).
    write_decks(root, base_url=config.html_baseurl or "")


def _exam_page_assets(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Load the exam engine and its data on the exam page only (Sphinx adds them to this page alone)."""
    if pagename == EXAM_PAGE:
        app.add_css_file("exam.css")
        app.add_js_file(DATA_FILE)
        app.add_js_file("exam.js", defer="defer")


def _drop_duplicate_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Include each inline script once: sphinx-thebe registers its configuration script twice under
    Jupyter Book 1 (so do sphinx-togglebutton's), and the second copy throws "Identifier 'THEBE_JS_URL'
    has already been declared" in the browser console."""
    unique, seen = [], set()
    for script in context.get("script_files", []):
        # The copies differ only in how "no file" is spelt (None or ""), so compare on the body.
        key = (str(getattr(script, "filename", script) or ""), getattr(script, "attributes", {}).get("body"))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"][:] = unique


SIDEBAR_TOGGLE = '<summary><span class="toctree-toggle" role="presentation">'
LABELLED_TOGGLE = SIDEBAR_TOGGLE.replace("<summary>", '<summary aria-label="Show or hide the pages of this part">')


def _label_sidebar_toggles(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Give the sidebar's expand/collapse toggles an accessible name.

    The theme renders them as `<summary>` elements holding only an icon, which screen readers
    announce as nothing (axe: summary-name, serious).
    """
    generate = context.get("generate_toctree_html")
    if generate is None:
        return

    def labelled(*args, **kwargs):
        return str(generate(*args, **kwargs)).replace(SIDEBAR_TOGGLE, LABELLED_TOGGLE)

    context["generate_toctree_html"] = labelled


def _append_practise_section(app: Sphinx, docname: str, source: list[str]) -> None:
    """Put the bank's self-checks after the sections they test, and end every chapter page with
    links to its labs and practice questions, from their metadata."""
    root = Path(app.srcdir)
    checks = self_checks_for(root, docname)
    if checks:
        source[0] = insert_self_checks(source[0], checks)
    source[0] += practise_section(root, docname)


def _inputs_fingerprint(root: Path) -> str:
    """What the appended sections depend on: the labs' metadata, the question bank and the toc."""
    digest = hashlib.sha256()
    files = [*sorted((root / "labs").glob("*.ipynb")), *sorted((root / "book/practice/questions").glob("*.yml"))]
    for path in [root / "_toc.yml", *files]:
        if path.suffix == ".ipynb":
            course = json.loads(path.read_text(encoding="utf-8"))["metadata"].get("course", {})
            digest.update(json.dumps(course, sort_keys=True).encode())
        elif path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _outdate_chapters(app: Sphinx, env, added, changed, removed) -> list[str]:
    """Re-read the chapter pages when the labs or questions they link to have changed."""
    fingerprint = _inputs_fingerprint(Path(app.srcdir))
    if getattr(env, "course_inputs_fingerprint", None) == fingerprint:
        return []
    env.course_inputs_fingerprint = fingerprint
    return [doc for doc in env.found_docs if TASK_DOC.match(doc)]


# The theme gives a scrollable code block or table a tab stop when the page loads; content that
# widens later (web fonts, MathJax's equations) can leave a scrollable region that the keyboard
# cannot reach (axe: scrollable-region-focusable). Check again once the page and MathJax are done.
SCROLLABLE_TAB_STOPS = """
(function () {
  function addTabStops() {
    document.querySelectorAll("article pre, article div.highlight, article .pst-scrollable-table-container, "
      + "article div.math, article mjx-container").forEach(function (el) {
      var style = getComputedStyle(el);
      var scrolls = style.overflowX === "auto" || style.overflowX === "scroll";
      if (scrolls && el.scrollWidth > el.clientWidth && !el.hasAttribute("tabindex")) el.setAttribute("tabindex", "0");
    });
  }
  window.addEventListener("load", function () {
    addTabStops();
    // MathJax typesets after the load event; a wide equation only scrolls once it is drawn.
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) MathJax.startup.promise.then(addTabStops);
  });
})();
"""


PDF_FILE = Path("_generated") / "pdf" / "mla-c01-course.pdf"


class CoursePdf(SphinxDirective):
    """``:::{course-pdf}``: a download link to the PDF that `make pdf` built, with its pages and size,
    or, on a site built without it, how to build it."""

    def run(self) -> list[nodes.Node]:
        pdf = Path(self.env.srcdir) / PDF_FILE
        self.env.note_dependency(str(pdf))
        if self.env.app.builder.format == "latex":
            text = "You are reading the PDF: the whole course, built by `make pdf` from the same sources as the site."
        elif pdf.exists():
            from pypdf import PdfReader

            pages = len(PdfReader(pdf).pages)
            text = (f"{{download}}`Download the whole course as one PDF </{PDF_FILE.as_posix()}>` ({pages} pages, "
                    f"{pdf.stat().st_size / 1e6:.1f} MB): every chapter, every lab with its outputs and figures, "
                    "the practice pages with their answers in an appendix, and a table of contents with "
                    "bookmarks. The mock exams' questions are not in it.")
        else:
            text = ("This copy of the site was built without the PDF of the whole course. `make pdf` builds it "
                    "(it needs TeX, see CONTRIBUTING.md), and the next `make book` links it here.")
        container = nodes.container(classes=["course-pdf"])
        source = self.get_source_info()[0]
        self.state.nested_parse(StringList(text.splitlines(), source=source), self.content_offset, container)
        return container.children


def setup(app: Sphinx) -> dict:
    app.setup_extension("service_status")  # the service-status directive and role
    app.setup_extension("exam_cues")  # the "On the exam" box of the task pages
    app.setup_extension("study_plan")  # study plans, exam facts and bank questions, computed at build time
    app.setup_extension("course_figures")  # AWS diagrams from book/domain*/figures/*.py, and {graphviz}
    app.add_js_file(None, body=SCROLLABLE_TAB_STOPS)
    app.add_directive("course-pdf", CoursePdf)
    app.connect("config-inited", _on_config_inited)
    app.connect("source-read", _append_practise_section)
    app.connect("env-get-outdated", _outdate_chapters)
    app.connect("html-page-context", _exam_page_assets, priority=400)
    app.connect("html-page-context", _drop_duplicate_scripts)
    app.connect("html-page-context", _label_sidebar_toggles, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
