"""The part of a lab's tests that runs on another image (LAB_OS, set by
tests/lab/run-lab.sh): both Molecule scenarios' conftest.py call keep()."""

import os


def keep(config, items, os_name, names=(), files=()):
    """Where the lab runs on OS_NAME, only the tests named in NAMES or
    defined in FILES stay; the others are reported as deselected."""
    if os.environ.get("LAB_OS") != os_name:
        return
    kept = [item for item in items if item.originalname in names or os.path.basename(str(item.fspath)) in files]
    config.hook.pytest_deselected(items=[item for item in items if item not in kept])
    items[:] = kept
