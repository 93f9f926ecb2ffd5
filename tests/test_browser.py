"""The course as its users meet it: JupyterLab in headless Chromium, one test per flow.

- student: each release notebook's Run All reaches its first check's ✗ line; an exercise
  solved shows ✓, a wrong answer one ✗ line with its hint; the fastest solution of each
  assignment runs every cell, with plots as images, progress bars as widgets and full
  marks; Validate answers while the server keeps serving, and on a cell that runs past
  its (short) limit says timeout, not a wrong answer;
- instructor: formgrader on the graded copy of the course lists the assignments and the
  sample submissions with their scores, opens one, takes a written answer's manual
  points, and the export shows the new total; on a fresh clone (no gradebook, started
  by `python -m course lab-instructor` from a PATH without the environment's bin/) it
  lists the assignments and makes a stamped gradebook;
- exchange: release, fetch, submit, collect, autograde, feedback, and the student sees it.

Each server is started here (127.0.0.1, its own token and settings), the way
`make lab` and `make lab-instructor` start it (course.lab.lab_command), once a session;
the two probes on a fresh clone start their own.
Screenshots of every step go to build/screenshots/<flow>/NN-step.png, for a person to
look at. Chromium is Debian's package (`make chromium`); without it, or without
Playwright, these tests skip with one line saying what is missing.
"""
from __future__ import annotations

import csv
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from nbgrader.utils import compute_checksum

from course import grading, paths, sandbox
from course.lab import lab_command
from course.paths import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect, sync_playwright
except ImportError:
    pytest.skip("browser tests: Playwright is missing (make venv installs it)", allow_module_level=True)
if not os.access(CHROMIUM, os.X_OK):
    pytest.skip("browser tests: Chromium is missing (make chromium as root, or apt-get install chromium)",
                allow_module_level=True)

SCREENSHOTS = ROOT / "build" / "screenshots"
RUN_LIMIT = 600 * 1000  # ms: a whole solution notebook on a busy machine, beside others
STEP_LIMIT = 60 * 1000  # ms: one cell, one page


