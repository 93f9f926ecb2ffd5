"""The instructor pipeline of the course, run as ``python -m course STEP``.

One module a concern: ``paths`` (where things live), ``notebooks`` (notebook
transforms, each a named step), ``execute`` (running a notebook in a fresh
kernel, with time limits and a thread budget), ``build`` (release, solutions,
hashes, sample submissions), ``grading`` (autograde, feedback, the score
table) and ``sandbox`` (the kernel that runs student code). ``__main__``
holds the table of commands.
"""
