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
    entry = json.loads(path.read_text().splitlines()[-1])
    assert entry["id"] == id and entry["mode"] == "tiny"
    return {"tiny": entry["hash"]}


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
