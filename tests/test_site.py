"""The built site in a real browser (Debian's Chromium, driven by Playwright), plus links and weight.

Chromium is Debian's package (`/usr/bin/chromium`), never a downloaded browser build. `.ci/run`
installs it and sets REQUIRE_BROWSER=1, so a missing browser fails CI instead of skipping. On a
laptop without it, the browser tests skip and say how to install it.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sitecheck  # noqa: E402,I001  (tools/ is put on sys.path by conftest)
import yaml

from tests.conftest import REPO_ROOT

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SEARCHES = {  # term -> a page its results must include
    "FastFile": "book/domain1/task-1-1",
    "Hyperband": "book/domain2/task-2-2",
    "serverless": "book/domain3/task-3-1",
    "PrivateLink": "book/domain4/task-4-3",
    "checksum": "labs/00-orientation",
}

needs_browser = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("REQUIRE_BROWSER"),
    reason="Chromium not installed: `sudo apt-get install chromium` to run the browser tests",
)


def toc_pages() -> list[str]:
    """Every document listed in _toc.yml, as its built page path."""
    from course_generators import toc_files

    return sorted(f"{doc}.html" for doc in toc_files(REPO_ROOT))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep the test output clean
        pass


@pytest.fixture(scope="module")
def site_url(built_site: Path) -> Iterator[str]:
    """The built site served on 127.0.0.1 (an ephemeral port), for the duration of the module."""
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"REQUIRE_BROWSER is set but {CHROMIUM} does not exist: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


class PageVisit:
    """Loads a page and records console errors, failed requests and requests to other hosts."""

    def __init__(self, browser, base_url: str, viewport=(1280, 900)):
        self.base_host = urlsplit(base_url).netloc
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        self.page = self.context.new_page()
        self.console_errors: list[str] = []
        self.failed: list[str] = []
        self.foreign: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.url} -> {r.status}"))
        self.page.route("**/*", self._route)

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).netloc == self.base_host:
            route.continue_()
        else:  # nothing may leave the site: record and block it
            self.foreign.append(url)
            route.abort()

    def open(self, url: str) -> PageVisit:
        self.page.goto(url, wait_until="networkidle")
        # MathJax typesets after the load event, and only then gives its equations their tab stops;
        # check a page as a reader meets it, once the equations are drawn.
        self.page.evaluate(
            "() => (window.MathJax && MathJax.startup && MathJax.startup.promise) ? "
            "MathJax.startup.promise.then(() => true) : true"
        )
        return self

    def close(self) -> None:
        self.context.close()


def _visit(browser, site_url, path, **kwargs) -> PageVisit:
    return PageVisit(browser, site_url, **kwargs).open(f"{site_url}/{path}")


# ---- checks that need no browser -------------------------------------------------------------


def test_every_internal_link_and_anchor_resolves(built_site):
    assert sitecheck.broken_links(built_site) == []


def test_link_checker_catches_a_broken_link_and_anchor(built_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    page = site / "book" / "intro.html"
    html = page.read_text(encoding="utf-8")
    broken_links = '<a href="nowhere.html">x</a><a href="start/how-to-run.html#no-anchor">y</a>'
    html = html.replace("</article>", broken_links + "</article>")
    page.write_text(html, encoding="utf-8")
    problems = sitecheck.broken_links(site)
    assert any("nowhere.html: no such file" in p for p in problems)
    assert any("#no-anchor" in p and "no anchor" in p for p in problems)


def test_every_page_is_within_the_weight_budget(built_site):
    weights = sitecheck.page_weights(built_site)
    assert len(weights) >= len(toc_pages())
    assert sitecheck.over_budget(weights) == []


def test_weight_budget_catches_an_oversized_image(built_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    (site / "_images").mkdir(exist_ok=True)
    (site / "_images" / "huge.png").write_bytes(os.urandom(400 * 1024))
    page = site / "book" / "intro.html"
    huge_image = '<img src="../_images/huge.png" alt="x">'
    page.write_text(page.read_text(encoding="utf-8").replace("</article>", huge_image + "</article>"))
    problems = sitecheck.over_budget(sitecheck.page_weights(site))
    assert any("huge.png" in p for p in problems)


# ---- checks in the browser -------------------------------------------------------------------


@pytest.fixture(scope="module")
def page_reports(browser, site_url) -> dict[str, dict]:
    """Visit every page of the table of contents once: what went wrong loading it, and axe's findings."""
    reports = {}
    for path in toc_pages():
        visit = _visit(browser, site_url, path)
        # Copy what the page load did before axe runs: axe fetches stylesheets itself (its CSSOM
        # preload) and resolves their @import paths against the page, which would log false 404s.
        loaded = {"console": visit.console_errors, "failed": visit.failed, "foreign": visit.foreign}
        reports[path] = {key: list(found) for key, found in loaded.items()}
        reports[path]["axe"] = _axe_violations(visit)
        visit.close()
    return reports


