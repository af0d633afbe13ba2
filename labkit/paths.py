"""Where the course's files live, wherever the repository was cloned."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def datasets_dir() -> Path:
    """The folder holding the datasets and their manifest.

    `LABKIT_DATA_DIR` overrides it (the tests point it at a scratch copy).
    """
    override = os.environ.get("LABKIT_DATA_DIR")
    return Path(override) if override else REPO_ROOT / "datasets"


def syllabus_file() -> Path:
    """The exam syllabus: `shared/syllabus/mla-c01.yml` beside the repository, else the course's copy."""
    override = os.environ.get("LABKIT_SYLLABUS")
    if override:
        return Path(override)
    return REPO_ROOT / "book" / "reference" / "mla-c01.yml"
