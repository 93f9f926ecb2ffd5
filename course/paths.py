"""Where the course's folders live, and which assignments and notebooks there are."""
from __future__ import annotations

from pathlib import Path

__all__ = ["ROOT", "SOURCE", "RELEASE", "SOLUTIONS", "REFERENCE", "AUTOGRADE", "SUBMITTED", "SAMPLES",
           "assignments", "source_notebooks"]

ROOT = Path(__file__).resolve().parent.parent
SOURCE, RELEASE, SOLUTIONS = ROOT / "source", ROOT / "release", ROOT / "solutions"
REFERENCE = ROOT / "reference"  # code that holds solutions: hidden from student code
AUTOGRADE = ROOT / "autograde"
SUBMITTED = AUTOGRADE / "submitted"
SAMPLES = AUTOGRADE / "samples.json"  # sample students: which sections they solve, expected scores


def assignments(root: Path = ROOT) -> list[str]:
    """The assignment ids: the folders of ``root``/source."""
    return sorted(p.name for p in (root / "source").iterdir() if p.is_dir() and not p.name.startswith("."))


def source_notebooks(assignment: str, root: Path = ROOT) -> list[Path]:
    """The source notebooks of one assignment, by name."""
    return sorted((root / "source" / assignment).glob("*.ipynb"))
