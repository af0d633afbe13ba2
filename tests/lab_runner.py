"""Re-run a lab's own code with another seed, for the tests of its conclusions (tests/test_conclusions_labNN.py).

The lab's first code cell sets `SEED = 0`; the code cells run in order in one namespace with that line
replaced, output silenced, and cells that only draw figures skipped (and, unless asked otherwise, the
"Your turn" self-checks, whose placeholders print "Not yet"). The namespace is returned, so a test
asserts the lab's conclusions on the variables the lab computed.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

SEED_LINE = re.compile(r"^SEED = 0\b", re.M)
SELF_CHECK = re.compile(r"\bcheck_[a-z_]+\(")


def run_lab_with_seed(lab: Path, seed: int, skip_self_checks: bool = True) -> dict:
    """Execute `lab`'s code cells with SEED = `seed` and return their namespace."""
    cells = [
        "".join(cell["source"]) for cell in json.loads(lab.read_text(encoding="utf-8"))["cells"]
        if cell["cell_type"] == "code"
    ]
    assert SEED_LINE.search(cells[0]), f"{lab.name}: the first code cell must set `SEED = 0`"
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        for index, source in enumerate(cells):
            if "plt." in source or (skip_self_checks and SELF_CHECK.search(source)):
                continue
            if index == 0:
                source = SEED_LINE.sub(f"SEED = {seed}", source)
            exec(compile(source, f"{lab.name} code cell {index}", "exec"), namespace)  # noqa: S102 - the lab's code
    return namespace