# ---------------------------------------------------------------- servers
class Lab:
    """A JupyterLab server started for the tests: ``url``, ``token``, its log.

    By default started from course.lab.lab_command, its address, token and settings
    given as flags. With ``shell``, started the way `make lab` / `make lab-instructor`
    start it in a newcomer's shell: ``python -m course lab[-instructor]`` run in
    ``course_root``, with ``env`` as the whole environment and the same settings in a
    config folder named by JUPYTER_CONFIG_PATH (the command takes no flags).
    """

    def __init__(self, role: str, course_root: Path, root_dir: Path, home: Path, env: dict | None = None,
                 shell: bool = False):
        self.role, self.root_dir = role, root_dir
        self.token = secrets.token_hex(16)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        settings = home / "settings"
        for name, values in {
            "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},  # every cell in the page
            "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
        }.items():
            path = settings / f"{name}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        server = {"ServerApp": {"ip": "127.0.0.1", "port": port, "port_retries": 0, "open_browser": False},
                  "IdentityProvider": {"token": self.token},
                  "LabApp": {"user_settings_dir": str(settings), "workspaces_dir": str(home / "workspaces")}}
        if shell:
            config = home / "config"
            config.mkdir()
            for name in ("jupyter_server_config.json", "jupyter_lab_config.json"):
                (config / name).write_text(json.dumps(server))
            argv = [sys.executable, "-m", "course", "lab-instructor" if role == "instructor" else "lab"]
            lab_env, start_in = dict(env or {}, JUPYTER_CONFIG_PATH=str(config)), course_root
        else:
            argv, lab_env, start_in = lab_command(role, course_root, root_dir, extra=[
                f"--{section}.{key}={value}" for section, values in server.items() for key, value in values.items()])
            lab_env.update(env or {})
        lab_env.update(JUPYTER_RUNTIME_DIR=str(home / "runtime"), OMP_WAIT_POLICY="PASSIVE")
        self.log = home / "server.log"
        self.process = subprocess.Popen(argv, cwd=start_in, env=lab_env, stdout=self.log.open("w"),
                                        stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_ready()

    def api(self, path: str, data: bytes | None = None, method: str = "GET", timeout: float = 30):
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, answer.read()

    def _wait_ready(self, limit: float = 120) -> None:
        end = time.monotonic() + limit
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise RuntimeError(f"the {self.role} JupyterLab stopped:\n{self.log.read_text()[-3000:]}")
            try:
                if self.api("/api/status", timeout=2)[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)  # the server is starting: poll until it answers
        raise RuntimeError(f"the {self.role} JupyterLab did not answer in {limit} s:\n{self.log.read_text()[-3000:]}")

    def shutdown_kernels(self) -> None:
        """End every kernel this server runs (a flow's notebooks one after another, not all at once)."""
        for session in json.loads(self.api("/api/sessions")[1]):
            self.api(f"/api/sessions/{session['id']}", method="DELETE")

    def open(self, page, path: str = "") -> None:
        # ?reset: a fresh workspace, so that the notebooks opened before do not come back as tabs
        page.goto(f"{self.url}/lab/tree/{path}?reset&token={self.token}" if path
                  else f"{self.url}/lab?reset&token={self.token}")
        expect(page.locator("#jp-main-dock-panel")).to_be_visible(timeout=STEP_LIMIT)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


class Shots:
    """Numbered screenshots of one flow: build/screenshots/<flow>/NN-step.png."""

    def __init__(self, flow: str):
        self.folder = SCREENSHOTS / flow
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.n = 0

    def __call__(self, page, step: str) -> None:
        self.n += 1
        page.screenshot(path=self.folder / f"{self.n:02d}-{step}.png")


@pytest.fixture(scope="session")
def course(graded, tmp_path_factory):
    """The graded copy of the course (sample students autograded), with the lab's config
    folders: what an instructor has after `make autograde`. Copied, so that grading by
    hand here leaves the pipeline tests' copy as it was."""
    root = tmp_path_factory.mktemp("browser") / "course"
    shutil.copytree(graded[0], root, symlinks=True)
    shutil.copytree(ROOT / "lab", root / "lab", ignore=shutil.ignore_patterns("lab", "migrated"), dirs_exist_ok=True)
    return root


# What a clone does not hold (.gitignore): the environment, what the pipeline and
# JupyterLab write, a student's fetched copies.
NOT_CLONED = {".git", ".venv", "build", "__pycache__", ".pytest_cache", ".ipynb_checkpoints", "dl-course"}
NOT_CLONED_IN = {"autograde": {"autograded", "feedback", "gradebook.db", "grades.csv", "logs", "runs"},
                 "lab/instructor": {"lab", "migrated"}, "lab/student": {"lab", "migrated"}}


@pytest.fixture
def fresh_clone(tmp_path) -> Path:
    """A copy of the course as a fresh clone has it: no gradebook, nothing the pipeline made."""
    def ignore(folder, names):
        inside = Path(folder).relative_to(ROOT).as_posix()
        return {n for n in names if n in NOT_CLONED or n in NOT_CLONED_IN.get(inside, ())
                or n.endswith((".egg-info", ".pt"))}
    root = tmp_path / "course"
    shutil.copytree(ROOT, root, symlinks=True, ignore=ignore)
    assert not (root / "autograde" / "gradebook.db").exists()
    return root


@pytest.fixture(scope="session")
def student_home(tmp_path_factory):
    """A student's folder: the release and the solutions as committed."""
    home = tmp_path_factory.mktemp("student")
    for folder in ("release", "solutions"):
        shutil.copytree(ROOT / folder, home / folder)
    return home


def _data_env(tmp_path_factory) -> dict:
    return {"COURSE_DATA": "tiny", "COURSE_DATA_DIR": str(tmp_path_factory.getbasetemp() / "cache")}


@pytest.fixture(scope="session")
def student_lab(course, student_home, tmp_path_factory):
    lab = Lab("student", course, student_home, tmp_path_factory.mktemp("student-lab"), _data_env(tmp_path_factory))
    yield lab
    lab.stop()


@pytest.fixture(scope="session")
def instructor_lab(course, tmp_path_factory):
    env = _data_env(tmp_path_factory)
    if sandbox.available() is not None:  # formgrader's Autograde uses the sandboxed step: say so, as make test does
        env["COURSE_SANDBOX"] = "0"
    lab = Lab("instructor", course, course, tmp_path_factory.mktemp("instructor-lab"), env)
    yield lab
    lab.stop()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "leave this page?" when moving on
    yield page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{request.node.name}-last.png")  # where it ended, passed or not
    context.close()


# ---------------------------------------------------------------- notebook actions
def cells(page):
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell")


def outputs_text(cell) -> str:
    return "\n".join(cell.locator(".jp-OutputArea-output").all_inner_texts())


def menu(page, top: str, command: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{top}$")).click()
    page.locator(f".lm-Menu-item[data-command='{command}']").first.click()


def run_all(page) -> None:
    """Run > Run All Cells, once the kernel has run the first code cell: a Run All sent
    while a new kernel still connects runs nothing."""
    first = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell").first
    for _ in range(8):
        run_cell(page, first)
        try:
            expect(first.locator(".jp-InputArea-prompt")).to_have_text(re.compile(r"\[\d+\]"), timeout=15000)
            break
        except AssertionError:
            continue  # not connected yet: the cell was not sent
    else:
        raise AssertionError("the kernel never ran the first cell")
    menu(page, "Run", "runmenu:run-all")


def wait_idle(page, timeout: int = RUN_LIMIT) -> None:
    """Until the notebook's kernel is idle with nothing queued."""
    expect(page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator"))\
        .to_have_attribute("data-status", "idle", timeout=timeout)


def open_notebook(page, lab: Lab, path: str) -> None:
    """Open ``path`` in a fresh page load, the kernels of the notebooks before it ended."""
    lab.shutdown_kernels()
    lab.open(page, path)
    expect(cells(page).first).to_be_visible(timeout=STEP_LIMIT)
    wait_idle(page, STEP_LIMIT)


def open_side_by_side(page, lab: Lab, paths) -> list:
    """Open each of ``paths`` in a page of its own (a browser context each, so that each
    JupyterLab keeps its own workspace), the kernels of the notebooks before them ended;
    their kernels then run side by side. Returns the pages: close them with close_tabs."""
    lab.shutdown_kernels()
    tabs = []
    for path in paths:
        tab = page.context.browser.new_context(viewport=page.viewport_size).new_page()
        tab.on("dialog", lambda dialog: dialog.accept())
        lab.open(tab, str(path))
        expect(cells(tab).first).to_be_visible(timeout=STEP_LIMIT)
        wait_idle(tab, STEP_LIMIT)
        tabs.append(tab)
    return tabs


def close_tabs(tabs) -> None:
    for tab in tabs:
        tab.context.close()


def set_source(page, cell, source: str) -> None:
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(source)


def run_cell(page, cell) -> None:
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+Enter")


def answer_and_check(page, answer, check, source: str, says: str) -> str:
    """Write ``source`` into the answer cell, run it and then its check, and wait until the
    check's output ``says`` so; returns that output's text."""
    set_source(page, answer, source)
    run_cell(page, answer)
    run_cell(page, check)
    expect(check.locator(".jp-OutputArea-output", has_text=says)).to_be_visible(timeout=STEP_LIMIT)
    check.scroll_into_view_if_needed()
    return outputs_text(check)


def validate_while_serving(page, lab: Lab, shot):
    """Press nbgrader's Validate (which saves the notebook first) and, until its dialog shows,
    list a folder and save a file through the server again and again. Returns the dialog,
    once it asserted that the server answered every request promptly all along."""
    page.locator(".jp-ToolbarButtonComponent-label", has_text="Validate").click()
    expect(page.locator(".jp-ToolbarButtonComponent-label", has_text="Validating")).to_be_visible(timeout=STEP_LIMIT)
    shot(page, "validating")
    served, slowest = 0, 0.0
    dialog = page.locator(".jp-Dialog")
    while True:
        start = time.monotonic()
        lab.api("/api/contents?content=1", timeout=10)
        lab.api("/api/contents/scratch.txt", method="PUT", timeout=10,
                data=json.dumps({"type": "file", "format": "text", "content": f"{served}"}).encode())
        slowest = max(slowest, time.monotonic() - start)
        served += 1
        try:
            dialog.wait_for(state="visible", timeout=250)
            break
        except PlaywrightTimeout:
            assert served < 2000, "Validate did not answer"
    assert served >= 3 and slowest < 5, f"{served} requests served while validating, the slowest in {slowest:.1f} s"
    return dialog


def index_of(grade_id: str, path: Path) -> int:
    """The position of the cell with nbgrader grade id ``grade_id`` in notebook ``path``."""
    nb = json.loads(path.read_text())
    return next(i for i, c in enumerate(nb["cells"]) if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)


def first_check(path: Path) -> tuple[int, str]:
    """(index, marks id) of the notebook's first test cell with a marks block."""
    nb = json.loads(path.read_text())
    for i, c in enumerate(nb["cells"]):
        found = re.search(r"with marks\((\d+),\s*\"([^\"]+)\"\)", "".join(c["source"]))
        if c["metadata"].get("nbgrader", {}).get("grade") and c["cell_type"] == "code" and found:
            return i, found.group(2)
    raise AssertionError(f"{path.name}: no test cell")


RELEASE_NOTEBOOKS = sorted(p.relative_to(ROOT) for p in (ROOT / "release").glob("*/*.ipynb"))


def fastest_solutions() -> list[Path]:
    """Per assignment, the solution notebook that ran the fastest when `make solutions`
    executed it (its metadata's course.run_seconds; the smallest file where none is kept)."""
    def seconds(path: Path) -> tuple:
        recorded = json.loads(path.read_text())["metadata"].get("course", {}).get("run_seconds")
        return (recorded if recorded is not None else float("inf"), path.stat().st_size)
    return [min(folder.glob("*.ipynb"), key=seconds).relative_to(ROOT)
            for folder in sorted((ROOT / "solutions").iterdir()) if any(folder.glob("*.ipynb"))]


# ---------------------------------------------------------------- the student
def test_student_flow(page, student_lab, student_home):
    shot = Shots("student")
    # The student's launch shows the student's tools only.
    student_lab.open(page)
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    expect(page.locator(".lm-Menu-item[data-command='nbgrader:open-assignment-list']")).to_be_visible()
    for hidden in ("nbgrader:open-formgrader", "nbgrader:open-course-list", "nbgrader:open-create-assignment"):
        expect(page.locator(f".lm-Menu-item[data-command='{hidden}']:visible")).to_have_count(0)
    shot(page, "nbgrader-menu-student-tools-only")
    page.keyboard.press("Escape")

    # Every release notebook: Run All reaches the first check, which says ✗ in one line.
    # The notebooks run side by side, each in a tab of its own, as a student may run them.
    tabs = open_side_by_side(page, student_lab, RELEASE_NOTEBOOKS)
    for tab in tabs:
        run_all(tab)
    for path, tab in zip(RELEASE_NOTEBOOKS, tabs):
        index, marks_id = first_check(ROOT / path)
        check = cells(tab).nth(index)
        expect(check.locator(".jp-OutputArea-output", has_text="✗ [")).to_be_visible(timeout=RUN_LIMIT)
        wait_idle(tab)
        check.scroll_into_view_if_needed()
        shot(tab, f"run-all-blank-{path.stem}")
        text = outputs_text(check)
        assert re.search(rf"✗ \[0/\d+ marks\] {re.escape(marks_id)}: ", text), text
        assert len(text.strip().splitlines()) <= 3, f"a failed check should say it in a line or two:\n{text}"
        assert "site-packages" not in text and "helpers/grading.py" not in text, text

    # Assignment 1, exercise I.1, in the tab where Run All stopped at its check: solved,
    # then a predicted wrong answer.
    path = Path("release/a1_bow_sentiment/bow_sentiment.ipynb")
    work = tabs[RELEASE_NOTEBOOKS.index(path)]
    close_tabs([tab for tab in tabs if tab is not work])
    source = json.loads((ROOT / "source" / "a1_bow_sentiment" / "bow_sentiment.ipynb").read_text())
    answer_at = index_of("I1", ROOT / path)
    solution = "".join(source["cells"][answer_at]["source"])
    lines = [line for line in solution.splitlines() if "### " not in line]
    cut = next(i for i, line in enumerate(lines) if "record_mistake" in line)  # for `make hashes` only
    solution = "\n".join(lines[:cut] + [line for line in lines[cut:] if line.startswith("print(")])
    answer, check = cells(work).nth(answer_at), cells(work).nth(answer_at + 1)
    expect(check.locator(".jp-OutputArea-output", has_text="✗ [")).to_be_visible(timeout=STEP_LIMIT)
    answer_and_check(work, answer, check, solution, "✓ [2 marks] I.1")
    shot(work, "exercise-solved")
    wrong = solution.replace("len(text.split())", "len(text)")
    assert wrong != solution
    text = answer_and_check(work, answer, check, wrong, "✗ [0/2 marks] I.1")
    shot(work, "wrong-answer-one-line")
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[0].startswith("✗ [0/2 marks] I.1: check 'I.1.avg_length'") and "characters" in lines[0], text
    assert len(lines) <= 2 and "Traceback" not in text and ".py" not in text, text

    # Validate: the server keeps serving, and saving, while it runs.
    dialog = validate_while_serving(work, student_lab, shot)
    expect(dialog).to_contain_text("I.1", timeout=STEP_LIMIT)
    shot(work, "validate-results")
    work.keyboard.press("Escape")
    close_tabs([work])

    # The fastest solution of each assignment, side by side: every cell runs, plots are
    # images, progress bars are widgets, the summary shows full marks.
    solutions = fastest_solutions()
    tabs = open_side_by_side(page, student_lab, solutions)
    for tab in tabs:
        menu(tab, "Edit", "editmenu:clear-all")  # the committed outputs go: what shows is this run's
        expect(tab.locator(".jp-OutputArea-output")).to_have_count(0)
        run_all(tab)
    for path, tab in zip(solutions, tabs):
        summary = tab.locator(".jp-OutputArea-output", has_text="Marks: ")
        expect(summary).to_be_visible(timeout=RUN_LIMIT)
        wait_idle(tab)
        nb = json.loads((ROOT / path).read_text())
        errors = tab.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']", has_text="Error")
        assert not errors.count(), errors.first.inner_text()
        earned, available = map(int, re.search(r"Marks: (\d+)/(\d+)", summary.inner_text()).groups())
        assert earned == available > 0, summary.inner_text()
        plots = sum("plt.show()" in "".join(c["source"]) for c in nb["cells"])
        expect(tab.locator(".jp-RenderedImage img")).to_have_count(plots, timeout=STEP_LIMIT)
        waits = any("tqdm" in "".join(c["source"]) for c in nb["cells"])  # a notebook of seconds has no bars
        assert tab.locator(".widget-hprogress").count() > 0 or not waits, "progress bars should render as widgets"
        assert not tab.locator(".jp-OutputArea-output", has_text="Error displaying widget").count()
        if plots:
            tab.locator(".jp-RenderedImage img").first.scroll_into_view_if_needed()
            shot(tab, f"solution-{path.stem}-plot")
        if waits:
            tab.locator(".widget-hprogress").first.scroll_into_view_if_needed()
            shot(tab, f"solution-{path.stem}-progress")
        summary.scroll_into_view_if_needed()
        shot(tab, f"solution-{path.stem}-full-marks")
    close_tabs(tabs)

    # The seq2seq figure as committed (its notebook is the slowest: run by nbval, not here).
    open_notebook(page, student_lab, "solutions/a2_embeddings_seq2seq/seq2seq.ipynb")
    figure = page.locator(".jp-RenderedImage img").first
    figure.scroll_into_view_if_needed()
    shot(page, "seq2seq-figure")
    assert not list(student_home.rglob("*.pt")), "notebooks write checkpoints outside the student's folder"


PROBE_LIMIT = 3  # s: the cell limit of the timeout probe


def test_validate_says_a_timeout(page, fresh_clone, tmp_path, tmp_path_factory):
    """Validate on a cell that runs past its limit: the dialog says timeout, not a wrong
    answer, and the server keeps serving while it runs. The limit comes from an
    nbgrader_config.py in the folder the server starts in, which the Validate process
    reads (as in tests/test_lab.py)."""
    shot = Shots("validate-timeout")
    folder = tmp_path / "probe"
    folder.mkdir()
    (folder / "nbgrader_config.py").write_text(
        f"c = get_config()\nload_subconfig({str(fresh_clone / 'nbgrader_config.py')!r})\n"
        f"c.Execute.timeout = {PROBE_LIMIT}\n"
        f"c.Execute.error_on_timeout = dict(c.Execute.error_on_timeout, "
        f"evalue='this cell ran past the {PROBE_LIMIT} s limit and was stopped')\n")
    probe = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                               "language": "python"}})
    for source, grading_meta in (
            ("import time\nsizes = []\ntime.sleep(600)  # the sweep, on a busy machine\nsizes = [16, 32, 64]",
             {"grade": False, "solution": True, "grade_id": "sweep"}),
            ("assert len(sizes) == 3, 'one entry per batch size'",
             {"grade": True, "solution": False, "grade_id": "sweep_test", "points": 1})):
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["nbgrader"] = {"schema_version": 3, "locked": False, "task": False, **grading_meta}
        cell.metadata["nbgrader"]["checksum"] = compute_checksum(cell)
        probe.cells.append(cell)
    nbformat.write(probe, folder / "sweep.ipynb")
    lab = Lab("student", fresh_clone, folder, tmp_path / "lab", _data_env(tmp_path_factory))
    try:
        open_notebook(page, lab, "sweep.ipynb")
        shot(page, "probe-notebook")
        dialog = validate_while_serving(page, lab, shot)
        expect(dialog).to_contain_text("TIMEOUT, not a wrong answer", timeout=STEP_LIMIT)
        shot(page, "validate-says-timeout")
        text = dialog.inner_text()
        assert f"ran past the {PROBE_LIMIT} s limit" in text, text
        # the stopped cell first, then its check, said as not judged before its assertion
        assert text.index("TIMEOUT, not a wrong answer") < text.index("Not judged") \
            < text.index("AssertionError: one entry per batch size"), text
    finally:
        lab.stop()


