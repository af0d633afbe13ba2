"""Which AWS services the course mentions are retired, closed to new customers, renamed or replaced.

The data lives in one file, `book/reference/service-status.yml`. This module reads it, finds which
entries a text names, and lints the chapters and labs:

- `load_status(path=None)` returns the entries as `ServiceStatus` objects; a malformed file raises
  `ServiceStatusError` naming the entry and the field.
- `mentions(text)` returns the entries whose aliases the text names (whole words, case-sensitive).
- `lint_markdown(path, text)` and `lint_notebook(path)` return the places where a chapter section or a
  lab names a service without its `service-status` notice, or repeats a phrase that contradicts the
  file. The book shows a notice with the directive ``:::{service-status} <id>`` or the inline role
  ``{service-status}`<id>` ``; `tools/sphinx/service_status.py` renders both.

Rules of the lint: a chapter is split into sections at its level-1 and level-2 headings; a section
that names a retired, closed or replaced service must hold that service's notice. For a renamed
service one notice anywhere on the page is enough. In a lab the whole notebook counts as one
section. Fenced code blocks are ignored, except MyST directives (a fence whose info string starts
with `{`), which are prose.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "book" / "reference" / "service-status.yml"
STATUSES = ("retired", "closed-to-new-customers", "renamed", "replaced")
STATUS_LABELS = {
    "retired": "Retired",
    "closed-to-new-customers": "Closed to new customers",
    "renamed": "Renamed",
    "replaced": "Replaced",
}
REQUIRED = ("id", "name", "aliases", "status", "effective", "replacement", "sources", "notice")
OPTIONAL = ("effective_note", "exclude", "assume", "contradictions")
ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# How far (in lines) from a mention a contradicting phrase is looked for.
CONTRADICTION_WINDOW = 2


class ServiceStatusError(ValueError):
    """The service-status file is malformed."""


@dataclass(frozen=True)
class Source:
    url: str
    says: str


@dataclass(frozen=True)
class ServiceStatus:
    id: str
    name: str
    aliases: tuple[str, ...]
    status: str
    effective: dt.date | None
    replacement: str | None
    sources: tuple[Source, ...]
    notice: str
    effective_note: str | None = None
    exclude: tuple[str, ...] = ()
    assume: str | None = None
    contradictions: tuple[str, ...] = ()

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def effective_text(self) -> str:
        return self.effective.isoformat() if self.effective else "not dated"

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Character spans where `text` names this entry (whole words, case-sensitive)."""
        excluded = [m.span() for phrase in self.exclude for m in _word_re(phrase).finditer(text)]
        found = []
        for alias in self.aliases:
            for match in _word_re(alias).finditer(text):
                start, end = match.span()
                if not any(s <= start and end <= e for s, e in excluded):
                    found.append((start, end))
        return sorted(found)


def _word_re(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])" + re.escape(phrase) + r"(?![\w-])")


def _text(entry: dict, field: str, where: str, *, optional: bool = False) -> str | None:
    value = entry.get(field)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ServiceStatusError(f"{where}: field '{field}' must be a non-empty string, got {value!r}")
    return " ".join(value.split())


def _strings(entry: dict, field: str, where: str, *, optional: bool = False) -> tuple[str, ...]:
    value = entry.get(field)
    if value is None and optional:
        return ()
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise ServiceStatusError(f"{where}: field '{field}' must be a non-empty list of strings, got {value!r}")
    return tuple(v.strip() for v in value)


