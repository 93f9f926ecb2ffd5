"""Executing notebooks: failures name the notebook and the cell, a hang or a dead
kernel surfaces within seconds of its limit, and the process's environment is
never touched, so that notebooks can run side by side."""
import os
import time

import psutil
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from course.build import run_side_by_side
from course.execute import NotebookRunError, execute


def notebook(*sources):
    return new_notebook(cells=[new_code_cell(source) for source in sources])


def our_kernels() -> list:
    """Kernels this process started (not those of a JupyterLab server that the browser tests
    keep for the session, nor Playwright's driver)."""
    def cmdline(process):
        try:
            return " ".join(process.cmdline())
        except psutil.Error:  # gone meanwhile
            return ""
    return [p for p in psutil.Process().children() if "ipykernel" in cmdline(p)]


@pytest.fixture(autouse=True)
def no_kernel_outlives_its_notebook():
    yield
    assert not our_kernels(), "a kernel outlived its notebook"


def test_the_kernel_gets_its_environment_and_ours_is_unchanged(tmp_path, monkeypatch):
    monkeypatch.delenv("MPLBACKEND", raising=False)
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    before = dict(os.environ)
    os.environ["MPLBACKEND"] = "Agg"  # as a headless shell may have it; the kernel must still plot inline
    try:
        nb = notebook("import os, matplotlib, torch",
                      "print(os.environ['COURSE_DATA'], os.environ['EXTRA'], torch.get_num_threads(),"
                      " os.environ['OMP_WAIT_POLICY'], matplotlib.get_backend())")
        execute(nb, tmp_path, mode="full", threads=1, env={"EXTRA": "yes"})
    finally:
        del os.environ["MPLBACKEND"]
    assert nb.cells[1].outputs[0]["text"].split() == [
        "full", "yes", "1", "PASSIVE", "module://matplotlib_inline.backend_inline"]
    assert dict(os.environ) == before


def test_files_the_notebook_writes_are_removed(tmp_path):
    (tmp_path / "hashes.json").write_text("{}")
    execute(notebook("open('checkpoint.pt', 'w').write('x')", "import os; os.makedirs('runs/1')"), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hashes.json"]


def test_an_error_names_the_notebook_the_cell_and_the_error(tmp_path):
    nb = notebook("x = 1", "raise ValueError('the vocabulary is empty')", "print('never')")
    nb.cells[1].metadata["nbgrader"] = {"grade_id": "W2"}
    with pytest.raises(NotebookRunError, match=r"^demo.ipynb, cell 1 \(W2\): ValueError: the vocabulary is empty"):
        execute(nb, tmp_path, name="demo.ipynb")
    assert not nb.cells[2].outputs


def test_a_hang_is_reported_as_a_timeout_soon_after_the_limit(tmp_path):
    start = time.perf_counter()
    with pytest.raises(NotebookRunError, match=r"cell 1 \('import time; time.sleep\(600\)'\): ran past the 2 s limit"):
        execute(notebook("x = 1", "import time; time.sleep(600)"), tmp_path, name="slow.ipynb", timeout=2)
    assert time.perf_counter() - start < 30


def test_a_dead_kernel_is_reported_as_that(tmp_path):
    with pytest.raises(NotebookRunError, match=r"dies.ipynb, cell 0 .*: the kernel died"):
        execute(notebook("import os, signal; os.kill(os.getpid(), signal.SIGKILL)"), tmp_path, name="dies.ipynb")


def test_side_by_side_the_others_still_run_and_the_failure_is_raised(tmp_path, capsys):
    ran = []

    def job(name, source, threads):
        folder = tmp_path / name
        folder.mkdir()
        nb = notebook(source)
        execute(nb, folder, name=name, threads=threads)
        ran.append((name, threads, nb.cells[0].outputs[0]["text"].strip()))

    with pytest.raises(NotebookRunError, match="1 of 2 notebooks failed"):
        run_side_by_side([lambda t: job("broken.ipynb", "1 / 0", t),
                          lambda t: job("fine.ipynb", "import os; print(os.environ['OMP_NUM_THREADS'])", t)],
                         workers=2)
    threads = max(1, (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()) // 2)
    assert ran == [("fine.ipynb", threads, str(threads))]
    assert "! broken.ipynb, cell 0 ('1 / 0'): ZeroDivisionError: division by zero" in capsys.readouterr().out
