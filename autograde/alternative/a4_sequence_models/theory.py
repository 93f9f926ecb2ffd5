# Alternative solution of a4_sequence_models/theory.ipynb, written from the release alone.
# %% answer P1
def parity_act(z):
    """Absolute value: |x_t - y_t-1| is 1 exactly when the two bits differ (XOR)."""
    return abs(float(z))


parity_W = np.array([-1.0, 1.0])  # [w_y, w_x]: the pre-activation is x_t - y_t-1
parity_b = np.float64(0.0)

print(run_rnn([[1, 1, 0, 1]], parity_act, parity_W, parity_b))  # (1, 4)
# %% answer P1_written
Table (y_t as a function of y_{t-1} and x_t), which is XOR:

| y_{t-1} | x_t | y_t |
|---|---|---|
| 0 | 0 | 0 |
| 0 | 1 | 1 |
| 1 | 0 | 1 |
| 1 | 1 | 0 |

Why a monotonic activation cannot do it: let z = w_y y + w_x x + b and say act is non-decreasing.
Reading y_t > 1/2 as 1 needs act(z) > 1/2 >= act(z') in each pair of a 1-row and a 0-row, so z > z'.
Row (0,1) against row (0,0) gives w_x + b > b, i.e. w_x > 0. Row (1,0) against row (1,1) gives
w_y + b > w_y + w_x + b, i.e. w_x < 0. Contradiction. For a non-increasing act all inequalities flip
and the same contradiction follows. (No activation at all is the identity, also monotonic; ReLU,
sigmoid and tanh are all monotonic.) The four points are not linearly separable, and a monotonic
function of one linear combination only ever gives a threshold on that line.

My network: act(z) = |z|, W = [w_y, w_x] = [-1, 1], b = 0, so z = x_t - y_{t-1}:
- y=0, x=0: z = 0, |0| = 0 -> 0
- y=0, x=1: z = 1, |1| = 1 -> 1
- y=1, x=0: z = -1, |-1| = 1 -> 1
- y=1, x=1: z = 0, |0| = 0 -> 0

The output is exactly 0 or 1 at every step, so the next input to the unit is again exactly a bit and
nothing drifts, however long the string.
# %% answer P2
def count_wrong(weights, ideal=False, max_len=12):
    """How many of the outputs on every string of 1 to max_len bits are read wrong (an int)."""
    import itertools

    n_wrong = 0
    length = 1
    while length <= max_len:
        strings = np.array(list(itertools.product((0, 1), repeat=length)), dtype=np.int64)  # (2**length, length)
        read = run_lstm(strings, weights, ideal=ideal) > 0.5
        n_wrong += int(np.count_nonzero(read != parity(strings).astype(bool)))
        length += 1
    return n_wrong


print(count_wrong(unit_weights, ideal=True, max_len=3))
# %% answer P2_written
With the real activations the unit weights put every pre-activation at 0 or +-1, where sigmoid and tanh
are nowhere near 0/1 or +-1:

- output gate: o = sigma(1) = 0.731 always, so h = 0.731 tanh(C), never more than 0.731 tanh(C);
- forget gate: x=0 -> sigma(1) = 0.731 (should be 1), x=1 -> sigma(0) = 0.5 (should be 0);
- input gate: x=0 -> sigma(0) = 0.5 (should be 0), x=1 -> sigma(1) = 0.731 (should be 1);
- candidate: tanh(1 - h): tanh(1) = 0.762 when h = 0, and about tanh(0.6) = 0.54 when h is 0.4, so it
  barely depends on h (it should be 1 or 0).

So on a 0 the cell is not kept: it keeps 73 % of itself and takes in half a candidate; on a 1 it is not
reset: it keeps half of itself and adds 0.73 of a candidate that hardly reflects the parity. For example
after the bit 1: C = 0.73 * 0.76 = 0.56 and h = 0.731 * tanh(0.56) = 0.37 < 1/2, already wrong. Every
update pulls C towards the same fixed point (C about 0.7-0.8, h about 0.45-0.5) whatever the bits were,
so h ends up between about 0.27 and 0.51, near 1/2 and almost always just under it, whatever the parity.
Read as a parity that is nearly always 0: almost every output with parity 1 is wrong (43,899 of 45,057),
the parity-0 outputs are right only because everything reads as 0, and the few outputs that creep just
above 1/2 (after long runs, h at most 0.505) are wrong when the parity there is 0 (1,095 of them):
44,994 of 90,114 in all.

What must change: the pre-activations have to be far from 0 (|z| of about 10 or more) so that the gates
saturate: forget close to 1 on a 0 (so the cell holds over hundreds of steps) and close to 0 on a 1,
input close to 0 on a 0 and to 1 on a 1, output close to 1, and a candidate that is firmly +-1 (or 0) on
either side of a threshold placed between the two values h actually takes (h is tanh(C) <= 0.76 for
C = 1, so the candidate's switch point must sit between 0 and about 0.76, not at 1). Multiplying the
weights by a large factor and shifting the candidate's bias does it.
# %% answer P3
# The cell holds +1 for parity 1 and -1 for parity 0 (0 before the first 1), so h = tanh(C) is about
# +0.76 or -0.76; each gate's pre-activation is at least 7 away from 0.
lstm_weights = {
    "output": (np.array([0.0, 0.0]), 8.0),        # o about 1
    "forget": (np.array([0.0, -40.0]), 20.0),      # x=0: sigma(20), keeps C; x=1: sigma(-20), drops it
    "input": (np.array([0.0, 40.0]), -20.0),       # x=0: sigma(-20), nothing in; x=1: sigma(20), all in
    "candidate": (np.array([-20.0, 0.0]), 8.0),    # tanh(8 - 20 h): +1 when h <= 0 (parity 0), -1 when h = 0.76
}

print(run_lstm([[1, 1, 0, 1]], lstm_weights).round(3))  # (1, 4)
# %% answer P4_written
Property: every term of log p is log p(y_t | y_<t) <= 0, since a probability is at most 1. So the score
never goes up when a hypothesis is extended: score(prefix + more tokens) <= score(prefix).

Proof. The search only ever extends hypotheses of the beam, so every hypothesis it would finish at a
later step j > i (had it gone on) is an extension of some hypothesis h in B_i (its first i tokens are h;
the beams after i only hold descendants of B_i). By the property, its score is <= score(h). When the
rule stops, score(best_{<=i}) >= score(h) for every h in B_i. Chaining: score(later finished) <=
score(h) <= score(best_{<=i}). So nothing finished later scores strictly higher than best_{<=i}, and the
search, which replaces its best only on a strictly higher score, would have returned best_{<=i} anyway
(hypotheses that finished at or before step i are already in best_{<=i}). If B_i is empty there is
nothing left to finish at all. The rule is safe with respect to the full beam search (not a claim
about the global optimum, which the beam may have pruned earlier).
# %% answer P4
def beam_search(P, width, max_len, alpha=0.0, stop_early=True):
    """Beam search on the bigram table P (V, V), token 0 being <eos>.

    Returns: (tokens, score, steps): the best finished hypothesis (a list of token ids ending in 0),
    its score log p / length**alpha, and the number of steps taken.
    """
    import torch

    log_table = torch.log(torch.as_tensor(np.asarray(P), dtype=torch.float64))  # (V, V)
    vocab = log_table.shape[0]
    beam = [((), torch.zeros((), dtype=torch.float64))]  # (tokens, log p): the empty hypothesis
    best_tokens, best_score = None, torch.tensor(float("-inf"), dtype=torch.float64)
    n_steps = 0
    for step_no in range(1, max_len + 1):
        n_steps = step_no
        norm = float(step_no) ** alpha
        open_ones = []
        for prefix, logp in beam:
            last = prefix[-1] if prefix else 0
            for token in range(vocab):
                new_logp = logp + log_table[last, token]
                if token == 0:
                    candidate_score = new_logp / norm
                    if candidate_score > best_score:
                        best_tokens, best_score = prefix + (0,), candidate_score
                else:
                    open_ones.append((prefix + (token,), new_logp))
        open_ones.sort(key=lambda pair: -pair[1].item())  # stable: ties keep their order
        beam = open_ones[:width]
        if stop_early:
            if not beam:
                break
            if all(best_score >= logp / norm for _, logp in beam):
                break
    tokens = [int(t) for t in best_tokens] if best_tokens is not None else []
    return tokens, best_score, n_steps


tokens, score, steps = beam_search(P_toy, width=2, max_len=8)
print(sentence(tokens), round(float(score), 4), steps)
# %% answer P5
# Search random tables (3 to 6 tokens) until the stopping rule, under alpha = 1, returns a different
# and worse hypothesis than the full search.
trap_rng = np.random.default_rng(seed=31)
P_trap = None
for attempt in range(5000):
    table = random_table(trap_rng, vocab=int(trap_rng.integers(3, 7)))
    with_rule = beam_search(table, 2, 10, alpha=1.0)
    no_rule = beam_search(table, 2, 10, alpha=1.0, stop_early=False)
    if list(with_rule[0]) != list(no_rule[0]) and float(no_rule[1]) > float(with_rule[1]) + 1e-6:
        P_trap = table
        break
print("found after", attempt + 1, "tables, of", len(P_trap), "tokens")

early = beam_search(P_trap, 2, 10, alpha=1.0)
full = beam_search(P_trap, 2, 10, alpha=1.0, stop_early=False)
print(f"with the rule: {early[0]} (score {early[1]:.3f}); without: {full[0]} (score {full[1]:.3f})")
# %% answer P5_written
The step that fails is "extending a hypothesis never raises its score". With score log p / n^alpha the
numerator still only goes down, but the denominator grows: a hypothesis whose first token was unlikely
(log p very negative) followed by very likely tokens (log-probabilities near 0) has a mean log-probability
that rises towards 0 as it grows. So a hypothesis in B_i that scores below best_{<=i} now can finish later
with a higher normalised score, and the chain score(later) <= score(h) <= score(best) breaks at its first
link.

A safe rule must compare best_{<=i} with an upper bound on what a beam hypothesis can still reach, not
with its current score. Since later tokens only add terms <= 0, a completion of h has log p <= log p(h)
(<= 0) and length n <= max_len, so its normalised score is at most log p(h) / max_len^alpha (dividing a
negative number by the largest denominator gives the largest value). Stop only when score(best_{<=i}) >=
max over h in B_i of log p(h) / max_len^alpha (or a tighter bound if there is a known per-token ceiling
on the log-probabilities); then no later hypothesis can beat best_{<=i}, as before.
# %% answer P6
def jacobian(W, t):
    """dh_t/dh_0 of h_t = W^T h_t-1: shape (n, n), entry [i, j] = d h_t[i] / d h_0[j]."""
    import torch

    step_matrix = torch.as_tensor(np.asarray(W), dtype=torch.float64).T  # dh_s/dh_s-1 = W^T
    product = torch.eye(step_matrix.shape[0], dtype=torch.float64)
    for _ in range(int(t)):
        product = torch.einsum("ij,jk->ik", step_matrix, product)     # (W^T)^t, one factor a step
    return product


print(jacobian(W_demo, 2).round(decimals=3))  # (3, 3)
# %% answer P7
def gradient_norms(W, T):
    """The spectral norm of dh_t/dh_0 for t = 0, ..., T: shape (T + 1,)."""
    import torch

    step_matrix = torch.as_tensor(np.asarray(W), dtype=torch.float64).T
    current = torch.eye(step_matrix.shape[0], dtype=torch.float64)   # t = 0: the identity
    values = torch.empty(T + 1, dtype=torch.float64)
    for t in range(T + 1):
        values[t] = torch.linalg.matrix_norm(current, ord=2)
        current = step_matrix @ current
    return values


print(gradient_norms(W_demo, 4).round(decimals=3))  # (5,)
# %% answer P7_written
From h_t = W^T h_{t-1}, the Jacobian is dh_t/dh_0 = (W^T)^t = (W^t)^T, and with W = Q Lambda Q^-1,
W^t = Q Lambda^t Q^-1, so dh_t/dh_0 = (Q^-1)^T Lambda^t Q^T. Its spectral norm lies between
rho^t / kappa and kappa rho^t, where rho = max |lambda| and kappa = cond(Q) is a fixed constant: as t grows,
the term of the largest |lambda| dominates and the norm behaves like rho^t (the smaller eigenvalues' terms
die out even faster).

- rho < 1 (0.9): the norm decays geometrically, a straight falling line on the log plot, with ratio
  norm(t+1)/norm(t) -> 0.9: after 100 steps about 0.9^100 ~ 3e-5. Vanishing gradient.
- rho = 1: after the other components die out the norm settles to a constant (set by Q), neither growing
  nor vanishing; the ratio -> 1.
- rho > 1 (1.1): it grows geometrically, ratio -> 1.1, about 1.1^100 ~ 1e4 after 100 steps. Exploding
  gradient.

For training on long sequences: the gradient of a loss at step t with respect to early states (and hence
the part of the weight gradient coming from long-range dependencies) is multiplied by this Jacobian's
transpose. With rho < 1 the signal from far away is exponentially small, so the network cannot learn
long-range dependencies (it only learns from the last few steps); with rho > 1 it is exponentially large,
the updates blow up and training is unstable (gradient clipping is the usual patch). Only eigenvalues of
modulus near 1 keep the signal alive, which motivates gated cells (LSTM/GRU, whose cell path has a forget
gate near 1), orthogonal/identity initialisation and clipping.
