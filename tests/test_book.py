"""The book builds with zero warnings, and no page loads anything from another host."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

pytestmark = pytest.mark.book


class _AssetCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.assets: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in {"script", "img", "iframe", "audio", "video", "source"} and attributes.get("src"):
            self.assets.append(attributes["src"])
        if tag == "link" and attributes.get("href"):
            rel = (attributes.get("rel") or "").lower()
            if any(word in rel for word in ("stylesheet", "preload", "icon", "modulepreload")):
                self.assets.append(attributes["href"])


def external_assets(html: str) -> list[str]:
    collector = _AssetCollector()
    collector.feed(html)
    return [a for a in collector.assets if re.match(r"^(https?:)?//", a)]


def test_external_asset_detector_catches_cdn_scripts_and_styles():
    page = (
        '<script src="https://cdn.example.com/x.js"></script>'
        '<link rel="stylesheet" href="//fonts.example.com/a.css"><script src="_static/local.js"></script>'
    )
    assert external_assets(page) == ["https://cdn.example.com/x.js", "//fonts.example.com/a.css"]


def test_every_page_of_the_toc_is_built(built_site):
    pages = ["index.html", "book/intro.html", "labs/00-orientation.html"]
    for page in pages + ["book/reference/syllabus-map.html", "book/reference/glossary.html"]:
        assert (built_site / page).exists(), page


def test_no_page_loads_an_asset_from_another_host(built_site):
    offenders = {}
    for page in built_site.rglob("*.html"):
        found = external_assets(page.read_text(encoding="utf-8"))
        if found:
            offenders[str(page.relative_to(built_site))] = found
    assert not offenders, f"pages loading assets from other hosts: {offenders}"


def test_mathjax_is_served_by_the_site_once(built_site):
    page = (built_site / "book" / "start" / "study-plan.html").read_text(encoding="utf-8")
    lab = (built_site / "labs" / "00-orientation.html").read_text(encoding="utf-8")
    assert (built_site / "_static" / "mathjax" / "tex-chtml.js").exists()
    for html in (page, lab):
        assert html.count("mathjax/") <= 1, "MathJax (or one of its files) is loaded more than once"


def test_lab_pages_show_launch_and_download_buttons(built_site):
    html = (built_site / "labs" / "00-orientation.html").read_text(encoding="utf-8")
    assert "mybinder.org" in html, "no Binder launch button on a lab page"
    assert "00-orientation.ipynb" in html, "no download link for the notebook"
