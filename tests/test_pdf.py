"""The whole course as one PDF (`make pdf`, tools/pdf.py), opened with pypdf.

Without TeX the tests skip and say how to install it, as the browser tests do without Chromium;
`.ci/run` installs TeX and sets REQUIRE_TEX=1, so in CI a missing TeX is a failure.
"""

from __future__ import annotations

import json
import os
import re

import pytest
import yaml

from labkit import questions as bank
from tests.conftest import REPO_ROOT

pdf_builder = pytest.importorskip("pdf", reason="tools/pdf.py is on sys.path through conftest")
RAW_MYST = re.compile(r"(?:^|\s)(?:```\{|:{3,}\{)[a-z]|\{(?:term|ref|doc|download|numref|eq)\}`", re.M)


def _toc_files() -> list[str]:
    files = []

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections", []))
            walk(entry.get("chapters", []))

    toc = yaml.safe_load((REPO_ROOT / "_toc.yml").read_text(encoding="utf-8"))
    walk(toc.get("parts", []))
    return files


def _title(doc: str) -> str:
    """A page's title: its first `# ` heading (a notebook's first markdown cell holds it)."""
    if (REPO_ROOT / f"{doc}.md").exists():
        text = (REPO_ROOT / f"{doc}.md").read_text(encoding="utf-8")
    else:
        cells = json.loads((REPO_ROOT / f"{doc}.ipynb").read_text(encoding="utf-8"))["cells"]
        text = next("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    raise AssertionError(f"{doc} has no title")


@pytest.fixture(scope="session")
def course_pdf(tmp_path_factory):
    missing = pdf_builder.missing_tex()
    if missing:
        message = f"TeX is not installed ({', '.join(missing)} missing); see CONTRIBUTING.md, 'The PDF'"
        if os.environ.get("REQUIRE_TEX") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from pypdf import PdfReader

    path = pdf_builder.build_pdf(REPO_ROOT, tmp_path_factory.mktemp("pdf"))
    reader = PdfReader(path)
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return reader, text


def _outline_titles(outline) -> list[str]:
    titles = []
    for item in outline:
        if isinstance(item, list):
            titles += _outline_titles(item)
        else:
            titles.append(" ".join(item.title.split()))
    return titles


def test_the_pdf_is_a_whole_book(course_pdf):
    reader, _ = course_pdf
    assert 300 <= len(reader.pages) <= 2000, f"{len(reader.pages)} pages"


def test_every_chapter_and_lab_title_is_in_the_outline(course_pdf):
    reader, _ = course_pdf
    outline = set(_outline_titles(reader.outline))
    wanted = [_title(doc) for doc in _toc_files() if doc != "book/intro"] + ["Answers to the practice questions"]
    missing = [title for title in wanted if " ".join(title.split()) not in outline]
    assert not missing, f"not in the PDF's bookmarks: {missing}"


def test_no_unresolved_reference_or_raw_myst(course_pdf):
    _, text = course_pdf
    assert "??" not in text, "an unresolved reference (??) in the PDF: " + text[max(0, text.find("??") - 200):][:300]
    raw = RAW_MYST.search(text)
    assert raw is None, f"raw MyST in the PDF: {text[max(0, raw.start() - 150):raw.end() + 50]!r}"


def test_a_figure_is_embedded_and_internal_links_work(course_pdf):
    reader, _ = course_pdf
    images = internal = 0
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        xobjects = resources.get("/XObject") or {}
        images += sum(1 for ref in xobjects.values() if ref.get_object().get("/Subtype") == "/Image")
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            action = annotation.get("/A") or {}
            if annotation.get("/Dest") is not None or action.get("/S") == "/GoTo":
                internal += 1
    assert images >= 10, f"only {images} embedded images: the labs' figures are missing"
    assert internal >= 100, f"only {internal} internal links"


def test_answers_are_in_the_appendix_and_exam_questions_are_not_in_the_pdf(course_pdf):
    _, text = course_pdf
    squeezed = re.sub(r"\s+", "", text)
    assert "Answer:intheappendix" in squeezed, "practice pages should point to the appendix for their answers"
    leaked = [q.id for q in bank.load_bank() if q.pool == "exam" and re.sub(r"\s+", "", q.stem)[:60] in squeezed]
    assert not leaked, f"exam-pool questions in the PDF: {leaked[:5]}"


def test_a_missing_tex_is_named_with_the_fix(monkeypatch):
    monkeypatch.setattr(pdf_builder.shutil, "which", lambda program: None)
    with pytest.raises(pdf_builder.PdfBuildError, match="xelatex, latexmk not found. Install TeX first"):
        pdf_builder.build_pdf(REPO_ROOT, REPO_ROOT / "_build" / "never-written")


def test_the_pdf_table_of_contents_is_the_sites_plus_the_appendix(tmp_path):
    toc_path = pdf_builder.write_pdf_toc(REPO_ROOT)
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    site = yaml.safe_load((REPO_ROOT / "_toc.yml").read_text(encoding="utf-8"))
    assert toc["parts"][:-1] == site["parts"]
    assert toc["parts"][-1] == {"caption": "Appendix", "chapters": [{"file": pdf_builder.APPENDIX}]}