@needs_browser
def test_every_toc_page_loads_cleanly_and_stays_on_the_site(page_reports):
    problems = {
        path: {k: report[k] for k in ("console", "failed", "foreign") if report[k]}
        for path, report in page_reports.items()
        if report["console"] or report["failed"] or report["foreign"]
    }
    assert len(page_reports) == len(toc_pages())
    assert not problems, yaml.safe_dump(problems)


@needs_browser
def test_the_page_checker_catches_errors_and_foreign_requests(browser, site_url, built_site):
    broken = built_site / "broken-test-page.html"
    broken.write_text(
        "<html><head><title>broken</title><script src='https://cdn.example.com/x.js'></script></head>"
        "<body><img src='missing.png' alt='missing'><script>undefinedFunction()</script></body></html>"
    )
    try:
        visit = _visit(browser, site_url, "broken-test-page.html")
        assert any("cdn.example.com" in url for url in visit.foreign)
        assert any("missing.png" in failure for failure in visit.failed)
        assert any("undefinedFunction" in error for error in visit.console_errors)
        visit.close()
    finally:
        broken.unlink()


def _axe_violations(visit: PageVisit) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(visit.page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} [{len(v['nodes'])} nodes]"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@needs_browser
def test_no_serious_or_critical_accessibility_violations(page_reports):
    problems = {path: report["axe"] for path, report in page_reports.items() if report["axe"]}
    assert not problems, yaml.safe_dump(problems)


@needs_browser
def test_axe_catches_an_image_without_alt_text(browser, site_url, built_site):
    broken = built_site / "a11y-test-page.html"
    broken.write_text("<html lang='en'><head><title>t</title></head><body><main><img src='x.png'></main></body></html>")
    try:
        visit = _visit(browser, site_url, "a11y-test-page.html")
        assert any(v.startswith("image-alt") for v in _axe_violations(visit))
        visit.close()
    finally:
        broken.unlink()


@needs_browser
@pytest.mark.parametrize("term, expected", SEARCHES.items())
def test_search_finds_the_page_for_a_key_term(browser, site_url, term, expected):
    visit = _visit(browser, site_url, f"search.html?q={term}")
    visit.page.wait_for_selector("#search-results li", timeout=15000)
    hrefs = visit.page.eval_on_selector_all("#search-results li a", "links => links.map(a => a.getAttribute('href'))")
    visit.close()
    assert any(expected in (href or "") for href in hrefs), f"'{term}' did not find {expected}: {hrefs[:10]}"


@needs_browser
def test_a_lab_page_shows_launch_and_download_buttons_and_its_figures(browser, site_url):
    visit = _visit(browser, site_url, "labs/00-orientation.html")
    page = visit.page
    assert page.locator("a[href*='mybinder.org']").count() >= 1, "no Binder launch button"
    assert page.locator("a[href$='00-orientation.ipynb']").count() >= 1, "no notebook download link"
    sizes = page.eval_on_selector_all("article img", "imgs => imgs.map(i => [i.naturalWidth, i.alt])")
    assert sizes and all(width > 0 and alt for width, alt in sizes), sizes
    visit.close()