# ---------------------------------------------------------------- the instructor
def formgrader(page, lab: Lab, path: str) -> None:
    page.goto(f"{lab.url}/formgrader/{path}?token={lab.token}")


def test_instructor_flow(page, instructor_lab, course):
    shot = Shots("instructor")
    # Formgrader opens inside JupyterLab on the graded gradebook (a fresh clone's: test_formgrader_on_a_fresh_clone).
    instructor_lab.open(page)
    menu(page, "Nbgrader", "nbgrader:open-formgrader")
    frame = page.frame_locator("iframe").first
    expect(frame.locator("text=Manage Assignments").first).to_be_visible(timeout=STEP_LIMIT)
    expect(frame.locator("td.name", has_text="a1_bow_sentiment")).to_be_visible(timeout=STEP_LIMIT)
    expect(frame.locator("td.name", has_text="a2_embeddings_seq2seq")).to_be_visible()
    shot(page, "formgrader-assignments")

    # The autograded sample submissions, with their scores.
    formgrader(page, instructor_lab, "manage_submissions/a1_bow_sentiment")
    expected = json.loads(paths.SAMPLES.read_text())["students"]
    for student, plan in expected.items():
        if not (course / "autograde" / "submitted" / student).is_dir():
            continue  # the reference solution: nbval runs it, not the graded copy (tests/conftest.py)
        row = page.locator("tr", has=page.locator("td.student-id", has_text=re.compile(f"^{student}$")))
        expect(row.locator("td.score")).to_contain_text(f"{plan['expected_score']['a1_bow_sentiment']:g}",
                                                         timeout=STEP_LIMIT)
    shot(page, "submissions-with-scores")

    # One submission opened; a written answer given its manual points.
    before = _total(course, "alternative", "a1_bow_sentiment")
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'autograde' / 'gradebook.db'}", course_id="dl-course") as gb:
        submission = gb.find_submission_notebook("bow_sentiment", "a1_bow_sentiment", "alternative")
        written = next(g for g in submission.grades if g.cell_type == "markdown" and g.max_score > 0)
        submission_id, grade_id, points = submission.id, written.name, written.max_score
    formgrader(page, instructor_lab, f"submissions/{submission_id}/")
    # The page fetches its grades after it shows: a score typed before they arrive is lost (a
    # loaded machine showed it), so wait until the page has stopped asking.
    page.wait_for_load_state("networkidle", timeout=STEP_LIMIT)
    score = page.locator(f"input.score[id='{grade_id}']")
    expect(score).to_be_visible(timeout=STEP_LIMIT)
    score.scroll_into_view_if_needed()
    with page.expect_response(lambda r: "/api/grade/" in r.url and r.request.method == "PUT",
                              timeout=STEP_LIMIT) as saved:
        score.fill(f"{points:g}")
        score.press("Tab")
    assert saved.value.ok, saved.value.status
    shot(page, "manual-points-given")

    # The gradebook export shows the new total.
    formgrader(page, instructor_lab, "manage_submissions/a1_bow_sentiment")
    row = page.locator("tr", has=page.locator("td.student-id", has_text=re.compile("^alternative$")))
    expect(row.locator("td.score")).to_contain_text(f"{before + points:g}", timeout=STEP_LIMIT)
    shot(page, "new-total")
    assert _total(course, "alternative", "a1_bow_sentiment") == before + points


