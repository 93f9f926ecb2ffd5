"""The lessons of assignment 4's theory notebook (design: "Lessons"), asserted on computed numbers.

The notebook needs no data, so the lessons are about the references in
``reference/judges_a4_theory.py`` and about the notebook's own given and
solution code, run here on the same inputs.
"""
import contextlib
import io
import itertools
import math

import matplotlib
import nbformat
import numpy as np
import pytest

from course.paths import SOURCE
from reference.judges_a4_theory import (SEED_LSTM, SOLUTION_LSTM, all_bit_strings, beam_cases, beam_search,
                                        count_wrong, gradient_norms, jacobian, lstm_cases, lstm_problem, parity,
                                        random_matrices, random_table, rnn_cases, rnn_outputs, rnn_problem,
                                        run_lstm, trap_problem)

NOTEBOOK = SOURCE / "a4_sequence_models" / "theory.ipynb"


@pytest.fixture(scope="module")
def notebook():
    """The notebook's given code and solutions, run in one namespace (what a student would see)."""
    matplotlib.use("Agg")
    cells = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells
             if c.cell_type == "code" and "nbgrader" in c.metadata}
    namespace = {"np": np}
    with contextlib.redirect_stdout(io.StringIO()):
        for grade_id in ("given_02", "P1", "given_03", "P2", "P3", "given_06", "P4", "P5", "given_08", "P6", "P7"):
            exec(cells[grade_id], namespace)
    return namespace


# ---------------------------------------------------------------- 1. the vanilla RNN
def test_the_seeds_abs_network_computes_parity_on_every_string_and_a_monotonic_one_cannot(notebook):
    bits, lengths = rnn_cases(np.random.default_rng(0))
    outputs = rnn_outputs(lambda zs: np.abs(zs), [1.0, -1.0], 0.0, bits, lengths)
    assert rnn_problem(outputs, bits, lengths) is None
    assert np.array_equal(outputs[:4096, :12], parity(bits[:4096, :12]))  # exactly 0 and 1: no drift
    act, W, b = notebook["parity_act"], notebook["parity_W"], notebook["parity_b"]
    short = all_bit_strings(12)
    assert np.array_equal(notebook["run_rnn"](short, act, W, b) > 0.5, parity(short) == 1)
    # a steep sigmoid, whatever the weights on a grid, gets the XOR table wrong somewhere
    table = {(y, x): y ^ x for y in (0, 1) for x in (0, 1)}
    for w_y, w_x, b in itertools.product(np.linspace(-5, 5, 11), repeat=3):
        assert any((1 / (1 + math.exp(-10 * (w_y * y + w_x * x + b))) > 0.5) != bool(p) for (y, x), p in table.items())


# ---------------------------------------------------------------- 2. the LSTM
def test_the_seeds_unit_lstm_weights_work_with_steps_and_fail_with_real_activations(notebook):
    total = sum(T * 2**T for T in range(1, 13))
    assert total == 90_114
    assert count_wrong(SEED_LSTM, ideal=True) == 0
    assert count_wrong(SEED_LSTM) == 44_994  # the figure, verified
    assert notebook["count_wrong"](notebook["unit_weights"]) == 44_994
    assert notebook["count_wrong"](notebook["unit_weights"], ideal=True) == 0
    h = run_lstm(all_bit_strings(12), SEED_LSTM)  # the output never leaves 0.26..0.51: it ignores the parity
    assert 0.25 < h.min() and h.max() < 0.51
    wrong = (h > 0.5) != parity(all_bit_strings(12))
    assert wrong[parity(all_bit_strings(12)) == 1].mean() > 0.95  # nearly every parity-1 output is read 0


def test_saturating_weights_get_every_string_up_to_12_bits_and_long_ones_right(notebook):
    for weights in (SOLUTION_LSTM, notebook["lstm_weights"]):
        assert count_wrong(weights) == 0
        assert lstm_problem(weights, lstm_cases(np.random.default_rng(1))) is None
        one_then_zeros = np.zeros((1, 5000), dtype=int)
        one_then_zeros[0, 0] = 1
        assert np.all(run_lstm(one_then_zeros, weights) > 0.5)  # the cell holds a 1 through 5,000 zeros
    weak = {g: ([w[0] / 8, w[1] / 8], b / 8) for g, (w, b) in SOLUTION_LSTM.items()}  # not saturated enough
    assert count_wrong(weak) > 0