@needs_browser
def test_dark_mode_toggles(browser, site_url):
    visit = _visit(browser, site_url, "book/intro.html")
    page = visit.page
    before = page.get_attribute("html", "data-theme")
    page.locator("button.theme-switch-button").first.click()
    after = page.get_attribute("html", "data-theme")
    visit.close()
    assert before != after, f"theme stayed {before!r}"


@needs_browser
@pytest.mark.parametrize("width, height, name", [(1280, 900, "desktop"), (390, 844, "phone")])
def test_screenshots_of_key_pages(browser, site_url, width, height, name):
    ARTIFACTS.mkdir(exist_ok=True)
    for path in ("book/intro.html", "labs/00-orientation.html", "book/domain3/task-3-1.html"):
        visit = _visit(browser, site_url, path, viewport=(width, height))
        target = ARTIFACTS / f"{path.replace('/', '_').removesuffix('.html')}-{name}.png"
        visit.page.screenshot(path=str(target), full_page=False)
        visit.close()
        assert target.stat().st_size > 5000


# ---- the exam page ----------------------------------------------------------------------------

EXAM_PAGE = "book/practice/exam.html"


def _tab_to(page, predicate: str, forward: int = 150, backward: int = 300) -> None:
    """Press Tab (then Shift+Tab) until the focused element satisfies `predicate` (JS, `el` bound)."""
    check = f"(() => {{ const el = document.activeElement; return !!el && ({predicate}); }})()"
    for key, presses in (("Tab", forward), ("Shift+Tab", backward)):
        for _ in range(presses):
            page.keyboard.press(key)
            if page.evaluate(check):
                return
    raise AssertionError(f"no focusable element matching {predicate} reached by keyboard")


def _python_paper(seed: int):
    from labkit import exam
    from labkit.questions import load_bank

    bank = load_bank()
    return exam, bank, exam.draw_exam(bank, seed)


def _sheet(paper) -> dict[int, object]:
    """A known answer sheet: right, wrong, right, blank, in turn; wrong answers of every type."""
    sheet: dict[int, object] = {}
    for eq in paper.questions:
        key, letters = eq.key, list(eq.options)
        kind = eq.number % 4
        if kind == 0:
            continue
        if kind in (1, 3):
            sheet[eq.number] = key
        elif eq.question.type == "multiple_choice":
            sheet[eq.number] = [next(letter for letter in letters if letter != key[0])]
        elif eq.question.type == "multiple_response":
            sheet[eq.number] = [*key[:-1], next(letter for letter in letters if letter not in key)]
        elif eq.question.type == "ordering":
            sheet[eq.number] = list(reversed(key))
        else:
            prompts = list(key)
            sheet[eq.number] = {p: key[prompts[(i + 1) % len(prompts)]] for i, p in enumerate(prompts)}
    return sheet


def _answer_by_keyboard(page, eq, answer) -> None:
    """Answer the question on screen with the keyboard only."""
    number, qtype = eq.number, eq.question.type
    if qtype == "multiple_choice":
        _tab_to(page, f"el.type === 'radio' && el.name === 'q-{number}'")
        page.keyboard.press("Space")
        for _ in range(list(eq.options).index(answer[0])):
            page.keyboard.press("ArrowDown")
    elif qtype == "multiple_response":
        for letter in answer:
            _tab_to(page, f"el.type === 'checkbox' && el.value === '{letter}'")
            page.keyboard.press("Space")
    elif qtype == "ordering":
        current = list(eq.options)
        if current == list(answer):
            _tab_to(page, "el.tagName === 'BUTTON' && /keep this order/i.test(el.textContent)")
            page.keyboard.press("Enter")
        for position, letter in enumerate(answer):
            moves = current.index(letter) - position
            if moves:
                _tab_to(page, f"el.getAttribute('aria-label') === 'Move step {letter} up'")
                for _ in range(moves):
                    page.keyboard.press("Enter")
                current.remove(letter)
                current.insert(position, letter)
    else:
        for prompt, letter in answer.items():
            label = f"Response for prompt {prompt}"
            _tab_to(page, f"el.tagName === 'SELECT' && el.getAttribute('aria-label') === '{label}'")
            page.keyboard.press(letter)