def _total(course: Path, student: str, assignment: str) -> float:
    """The student's score in the gradebook export (grades.csv)."""
    grading.export_grades(root=course)
    with open(course / "autograde" / "grades.csv") as f:
        row = next(r for r in csv.DictReader(f) if r["student"] == student and r["assignment"] == assignment)
    return float(row["score"])


def test_formgrader_on_a_fresh_clone(page, fresh_clone, tmp_path, tmp_path_factory):
    """`make lab-instructor` on a fresh clone (no gradebook yet), from a shell whose PATH
    lacks the environment's bin/: formgrader gets past "Loading, please wait...", lists
    the assignments, and the gradebook it made carries its schema version."""
    shot = Shots("formgrader-fresh-clone")
    bin_dir = str(Path(sys.executable).parent)
    env = dict(os.environ, **_data_env(tmp_path_factory))
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p and p != bin_dir)
    lab = Lab("instructor", fresh_clone, fresh_clone, tmp_path / "lab", env, shell=True)
    try:
        lab.open(page)
        menu(page, "Nbgrader", "nbgrader:open-formgrader")
        frame = page.frame_locator("iframe").first
        for assignment in paths.assignments():
            expect(frame.locator("td.name", has_text=assignment),
                   "formgrader lists no assignment: still 'Loading, please wait...'? (nbgrader runs alembic "
                   "from PATH; see server.log)").to_be_visible(timeout=STEP_LIMIT)
        expect(frame.locator("text=Loading, please wait...")).to_have_count(0)
        shot(page, "formgrader-assignments")
    finally:
        lab.stop()
    gradebook = fresh_clone / "autograde" / "gradebook.db"
    with sqlite3.connect(gradebook) as db:
        versions = db.execute("SELECT version_num FROM alembic_version").fetchall()
    assert len(versions) == 1 and versions[0][0], versions
    assert "stamped" not in lab.log.read_text(), "nbgrader should stamp it itself, with no repair after"


