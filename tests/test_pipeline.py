"""The instructor pipeline: generated folders are fresh, grading is right, bad input is handled."""
import base64
import csv
import json
import math
import re
import shutil
import sqlite3
import subprocess
import sys

import nbformat
import pytest

from course import build, grading, notebooks, paths, statement
from course.paths import ROOT

ASSIGNMENTS = paths.assignments()
SOURCES = [path for a in ASSIGNMENTS for path in paths.source_notebooks(a)]
MARKS = re.compile(r"with marks\((\d+),\s*\"([^\"]+)\"\)")


def read(path):
    return nbformat.read(path, as_version=4)


def cell_sources(nb):
    return [(c.cell_type, c.source, c.metadata.get("nbgrader", {}).get("grade_id")) for c in nb.cells]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_source_notebook_validates_and_lints(path):
    nb = read(path)
    nbformat.validate(nb)
    grade_ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
    assert len(grade_ids) == len(set(grade_ids)), "every grade_id must be unique"
    marks_ids = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        blocks = MARKS.findall(cell.source)
        marks_ids += [id for _, id in blocks]
        if meta.get("grade") and cell.cell_type == "code":
            assert blocks, f"test cell {meta['grade_id']} shows no marks"
            hidden = re.search(r"^### BEGIN HIDDEN TESTS\n(\S.*?)^### END HIDDEN TESTS", cell.source, re.M | re.S)
            assert hidden, \
                f"{meta['grade_id']}: hidden tests run at top level, after the marks block, so that a " \
                "redefined marks cannot swallow their failure"
            assert sum(int(n) for n, _ in blocks) == meta["points"], \
                f"{meta['grade_id']}: nbgrader points {meta['points']} differ from its marks"
        if meta.get("solution") and cell.cell_type == "code":
            assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source
        if not meta.get("grade"):
            assert not blocks, "marks blocks belong in graded test cells"
    assert len(marks_ids) == len(set(marks_ids)), "every marks id must be unique"


def test_release_is_fresh(tmp_path):
    shutil.copytree(ROOT / "source", tmp_path / "source")
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    build.release(root=tmp_path)
    for assignment in ASSIGNMENTS:
        fresh, committed = tmp_path / "release" / assignment, ROOT / "release" / assignment
        assert sorted(p.name for p in fresh.iterdir()) == sorted(p.name for p in committed.iterdir())
        for path in fresh.iterdir():
            if path.suffix == ".ipynb":
                assert read(path) == read(committed / path.name), f"run `make release`: {path.name} is stale"
            else:
                assert path.read_bytes() == (committed / path.name).read_bytes(), f"run `make release`: {path.name}"


def test_solutions_and_samples_are_fresh():
    for path in SOURCES:
        assignment = path.parent.name
        fresh = notebooks.strip_hidden_tests(notebooks.solution_version(read(path)))
        committed = read(ROOT / "solutions" / assignment / path.name)
        assert cell_sources(fresh) == cell_sources(committed), f"run `make solutions`: {path.name} is stale"
        assert [c.metadata for c in fresh.cells] == [c.metadata for c in committed.cells]
        assert all(c.outputs for c in committed.cells if c.cell_type == "code" and "summarise_marks" in c.source), \
            "solutions must be executed"
        solution_hashes = ROOT / "solutions" / assignment / "hashes.json"
        assert (path.parent / "hashes.json").read_bytes() == solution_hashes.read_bytes()
    spec = json.loads(paths.SAMPLES.read_text())
    for student, plan in spec["students"].items():
        for assignment in plan["expected_score"]:
            for path in paths.source_notebooks(assignment):
                fresh = build.sample_notebook(plan, assignment, path)
                committed = read(paths.SUBMITTED / student / assignment / path.name)
                assert cell_sources(fresh) == cell_sources(committed), f"run `make samples`: {student} is stale"


