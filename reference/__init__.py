"""Code that holds solutions, shared by the lesson tests and the benches so that
nothing is typed twice. The grading sandbox hides this folder from student code."""
