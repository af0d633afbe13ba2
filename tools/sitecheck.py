"""Checks of the built site that need no browser: internal links, external links, page weight.

    python tools/sitecheck.py links     # every internal link and anchor resolves (exit 1 if not)
    python tools/sitecheck.py external  # list the external links (CI has no internet to check them)
    python tools/sitecheck.py weight    # each page's transfer size, against the budget
    python tools/sitecheck.py exam      # what the exam page adds to a stock page, against its budget

The site is read from `_build/html` unless `--site` names another folder.
"""

from __future__ import annotations

import argparse
import gzip
import sys
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

# Budgets on what a visit transfers: text (HTML, scripts, styles) gzip-compressed, as static hosts such
# as GitHub Pages serve it; images as stored (PNG is already compressed).
PAGE_BUDGET_BYTES = 2 * 1024 * 1024
IMAGE_BUDGET_BYTES = 300 * 1024
# Files Sphinx writes for its own machinery, not pages a reader visits.
SKIPPED_PAGES = {"genindex.html", "search.html"}


@dataclass
class PageRefs:
    """What one HTML page links to and loads."""

    ids: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)
    assets: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)


class _RefParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs = PageRefs()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        for key in ("id", "name"):
            if attributes.get(key) and (key == "id" or tag == "a"):
                self.refs.ids.add(attributes[key])
        if tag == "a" and attributes.get("href"):
            self.refs.links.append(attributes["href"])
        if tag in {"script", "img", "source"} and attributes.get("src"):
            self.refs.assets.append(attributes["src"])
            if tag == "img":
                self.refs.images.append(attributes["src"])
        if tag == "link" and "stylesheet" in attributes.get("rel", "") and attributes.get("href"):
            self.refs.assets.append(attributes["href"])


def parse(page: Path) -> PageRefs:
    parser = _RefParser()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.refs


def pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.name not in SKIPPED_PAGES and "_static" not in p.parts)


def is_external(url: str) -> bool:
    return urlsplit(url).scheme in {"http", "https"} or url.startswith("//")


def broken_links(site: Path) -> list[str]:
    """Every internal link whose target file or anchor does not exist, as 'page -> link: why'."""
    cache: dict[Path, PageRefs] = {}

    def refs(path: Path) -> PageRefs:
        if path not in cache:
            cache[path] = parse(path)
        return cache[path]

    problems = []
    for page in pages(site):
        for link in refs(page).links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith(("//", "mailto:", "javascript:")):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            where = f"{page.relative_to(site)} -> {link}"
            if not target.exists():
                problems.append(f"{where}: no such file")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in refs(target).ids:
                problems.append(f"{where}: no anchor #{parts.fragment}")
    return problems


def external_links(site: Path) -> dict[str, list[str]]:
    """External URL -> the pages that link to it."""
    found: dict[str, list[str]] = {}
    for page in pages(site):
        for link in parse(page).links:
            if is_external(link):
                found.setdefault(link, []).append(str(page.relative_to(site)))
    return found


@dataclass(frozen=True)
class Weight:
    page: str
    html: int
    scripts_and_styles: int
    images: int
    largest_image: tuple[str, int]

    @property
    def total(self) -> int:
        return self.html + self.scripts_and_styles + self.images


@cache
def transfer_size(path: Path) -> int:
    """Bytes sent for a file: gzip-compressed for text formats, as stored for images and fonts."""
    data = path.read_bytes()
    if path.suffix in {".html", ".js", ".css", ".svg", ".json", ".txt"}:
        return len(gzip.compress(data, compresslevel=6, mtime=0))
    return len(data)


def page_weights(site: Path) -> list[Weight]:
    """The bytes a first visit to each page transfers: the HTML and every local asset it loads."""
    weights = []
    for page in pages(site):
        refs = parse(page)
        code_bytes = image_bytes = 0
        largest = ("", 0)
        for asset in set(refs.assets):
            if is_external(asset) or asset.startswith("data:"):
                continue
            path = (page.parent / unquote(urlsplit(asset).path)).resolve()
            if not path.exists():
                continue
            size = transfer_size(path)
            if asset in refs.images:
                image_bytes += size
                if size > largest[1]:
                    largest = (str(path.relative_to(site)), size)
            else:
                code_bytes += size
        weights.append(Weight(str(page.relative_to(site)), transfer_size(page), code_bytes, image_bytes, largest))
    return weights