def _entry(raw: object, number: int, path: Path) -> ServiceStatus:
    if not isinstance(raw, dict):
        raise ServiceStatusError(f"{path}: entry {number} must be a mapping of fields, got {raw!r}")
    ident = raw.get("id")
    where = f"{path}: entry {number} ({ident!r})" if ident else f"{path}: entry {number}"
    missing = [f for f in REQUIRED if f not in raw]
    if missing:
        raise ServiceStatusError(f"{where}: missing field(s) {', '.join(repr(f) for f in missing)}")
    unknown = sorted(set(raw) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise ServiceStatusError(f"{where}: unknown field(s) {', '.join(repr(f) for f in unknown)}")
    if not isinstance(ident, str) or not ID_PATTERN.match(ident):
        raise ServiceStatusError(f"{where}: field 'id' must be a lowercase slug such as 'model-monitor'")
    status = raw["status"]
    if status not in STATUSES:
        raise ServiceStatusError(f"{where}: field 'status' is {status!r}; expected one of {', '.join(STATUSES)}")
    effective = raw["effective"]
    if isinstance(effective, str):
        try:
            effective = dt.date.fromisoformat(effective)
        except ValueError as exc:
            raise ServiceStatusError(f"{where}: field 'effective' is not a YYYY-MM-DD date: {effective!r}") from exc
    if isinstance(effective, dt.datetime) or not (effective is None or isinstance(effective, dt.date)):
        raise ServiceStatusError(f"{where}: field 'effective' must be a YYYY-MM-DD date or null, got {effective!r}")
    note = _text(raw, "effective_note", where, optional=True)
    if effective is None and note is None:
        raise ServiceStatusError(f"{where}: field 'effective' is null, so 'effective_note' must say why")
    sources_raw = raw["sources"]
    if not isinstance(sources_raw, list) or not sources_raw:
        raise ServiceStatusError(f"{where}: field 'sources' must be a non-empty list of {{url, says}}")
    sources = []
    for index, source in enumerate(sources_raw, start=1):
        if not isinstance(source, dict):
            raise ServiceStatusError(f"{where}: field 'sources' item {index} must be a mapping with url and says")
        url = _text(source, "url", f"{where}: sources item {index}")
        if not url.startswith("https://"):
            raise ServiceStatusError(f"{where}: field 'sources' item {index} url must start with https://")
        sources.append(Source(url=url, says=_text(source, "says", f"{where}: sources item {index}")))
    return ServiceStatus(
        id=ident,
        name=_text(raw, "name", where),
        aliases=_strings(raw, "aliases", where),
        status=status,
        effective=effective,
        replacement=_text(raw, "replacement", where, optional=True),
        sources=tuple(sources),
        notice=_text(raw, "notice", where),
        effective_note=note,
        exclude=_strings(raw, "exclude", where, optional=True),
        assume=_text(raw, "assume", where, optional=True),
        contradictions=_strings(raw, "contradictions", where, optional=True),
    )


def load_status(path: Path | str | None = None) -> list[ServiceStatus]:
    """The entries of the service-status file (default: the course's), checked field by field."""
    path = Path(path) if path is not None else DEFAULT_PATH
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ServiceStatusError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise ServiceStatusError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(raw, list) or not raw:
        raise ServiceStatusError(f"{path}: expected a non-empty list of entries")
    entries = [_entry(item, number, path) for number, item in enumerate(raw, start=1)]
    seen: dict[str, str] = {}
    for entry in entries:
        if entry.id in seen:
            raise ServiceStatusError(f"{path}: entry {entry.id!r}: field 'id' is used twice")
        seen[entry.id] = entry.id
        for alias in entry.aliases:
            owner = seen.get("alias:" + alias)
            if owner:
                raise ServiceStatusError(
                    f"{path}: entry {entry.id!r}: field 'aliases': {alias!r} already belongs to {owner!r}"
                )
            seen["alias:" + alias] = entry.id
    return entries


_CACHE: dict = {}


def _default_entries() -> list[ServiceStatus]:
    stamp = DEFAULT_PATH.stat().st_mtime_ns
    if _CACHE.get("stamp") != stamp:
        _CACHE.update(stamp=stamp, entries=load_status(DEFAULT_PATH))
    return _CACHE["entries"]


def mentions(text: str, entries: list[ServiceStatus] | None = None) -> list[ServiceStatus]:
    """The entries whose aliases `text` names, in the order of the file, each once."""
    entries = _default_entries() if entries is None else entries
    return [entry for entry in entries if entry.spans(text)]


# --- lint ---------------------------------------------------------------------------------------

DIRECTIVE_RE = re.compile(r"^\s*(?::{3,}|`{3,})\{service-status\}\s+(\S+)")
ROLE_RE = re.compile(r"\{service-status\}`([^`]+)`")
FENCE_RE = re.compile(r"^\s*(`{3,}|~{3,})(.*)$")
HEADING_RE = re.compile(r"^#{1,2}\s+(.*)$")


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    entry: ServiceStatus
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.entry.name} [{self.entry.id}]: {self.message}"


def notices_in(text: str) -> set[str]:
    """The entry ids whose notice (directive or role) `text` holds."""
    found = {m.group(1) for line in text.splitlines() if (m := DIRECTIVE_RE.match(line))}
    return found | set(ROLE_RE.findall(text))


def prose_lines(lines: list[str]) -> list[str]:
    """`lines` with front matter, code blocks (not MyST directives) and notice lines blanked out."""
    out = list(lines)
    start = 0
    if out and out[0].strip() == "---":
        for index in range(1, len(out)):
            if out[index].strip() == "---":
                out[: index + 1] = [""] * (index + 1)
                start = index + 1
                break
    fence: str | None = None
    directives: list[str] = []  # open MyST directive fences (```{figure} ...): their closing line is not code
    for index in range(start, len(out)):
        line = out[index]
        match = FENCE_RE.match(line)
        if fence is None and match and match.group(2).strip().startswith("{"):
            directives.append(match.group(1))
        elif (fence is None and match and not match.group(2).strip() and directives
              and match.group(1)[0] == directives[-1][0] and len(match.group(1)) >= len(directives[-1])):
            directives.pop()
            out[index] = ""
        elif fence is None and match:
            fence = match.group(1)
            out[index] = ""
        elif fence is not None:
            if line.strip().startswith(fence[0] * len(fence)) and not line.strip().strip(fence[0]):
                fence = None
            out[index] = ""
        elif DIRECTIVE_RE.match(line):
            out[index] = ""
    return out


