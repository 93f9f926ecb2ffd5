import json
import math

import numpy as np
import pytest
import torch

from helpers import grading, settings
from helpers.grading import (CheckFailed, MissingReference, check_array, check_scalar, check_string,
                             eval_numerical_gradient, eval_numerical_gradient_array, marks, rel_error,
                             summarise_marks)


def recorded(monkeypatch, tmp_path, check, value, id, **kw):
    """The reference hash `make hashes` would record for `value` (the real record path)."""
    path = tmp_path / f"{id}.jsonl"
    monkeypatch.setenv(settings.RECORD_HASHES_VAR, str(path))
    check(value, None, id, **kw)
    monkeypatch.delenv(settings.RECORD_HASHES_VAR)
    entry = next(json.loads(line) for line in path.read_text().splitlines() if json.loads(line)["id"] == id)
    assert entry["mode"] == "tiny"
    return {"tiny": entry["hash"]}


def recorded_table(monkeypatch, tmp_path, record):
    """hashes.json as `make hashes` writes it after ``record()`` ran its checks."""
    from course.build import write_hashes
    path = tmp_path / "record.jsonl"
    monkeypatch.setenv(settings.RECORD_HASHES_VAR, str(path))
    record()
    monkeypatch.delenv(settings.RECORD_HASHES_VAR)
    table_path = tmp_path / "hashes.json"
    write_hashes(table_path, "tiny", [json.loads(line) for line in path.read_text().splitlines()])
    return grading.load_expected(table_path)


@pytest.fixture(autouse=True)
def fresh_tally():
    grading.reset_marks()
    yield
    grading.reset_marks()


def test_scalar_right_value_passes_in_every_numeric_type(monkeypatch, tmp_path):
    ref = recorded(monkeypatch, tmp_path, check_scalar, 0.693147, "loss")
    for value in (0.693147, np.float32(0.693147), torch.tensor(0.693147), torch.tensor([[0.693147]]),
                  np.array(0.693147)):
        assert check_scalar(value, ref, "loss")


def test_scalar_neighbours_pass_and_near_misses_fail(monkeypatch, tmp_path):
    ref = recorded(monkeypatch, tmp_path, check_scalar, 0.6931, "loss", sig=4)
    assert check_scalar(0.69305, ref, "loss", sig=4)  # rounds the other way
    assert check_scalar(0.6932, ref, "loss", sig=4)   # one unit in the last figure
    for wrong in (0.6934, 0.6928, 0.7, 6.931, -0.6931):
        with pytest.raises(CheckFailed):
            check_scalar(wrong, ref, "loss", sig=4)


def test_integers_compare_exactly(monkeypatch, tmp_path):
    ref = recorded(monkeypatch, tmp_path, check_scalar, 12500, "count")
    assert check_scalar(12500, ref, "count")
    assert check_scalar(12500.0, ref, "count")
    assert check_scalar(torch.tensor(12500), ref, "count")
    for wrong in (12501, 12499, 1250):
        with pytest.raises(CheckFailed):
            check_scalar(wrong, ref, "count")


def test_equal_values_under_two_ids_hash_differently(monkeypatch, tmp_path):
    a = recorded(monkeypatch, tmp_path, check_scalar, 42, "a")
    b = recorded(monkeypatch, tmp_path, check_scalar, 42, "b")
    assert a != b
    with pytest.raises(CheckFailed):
        check_scalar(42, a, "b")


def test_hash_file_holds_no_plain_value(monkeypatch, tmp_path):
    ref = recorded(monkeypatch, tmp_path, check_scalar, 2500, "n")
    assert "2500" not in json.dumps(ref) and len(ref["tiny"]) == 64


def test_array_checks_shape_kind_and_values(monkeypatch, tmp_path):
    ref = recorded(monkeypatch, tmp_path, check_array, torch.tensor([[1.0, 2.5], [3.0, 4.0]]), "w")
    assert check_array(np.array([[1.0, 2.5], [3.0, 4.0]]), ref, "w")
    assert check_array([[1.00001, 2.5], [3.0, 4.0]], ref, "w")
    for wrong in ([[1.0, 2.5, 3.0, 4.0]], [[1, 2], [3, 4]], [[1.0, 2.6], [3.0, 4.0]]):
        with pytest.raises(CheckFailed):
            check_array(wrong, ref, "w")


def test_string_normalisation(monkeypatch, tmp_path):
    ref = recorded(monkeypatch, tmp_path, check_string, "the a  and", "words")
    assert check_string("  The A\tand\n", ref, "words")
    with pytest.raises(CheckFailed):
        check_string("the a or", ref, "words")


