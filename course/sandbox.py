"""The sandbox that student code runs in when it is graded (bubblewrap + cgroups).

Each graded notebook gets a kernel started as ``python -I -m course.sandbox -f
CONNECTION_FILE``. That launcher (ours, run before any student code) joins the
notebook's cgroups, sets its resource limits, and replaces itself with
``bwrap`` running the IPython kernel with:

- no network (own network namespace: the kernel talks to the grader over IPC
  socket files in a folder of its own);
- its own PID namespace, killed whole when the kernel ends (``--die-with-parent``),
  and every process in its cgroup killed by the grader afterwards;
- limits: memory, processes (cgroup v1 ``memory`` and ``pids``), CPU time
  (``RLIMIT_CPU``; per cell, the grader watches ``cpuacct``), file size
  (``RLIMIT_FSIZE``), scratch space (a tmpfs of fixed size);
- a read-only view of only the system's libraries, Python, the environment,
  ``helpers/`` and the assignment's released files; writable: a scratch folder
  (its working folder, a fresh tmpfs, gone when it ends) and ``/tmp`` (the same);
- user ``nobody`` in a user namespace of its own, no capabilities,
  ``no_new_privs``, and no further user namespace (``--disable-userns``), so
  no mount can be undone.
"""
from __future__ import annotations

import functools
import glob
import json
import os
import resource
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from .paths import ROOT

__all__ = ["SPEC_VAR", "Limits", "Cgroup", "available", "cgroups_available", "Sandbox", "main"]

SPEC_VAR = "COURSE_SANDBOX_SPEC"  # the launcher's instructions, JSON, from the grader
WORKDIR = "/grading"  # the kernel's working folder inside the sandbox
NOBODY = 65534


@dataclass(frozen=True)
class Limits:
    """What one graded notebook may use (the first three from ``course.limits.GRADING_LIMITS``)."""
    memory: int  # bytes (cgroup)
    processes: int  # processes and threads (cgroup)
    cpu_seconds: int  # CPU time of the kernel process over the whole notebook
    file_size: int = 1 << 30  # bytes, any one file
    scratch: int = 2 << 30  # bytes of the working folder, and of /tmp
    open_files: int = 1024


# ------------------------------------------------------------------ cgroups
CGROUP_ROOT = Path("/sys/fs/cgroup")
CONTROLLERS = ("memory", "pids", "cpuacct")


def cgroups_available() -> bool:
    """Whether this process can make cgroup v1 groups for memory, processes and CPU time."""
    return all(os.access(CGROUP_ROOT / c, os.W_OK) for c in CONTROLLERS)


class Cgroup:
    """One notebook's cgroups (v1): limits while it runs, every process killed after."""

    def __init__(self, limits: Limits):
        # named by the grading process, so that a grader can tell its own from another's
        name = f"dl-course/{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self.paths = {c: CGROUP_ROOT / c / name for c in CONTROLLERS}
        for path in self.paths.values():
            path.mkdir(parents=True)
        memory = self.paths["memory"]
        (memory / "memory.limit_in_bytes").write_text(str(limits.memory))
        if (memory / "memory.memsw.limit_in_bytes").exists():  # no escape into swap
            (memory / "memory.memsw.limit_in_bytes").write_text(str(limits.memory))
        (self.paths["pids"] / "pids.max").write_text(str(limits.processes))

    def cpu_seconds(self) -> float:
        """CPU time used by every process of the notebook so far."""
        try:
            return int((self.paths["cpuacct"] / "cpuacct.usage").read_text()) / 1e9
        except OSError:
            return 0.0

    def why_dead(self) -> str | None:
        """Which limit the notebook hit, if any."""
        memory = self.paths["memory"]
        try:
            control = dict(line.split() for line in (memory / "memory.oom_control").read_text().splitlines())
            failures = [memory / name for name in ("memory.failcnt", "memory.memsw.failcnt") if (memory / name).exists()]
            if int(control.get("oom_kill", 0)) > 0 or any(int(p.read_text()) > 0 for p in failures):
                limit = int((self.paths["memory"] / "memory.limit_in_bytes").read_text())
                return f"it used all the memory it may use ({limit / 2**30:.1f} GiB)"
            if int((self.paths["pids"] / "pids.events").read_text().split()[-1]) > 0:
                return f"it started more processes than it may ({(self.paths['pids'] / 'pids.max').read_text().strip()})"
        except (OSError, ValueError, IndexError):
            pass
        return None

    def close(self) -> None:
        """Kill every process left in the groups, then remove them."""
        deadline = time.monotonic() + 10
        for path in self.paths.values():
            while True:
                try:
                    pids = [int(p) for p in (path / "cgroup.procs").read_text().split()]
                except FileNotFoundError:
                    break
                if not pids or time.monotonic() > deadline:
                    break
                for pid in pids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                time.sleep(0.05)
            try:
                path.rmdir()
            except OSError:
                pass