# ---------------------------------------------------------------- the exchange
def test_exchange_flow(browser, instructor_lab, student_lab, course, student_home):
    shot = Shots("exchange")
    teacher = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    learner = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    assignment = "a1_bow_sentiment"
    # The instructor releases the assignment to the exchange.
    formgrader(teacher, instructor_lab, "manage_assignments")
    row = teacher.locator("tr", has=teacher.locator("td.name", has_text=assignment))
    row.locator("td.release a").click()
    expect(teacher.locator(".modal-title", has_text="Success")).to_be_visible(timeout=STEP_LIMIT)
    shot(teacher, "released")
    teacher.locator(".modal-footer button").first.click()

    # The student fetches it from the Assignment List, and submits it.
    student_lab.open(learner)
    menu(learner, "Nbgrader", "nbgrader:open-assignment-list")
    expect(learner.locator("#released_assignments_list .list_item", has_text=assignment)).to_be_visible(
        timeout=STEP_LIMIT)
    shot(learner, "assignment-list")
    learner.locator("#released_assignments_list .list_item", has_text=assignment).locator("button",
                                                                                           has_text="Fetch").click()
    fetched = learner.locator("#fetched_assignments_list .list_item", has_text=assignment)
    expect(fetched).to_be_visible(timeout=STEP_LIMIT)
    shot(learner, "fetched")
    fetched.locator("button", has_text="Submit").click()
    expect(learner.locator("#submitted_assignments_list .list_item", has_text=assignment)).to_be_visible(
        timeout=STEP_LIMIT)
    shot(learner, "submitted")

    # The instructor collects, autogrades, generates and releases the feedback.
    formgrader(teacher, instructor_lab, "manage_assignments")
    row = teacher.locator("tr", has=teacher.locator("td.name", has_text=assignment))
    row.locator("td.collect a").click()
    expect(teacher.locator(".modal-title", has_text="Success")).to_be_visible(timeout=STEP_LIMIT)
    shot(teacher, "collected")
    teacher.locator(".modal-footer button").first.click()
    student = os.environ.get("JUPYTERHUB_USER") or __import__("getpass").getuser()
    formgrader(teacher, instructor_lab, f"manage_submissions/{assignment}")
    mine = teacher.locator("tr", has=teacher.locator("td.student-id", has_text=re.compile(f"^{student}$")))
    mine.locator("td.autograde a").click()
    expect(teacher.locator(".modal-title", has_text="Success")).to_be_visible(timeout=RUN_LIMIT)
    teacher.locator(".modal-footer button").first.click()
    expect(mine.locator("td.score")).to_contain_text("0", timeout=STEP_LIMIT)
    shot(teacher, "autograded")
    for action in ("generate-feedback", "release-feedback"):
        mine.locator(f"td.{action} a").click()
        expect(teacher.locator(".modal-title", has_text="Success")).to_be_visible(timeout=RUN_LIMIT)
        shot(teacher, action)
        teacher.locator(".modal-footer button").first.click()

    # The student fetches the feedback and sees it listed.
    student_lab.open(learner)
    menu(learner, "Nbgrader", "nbgrader:open-assignment-list")
    submitted = learner.locator("#submitted_assignments_list .list_item", has_text=assignment)
    expect(submitted.locator("button", has_text="Fetch Feedback")).to_be_visible(timeout=STEP_LIMIT)
    submitted.locator("button", has_text="Fetch Feedback").click()
    expect(submitted.locator("a", has_text="view feedback")).to_be_visible(timeout=STEP_LIMIT)
    shot(learner, "feedback-fetched")
    assert list((student_home / "dl-course" / assignment / "feedback").rglob("*.html"))