# ---------------------------------------------------------------- 3. beam search
def test_the_stopping_rule_returns_the_full_searchs_best_in_fewer_steps(notebook):
    rng = np.random.default_rng(2)
    steps = []
    for _ in range(200):
        P = random_table(rng, int(rng.integers(3, 8)))
        early, full = beam_search(P, 3, 15), beam_search(P, 3, 15, stop_early=False)
        assert early[0] == full[0] and early[1] == full[1]
        steps.append(early[2])
    assert np.mean(steps) < 6
    for case in beam_cases(np.random.default_rng(3)):  # the notebook's solution is the reference
        got = notebook["beam_search"](*case)
        assert got[0] == beam_search(*case)[0] and got[2] == beam_search(*case)[2]


def test_a_wide_beam_with_the_stopping_rule_finds_the_most_likely_sentence():
    rng = np.random.default_rng(4)
    for _ in range(20):
        P = random_table(rng, 4)
        best = max((list(seq) + [0] for n in range(6) for seq in itertools.product(range(1, 4), repeat=n)),
                   key=lambda tokens: sum(np.log(P[a, b]) for a, b in zip([0] + tokens[:-1], tokens)))
        assert beam_search(P, 4**6, 6)[0] == best


def test_the_toy_model_needs_a_beam_and_the_rule_stops_after_4_of_8_steps(notebook):
    P = notebook["P_toy"]
    assert np.allclose(P.sum(axis=1), 1)
    greedy, beam = beam_search(P, 1, 8), beam_search(P, 2, 8)
    assert notebook["sentence"](greedy[0]) == "the cat sat <eos>" and notebook["sentence"](beam[0]) == "the dog ran <eos>"
    assert beam[1] > greedy[1] and beam[2] == 4


def test_length_normalisation_breaks_the_rule(notebook):
    assert trap_problem(notebook["P_trap"]) is None
    early = beam_search(notebook["P_trap"], 2, 10, 1.0)
    full = beam_search(notebook["P_trap"], 2, 10, 1.0, stop_early=False)
    assert early[0] != full[0] and full[1] > early[1]
    rng = np.random.default_rng(5)  # random tables find such cases too (a few per cent of them)
    assert sum(trap_problem(random_table(rng, int(rng.integers(3, 7)))) is None for _ in range(300)) > 3


# ---------------------------------------------------------------- 4. gradients
def test_the_jacobian_is_the_transposed_matrix_power_and_matches_finite_differences(notebook):
    W = notebook["W_demo"]
    for t in (0, 1, 5, 12):
        assert np.allclose(notebook["jacobian"](W, t), jacobian(W, t))
    assert not np.allclose(jacobian(W, 5), np.linalg.matrix_power(W, 5))  # the transpose matters
    for W in random_matrices(np.random.default_rng(6)):
        h0 = np.random.default_rng(7).normal(size=len(W))
        eps, run = 1e-6, lambda h: np.linalg.matrix_power(W.T, 7) @ h
        numeric = np.stack([(run(h0 + eps * e) - run(h0 - eps * e)) / (2 * eps) for e in np.eye(len(W))], axis=1)
        assert np.allclose(jacobian(W, 7), numeric, atol=1e-6)


def test_gradient_norms_shrink_stay_and_grow_with_the_largest_eigenvalue(notebook):
    make = notebook["matrix_with_eigenvalues"]
    ends = {}
    for largest in (0.9, 1.0, 1.1):
        norms = gradient_norms(make([largest, 0.5, -0.4, 0.2], seed=1), 100)
        assert np.allclose(norms, notebook["gradient_norms"](make([largest, 0.5, -0.4, 0.2], seed=1), 100))
        assert abs(norms[100] / norms[99] - largest) < 1e-3  # the ratio tends to the largest |eigenvalue|
        ends[largest] = norms[100]
    assert ends[0.9] < 1e-4 and 0.5 < ends[1.0] < 3 and ends[1.1] > 1e3