def test_missing_mode_is_reported_and_never_passes(capsys):
    with pytest.raises(MissingReference, match="data mode 'tiny'"):
        check_scalar(1, {"full": "0" * 64}, "x")
    with marks(2, "S.1"):
        assert check_scalar(1, {"full": "0" * 64}, "x") is False
        ran_on = True
    assert ran_on
    assert "? [0/2 marks] S.1: not verified" in capsys.readouterr().out
    assert grading._tally["S.1"] == (2, 0)


def test_missing_id_in_hash_file_is_reported():
    with pytest.raises(MissingReference, match="make hashes"):
        check_scalar(1, grading.Expected(), "nowhere")


@pytest.mark.parametrize("call, message", [
    (lambda: check_scalar("12", {"tiny": ""}, "x"), "expects numbers"),
    (lambda: check_scalar([1, 2], {"tiny": ""}, "x"), "single number, got 2 values"),
    (lambda: check_scalar(None, {"tiny": ""}, "x"), "expects numbers"),
    (lambda: check_array({"a": 1}, {"tiny": ""}, "x"), "expects numbers"),
    (lambda: check_string(5, {"tiny": ""}, "x"), "expects a str"),
    (lambda: check_scalar(1, 3.0, "x"), "expected must be"),
])
def test_wrong_kinds_say_what_was_expected(call, message):
    with pytest.raises(TypeError, match=message):
        call()


def test_non_finite_values_fail():
    with pytest.raises(CheckFailed, match="finite"):
        check_scalar(math.nan, {"tiny": ""}, "x")


def test_marks_show_count_once_and_reraise(capsys):
    for _ in range(3):  # re-running a cell counts once
        with marks(2, "A.1"):
            pass
    with pytest.raises(AssertionError):
        with marks(3, "A.2"):
            raise AssertionError("expected a positive number")
    with marks(1, "B.1"):
        pass
    out = capsys.readouterr().out
    assert "✓ [2 marks] A.1" in out
    assert "✗ [0/3 marks] A.2: expected a positive number" in out
    summarise_marks()
    summary = capsys.readouterr().out
    assert "Marks: 3/6" in summary
    assert "A" in summary and "2/5" in summary and "1/1" in summary


def test_rel_error_and_numerical_gradients():
    assert rel_error([1.0, 2.0], [1.0, 2.0]) == 0
    assert rel_error([1.0], [1.1]) == pytest.approx(0.1 / 2.1)
    x = np.random.default_rng(0).normal(size=(3, 4))
    grad = eval_numerical_gradient(lambda v: float(np.sum(v ** 3)), x)
    assert rel_error(grad, 3 * x ** 2) < 1e-7
    df = np.random.default_rng(1).normal(size=(3, 4))
    grad = eval_numerical_gradient_array(lambda v: np.tanh(v), x, df)
    assert rel_error(grad, df * (1 - np.tanh(x) ** 2)) < 1e-7


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_gpu_tensors_are_accepted(monkeypatch, tmp_path):
    ref = recorded(monkeypatch, tmp_path, check_array, torch.arange(6.0).reshape(2, 3), "g")
    assert check_array(torch.arange(6.0, device="cuda").reshape(2, 3), ref, "g")
    ref = recorded(monkeypatch, tmp_path, check_scalar, 0.5, "s")
    assert check_scalar(torch.tensor(0.5, device="cuda"), ref, "s")


def test_a_failure_says_the_hint_and_the_expected_shape(monkeypatch, tmp_path):
    table = recorded_table(monkeypatch, tmp_path, lambda: check_array(np.ones((3, 4)), None, "m"))
    assert table["m#shape"] == {"tiny": [3, 4]}
    with pytest.raises(CheckFailed, match=r"expected shape \(3, 4\), got \(4, 3\)\. rows are reviews"):
        check_array(np.ones((4, 3)), table, "m", hint="rows are reviews")
    with pytest.raises(CheckFailed) as failure:
        check_array(np.zeros((3, 4)), table, "m", hint="rows are reviews")
    assert "expected shape" not in str(failure.value) and str(failure.value).endswith("rows are reviews")


def test_a_predicted_mistake_gets_its_own_hint(monkeypatch, tmp_path):
    def record():
        check_scalar(math.log(2), None, "loss")
        grading.record_mistake(math.log10(2), "loss", "log base 10? use the natural logarithm")
        grading.record_mistake("chars", "word", "count words, not characters", kind="string")
    table = recorded_table(monkeypatch, tmp_path, record)
    assert "0.301" not in json.dumps(table)  # a mistake is stored as a hash too
    assert check_scalar(0.693147, table, "loss")
    with pytest.raises(CheckFailed, match="log base 10"):
        check_scalar(0.30103, table, "loss", hint="the mean loss per example")
    with pytest.raises(CheckFailed, match="the mean loss per example$"):
        check_scalar(0.5, table, "loss", hint="the mean loss per example")
    assert grading.record_mistake(1, "loss", "not recording: nothing happens") is None
    with pytest.raises(ValueError, match="kind must be"):
        grading.record_mistake(1, "loss", "x", kind="number")


