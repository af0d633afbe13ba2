"""Figures drawn as code (tools/sphinx/course_figures.py): every source renders, every figure on a task
page has a caption and alt text, and each task page teaches with at least two figures."""

from __future__ import annotations

import re

import course_figures
import pytest

from tests.conftest import REPO_ROOT

TASK_PAGES = sorted((REPO_ROOT / "book").glob("domain*/task-*.md"))
SOURCES = sorted(REPO_ROOT.glob(course_figures.SOURCES))
FIGURE_BLOCK = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<kind>figure|graphviz)\}[^\n]*\n(?P<body>.*?)^(?P=fence)\s*$",
                          re.M | re.S)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def figures(text: str) -> list[dict]:
    """Each {figure} or {graphviz} block of a page: its kind, options, and caption."""
    found = []
    for match in FIGURE_BLOCK.finditer(text):
        lines = match.group("body").splitlines()
        options = {}
        for line in lines:
            option = re.match(r"^:([a-z-]+):\s*(.*)$", line)
            if not option:
                break
            options[option.group(1)] = option.group(2).strip()
        rest = "\n".join(lines[len(options):]).strip()
        caption = options.get("caption", "") if match.group("kind") == "graphviz" else rest
        found.append({"kind": match.group("kind"), "options": options, "caption": caption})
    return found


@pytest.mark.parametrize("page", TASK_PAGES, ids=lambda p: p.stem)
def test_every_figure_has_a_caption_and_alt_text(page):
    for number, figure in enumerate(figures(page.read_text(encoding="utf-8")), start=1):
        where = f"{page.relative_to(REPO_ROOT)}: figure {number} ({figure['kind']})"
        assert len(figure["options"].get("alt", "")) >= 40, f"{where}: give it :alt: text that says what it shows"
        assert len(figure["caption"]) >= 20, f"{where}: give it a caption"
        assert figure["options"].get("name", "").startswith("fig-"), f"{where}: name it :name: fig-... to link it"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: f"{p.parent.parent.name}-{p.stem}")
def test_every_diagram_source_renders(source, tmp_path):
    target = course_figures.render(source, tmp_path / f"{source.stem}.png")
    assert target.read_bytes()[:8] == PNG_MAGIC


def test_a_broken_source_is_named(tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("def draw(path):\n    raise ValueError('no such icon')\n")
    with pytest.raises(course_figures.FigureSourceError, match=r"broken.py: drawing failed: ValueError: no such icon"):
        course_figures.render(broken, tmp_path / "broken.png")
    silent = tmp_path / "silent.py"
    silent.write_text("def draw(path):\n    pass\n")
    with pytest.raises(course_figures.FigureSourceError, match="wrote no image"):
        course_figures.render(silent, tmp_path / "silent.png")


def test_a_missing_graphviz_stops_the_build_with_the_install_command(monkeypatch):
    from sphinx.errors import ConfigError

    monkeypatch.setattr(course_figures.shutil, "which", lambda program: None)
    with pytest.raises(ConfigError, match="sudo apt-get install graphviz"):
        course_figures.require_graphviz()


def test_every_figure_source_is_used_by_a_page():
    used = " ".join(page.read_text(encoding="utf-8") for page in REPO_ROOT.glob("book/domain*/*.md"))
    unused = [str(s.relative_to(REPO_ROOT)) for s in SOURCES if f"figures/{s.stem}.png" not in used]
    assert not unused, f"diagram sources no page shows: {unused}"


def test_the_built_site_shows_each_figure_with_its_alt_text(built_site):
    for page in TASK_PAGES:
        expected = figures(page.read_text(encoding="utf-8"))
        html = (built_site / page.relative_to(REPO_ROOT).with_suffix(".html")).read_text(encoding="utf-8")
        images = []
        for tag in re.findall(r"<img\b[^>]*>", html):  # Sphinx writes alt before src for {figure}, after for {graphviz}
            src, alt = re.search(r'\bsrc="([^"]+)"', tag), re.search(r'\balt="([^"]*)"', tag)
            if src and alt:
                images.append((src.group(1), alt.group(1)))
        for figure in expected:
            alt = figure["options"]["alt"].replace('"', "&quot;")
            hits = [src for src, shown in images if shown == alt or shown.startswith(alt[:60])]
            assert hits, f"{page.name}: the figure {figure['options'].get('name')} is not on the built page"
            for src in hits:
                assert (built_site / page.relative_to(REPO_ROOT).parent / src).resolve().exists(), src




MIN_FIGURES_PER_TASK_PAGE = 2


@pytest.mark.parametrize("page", TASK_PAGES, ids=lambda p: p.stem)
def test_every_task_page_teaches_with_at_least_two_figures(page):
    count = len(figures(page.read_text(encoding="utf-8")))
    assert count >= MIN_FIGURES_PER_TASK_PAGE, (
        f"{page.relative_to(REPO_ROOT)} has {count} figures; draw at least {MIN_FIGURES_PER_TASK_PAGE} "
        "where a reader would rather look than read (tools/sphinx/course_figures.py)"
    )


def test_the_figure_count_catches_a_page_without_figures():
    assert figures("# A page\n\nOnly prose, and a code block:\n\n```python\nx = 1\n```\n") == []


# ---- in the browser: every figure loads, at phone width and in dark mode ----------------------

from tests.test_site import ARTIFACTS, _visit, browser, needs_browser, site_url  # noqa: E402,F401 (fixtures)


@needs_browser
@pytest.mark.parametrize("theme, width", [("light", 390), ("dark", 390), ("dark", 1280)])
def test_figures_load_and_show_on_a_white_ground_at_phone_width_and_in_dark_mode(browser, site_url, theme, width):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    problems = []
    for page in TASK_PAGES:
        path = page.relative_to(REPO_ROOT).with_suffix(".html").as_posix()
        visit = _visit(browser, site_url, path, viewport=(width, 844))
        visit.page.evaluate(f"() => document.documentElement.setAttribute('data-theme', '{theme}')")
        report = visit.page.evaluate(
            """() => Array.from(document.querySelectorAll('article figure img, article img.graphviz')).map(img => {
                 img.scrollIntoView();
                 return {src: img.getAttribute('src'), loaded: img.complete && img.naturalWidth > 0,
                         fits: img.getBoundingClientRect().width <= document.documentElement.clientWidth + 1,
                         alt: (img.getAttribute('alt') || '').length};
               })"""
        )
        if len(report) < MIN_FIGURES_PER_TASK_PAGE:
            problems.append(f"{path}: {len(report)} figures shown")
        problems += [f"{path}: {r['src']} did not load" for r in report if not r["loaded"]]
        problems += [f"{path}: {r['src']} is wider than the screen" for r in report if not r["fits"]]
        problems += [f"{path}: {r['src']} has no alt text" for r in report if r["alt"] < 40]
        problems += [f"{path}: {failure}" for failure in visit.failed]
        first = visit.page.locator("article figure img, article img.graphviz").first
        if first.count():
            first.scroll_into_view_if_needed()
            shot = ARTIFACTS / f"figures-{page.stem}-{theme}-{width}.png"
            visit.page.screenshot(path=str(shot))
        visit.close()
    assert not problems, "\n".join(problems)