# ------------------------------------------------------------------ bubblewrap
def _system_binds() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    for name in ("ld.so.cache", "localtime", "passwd", "group", "nsswitch.conf"):
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    return args


def _read_only(paths) -> list[str]:
    """Bind each path once (a path inside another already bound is skipped)."""
    args, done = [], []
    for path in sorted({Path(p).resolve() for p in paths if Path(p).exists()}, key=lambda p: len(p.parts)):
        if path.parts[:2] == ("/", "usr") or any(path.is_relative_to(d) for d in done):
            continue
        args += ["--ro-bind", str(path), str(path)]
        done.append(path)
    return args


def _gpu() -> list[str]:
    devices = sorted(glob.glob("/dev/nvidia*"))
    args = [a for d in devices for a in ("--dev-bind", d, d)]
    return args + (["--ro-bind", "/sys", "/sys"] if devices else [])


def _environment(env: dict[str, str]) -> list[str]:
    args = ["--clearenv"]
    for key, value in env.items():
        args += ["--setenv", key, value]
    return args


BASE = ["--unshare-all", "--unshare-user", "--uid", str(NOBODY), "--gid", str(NOBODY), "--disable-userns",
        "--die-with-parent", "--new-session", "--cap-drop", "ALL"]


@functools.cache
def available() -> str | None:
    """None if this machine can run the sandbox, else why not (and what to do)."""
    if sys.platform != "linux":
        return f"the sandbox needs Linux (this is {sys.platform})"
    if shutil.which("bwrap") is None:
        return "bubblewrap is not installed (`make sandbox` installs it as root, or `apt-get install bubblewrap`)"
    probe = subprocess.run(["bwrap", *BASE, *_system_binds(), "--proc", "/proc", "--dev", "/dev", "true"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        return f"bubblewrap cannot make its namespaces here ({probe.stderr.strip()[:200]})"
    if not cgroups_available():
        return "the cgroup v1 controllers memory, pids and cpuacct are not writable here (run as root)"
    return None


@dataclass
class Sandbox:
    """How to start one sandboxed kernel.

    Args:
        files: files the kernel's working folder gets, read-only (name -> path).
        env: the kernel's whole environment (its data mode, thread budget, ...).
        stage: an empty folder that user ``nobody`` can reach, where the launcher binds
            what it cannot (see ``main``).
        limits: what it may use.
        read_only: more paths it may read (the real data's cache in the full mode).
    """
    files: dict[str, Path]
    env: dict[str, str]
    stage: Path  # an empty folder that user nobody can reach
    limits: Limits
    read_only: tuple[Path, ...] = ()

    def launcher_env(self, cgroup: Cgroup) -> dict[str, str]:
        """The environment of the launcher: its instructions in one variable."""
        python = Path(sys.executable)
        env = {"PATH": f"{python.parent}:/usr/bin:/bin", "HOME": WORKDIR, "TMPDIR": "/tmp",
               "MPLCONFIGDIR": "/tmp/matplotlib", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0", **self.env}
        # /tmp first: the binds after it may lie under it (a course cloned into /tmp).
        bwrap = [*BASE, *_environment(env), "--size", str(self.limits.scratch), "--tmpfs", "/tmp",
                 *_system_binds(),
                 *_read_only([sys.base_prefix, sys.prefix, python.resolve().parent.parent,
                              ROOT / "helpers", *self.read_only]),
                 *_gpu(), "--proc", "/proc", "--dev", "/dev",
                 "--size", str(self.limits.scratch), "--tmpfs", WORKDIR]
        for name, path in self.files.items():
            bwrap += ["--ro-bind", str(Path(path).resolve()), f"{WORKDIR}/{name}"]
        bwrap += ["--chdir", WORKDIR]
        rlimits = {"RLIMIT_FSIZE": self.limits.file_size, "RLIMIT_CORE": 0,
                   "RLIMIT_NOFILE": self.limits.open_files, "RLIMIT_CPU": self.limits.cpu_seconds}
        spec = {"cgroups": [str(p) for p in cgroup.paths.values()], "rlimits": rlimits, "bwrap": bwrap,
                "stage": str(self.stage)}
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), SPEC_VAR: json.dumps(spec)}


def kernel_spec(folder: Path) -> Path:
    """Write the ``course-sandbox`` kernel spec under ``folder``; returns the kernels folder."""
    spec = folder / "kernels" / "course-sandbox"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        # -I: no folder of the student's is on sys.path, so nothing of theirs can
        # stand in for this launcher, which runs outside the sandbox.
        "argv": [sys.executable, "-I", "-m", "course.sandbox", "-f", "{connection_file}"],
        # bwrap --new-session puts the kernel out of reach of a signal: interrupt by message.
        "interrupt_mode": "message",
        "display_name": "Python 3 (grading sandbox)", "language": "python"}))
    return folder / "kernels"