EXAM_PAGE = "book/practice/exam.html"
STOCK_PAGE = "book/practice/index.html"
EXAM_EXTRA_BUDGET_BYTES = 400_000


def page_assets(site: Path, page: str) -> dict[str, int]:
    """The local scripts, styles and images a page loads, by site path, with their transfer sizes."""
    path = site / page
    found = {}
    for asset in parse(path).assets:
        if is_external(asset) or asset.startswith("data:"):
            continue
        target = (path.parent / unquote(urlsplit(asset).path)).resolve()
        if target.exists():
            found[str(target.relative_to(site.resolve()))] = transfer_size(target)
    return found


def exam_page_extra(site: Path) -> dict[str, int]:
    """What the exam page loads beyond a stock page of the site (its engine, styles and data), gzipped."""
    stock = page_assets(site, STOCK_PAGE)
    return {asset: size for asset, size in page_assets(site, EXAM_PAGE).items() if asset not in stock}


def _plain(text: str) -> str:
    """Text as a reader sees it: no tags or backticks, entities decoded, straight quotes, one space."""
    import html
    import re

    text = html.unescape(re.sub(r"<[^>]+>", " ", text)).replace("`", "")
    for curly, straight in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"')):
        text = text.replace(curly, straight)
    return " ".join(text.split())


def leaked_exam_items(site: Path, stems: dict[str, str], length: int = 90) -> list[str]:
    """Exam-pool items whose stem (its first `length` characters) appears on a page of the site.

    Exam items belong in mock exams only: the exam page's data script carries them, and no page
    may show them (practice pages, chapters and the PDF show practice items).
    """
    needles = {qid: _plain(stem)[:length] for qid, stem in stems.items()}
    found = []
    for page in pages(site):
        text = _plain(page.read_text(encoding="utf-8"))
        found += [f"{page.relative_to(site)}: {qid}" for qid, needle in needles.items() if needle in text]
    return found


def over_budget(weights: list[Weight]) -> list[str]:
    problems = []
    for w in weights:
        if w.total > PAGE_BUDGET_BYTES:
            problems.append(f"{w.page}: {w.total / 1e6:.2f} MB transferred (budget {PAGE_BUDGET_BYTES / 1e6:.1f} MB)")
        if w.largest_image[1] > IMAGE_BUDGET_BYTES:
            problems.append(
                f"{w.page}: image {w.largest_image[0]} is {w.largest_image[1] / 1e3:.0f} kB "
                f"(budget {IMAGE_BUDGET_BYTES / 1e3:.0f} kB): re-render it smaller"
            )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("check", choices=["links", "external", "weight", "exam"])
    parser.add_argument("--site", type=Path, default=Path(__file__).resolve().parent.parent / "_build" / "html")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").exists():
        print(f"No built site at {args.site}: run 'make book' first.", file=sys.stderr)
        return 2
    if args.check == "links":
        problems = broken_links(args.site)
        print("\n".join(problems) or "every internal link and anchor resolves")
        return 1 if problems else 0
    if args.check == "external":
        for url, where in sorted(external_links(args.site).items()):
            print(f"{url}  ({len(where)} page{'s' if len(where) > 1 else ''})")
        return 0
    if args.check == "exam":
        extra = exam_page_extra(args.site)
        for asset, size in sorted(extra.items()):
            print(f"{asset:50} {size / 1e3:8.1f} kB")
        total = sum(extra.values())
        print(f"{'added by the exam page':50} {total / 1e3:8.1f} kB (budget {EXAM_EXTRA_BUDGET_BYTES / 1e3:.0f} kB)")
        return 1 if total > EXAM_EXTRA_BUDGET_BYTES else 0
    weights = sorted(page_weights(args.site), key=lambda w: w.total, reverse=True)
    print("Transfer size per page (text gzip-compressed; images as stored)")
    print(f"{'page':60} {'html kB':>8} {'js+css kB':>10} {'img kB':>8} {'total kB':>9}")
    for w in weights:
        row = f"{w.html / 1e3:8.0f} {w.scripts_and_styles / 1e3:10.0f} {w.images / 1e3:8.0f} {w.total / 1e3:9.0f}"
        print(f"{w.page[:60]:60} {row}")
    problems = over_budget(weights)
    print("\n".join(problems) or "every page is within budget")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