def _sections(lines: list[str]) -> list[tuple[int, int, str]]:
    """(first line index, end index, heading) of each level-1 or level-2 section of prose `lines`."""
    starts = [(0, "(before the first heading)")]
    starts += [(i, m.group(1).strip()) for i, line in enumerate(lines) if (m := HEADING_RE.match(line))]
    bounds = []
    for number, (start, heading) in enumerate(starts):
        end = starts[number + 1][0] if number + 1 < len(starts) else len(lines)
        if end > start:
            bounds.append((start, end, heading))
    return bounds


def _check_unit(
    path: str, prose: list[str], raw: list[str], line_of, entries: list[ServiceStatus], page_notices: set[str]
) -> list[Problem]:
    """Problems in one unit (a chapter section or a whole lab). `line_of(i)` maps an index to a line."""
    problems = []
    unit_notices = notices_in("\n".join(raw))
    for entry in entries:
        mention_lines = [i for i, line in enumerate(prose) if entry.spans(line)]
        if not mention_lines:
            continue
        needed = page_notices if entry.status == "renamed" else unit_notices
        if entry.id not in needed:
            where = "on this page" if entry.status == "renamed" else "in this section"
            problems.append(
                Problem(path, line_of(mention_lines[0]), entry,
                        f"named here, but there is no service-status notice for it {where} "
                        f"(add ':::{{service-status}} {entry.id}' or {{service-status}}`{entry.id}`)")
            )
        for i in mention_lines:
            window = "\n".join(prose[max(0, i - CONTRADICTION_WINDOW): i + CONTRADICTION_WINDOW + 1]).lower()
            for phrase in entry.contradictions:
                if phrase.lower() in window:
                    problems.append(
                        Problem(path, line_of(i), entry,
                                f"the text near this mention says {phrase!r}, which contradicts the "
                                f"service-status file ({entry.status_label.lower()})")
                    )
    return problems


def lint_markdown(
    path: Path | str, text: str | None = None, entries: list[ServiceStatus] | None = None
) -> list[Problem]:
    """Sections of a MyST Markdown page that name a service without its notice, or contradict it."""
    path = Path(path)
    text = path.read_text(encoding="utf-8") if text is None else text
    entries = _default_entries() if entries is None else entries
    raw = text.splitlines()
    prose = prose_lines(raw)
    page_notices = notices_in(text)
    problems = []
    for start, end, _heading in _sections(prose):
        problems += _check_unit(str(path), prose[start:end], raw[start:end], lambda i, s=start: s + i + 1,
                                entries, page_notices)
    # A renamed service is reported once per page, not once per section.
    seen: set[str] = set()
    unique = []
    for problem in problems:
        key = problem.entry.id if problem.entry.status == "renamed" and "no service-status" in problem.message else None
        if key and key in seen:
            continue
        if key:
            seen.add(key)
        unique.append(problem)
    return unique


def lint_notebook(path: Path | str, entries: list[ServiceStatus] | None = None) -> list[Problem]:
    """The markdown cells of a lab, taken together as one unit; lines are reported as cell:line."""
    path = Path(path)
    entries = _default_entries() if entries is None else entries
    notebook = json.loads(path.read_text(encoding="utf-8"))
    raw: list[str] = []
    where: list[tuple[int, int]] = []
    for number, cell in enumerate(notebook.get("cells", []), start=1):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        lines = ("".join(source) if isinstance(source, list) else source).splitlines()
        raw += lines + [""]
        where += [(number, i + 1) for i in range(len(lines))] + [(number, len(lines) + 1)]
    prose = prose_lines(raw)
    page_notices = notices_in("\n".join(raw))

    class _CellLine(int):
        """An int line number that prints as 'cell N, line M'."""

    def line_of(i: int) -> int:
        cell, line = where[i]
        value = _CellLine(line)
        value.cell = cell  # type: ignore[attr-defined]
        return value

    problems = _check_unit(str(path), prose, raw, line_of, entries, page_notices)
    return [
        Problem(f"{p.path} (cell {getattr(p.line, 'cell', '?')})", int(p.line), p.entry, p.message) for p in problems
    ]


def lint_paths(paths: list[Path], entries: list[ServiceStatus] | None = None) -> list[Problem]:
    """Lint chapter pages (`.md`) and labs (`.ipynb`)."""
    problems: list[Problem] = []
    for path in paths:
        if path.suffix == ".ipynb":
            problems += lint_notebook(path, entries)
        else:
            problems += lint_markdown(path, entries=entries)
    return problems