def _reachable(path: Path) -> bool:
    """Whether user ``nobody`` can reach ``path`` (every folder above it searchable by others)."""
    return all(os.stat(p).st_mode & stat.S_IXOTH for p in [*reversed(path.parents), path] if p.is_dir())


def _staged(args: list[str], stage: Path) -> tuple[list[str], list[list[str]]]:
    """bwrap's arguments with each bound path that ``nobody`` cannot reach replaced by a
    bind of it under ``stage``, and the ``mount`` commands that make those binds."""
    out, mounts, i = [], [], 0
    while i < len(args):
        if args[i] in ("--ro-bind", "--ro-bind-try", "--bind"):
            source = Path(args[i + 1])
            if not source.exists() and args[i] == "--ro-bind-try":
                i += 3
                continue
            if not _reachable(source):
                target = stage / str(len(mounts))
                target.mkdir() if source.is_dir() else target.touch()
                mounts.append(["mount", "--bind", str(source), str(target)])
                source = target
            out += [args[i], str(source), args[i + 2]]
            i += 3
        else:
            out.append(args[i])
            i += 1
    return out, mounts


def main() -> None:
    """The launcher: join the cgroups, set the limits, start bwrap as ``nobody`` running the kernel.

    The kernel is ``nobody`` on the host too (bwrap's user namespace maps it to
    the user that started bwrap), so kernel settings under /proc/sys and root's
    files stay out of its reach whatever a mount allows. What ``nobody`` cannot
    reach (Python under /root, the grader's temporary folder) is bound for it
    under the stage folder, in a mount namespace of the launcher's own.
    """
    spec = json.loads(os.environ[SPEC_VAR])
    connection = Path(sys.argv[sys.argv.index("-f") + 1]).resolve()
    sockets = Path(json.loads(connection.read_text())["ip"]).parent
    for group in spec["cgroups"]:
        Path(group, "cgroup.procs").write_text(str(os.getpid()))
    for name, value in spec["rlimits"].items():
        resource.setrlimit(getattr(resource, name), (value, value))
    secret = os.open(connection, os.O_RDONLY)  # root's file: copied in for the kernel by bwrap
    os.set_inheritable(secret, True)
    bwrap = ["bwrap", *spec["bwrap"], "--bind", str(sockets), str(sockets),
             "--ro-bind-data", str(secret), str(connection),
             "--", sys.executable, "-m", "ipykernel_launcher", "-f", str(connection)]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    if os.getuid() != 0:  # nothing to give up
        os.execvpe("bwrap", bwrap, env)
    os.chmod(sockets, 0o777)  # the kernel makes its sockets here; the grader locks it once they exist
    bwrap, mounts = _staged(bwrap, Path(spec["stage"]))
    drop = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--"]
    script = " && ".join([*(shlex.join(m) for m in mounts), "exec " + shlex.join([*drop, *bwrap])])
    os.execvpe("unshare", ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script], env)


if __name__ == "__main__":
    main()