def test_release_hides_solutions_hidden_tests_and_answers():
    for path in SOURCES:
        source, released = read(path), read(ROOT / "release" / path.parent.name / path.name)
        text = json.dumps([c.source for c in released.cells])
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
        given = "\n".join(c.source for c in source.cells if not c.metadata.get("nbgrader", {}).get("solution"))
        for cell in source.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("solution") and cell.cell_type == "code":
                region = cell.source.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
                leaked = [line for line in region.splitlines()
                          if len(line.strip()) > 20 and line.strip() in text and line.strip() not in given]
                assert not leaked, f"{meta['grade_id']}: solution code in the release: {leaked}"
            elif meta.get("solution"):  # a written answer
                assert cell.source[:60] not in text, f"{meta['grade_id']}: model answer in the release"
        hashes = (ROOT / "release" / path.parent.name / "hashes.json").read_text()
        for id, modes in json.loads(hashes).items():  # hashes; beside them shapes and mistakes' hints
            if id.endswith("#shape"):
                assert all(isinstance(shape, list) for shape in modes.values()), id
                continue
            if all(isinstance(v, dict) and "float32" in v for v in modes.values()):  # check_close: a seeded
                for v in modes.values():  # model's outputs on fixed inputs, float32 and nothing else
                    assert set(v) == {"shape", "float32"}, id
                    assert len(base64.b64decode(v["float32"])) == 4 * math.prod(v["shape"]), id
                continue
            found = [h for v in modes.values() for h in (v if id.endswith("#mistakes") else [v])]
            assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in found), id


# ---------------------------------------------------------------- autograding, on a copy of the course
# Each full notebook is graded once, as the sample students, by the session's
# `graded` fixture (tests/conftest.py), which the browser tests share; attacks on
# the grader are proved on a small probe assignment (tests/test_grading_security.py).


def graded_students(root):
    """The sample students that the `graded` course holds (all but the reference solution)."""
    spec = json.loads(paths.SAMPLES.read_text())["students"]
    students = {s: plan for s, plan in spec.items() if (root / "autograde" / "submitted" / s).is_dir()}
    assert {"alternative", "partial", "blank"} <= set(students), students
    return students