@needs_browser
def test_the_exam_page_draws_the_same_exams_as_python(browser, site_url):
    visit = _visit(browser, site_url, EXAM_PAGE)
    exam_module, bank, _ = _python_paper(1)
    papers = {seed: exam_module.draw_exam(bank, seed) for seed in (1, 7, 123, 4000)}
    papers.update(exam_module.fixed_exams(bank))
    for seed, paper in papers.items():
        drawn = visit.page.evaluate("seed => MLA_EXAM.drawExam(seed)", seed)
        expected = [{"number": eq.number, "id": eq.question.id, "order": list(eq.order)} for eq in paper.questions]
        assert [{k: d[k] for k in ("number", "id", "order")} for d in drawn] == expected, f"exam {seed} differs"
    assert not visit.foreign and not visit.console_errors
    visit.close()


@needs_browser
def test_a_whole_exam_by_keyboard_scores_as_python_does(browser, site_url):
    seed = 11
    exam_module, _, paper = _python_paper(seed)
    sheet = _sheet(paper)
    flagged = {5, 17, 40}
    visit = _visit(browser, site_url, EXAM_PAGE)
    page = visit.page
    _tab_to(page, "el.id === 'exam-seed'")
    page.keyboard.press("Control+A")
    page.keyboard.type(str(seed))
    _tab_to(page, "el.id === 'start-exam'")
    page.keyboard.press("Enter")
    for eq in paper.questions:
        heading = f"Question {eq.number} of 65"
        page.wait_for_function(f"document.querySelector('#mla-exam').textContent.includes('{heading}')")
        if eq.number in sheet:
            _answer_by_keyboard(page, eq, sheet[eq.number])
        if eq.number in flagged:
            _tab_to(page, "el.id === 'flag'")
            page.keyboard.press("Enter")
        if eq.number < len(paper):
            _tab_to(page, "el.id === 'next'")
            page.keyboard.press("Enter")
    _tab_to(page, "el.id === 'go-review'")
    page.keyboard.press("Enter")
    review = page.locator("#review-screen").inner_text()
    for number in flagged:
        assert str(number) in review
    _tab_to(page, "el.id === 'submit-exam'")
    page.keyboard.press("Enter")
    _tab_to(page, "el.id === 'confirm-submit'")
    page.keyboard.press("Enter")
    page.wait_for_selector("#exam-result")
    expected = exam_module.grade(paper, sheet)
    assert page.inner_text("#score").strip() == str(expected.scaled)
    assert page.inner_text("#pass-fail").strip() == ("Pass" if expected.passed else "Fail")
    for domain, (right, asked) in expected.by_domain.items():
        assert f"{right}/{asked}" in page.inner_text(f"#by-domain tr[data-domain='{domain}']")
    for task, (right, asked) in expected.by_task.items():
        assert f"{right}/{asked}" in page.inner_text(f"#by-task tr[data-task='{task}']")
    items = page.eval_on_selector_all(
        "#revisit li", "lis => lis.map(li => [li.querySelector('a').getAttribute('href'), li.textContent])"
    )
    assert len(items) == len(expected.revisit)
    for (href, text), (teaches, count) in zip(items, expected.revisit, strict=True):
        page_path, label = teaches.split("#")
        assert href.endswith(f"{page_path.removesuffix('.md')}.html#{label}"), (href, teaches)
        assert f"({count} missed)" in text
    assert not visit.foreign and not visit.console_errors, (visit.foreign, visit.console_errors)
    visit.close()


