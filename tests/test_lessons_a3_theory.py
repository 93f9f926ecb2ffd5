"""The lessons of assignment 3's theory notebook (design: "Lessons"), asserted on computed numbers.

The notebook needs no data, so the lessons are about the references in
``reference/judges_a3_theory.py`` and about the notebook's own solution code,
run here on the same inputs.
"""
import contextlib
import io

import nbformat
import numpy as np
import pytest

from course.paths import SOURCE
from reference.judges_a3_theory import (attention_cases, closed_form_output, network_output, network_states,
                                        random_sequences, self_attention, sigmoid, softmax_rows, token_norms, tokens)

NOTEBOOK = SOURCE / "a3_transformers_sentiment" / "theory.ipynb"


def seed_closed_form_state(xs):
    """The seed's answer for h_2N: (-1)^N (x1 - x2 + x3 - ... + x_2N-1 - x_2N + h1), with h1 = x1."""
    n = len(xs) // 2
    alternating = sum(x if i % 2 == 0 else -x for i, x in enumerate(xs))
    return (-1) ** n * (alternating + xs[0])


@pytest.fixture(scope="module")
def notebook():
    """The notebook's given code and solutions, run in one namespace (what a student would see)."""
    cells = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells
             if c.cell_type == "code" and "nbgrader" in c.metadata}
    namespace = {"np": np}
    with contextlib.redirect_stdout(io.StringIO()):
        for grade_id in ("given_03", "T2", "T3a", "given_04", "T3b", "given_06"):
            exec(cells[grade_id], namespace)
    return namespace


# ---------------------------------------------------------------- section 2: the recurrence
def test_the_network_gives_h2_4_on_minus1_3_where_the_seeds_formula_gives_5(notebook):
    assert network_states([-1, 3]) == [-1, 4]
    assert list(notebook["run_network"]([-1, 3])[0]) == [-1, 4]
    assert seed_closed_form_state([-1, 3]) == 5
    # and the seed's output unit, sigmoid(1000 - h), says 1 whatever the sums: wrong on [3, -1]
    assert network_output([3, -1]) == 0.0 and float(sigmoid(1000 - seed_closed_form_state([3, -1]))) == 1.0


def test_the_seeds_closed_form_is_wrong_on_most_sequences():
    seqs = random_sequences(np.random.default_rng(0))
    wrong = sum(seed_closed_form_state(xs) != network_states(xs)[-1] for xs in seqs)
    assert wrong > 0.9 * len(seqs)


def test_the_closed_form_agrees_with_the_simulation_and_is_one_half_exactly_on_ties(notebook):
    seqs = random_sequences(np.random.default_rng(1), n=600)
    for xs in seqs:
        h = network_states(xs)[-1]
        assert h == sum(xs[1::2]) - sum(xs[0::2])          # even positions minus odd positions
        want = notebook["run_network"](xs)[1][-1]
        assert want == network_output(xs) == closed_form_output(xs) == notebook["final_output"](xs)
        assert want == {True: 0.5, False: float(h > 0)}[h == 0]  # exactly 1/2, else 0 or 1 in float64
    ties = [xs for xs in seqs if sum(xs[1::2]) == sum(xs[0::2])]
    ones = [xs for xs in seqs if abs(sum(xs[1::2]) - sum(xs[0::2])) == 1]
    assert len(ties) > 150 and len(ones) > 150  # the hidden check's cases hold both, many times


# ---------------------------------------------------------------- section 3: self-attention
def test_the_norms_are_sqrt2_beta_beta_sqrt2_beta():
    for beta in (1.0, 3.0, 20.0):
        assert np.allclose(np.linalg.norm(tokens(beta), axis=1), token_norms(beta))
    assert np.allclose(token_norms(3.0), [3 * 2 ** 0.5, 3.0, 3 * 2 ** 0.5])


def test_attention_weights_tend_to_the_identity_as_beta_grows(notebook):
    diagonal = []
    for beta in (1, 2, 3, 5, 10):
        Y, A = notebook["self_attention"](notebook["make_tokens"](beta))
        assert np.allclose(A, self_attention(tokens(beta))[1])
        diagonal.append(np.diag(A).min())
        nearest = np.linalg.norm(Y[:, None] - tokens(beta)[None], axis=2).argmin(axis=1)
        assert list(nearest) == [0, 1, 2]  # each output nearest its own token
    assert diagonal == sorted(diagonal) and diagonal[0] < 0.6  # a blend at beta = 1 (x2 keeps 0.58)
    _, A = self_attention(tokens(5.0))
    assert np.abs(A - np.eye(3)).max() < 1e-10  # off the diagonal about e^-25
    Y, _ = self_attention(tokens(10.0))
    assert np.allclose(Y, tokens(10.0), rtol=0, atol=1e-12)  # each output a copy of its token


def test_a_softmax_without_the_max_subtracted_overflows_where_the_stable_one_does_not(notebook):
    scores = tokens(20.0) @ tokens(20.0).T  # 2 beta^2 = 800 > ln(largest float64) = 709.8
    with np.errstate(over="ignore", invalid="ignore"):
        unsafe = notebook["softmax_rows_unsafe"](scores)
    assert not np.all(np.isfinite(unsafe))
    stable = softmax_rows(scores)
    assert np.all(np.isfinite(stable)) and np.allclose(stable, np.eye(3))
    assert np.allclose(notebook["self_attention"](tokens(20.0))[1], np.eye(3))
    # at beta = 10 (scores up to 200) both still agree: the overflow starts near beta = 18.8
    small = tokens(10.0) @ tokens(10.0).T
    assert np.allclose(np.exp(small) / np.exp(small).sum(axis=1, keepdims=True), softmax_rows(small))


def test_the_hidden_checks_large_cases_overflow_a_naive_softmax_but_keep_weights_away_from_0_and_1():
    cases = attention_cases(np.random.default_rng(2))[-3:]
    for X in cases:
        scores = X @ X.T
        assert scores.min() > 700
        with np.errstate(over="ignore", invalid="ignore"):
            assert not np.all(np.isfinite(np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)))
        A = self_attention(X)[1]
        assert 0.02 < A.max(axis=1).min() and A.max(axis=1).min() < 0.99
