"""The benchmark-only environment of PMapper, the peer chaincut is measured against.

PMapper 1.1.5 needs Python 3.9 and is never a dependency of chaincut: it is
installed on first use into ``bench/.peer-pmapper`` (ignored by git).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

PEER = Path(__file__).resolve().parent.parent / ".peer-pmapper"
PMAPPER_VERSION = "1.1.5"
PYTHON39 = ("python3.9", "/root/.pyenv/versions/3.9.18/bin/python3.9")


def pmapper_python() -> Path | None:
    """The PMapper environment's interpreter, created on first use; None if
    it cannot be built here (the caller then prints only its own figures)."""
    python = PEER / "bin" / "python"
    if python.exists():
        return python
    base = next(
        (p for p in (shutil.which(c) or c for c in PYTHON39) if Path(p).exists()), None
    )
    if base is None:
        print("PMapper: skipped, no python3.9 found to build its environment")
        return None
    print(f"PMapper: creating {PEER} (first run) ...", flush=True)
    try:
        subprocess.run([base, "-m", "venv", str(PEER)], check=True)
        subprocess.run(
            [
                str(python), "-m", "pip", "install", "-q",
                f"principalmapper=={PMAPPER_VERSION}",
            ],
            check=True,
        )  # fmt: skip
    except (OSError, subprocess.CalledProcessError) as error:
        print(f"PMapper: skipped, its environment could not be built ({error})")
        shutil.rmtree(PEER, ignore_errors=True)
        return None
    return python