@needs_browser
def test_a_reload_resumes_the_exam_with_its_answers_and_time(browser, site_url):
    _, _, paper = _python_paper(3)
    visit = _visit(browser, site_url, EXAM_PAGE)
    page = visit.page
    page.fill("#exam-seed", "3")
    page.click("#start-exam")
    first = paper.questions[0]
    answer = first.key
    if first.question.type == "multiple_choice":
        page.check(f"input[name='q-1'][value='{answer[0]}']")
    else:  # answer any other type by keyboard, as a learner would
        _answer_by_keyboard(page, first, answer)
    page.click("#flag")
    before = _seconds(page.inner_text("#exam-timer"))
    page.wait_for_timeout(2500)
    page.reload(wait_until="networkidle")
    if page.locator("#resume-exam").count():
        page.click("#resume-exam")
    page.wait_for_selector("#exam-timer")
    after = _seconds(page.inner_text("#exam-timer"))
    assert before - 30 <= after <= before - 2, f"time left went from {before} s to {after} s across a reload"
    assert page.get_attribute("#flag", "aria-pressed") == "true"
    if first.question.type == "multiple_choice":
        assert page.is_checked(f"input[name='q-1'][value='{answer[0]}']")
    assert not visit.foreign and not visit.console_errors
    visit.close()


def _seconds(timer: str) -> int:
    parts = [int(p) for p in timer.strip().split(":")]
    total = 0
    for part in parts:
        total = total * 60 + part
    return total


@needs_browser
def test_practice_mode_explains_and_links_the_teaching_section(browser, site_url, built_site):
    visit = _visit(browser, site_url, EXAM_PAGE)
    page = visit.page
    page.select_option("#practice-scope", "task:2.2")
    page.click("#start-practice")
    page.click("#check-answer")
    link = page.locator("a.teaches-link").first
    href = link.get_attribute("href")
    text = page.inner_text("#mla-exam")
    assert "Right." in text or "Wrong." in text, "the explanations of the options are shown"
    target, anchor = (urlsplit(href).path, urlsplit(href).fragment)
    resolved = (built_site / "book" / "practice" / target).resolve()
    assert resolved.exists() and f'id="{anchor}"' in resolved.read_text(encoding="utf-8"), href
    link.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"#{anchor}") and "/book/domain2/task-2-2.html" in page.url
    assert not visit.foreign and not visit.console_errors
    visit.close()


@needs_browser
def test_corrupted_or_missing_storage_never_breaks_the_page(browser, site_url):
    visit = PageVisit(browser, site_url)
    visit.context.add_init_script(
        "try { localStorage.setItem('mla-c01-exam:current', '{not json'); "
        "localStorage.setItem('mla-c01-exam:history', '[{\"seed\": \"x\"}]'); } catch (e) {}"
    )
    visit.open(f"{site_url}/{EXAM_PAGE}")
    notice = visit.page.inner_text("#exam-notice")
    assert "could not be read" in notice and "cleared" in notice, notice
    visit.page.fill("#exam-seed", "2")
    visit.page.click("#start-exam")
    visit.page.wait_for_selector("#exam-timer")
    assert not visit.console_errors, visit.console_errors
    visit.close()

    blocked = PageVisit(browser, site_url)
    blocked.context.add_init_script(
        "Object.defineProperty(window, 'localStorage', "
        "{ get() { throw new DOMException('storage is disabled', 'SecurityError'); } });"
    )
    blocked.open(f"{site_url}/{EXAM_PAGE}")
    assert "remember" in blocked.page.inner_text("#exam-notice").lower()
    blocked.page.fill("#exam-seed", "2")
    blocked.page.click("#start-exam")
    blocked.page.wait_for_selector("#exam-timer")
    # The book theme's own script reads localStorage unguarded (its colour mode) and logs these on
    # every page of the site when storage is blocked; the exam engine adds none of its own.
    theme_errors = {"storage is disabled", "Got invalid theme mode: undefined. Resetting to auto."}
    assert set(blocked.console_errors) <= theme_errors, blocked.console_errors
    blocked.close()


