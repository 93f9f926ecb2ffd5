"""Kernel launcher for autograding: student code runs with no network and no view
of the instructor's files.

nbgrader starts this script (through the `course-sandbox` kernel spec that
tools/course.py writes) in the submission's folder. It copies that folder's
files to a fresh temporary folder, then starts the IPython kernel inside new
user, mount and network namespaces (Linux `unshare`) where:

- there is no network interface at all (the kernel talks to nbgrader over IPC
  sockets, which are files);
- source/, solutions/, autograde/ (gradebook, other students' work) and .git
  are covered by empty folders: those of this repository, and the folders
  listed in $COURSE_SANDBOX_HIDE (os.pathsep-separated) when grading elsewhere.

The temporary folder is made under $COURSE_SANDBOX_DIR when set.

Usage (by Jupyter): sandbox_kernel.py -f CONNECTION_FILE
"""
from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HIDDEN = ("source", "solutions", "autograde", ".git")
UNSHARE = ["unshare", "--user", "--map-root-user", "--mount", "--net"]


def available() -> bool:
    """Whether this machine lets an unprivileged process make the namespaces."""
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run([*UNSHARE, "sh", "-c", f"mount -t tmpfs tmpfs {shlex.quote(str(ROOT / 'source'))}"],
                           capture_output=True)
    return probe.returncode == 0


def hidden() -> list[Path]:
    """The folders student code must not see."""
    extra = [Path(p) for p in os.environ.get("COURSE_SANDBOX_HIDE", "").split(os.pathsep) if p]
    return sorted({*(ROOT / name for name in HIDDEN), *extra})


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="grading-", dir=os.environ.get("COURSE_SANDBOX_DIR")))
    for path in Path.cwd().iterdir():
        if path.is_file():
            shutil.copy(path, work / path.name)
    mounts = [f"mount -t tmpfs -o ro tmpfs {shlex.quote(str(path))}" for path in hidden() if path.is_dir()]
    kernel = shlex.join([sys.executable, "-m", "ipykernel_launcher", *sys.argv[1:]])
    script = " && ".join([*mounts, f"cd {shlex.quote(str(work))}", f"exec {kernel}"])
    os.execvp(UNSHARE[0], [*UNSHARE, "sh", "-c", script])


if __name__ == "__main__":
    main()
