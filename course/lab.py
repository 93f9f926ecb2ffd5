"""The course's JupyterLab server extension (enabled by lab/student and lab/instructor):
nbgrader's Validate button, answered by a process beside the server.

nbgrader's own handler runs the whole notebook inside the server's event loop, so
nothing else is served until it ends (minutes on a solved assignment): not even a
save. This one runs ``python -m course.validate`` (course/validate.py) as a child
process and awaits it, so the server keeps serving; the dialog reads the same JSON,
with a cell that ran out of time said as a timeout. nbgrader's behaviour for the
instructor (formgrader, ``nbgrader validate``) is unchanged.
"""
from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web

__all__ = ["ValidateHandler", "LAUNCHES", "lab_command", "launch"]


class ValidateHandler(JupyterHandler):
    """POST /assignments/validate (path=NOTEBOOK, relative to the server's root)."""

    @web.authenticated
    async def post(self):
        try:
            path = self.get_argument("path")
        except web.MissingArgumentError:
            path = (self.get_json_body() or {}).get("path", "")
        root = Path(self.settings["server_root_dir"]).expanduser().resolve()
        target = (root / path).resolve()
        if not target.is_relative_to(root):
            raise web.HTTPError(403, "Access denied: path outside allowed directory")
        env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE")
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "course.validate", str(target), env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await process.communicate()
        if process.returncode != 0 or not out.strip():
            self.log.error("course.validate %s failed:\n%s", target, err.decode(errors="replace"))
            answer = {"success": False, "value": err.decode(errors="replace")[-4000:] or "validation failed"}
        else:
            answer = json.loads(out.decode().strip().splitlines()[-1])
        self.finish(json.dumps(answer))


def _jupyter_server_extension_points():
    return [{"module": "course.lab"}]


def _load_jupyter_server_extension(serverapp) -> None:
    from nbgrader.server_extensions.validate_assignment.handlers import NbGraderVersionHandler

    web_app = serverapp.web_app
    base_url = web_app.settings["base_url"]
    web_app.add_handlers(".*$", [(url_path_join(base_url, "assignments/validate"), ValidateHandler),
                                 (url_path_join(base_url, "nbgrader_version"), NbGraderVersionHandler)])
    serverapp.log.info("course.lab: Validate runs beside the server (course/validate.py)")


# ---------------------------------------------------------------- launching JupyterLab
LAUNCHES = {"student": "release", "instructor": "."}  # role -> the folder JupyterLab opens


def lab_command(role: str, course_root: Path, root_dir: Path | None = None,
                extra: list[str] = ()) -> tuple[list[str], dict, Path]:
    """(argv, environment, folder to start in) of JupyterLab for ``role`` ("student": the
    Assignment List and Validate only; "instructor": formgrader and the rest).

    An instructor's starts in ``course_root`` (formgrader reads nbgrader_config.py
    there); a student's in the folder it opens, where nbgrader's Assignment List
    fetches to (``dl-course/<assignment>``) and feedback arrives.

    The environment names ``course_root``/lab/<role> as Jupyter's config folder (which
    extensions load, nbgrader's config), puts this environment's ``bin/`` first on PATH
    (nbgrader runs ``alembic`` from there) and drops MPLBACKEND, so that kernels draw
    their plots inline.
    """
    if role not in LAUNCHES:
        raise ValueError(f"role must be one of {', '.join(LAUNCHES)}, got {role!r}")
    course_root = Path(course_root).resolve()
    env = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}
    bin_dir = str(Path(sys.executable).parent)
    env.update(JUPYTER_CONFIG_DIR=str(course_root / "lab" / role),
               PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}")
    argv = [str(Path(bin_dir) / "jupyter"), "lab",
            f"--ServerApp.root_dir={root_dir or course_root / LAUNCHES[role]}", *extra]
    if hasattr(os, "getuid") and os.getuid() == 0:
        argv.append("--allow-root")
    start_in = Path(root_dir or course_root / LAUNCHES[role]) if role == "student" else course_root
    return argv, env, start_in.resolve()


def launch(role: str, course_root: Path) -> None:
    """Replace this process by JupyterLab for ``role`` (``make lab``, ``make lab-instructor``)."""
    if role == "instructor":
        from .grading import repair_gradebook
        repair_gradebook(course_root)
    argv, env, start_in = lab_command(role, course_root)
    os.chdir(start_in)
    os.execve(argv[0], argv, env)