@needs_browser
@pytest.mark.parametrize("theme, width", [("light", 1280), ("dark", 390)])
def test_every_exam_screen_passes_axe(browser, site_url, theme, width):
    visit = _visit(browser, site_url, EXAM_PAGE, viewport=(width, 900))
    page = visit.page
    page.evaluate(f"document.documentElement.dataset.theme = '{theme}'")
    problems = {"start": _axe_violations(visit)}
    _, _, paper = _python_paper(5)
    page.fill("#exam-seed", "5")
    page.click("#start-exam")
    seen_types = set()
    for eq in paper.questions:
        new_case = bool(eq.question.case_id) and "case" not in seen_types
        if eq.question.type not in seen_types or new_case:
            seen_types.add(eq.question.type)
            if eq.question.case_id:
                seen_types.add("case")
            problems[f"question {eq.number} ({eq.question.type})"] = _axe_violations(visit)
        if eq.number < len(paper):
            page.click("#next")
    page.click("#go-review")
    problems["review screen"] = _axe_violations(visit)
    page.click("#submit-exam")
    page.click("#confirm-submit")
    page.wait_for_selector("#exam-result")
    problems["score report"] = _axe_violations(visit)
    page.click("#review-answers")
    problems["review mode"] = _axe_violations(visit)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    visit.close()
    assert overflow <= 0, f"the exam page scrolls sideways by {overflow} px at {width} px wide"
    assert not {screen: found for screen, found in problems.items() if found}, problems
    practice = _visit(browser, site_url, EXAM_PAGE, viewport=(width, 900))
    practice.page.evaluate(f"document.documentElement.dataset.theme = '{theme}'")
    practice.page.click("#start-practice")
    practice.page.click("#check-answer")
    assert _axe_violations(practice) == []
    assert not practice.foreign
    practice.close()


def test_the_exam_page_adds_at_most_400_kb(built_site):
    extra = sitecheck.exam_page_extra(built_site)
    assert {Path(asset).name for asset in extra} >= {"exam.js", "exam.css", "exam-data.js"}
    assert sum(extra.values()) <= sitecheck.EXAM_EXTRA_BUDGET_BYTES, extra


def test_only_the_exam_page_loads_the_exam_engine(built_site):
    for page in sitecheck.pages(built_site):
        loads_engine = any("exam.js" in asset for asset in sitecheck.parse(page).assets)
        assert loads_engine == (page.relative_to(built_site).as_posix() == EXAM_PAGE), page


def _exam_stems() -> dict[str, str]:
    from labkit.questions import load_bank

    return {q.id: q.stem for q in load_bank() if q.pool == "exam"}


def test_no_exam_item_appears_on_any_page(built_site):
    assert sitecheck.leaked_exam_items(built_site, _exam_stems()) == []


