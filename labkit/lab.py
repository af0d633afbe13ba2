"""What every lab does first: fix seeds and threads, quiet noisy warnings, set figure defaults.

Each lab's first code cell is::

    from labkit.lab import start
    rng = start()

so that a lab prints the same numbers on a laptop, in Binder and in the test suite.
"""

from __future__ import annotations

import os
import platform
import random
import sys
import warnings
from importlib import metadata

import numpy as np

DEFAULT_SEED = 0
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def start(seed: int = DEFAULT_SEED, threads: int = 1) -> np.random.Generator:
    """Make the lab reproducible and return a seeded NumPy generator.

    - seeds Python's and NumPy's global generators (for libraries that still use them);
    - limits BLAS and OpenMP thread pools to `threads`, so that parallel reductions add up in the
      same order on any machine;
    - silences warnings that print machine-specific paths and would break nbval's comparison;
    - fixes matplotlib's figure size and resolution.
    """
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    if threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    for name in THREAD_VARIABLES:
        os.environ[name] = str(threads)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads)
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - for libraries that read the legacy global state
    _quiet_warnings()
    _figure_defaults()
    return np.random.default_rng(seed)


def _quiet_warnings() -> None:
    # tqdm (imported by shap) warns about missing widgets with the path of its own file.
    warnings.filterwarnings("ignore", message=".*IProgress not found.*")
    warnings.filterwarnings("ignore", category=FutureWarning, module="sklearn")


def _figure_defaults() -> None:
    import matplotlib

    matplotlib.rcParams.update(
        {
            "figure.figsize": (8, 4.5),
            "figure.dpi": 80,
            "savefig.dpi": 80,
            "axes.titleweight": "bold",
            "axes.grid": True,
            "grid.alpha": 0.3,
        }
    )


def versions(packages: list[str]) -> dict[str, str]:
    """Installed version of each package ("not installed" when absent)."""
    found = {}
    for name in packages:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def python_version() -> str:
    """Major.minor of the running Python, e.g. '3.11'."""
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def machine() -> dict[str, object]:
    """The machine a measurement ran on: cores and platform (print it next to any timing)."""
    return {"cores": os.cpu_count(), "platform": platform.platform(terse=True), "python": platform.python_version()}
