"""The kernel that runs student code when autograding: no network, no view of the
instructor's files.

nbgrader starts it (through the ``course-sandbox`` kernel spec that
``kernel_spec`` writes) as ``python -m course.sandbox -f CONNECTION_FILE`` in
the submission's folder. It copies that folder's files to a fresh temporary
folder, then starts the IPython kernel inside new user, mount and network
namespaces (Linux ``unshare``) where:

- there is no network interface at all (the kernel talks to nbgrader over IPC
  sockets, which are files);
- source/, solutions/, reference/, autograde/ (gradebook, other students'
  work) and .git are covered by empty folders: those of this repository, and
  the folders listed in $COURSE_SANDBOX_HIDE (os.pathsep-separated) when
  grading elsewhere.

The temporary folder is made under $COURSE_SANDBOX_DIR when set.
"""
from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from helpers.settings import sandbox_enabled

from .paths import ROOT

__all__ = ["HIDDEN", "available", "hidden", "kernel_spec"]

HIDDEN = ("source", "solutions", "reference", "autograde", ".git")
UNSHARE = ["unshare", "--user", "--map-root-user", "--mount", "--net"]
HIDE_VAR, DIR_VAR = "COURSE_SANDBOX_HIDE", "COURSE_SANDBOX_DIR"


def available() -> bool:
    """Whether this machine lets an unprivileged process make the namespaces."""
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run([*UNSHARE, "sh", "-c", f"mount -t tmpfs tmpfs {shlex.quote(str(ROOT / 'source'))}"],
                           capture_output=True)
    return probe.returncode == 0


def hidden() -> list[Path]:
    """The folders student code must not see."""
    extra = [Path(p) for p in os.environ.get(HIDE_VAR, "").split(os.pathsep) if p]
    return sorted({*(ROOT / name for name in HIDDEN), *extra})


def kernel_spec(kernels: Path, root: Path = ROOT) -> tuple[list[str], dict]:
    """nbgrader options and environment that run student code in this sandbox.

    Writes the ``course-sandbox`` kernel spec under ``kernels``. Where the
    machine cannot make the namespaces (not Linux, or forbidden), or
    COURSE_SANDBOX=0, says so and returns nothing: the plain kernel is used.
    """
    if not sandbox_enabled() or not available():
        print("! the grading kernel is NOT sandboxed: student code can reach the network and "
              "this folder (unshare is unavailable here, or COURSE_SANDBOX=0)", flush=True)
        return [], {}
    spec = kernels / "kernels" / "course-sandbox"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        # -I: the submission's folder is not on sys.path, so no file of the student's
        # can stand in for this launcher, which runs outside the sandbox.
        "argv": [sys.executable, "-I", "-m", "course.sandbox", "-f", "{connection_file}"],
        "display_name": "Python 3 (grading sandbox)", "language": "python"}))
    # IPC sockets are files: they cross the network namespace. Their path must be
    # absolute, since the launcher leaves the folder it was started in.
    options = ["--Execute.kernel_name=course-sandbox", "--KernelManager.transport=ipc",
               f"--KernelManager.ip={kernels / 'kernel-ipc'}"]
    env = {"JUPYTER_PATH": os.pathsep.join(filter(None, [str(kernels), os.environ.get("JUPYTER_PATH")])),
           HIDE_VAR: os.pathsep.join(str(root / name) for name in HIDDEN),
           DIR_VAR: str(kernels)}
    return options, env


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="grading-", dir=os.environ.get(DIR_VAR)))
    for path in Path.cwd().iterdir():
        if path.is_file():
            shutil.copy(path, work / path.name)
    mounts = [f"mount -t tmpfs -o ro tmpfs {shlex.quote(str(path))}" for path in hidden() if path.is_dir()]
    kernel = shlex.join([sys.executable, "-m", "ipykernel_launcher", *sys.argv[1:]])
    script = " && ".join([*mounts, f"cd {shlex.quote(str(work))}", f"exec {kernel}"])
    os.execvp(UNSHARE[0], [*UNSHARE, "sh", "-c", script])


if __name__ == "__main__":
    main()