def test_the_leak_check_catches_an_exam_stem_pasted_into_a_chapter(built_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(built_site, site, ignore=shutil.ignore_patterns("_static", "_images", "_sources"))
    qid, stem = next(iter(_exam_stems().items()))
    page = site / "book" / "domain2" / "task-2-1.html"
    page.write_text(page.read_text(encoding="utf-8").replace("</article>", f"<p>{stem}</p></article>"))
    assert sitecheck.leaked_exam_items(site, {qid: stem}) == [f"book/domain2/task-2-1.html: {qid}"]


@needs_browser
def test_a_finished_fixed_mock_exam_joins_practice_mode(browser, site_url):
    from labkit.questions import load_bank

    practice_items = sum(q.pool == "practice" for q in load_bank())
    visit = _visit(browser, site_url, EXAM_PAGE)
    page = visit.page

    def practice_count() -> int:
        label = page.inner_text("#practice-scope option[value='all']")
        return int(label.rsplit("(", 1)[1].rstrip(")"))

    assert practice_count() == practice_items
    page.click("#start-fixed-A")
    assert "Mock exam A" in page.inner_text("#mla-exam")
    page.click("#go-review")
    page.click("#submit-exam")
    page.click("#confirm-submit")
    page.wait_for_selector("#exam-result")
    assert page.inner_text("#score").strip() == "100"
    page.click("#back-to-start")
    assert "Mock exam A" in page.inner_text("#history")
    assert practice_count() == practice_items + 65
    assert not visit.foreign and not visit.console_errors
    visit.close()


def test_every_task_page_has_self_checks_in_two_sections_or_more(built_site):
    from bs4 import BeautifulSoup

    for domain in range(1, 5):
        for task in range(1, 4):
            page = built_site / "book" / f"domain{domain}" / f"task-{domain}-{task}.html"
            soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
            checks = soup.select("article .self-check")
            sections = {check.find_parent("section").get("id") for check in checks}
            assert len(checks) >= 4 and len(sections) >= 2, f"{page.name}: {len(checks)} self-checks in {sections}"


# ---- first load: favicon, console; one search box --------------------------------------------

SEARCH_CONTROLS = ".search-button-field, .search-button, form.bd-search input"


def _visible_search_controls(page) -> list[str]:
    """The search fields and buttons a reader can see (rendered, with a size, on the page)."""
    return page.eval_on_selector_all(
        SEARCH_CONTROLS,
        "els => els.filter(e => e.checkVisibility() && e.getBoundingClientRect().width > 0)"
        ".map(e => e.className + ' in ' + (e.parentElement.closest('[class]') || {}).className)",
    )


@needs_browser
@pytest.mark.parametrize("path", ["", "book/intro.html"])
def test_a_first_page_load_logs_no_error_and_the_favicon_loads(browser, site_url, path):
    visit = PageVisit(browser, site_url)  # a fresh context: nothing cached, as on a first visit
    visit.open(f"{site_url}/{path}")
    # The browser asks for the favicon after the load event, outside the page's request events; a
    # missing one shows only as a console error ("Failed to load resource ... 404"), so give it time.
    visit.page.wait_for_timeout(1000)
    icons = visit.page.eval_on_selector_all("link[rel~='icon']", "links => links.map(link => link.href)")
    responses = {url: visit.context.request.get(url) for url in (*icons, f"{site_url}/favicon.ico")}
    problems = {"console": visit.console_errors, "failed": visit.failed, "foreign": visit.foreign}
    visit.close()
    assert not any(problems.values()), problems
    assert icons or path == "", "the page has no <link rel='icon'>"  # the root index.html only redirects
    for url, response in responses.items():
        assert response.ok and response.headers["content-type"].startswith("image/"), (url, response.status)


@needs_browser
def test_the_first_load_check_catches_a_missing_favicon(browser, site_url, built_site):
    page = built_site / "no-favicon-test-page.html"
    page.write_text("<html><head><title>t</title><link rel='icon' href='missing-icon.ico'></head><body></body></html>")
    try:
        visit = _visit(browser, site_url, page.name)
        visit.page.wait_for_timeout(1000)
        errors = list(visit.console_errors)
        visit.close()
    finally:
        page.unlink()
    assert any("404" in error for error in errors), errors


@needs_browser
def test_one_search_box_on_a_wide_screen_and_search_reachable_on_a_phone(browser, site_url):
    wide = _visit(browser, site_url, "book/intro.html", viewport=(1400, 900))
    controls = _visible_search_controls(wide.page)
    wide.close()
    assert len(controls) == 1, f"{len(controls)} search boxes at 1400 px: {controls}"

    phone = _visit(browser, site_url, "book/intro.html", viewport=(390, 844))
    page = phone.page
    controls = _visible_search_controls(page)
    assert controls, "no search control visible at 390 px"
    page.locator(SEARCH_CONTROLS).filter(visible=True).first.click()
    field = page.locator("#pst-search-dialog input[name='q']")
    field.wait_for(state="visible", timeout=5000)
    field.fill("Hyperband")
    field.press("Enter")
    page.wait_for_selector("#search-results li a", timeout=15000)
    hrefs = page.eval_on_selector_all("#search-results li a", "links => links.map(a => a.getAttribute('href'))")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "search-from-phone.png"))
    problems = {"console": phone.console_errors, "failed": phone.failed, "foreign": phone.foreign}
    phone.close()
    assert any("book/domain2/task-2-2" in (href or "") for href in hrefs), hrefs
    assert not any(problems.values()), problems
