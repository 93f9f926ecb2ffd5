"""Autograding that student code cannot fool, escape or stall, proved on a small probe assignment.

tests/fixtures/probe_course holds the probe (P.1: 2 points, P.2: 3 points, P.3
written) and the attack submissions a red team wrote against the grader, each
with the score it deserves (attacks/expected.json). The attacks below are the
ones built here from the solution, a cell at a time. Every case is graded
together with a right and a blank submission, which must keep their scores.
"""
from __future__ import annotations

import csv
import functools
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import nbformat
import pytest

from course import build, grading, notebooks, sandbox
from course.limits import GradingLimits
from course.paths import ROOT

PROBE = ROOT / "tests" / "fixtures" / "probe_course"
ATTACKS = PROBE / "attacks"
FULL = 5  # automatic points of the probe

pytestmark = pytest.mark.skipif(sandbox.available() is not None,
                                reason=f"autograding needs its sandbox: {sandbox.available()}")

# Student -> ({grade id: new source of that cell}, the automatic points it deserves).
SOLUTION_P2 = "def normalise(x):\n    return x / x.sum()"
BUILT = {
    # P.1 right; the cell after it kills the kernel: P.1 keeps its marks, P.2 is reported not run.
    "crasher": ({"P2": "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"}, 2),
    # An endless loop: stopped by CPU time, reported as a timeout; P.2 still earns its marks.
    "looper": ({"P1": "while True:\n    pass"}, 3),
    # A kernel that waits for ever (no CPU): stopped as idle.
    "sleeper": ({"P1": "import time\ntime.sleep(10_000)"}, 3),
    # A loop that ignores the interrupt: the kernel is stopped, the cells before keep their marks.
    "stubborn": ({"P2": "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"}, 2),
    # Right answers that write to stderr and warn in the test cell: no mark lost.
    "noisy": ({"P2": "import sys, warnings\ndef normalise(x):\n    print('debug', file=sys.stderr)\n"
                     "    warnings.warn('harmless', RuntimeWarning)\n    return x / x.sum()"}, 5),
    # A blank notebook whose test cells end in a number, which nbgrader reads as partial
    # credit, and which shows HTML that would run in the instructor's browser.
    "partial_credit": ({"P1": "from IPython.display import HTML, display\n"
                              "get_ipython().input_transformers_post.append("
                              "lambda lines: lines + ['\\n5\\n'] if any('marks(' in l for l in lines) else lines)\n"
                              "display(HTML('<script>alert(1)</script>'))", "P2": "pass"}, 0),
    # A right answer in a notebook that also prints 20 MB.
    "flood": ({"P1": "total = 385\nprint('x' * (20 << 20))"}, 5),
    # A process that outlives its kernel, started detached.
    "lingerer": ({"P1": "import subprocess\ntotal = 385\n"
                        "subprocess.Popen(['sh', '-c', 'sleep 987654 &'], start_new_session=True)"}, 5),
    # Test cells rewritten by an input transformer: the visible checks pass, the hidden ones decide.
    "transformer": ({"P1": "ip = get_ipython()\nip.input_transformers_post.append("
                           "lambda lines: ['pass\\n'] if any('marks(' in l for l in lines) else lines)"}, 3),
    # 4 GiB against a 1 GiB limit: the kernel is killed, P.1 keeps its marks.
    "memory_bomb": ({"P2": "block = bytearray(4 << 30)"}, 2),
    # A thousand processes against a limit of 64: refused; every one started is gone after.
    "fork_bomb": ({"P1": "total = 385\nimport subprocess\nkids = []\ntry:\n    for _ in range(1000):\n"
                         "        kids.append(subprocess.Popen(['sleep', '876543']))\nexcept OSError:\n    pass"}, 5),
    # Kills every process it can see: only its own sandbox dies; P.1 keeps its marks, everyone else is graded.
    "killer": ({"P2": "import os, signal\nos.kill(-1, signal.SIGKILL)\nos.kill(os.getppid(), signal.SIGKILL)"}, 2),
    # Looks for any notebook (its own with the hidden tests restored, the source, the solutions, other
    # students') and any scratch file of a student graded before it: P.1 earns its marks only if none is found.
    "snooper": ({"P1": "import os, stat, sys\nfound = []\nfor top, dirs, files in os.walk('/'):\n"
                       "    if top.startswith(('/proc', '/sys', '/usr', sys.base_prefix, sys.prefix)):\n"
                       "        dirs[:] = []  # the system and Python: large, and the same for everyone\n"
                       "    for name in files:  # its own kernel's sockets are the only grader files it may see\n"
                       "        path = os.path.join(top, name)\n"
                       "        if name.endswith(('.ipynb', '.db', '.pt')) or ('grading-' in path and\n"
                       "                                                     not stat.S_ISSOCK(os.lstat(path).st_mode)):\n"
                       "            found.append(path)\n"
                       "print('FOUND', found[:20])\ntotal = 385 if not found else 0"}, 5),
    # Every way of passing checks without the work, at once, on blank answers.
    "patcher": ({"P1": "import os, importlib, torch, numpy, helpers.grading\n"
                       "os.environ['COURSE_RECORD_HASHES'] = '/tmp/recorded'\n"
                       "torch.equal = lambda *a: True\nnumpy.allclose = lambda *a, **k: True\n"
                       "importlib.reload = lambda module: module\nhelpers.grading.check_scalar = lambda *a, **k: True\n"
                       "total = 0", "P2": "def normalise(x):\n    return x"}, 0),
    # Tries the files the grader relies on; P.1 right.
    "tamperer": ({"P1": "total = 385\nimport glob, os\nfor p in glob.glob('/work/**/*', recursive=True)[:5000]:\n"
                        "    try:\n        open(p, 'a').write('#')\n    except Exception:\n        pass"}, 5),
}


