"""How long a lab takes: one rule for the labs' stated times, the study plans and the tests.

A lab's **core** is everything except its optional parts; its time is

    words read / 200 words a minute  +  its run time  +  5 minutes per "Your turn" task.

Its **optional** parts are the `## Exercises` section and any `##` section whose heading ends
with "(optional)"; their time is their words at the same rate plus 10 minutes per exercise.
A lab states its core minutes in `course.minutes` (and in its opening's "Time to complete"), and
its optional minutes in `course.optional_minutes`; `tests/test_lab_structure.py` checks both
within 25 % of this estimate, and that no core exceeds 45 minutes (split the lab, or mark
sections optional). Run ``python tools/sphinx/lab_pacing.py`` for the table.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

WORDS_PER_MINUTE = 200
MINUTES_PER_TURN = 5
MINUTES_PER_EXERCISE = 10
MAX_CORE_MINUTES = 45
TOLERANCE = 0.25
DEFAULT_RUN_SECONDS = 60.0  # labs run in under a minute (DESIGN.md) until `make bench` measures one

SECTION = re.compile(r"^##\s+(.+?)\s*$", re.M)
TURN = re.compile(r"```\{exercise\}[^\n]*\n(?::[a-z-]+:[^\n]*\n)*?:class:[^\n]*\byour-turn\b")


@dataclass(frozen=True)
class LabPace:
    core_words: int
    optional_words: int
    turns: int
    exercises: int
    run_seconds: float

    @property
    def core_minutes(self) -> float:
        return self.core_words / WORDS_PER_MINUTE + self.run_seconds / 60 + self.turns * MINUTES_PER_TURN

    @property
    def optional_minutes(self) -> float:
        return self.optional_words / WORDS_PER_MINUTE + self.exercises * MINUTES_PER_EXERCISE


def is_optional_heading(title: str) -> bool:
    return title.startswith("Exercises") or title.lower().endswith("(optional)")


def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def lab_pace(path: Path, run_seconds: float = DEFAULT_RUN_SECONDS) -> LabPace:
    """Split a lab's cells into core and optional parts at its `##` headings, and count each."""
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    words = {False: 0, True: 0}
    turns = exercises = 0
    optional = False
    for cell in cells:
        if cell["cell_type"] not in ("markdown", "code"):
            continue
        text = _source(cell)
        if cell["cell_type"] == "code":
            words[optional] += len(text.split())
            continue
        # A markdown cell may hold several sections: count each part under the heading above it.
        position = 0
        for match in SECTION.finditer(text):
            part = text[position:match.start()]
            words[optional] += len(part.split())
            turns, exercises = _count_tasks(part, turns, exercises)
            optional = is_optional_heading(match.group(1))
            position = match.start()
        part = text[position:]
        words[optional] += len(part.split())
        turns, exercises = _count_tasks(part, turns, exercises)
    return LabPace(words[False], words[True], turns, exercises, run_seconds)


def _count_tasks(text: str, turns: int, exercises: int) -> tuple[int, int]:
    """Add the text's "Your turn" tasks and its other exercises (which are optional work wherever they are)."""
    your_turns = len(TURN.findall(text))
    return turns + your_turns, exercises + text.count("```{exercise}") - your_turns


def main(root: Path) -> None:
    sys.path.insert(0, str(root / "tools" / "sphinx"))
    from study_plan import benchmark_seconds

    bench = benchmark_seconds(root)
    print(f"{'lab':34} {'core':>5} {'stated':>6} {'optional':>8} {'stated':>6} turns exercises")
    for path in sorted((root / "labs").glob("*.ipynb")):
        pace = lab_pace(path, bench.get(path.stem, DEFAULT_RUN_SECONDS))
        course = json.loads(path.read_text(encoding="utf-8"))["metadata"].get("course", {})
        print(f"{path.stem:34} {pace.core_minutes:5.0f} {course.get('minutes', '-'):>6} "
              f"{pace.optional_minutes:8.0f} {course.get('optional_minutes', '-'):>6} "
              f"{pace.turns:5} {pace.exercises:9}")


if __name__ == "__main__":
    main(Path(__file__).resolve().parents[2])