def test_a_failed_check_shows_the_students_line_not_the_helpers(tmp_path):
    """IPython hides frames that set __tracebackhide__: a real kernel prints the reason and the
    student's cell, never helpers/grading.py; nbgrader still sees the error."""
    from nbclient import NotebookClient
    import nbformat
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "from helpers.grading import marks, check_scalar\n"
        "with marks(2, 'X.1'):\n"
        "    check_scalar(3, {'tiny': '0' * 64}, 'X.1', hint='the number of classes')")])
    client = NotebookClient(nb, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    outputs = nb.cells[0].outputs
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    error = next(o for o in outputs if o.output_type == "error")
    assert "✗ [0/2 marks] X.1: check 'X.1': this number does not match the reference. the number of classes" in printed
    assert error.ename == "CheckFailed"
    assert not any("grading.py" in line for line in error.traceback), "\n".join(error.traceback)


def test_in_a_notebook_a_wrong_answer_or_a_stub_is_one_line(tmp_path):
    """A wrong answer prints its ✗ line and one error line (no frames, no paths); a stub's
    NotImplementedError is one line that says what to do; a check that reads a name the
    exercise never defined says so in its ✗ line. Every one is still an error for nbgrader."""
    from nbclient import NotebookClient
    import nbformat
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in (
        "from helpers.grading import marks, check_scalar\n"
        "with marks(2, 'X.1'):\n"
        "    check_scalar(3, {'tiny': '0' * 64}, 'X.1', hint='the number of classes')",
        "# YOUR CODE HERE\nraise NotImplementedError()",
        "with marks(1, 'X.2'):\n    assert n_classes > 1, 'more than one class'",
        "with marks(1, 'X.3'):\n    1 / 0")])
    client = NotebookClient(nb, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    errors = [next(o for o in c.outputs if o.output_type == "error") for c in nb.cells]
    assert [e.ename for e in errors] == ["CheckFailed", "NotImplementedError", "NotDone", "ZeroDivisionError"]
    for error in errors[:3]:
        assert len(error.traceback) == 1 and "/" not in error.traceback[0], error.traceback
    assert "replace `raise NotImplementedError()` with your code" in errors[1].traceback[0]
    printed = "".join(o.get("text", "") for o in nb.cells[2].outputs if o.output_type == "stream")
    assert printed.startswith("✗ [0/1 marks] X.2: 'n_classes' is not defined: finish the exercise above")
    assert len(errors[3].traceback) > 1, "an error other than a failed check keeps its traceback"


def test_check_close_compares_recorded_values_by_their_largest_difference(monkeypatch, tmp_path):
    values = torch.linspace(-2, 2, 24).reshape(2, 3, 4)
    table = recorded_table(monkeypatch, tmp_path, lambda: grading.check_close(values, None, "X.1"))
    assert grading.check_close(values + 4e-6, table, "X.1", atol=1e-5) == pytest.approx(4e-6, rel=0.1)
    assert grading.check_close(values.numpy().astype(np.float64), table, "X.1") == 0.0  # any array type
    with pytest.raises(CheckFailed, match="largest difference .* is 0.001"):
        grading.check_close(values + torch.eye(4)[:3] * 1e-3, table, "X.1", atol=1e-5)
    with pytest.raises(CheckFailed, match=r"expected shape \(2, 3, 4\), got \(2, 12\)"):
        grading.check_close(values.reshape(2, 12), table, "X.1")
    nan = values.clone()
    nan[0, 0, 0] = float("nan")
    with pytest.raises(CheckFailed):
        grading.check_close(nan, table, "X.1")


def test_recording_some_notebooks_keeps_the_other_checks_of_their_assignment(tmp_path):
    from course.build import write_hashes
    table_path = tmp_path / "hashes.json"
    write_hashes(table_path, "tiny", [{"id": "A.1", "mode": "tiny", "hash": "a"},
                                      {"id": "B.1", "mode": "tiny", "hash": "b"}])
    write_hashes(table_path, "tiny", [{"id": "B.1", "mode": "tiny", "hash": "b2"}], replace_all=False)
    assert json.loads(table_path.read_text()) == {"A.1": {"tiny": "a"}, "B.1": {"tiny": "b2"}}
    write_hashes(table_path, "tiny", [{"id": "B.1", "mode": "tiny", "hash": "b3"}])  # a whole assignment
    assert json.loads(table_path.read_text()) == {"B.1": {"tiny": "b3"}}