def _submit(root: Path, student: str, nb) -> None:
    folder = root / "autograde" / "submitted" / student / "probe"
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / "probe.ipynb")


def _digest(paths) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths if p.is_file()}


GUARDED = [*sorted((ROOT / "helpers").rglob("*.py")), ROOT / "nbgrader_config.py", *sorted((ROOT / "course").glob("*.py"))]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The probe course, released, with its right, blank, built and red-team submissions, autograded."""
    root = tmp_path_factory.mktemp("probe-course")
    shutil.copytree(PROBE / "source", root / "source")
    shutil.copytree(PROBE / "source" / "probe", root / "source" / "probe_late")  # nobody hands this one in
    shutil.copy(ROOT / "nbgrader_config.py", root)
    build.release(root=root)
    release = nbformat.read(root / "release" / "probe" / "probe.ipynb", as_version=4)
    source = nbformat.read(root / "source" / "probe" / "probe.ipynb", as_version=4)
    solution = notebooks.fill_release(release, source, functools.partial(notebooks.solves, ["*"]))
    _submit(root, "solution", solution)
    _submit(root, "blank", release)
    for student, (changes, _) in BUILT.items():
        nb = nbformat.from_dict(json.loads(nbformat.writes(solution)))
        for cell in nb.cells:
            if notebooks.grade_id(cell) in changes:
                cell.source = changes[notebooks.grade_id(cell)]
        _submit(root, student, nb)
    pasted = nbformat.from_dict(json.loads(nbformat.writes(solution)))  # a test cell copied and pasted
    at = next(i for i, c in enumerate(pasted.cells) if notebooks.grade_id(c) == "P1_test")
    pasted.cells.insert(at + 1, nbformat.from_dict(json.loads(json.dumps(pasted.cells[at]))))
    pasted.cells[at + 1]["id"] = "pasted-copy"
    _submit(root, "pasted", pasted)
    for attack in sorted(p for p in ATTACKS.iterdir() if p.is_dir()):
        shutil.copytree(attack, root / "autograde" / "submitted" / attack.name / "probe", symlinks=True)
    before = _digest(GUARDED)
    groups = set(Path("/sys/fs/cgroup/pids/dl-course").glob(f"{os.getpid()}-*/"))  # left by this process before
    limits = GradingLimits(cell_cpu=8, idle=5, cell_wall=60, notebook_wall=300, memory=1 << 30, processes=64)
    original = grading.GRADING_LIMITS["tiny"]
    grading.GRADING_LIMITS["tiny"] = limits  # seconds, not minutes: the probe's cells take milliseconds
    try:
        start = time.perf_counter()
        problems = grading.autograde(root=root, workers=2)
        seconds = time.perf_counter() - start
    finally:
        grading.GRADING_LIMITS["tiny"] = original
    grading.feedback(root=root)
    return {"root": root, "problems": problems, "scores": grading.scores(root), "seconds": seconds,
            "before": before, "groups": groups}


def _expected() -> dict[str, int]:
    table = {student: score for student, (_, score) in BUILT.items()} | {"pasted": FULL}
    table.update({name: entry["score"] for name, entry in json.loads((ATTACKS / "expected.json").read_text()).items()}
                 if (ATTACKS / "expected.json").exists() else {})
    return table


def test_right_and_blank_submissions_keep_their_scores(course):
    assert course["scores"]["solution"]["probe"]["score"] == FULL
    assert course["scores"]["blank"]["probe"]["score"] == 0
    assert not any("probe" in course["problems"].get(student, {}) for student in ("solution", "blank"))


@pytest.mark.parametrize("student", sorted(_expected()))
def test_each_attack_earns_what_it_deserves(course, student):
    got = course["scores"].get(student, {}).get("probe", {}).get("score")
    problems = course["problems"].get(student, {}).get("probe", [])
    if got is None:  # not graded at all: fine for a cheat, if the report says why
        assert problems and _expected()[student] == 0, f"{student} was not graded: {problems}"
        return
    assert got == _expected()[student], f"{student}: {got} points; {problems}"


def test_a_memory_bomb_is_reported_as_one(course):
    problems = course["problems"]["memory_bomb"]["probe"]
    assert any("all the memory it may use" in p for p in problems), problems


def test_a_crash_keeps_the_marks_earned_before_it_and_says_so(course):
    problems = course["problems"]["crasher"]["probe"]
    assert any("the kernel died" in p for p in problems), problems
    nb = nbformat.read(course["root"] / "autograde" / "autograded" / "crasher" / "probe" / "probe.ipynb", 4)
    p2 = next(c for c in nb.cells if notebooks.grade_id(c) == "P2_test")
    assert "did not run" in p2.outputs[0]["evalue"]


@pytest.mark.parametrize("student,says", [("looper", "s of CPU time"), ("sleeper", "doing nothing"),
                                          ("stubborn", "did not stop when interrupted")])
def test_limits_are_reported_as_what_they_are(course, student, says):
    problems = course["problems"][student]["probe"]
    assert any(says in p for p in problems), problems
    rows = (course["root"] / "autograde" / "grades.csv").read_text()
    row = next(line for line in rows.splitlines() if line.startswith(f"probe,{student},"))
    assert "graded, with problems" in row and says in row


def test_an_assignment_nobody_handed_in_still_gets_its_rows(course):
    with open(course["root"] / "autograde" / "grades.csv") as f:
        rows = [r for r in csv.DictReader(f) if r["assignment"] == "probe_late"]
    assert rows and all(r["score"] == "" and r["status"] == "not graded: nothing submitted for probe_late"
                        for r in rows)


def test_output_is_cut_and_only_text_and_pictures_are_kept(course):
    path = course["root"] / "autograde" / "autograded" / "flood" / "probe" / "probe.ipynb"
    assert path.stat().st_size < 4 << 20
    assert "[output cut" in path.read_text()
    nb = nbformat.read(course["root"] / "autograde" / "autograded" / "partial_credit" / "probe" / "probe.ipynb", 4)
    mimes = {m for c in nb.cells for o in c.get("outputs", []) for m in o.get("data", {})}
    assert mimes <= {"text/plain", "image/png", "image/jpeg"}, mimes
    assert not any(o.output_type == "execute_result" for c in nb.cells if notebooks.grade_id(c) in ("P1_test", "P2_test")
                   for o in c.outputs)


def test_no_process_outlives_grading(course):
    left = subprocess.run(["pgrep", "-f", "sleep (987654|876543)"], capture_output=True, text=True).stdout.split()
    assert not left, f"processes left by student code: {left}"
    # this process's only: another grader on the machine (make test's other worker) has its own
    groups = set(Path("/sys/fs/cgroup/pids/dl-course").glob(f"{os.getpid()}-*/")) - course["groups"]
    assert not groups, f"cgroups left behind: {groups}"


def test_grader_files_are_untouched(course):
    assert _digest(GUARDED) == course["before"]


def test_feedback_shows_no_hidden_check(course):
    pages = list((course["root"] / "autograde" / "feedback").rglob("*.html"))
    assert len(pages) >= len(BUILT)
    for page in pages:
        text = _visible_text(page)
        for hidden in ('student("total")', 'student("normalise(x)", x=x)'):
            assert hidden not in text, (page, hidden)
    blank = _visible_text(course["root"] / "autograde" / "feedback" / "blank" / "probe" / "probe.html")
    assert "385" not in blank  # the expected value of P.1
    assert "a hidden check" in _visible_text(course["root"] / "autograde" / "feedback" / "transformer" / "probe" /
                                             "probe.html")  # a failure is still explained


def _visible_text(page: Path) -> str:
    """What a browser shows of an HTML page: tags (syntax highlighting too) removed, entities decoded."""
    raw = re.sub(r"<(script|style)\b.*?</\1>", "", page.read_text(), flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", raw))


def test_a_second_run_resumes_and_changes_nothing(course, monkeypatch):
    ran = []
    monkeypatch.setattr(grading, "grade_notebook", lambda job: ran.append(job) or pytest.fail("ran again"))
    grading.autograde(root=course["root"], workers=2)
    assert not ran
    assert grading.scores(course["root"]) == course["scores"]


def test_only_grades_the_assignments_it_names(course, monkeypatch):
    asked = []
    check = grading.check_submission
    monkeypatch.setattr(grading, "assignments", lambda root: ["other", "probe"])
    monkeypatch.setattr(grading, "check_submission", lambda *args: asked.append(args[1]) or check(*args))
    grading.autograde(root=course["root"], workers=2, only=["probe"])
    assert set(asked) == {"probe"}
    grading.autograde(root=course["root"], workers=2)
    assert "other" in asked


def test_grading_refuses_to_run_unsandboxed_unless_told(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox, "available", lambda: "bubblewrap is not installed")
    with pytest.raises(SystemExit, match="--no-sandbox"):
        grading.autograde(root=tmp_path)


def test_a_dask_cluster_grades_the_same(course, tmp_path):
    """Two Dask worker processes (a LocalCluster) give the scores the threads gave."""
    root = tmp_path / "dask"
    shutil.copytree(course["root"] / "source", root / "source")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    build.release(root=root)
    for student in ("solution", "blank", "noisy"):
        shutil.copytree(course["root"] / "autograde" / "submitted" / student, root / "autograde" / "submitted" / student)
    grading.autograde(root=root, workers=2, scheduler="local")
    scores = grading.scores(root)
    assert {s: scores[s]["probe"]["score"] for s in scores} == \
           {s: course["scores"][s]["probe"]["score"] for s in ("solution", "blank", "noisy")}
