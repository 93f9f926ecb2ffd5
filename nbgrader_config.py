"""nbgrader configuration for the course (run nbgrader from this folder)."""
import os

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

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Cell time limit, by data mode: the slowest tiny-mode cell (the Seq2Seq training)
# takes about 40 s on two CPU cores (2 minutes stops a student's endless loop
# soon); on the real data, training takes hours on a CPU.
c.Execute.timeout = 1800 if os.environ.get("COURSE_DATA", "tiny").strip().lower() == "full" else 120

# nbgrader gives 0 points to a test cell that writes anything to stderr. These
# warnings are harmless, so a right answer must not lose points to them.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = (
    r"(UserWarning|DeprecationWarning|FutureWarning|PendingDeprecationWarning)"
)
