"""nbgrader configuration for the course (run nbgrader from this folder)."""
from pathlib import Path

from course.limits import CELL_TIMEOUT
from helpers.settings import data_mode

c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.course_id = "dl-course"
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
# Everything autograding reads and writes lives under autograde/.
c.CourseDirectory.submitted_directory = "autograde/submitted"
c.CourseDirectory.autograded_directory = "autograde/autograded"
c.CourseDirectory.feedback_directory = "autograde/feedback"
c.CourseDirectory.db_url = "sqlite:///autograde/gradebook.db"
# "*.pt": checkpoints a notebook saves while it runs are not part of an assignment.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", ".*", "*.pt"]

# The exchange of this local course (nbgrader's own: release, fetch, submit,
# collect, feedback) is a folder beside it; lab/student/nbgrader_config.py loads
# this file, so that students' Assignment List finds the same one.
course = Path(__file__).resolve().parent
c.Exchange.root = str(course / "build" / "exchange")
c.Exchange.cache = str(course / "build" / "exchange-cache")  # what a student has submitted
c.Exchange.path_includes_course = True  # fetched to <folder>/dl-course/<assignment>, never over release/
(course / "build" / "exchange").mkdir(parents=True, exist_ok=True)  # nbgrader lists only an existing one

# The release: nbgrader's steps, then answer cells tagged so that Run All goes on
# past a stub to the exercise's check, which prints its ✗ line (course/notebooks.py).
c.GenerateAssignment.preprocessors = [
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "nbgrader.preprocessors.InstantiateTests",
    "nbgrader.preprocessors.LockCells",
    "nbgrader.preprocessors.ClearSolutions",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.CheckCellMetadata",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.SaveCells",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.CheckCellMetadata",
    "course.notebooks.RunAllGoesOn",
]

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Cell time limit, by data mode: the same as every other execution of a notebook
# (course/limits.py). A cell that runs past it is stopped, earns nothing, and
# says so; `make autograde` reports it as a timeout, not a wrong answer.
c.Execute.timeout = CELL_TIMEOUT[data_mode()]
c.Execute.error_on_timeout = {
    "ename": "CellTimeoutError",
    "evalue": f"this cell ran past the {c.Execute.timeout} s limit and was stopped",
    "traceback": [f"CellTimeoutError: this cell ran past the {c.Execute.timeout} s limit of the "
                  f"{data_mode()} data mode and was stopped, so its checks did not run"],
}

# Autograding runs student code in the sandbox and judges hidden checks outside
# it (course/grading.py): nbgrader's own Execute, which runs the hidden tests in
# the student's kernel, is replaced. The notebooks it leaves in
# autograde/autograded hold no hidden region, so feedback cannot show one.
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "course.grading.ForgetCopiedCells",  # a pasted copy of a graded cell runs as an ordinary cell
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.Autograde.autograde_preprocessors = [
    "course.grading.GradeInSandbox",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Feedback pages and formgrader show what students wrote: their HTML and scripts
# are cleaned out (nbconvert's sanitizer), so that nothing runs in a reader's browser.
c.HTMLExporter.sanitize_html = True
