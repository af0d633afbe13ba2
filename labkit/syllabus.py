"""The MLA-C01 syllabus as data, and where the course covers each task statement.

The syllabus file (`book/reference/mla-c01.yml`, a copy of the project's shared syllabus) lists the
exam's domains, weights and twelve task statements with their knowledge and skill bullets. Chapter
pages declare in their front matter which section covers each bullet; labs declare in their
notebook metadata (`course.tasks`) which task statements they serve. This module reads all three,
so the syllabus map and the tests are generated from the sources, never typed by hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from labkit.paths import REPO_ROOT, syllabus_file


@dataclass(frozen=True)
class Task:
    """One task statement of the exam guide."""

    id: str
    name: str
    domain: int
    knowledge: tuple[str, ...]
    skills: tuple[str, ...]

    @property
    def page(self) -> Path:
        """The chapter page that teaches this task, relative to the repository root."""
        return Path("book") / f"domain{self.domain}" / f"task-{self.id.replace('.', '-')}.md"


@dataclass(frozen=True)
class Domain:
    """One exam domain with its weight and tasks."""

    id: int
    name: str
    weight_percent: int
    tasks: tuple[Task, ...] = field(default_factory=tuple)


def load_syllabus(path: Path | None = None) -> dict:
    """The raw syllabus mapping (exam facts, domains, facts worth teaching)."""
    path = path or syllabus_file()
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def domains(path: Path | None = None) -> list[Domain]:
    """The four domains with their task statements, in exam order."""
    result = []
    for raw in load_syllabus(path)["domains"]:
        tasks = tuple(
            Task(
                id=str(t["id"]),
                name=t["name"],
                domain=int(raw["id"]),
                knowledge=tuple(t["knowledge"]),
                skills=tuple(t["skills"]),
            )
            for t in raw["tasks"]
        )
        result.append(Domain(int(raw["id"]), raw["name"], int(raw["weight_percent"]), tasks))
    return result


def tasks(path: Path | None = None) -> dict[str, Task]:
    """Every task statement by id ("1.1" ... "4.3")."""
    return {task.id: task for domain in domains(path) for task in domain.tasks}


def read_front_matter(page: Path) -> dict:
    """The YAML front matter of a MyST page, or {} when it has none."""
    text = page.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        return {}
    end = text.find("\n---", 4)
    if end == -1:
        raise ValueError(f"{page}: front matter opened with '---' is never closed")
    return yaml.safe_load(text[4:end]) or {}


def lab_metadata(notebook: Path) -> dict:
    """The `course` block of a lab notebook's metadata ({} when absent)."""
    with notebook.open(encoding="utf-8") as handle:
        return json.load(handle).get("metadata", {}).get("course", {})


def labs_by_task(labs_dir: Path | None = None) -> dict[str, list[tuple[Path, str]]]:
    """Task id -> [(notebook path, lab title)], from every lab's metadata."""
    labs_dir = labs_dir or REPO_ROOT / "labs"
    mapping: dict[str, list[tuple[Path, str]]] = {}
    for notebook in sorted(labs_dir.glob("[0-9][0-9]-*.ipynb")):
        meta = lab_metadata(notebook)
        for task_id in meta.get("tasks", []):
            mapping.setdefault(str(task_id), []).append((notebook, meta.get("title", notebook.stem)))
    return mapping
