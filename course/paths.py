"""Where the course's folders live, and which assignments and notebooks there are."""
from __future__ import annotations

from pathlib import Path

__all__ = ["ROOT", "SOURCE", "RELEASE", "SOLUTIONS", "REFERENCE", "AUTOGRADE", "SUBMITTED", "SAMPLES",
           "assignments", "source_notebooks", "selected_notebooks"]

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


def selected_notebooks(only: list[str] | None = None, root: Path = ROOT) -> dict[str, list[Path]]:
    """The source notebooks that ``only`` names, by assignment: an entry is an assignment (all its
    notebooks) or ``<assignment>/<notebook>`` (that one, with or without ``.ipynb``); None: all."""
    chosen: dict[str, list[Path]] = {}
    for entry in only or assignments(root):
        assignment, _, name = entry.partition("/")
        paths = source_notebooks(assignment, root)
        if name:
            paths = [p for p in paths if p.stem == name.removesuffix(".ipynb")]
            if not paths:
                raise ValueError(f"{assignment} has no notebook {name}: its notebooks are "
                                 f"{', '.join(p.stem for p in source_notebooks(assignment, root))}")
        chosen.setdefault(assignment, [])
        chosen[assignment] += [p for p in paths if p not in chosen[assignment]]
    return chosen
