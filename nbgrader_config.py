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
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", ".*"]

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Cell time limit, by data mode: the slowest tiny-mode cell takes about 5 s on two
# CPU cores (2 minutes stops a student's endless loop soon); the real data's
# learning-rate sweep takes minutes.
c.Execute.timeout = 1800 if os.environ.get("COURSE_DATA", "tiny").strip().lower() == "full" else 120

# nbgrader gives 0 points to a test cell that writes anything to stderr. These
# warnings are harmless, so a right answer must not lose points to them.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = (
    r"(UserWarning|DeprecationWarning|FutureWarning|PendingDeprecationWarning)"
)
