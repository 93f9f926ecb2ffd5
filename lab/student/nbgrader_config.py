"""What a student's nbgrader reads (Assignment List, Validate): the course's own config,
two folders up, so that both sides name the same course and exchange."""
from pathlib import Path

c = get_config()  # noqa: F821 (provided by nbgrader)
load_subconfig(str(Path(__file__).resolve().parents[2] / "nbgrader_config.py"))  # noqa: F821