def test_sample_submissions_get_their_expected_scores(graded):
    root, _ = graded
    scores = grading.scores(root)
    for student, plan in graded_students(root).items():
        for assignment, expected in plan["expected_score"].items():
            assert scores[student][assignment]["score"] == expected, student
    total = {a: sum(c.metadata["nbgrader"]["points"] for p in paths.source_notebooks(a) for c in read(p).cells
                    if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code")
             for a in ASSIGNMENTS}
    for assignment in ASSIGNMENTS:  # every automatic point for a solution, none for the blank
        assert scores["alternative"][assignment]["score"] == total[assignment]
        assert scores["blank"][assignment]["score"] == 0
        assert 0 < scores["partial"][assignment]["score"] < total[assignment]


def test_alternative_solutions_earn_every_automatic_point(graded):
    """autograde/alternative/ holds a second solution of every notebook, written by someone who saw
    only the release, in other names, signatures, types and code wherever the statement allows:
    each of its test cells passes, hidden checks included."""
    root, _ = graded
    for assignment in ASSIGNMENTS:
        for path in paths.source_notebooks(assignment):
            graded_nb = read(root / "autograde" / "autograded" / "alternative" / assignment / path.name)
            failed = {c.metadata["nbgrader"]["grade_id"]: next(o.get("evalue", o.get("ename")) for o in c.outputs
                                                               if o.output_type == "error")
                      for c in graded_nb.cells if c.metadata.get("nbgrader", {}).get("grade")
                      and any(o.output_type == "error" for o in c.get("outputs", []))}
            assert not failed, f"{assignment}/{path.name}: a right answer lost marks: {failed}"


def test_hidden_checks_read_only_what_the_statement_gives(graded):
    """Every question a hidden check asked the kernel while grading (kept in the run notebooks)
    reads names, attributes and signatures that the release gives before its test cell."""
    root, _ = graded
    student = "alternative"  # the reference solution asks the same questions (it is not graded here)
    problems, asked = [], 0
    for assignment in ASSIGNMENTS:
        for path in paths.source_notebooks(assignment):
            known = statement.statements(read(root / "release" / assignment / path.name))
            run = read(root / grading.RUNS / student / assignment / path.name)
            for grade, code, inputs in run.metadata["course"]["asked"]:
                asked += 1
                problems += [f"{path.name} {grade}: {p}\n    {code.strip()[:200]}"
                             for p in statement.unseen(code, inputs, known[grade])]
    assert asked > 50, "the run notebooks keep what the hidden checks asked"
    assert not problems, "\n".join(problems)


def test_every_written_answer_follows_its_question():
    """nbgrader blanks an answer cell in the release: its question stands in the read-only cell above."""
    for assignment in ASSIGNMENTS:
        for path in paths.source_notebooks(assignment):
            cells = read(ROOT / "release" / assignment / path.name).cells
            for before, cell in zip(cells, cells[1:]):
                meta = cell.metadata.get("nbgrader", {})
                if cell.cell_type == "markdown" and meta.get("solution"):
                    asks = (before.cell_type == "markdown" and not before.metadata.get("nbgrader", {}).get("solution")
                            and re.search(r"\?|\b(explain|describe|why|what|how|which|compare|discuss|give|say|"
                                          r"name|write|predict|justify|show)\b", before.source, re.I))
                    assert asks, f"{path.name} {meta['grade_id']}: the cell above the answer asks no question"


def test_blank_release_fails_every_test_cell(graded):
    root, _ = graded
    for path in (root / "autograde" / "autograded" / "blank").rglob("*.ipynb"):
        for cell in read(path).cells:
            if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code":
                assert any(o.output_type == "error" for o in cell.outputs), cell.metadata["nbgrader"]["grade_id"]


def test_bad_submissions_are_reported_and_kept(graded):
    root, problems = graded
    assert "not a valid notebook" in problems["broken"]["a1_bow_sentiment"][0]
    assert "rename it to bow_sentiment.ipynb" in problems["misnamed"]["a1_bow_sentiment"][0]
    assert "nothing submitted" in problems["nothing"]["a1_bow_sentiment"][0]
    assert {s for s, p in problems.items() if "a1_bow_sentiment" in p} == {"broken", "misnamed", "nothing"}
    assert not any(student in problems for student in ("alternative", "partial", "blank"))
    submitted = root / "autograde" / "submitted"
    assert (submitted / "broken" / "a1_bow_sentiment" / "bow_sentiment.ipynb").read_text().startswith('{"cells"')
    assert (submitted / "misnamed" / "a1_bow_sentiment" / "Bow Sentiment (1).ipynb").exists()


def test_feedback_html_and_csv_export(graded):
    root, _ = graded
    for student in ("alternative", "partial", "blank"):
        for page in ("a1_bow_sentiment/bow_sentiment.html", "a2_embeddings_seq2seq/word2vec.html",
                     "a2_embeddings_seq2seq/seq2seq.html"):
            html = (root / "autograde" / "feedback" / student / page).read_text()
            assert "Score" in html or "score" in html
            assert "HIDDEN TESTS" not in html and "student(" not in html.replace("<span class=\"p\">", "")
    with open(root / "autograde" / "grades.csv") as f:
        rows = {(r["assignment"], r["student"]): r for r in csv.DictReader(f)}
    for student, plan in graded_students(root).items():
        for assignment, expected in plan["expected_score"].items():
            assert float(rows[assignment, student]["score"]) == expected
            assert rows[assignment, student]["status"] == "graded"
    broken = rows["a1_bow_sentiment", "broken"]
    assert broken["score"] == "" and broken["status"].startswith("not graded: bow_sentiment.ipynb is not a valid")
    assert rows["a2_embeddings_seq2seq", "nothing"]["status"] == "not graded: nothing submitted for a2_embeddings_seq2seq"


def test_a_gradebook_left_unstamped_is_repaired(tmp_path):
    """What formgrader leaves when `alembic` is not on PATH: the tables, no version."""
    (tmp_path / "autograde").mkdir()
    url = f"sqlite:///{tmp_path / 'autograde' / 'gradebook.db'}"
    opening = f"from nbgrader.api import Gradebook; Gradebook({url!r}, course_id='dl-course').close()"
    failed = subprocess.run([sys.executable, "-c", opening], env={"PATH": str(tmp_path)}, capture_output=True)
    assert failed.returncode != 0
    with sqlite3.connect(tmp_path / "autograde" / "gradebook.db") as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "assignment" in tables and "alembic_version" not in tables
    grading.repair_gradebook(root=tmp_path)
    subprocess.run([sys.executable, "-c", opening], env={"PATH": str(tmp_path)}, check=True)  # no alembic needed now
    grading.repair_gradebook(root=tmp_path)  # and a second repair changes nothing


# Assignments whose real data the course has run on (make hashes in the full mode,
# make check-full): each of their checks has a reference in both data modes.
FULL_MODE_RECORDED = ["a2_embeddings_seq2seq"]


@pytest.mark.parametrize("assignment", FULL_MODE_RECORDED)
def test_checks_have_references_for_the_real_data_too(assignment):
    table = json.loads((ROOT / "source" / assignment / "hashes.json").read_text())
    checks = {id: modes for id, modes in table.items() if "#" not in id}  # not shapes, mistakes' hints
    assert checks and all(set(modes) == {"tiny", "full"} for modes in checks.values()), \
        f"run `COURSE_DATA=full make hashes ONLY={assignment}` on the real data"
