# Alternative, independently written answers for a3_transformers_sentiment/theory.ipynb
# %% answer T1a_written
1. **Far fewer parameters, so it learns from less data.** A convolution reuses the same small filter at every position (weight sharing, local connectivity), so its weight count does not grow with the image size, whereas an RNN reading a row per step needs input weights for a whole row at once plus a dense hidden-to-hidden matrix, and learns each spatial relation only indirectly through its state.
2. **Translation equivariance and 2-D locality built in.** The same filter fires on a pattern wherever it appears and looks at neighbours in both directions, and pooling adds some invariance to small shifts, so an object moved by a few pixels gives nearly the same features; an RNN reading rows must learn separately what a pattern looks like at each horizontal position of the row vector, and vertically close pixels far apart in time must survive many state updates (vanishing gradients). (A further benefit: every position of a CNN layer is computed in parallel on a GPU, while an RNN runs its steps one after another.)

# %% answer T1b_written
1. **It handles inputs of any size / length with the same weights.** An RNN just takes more steps for a taller image (or a longer sequence), and its final state is always the same size, while a CNN ending in a fixed dense layer expects a fixed input size (or needs global pooling / resizing).
2. **Its receptive field is global from the start, and it can model long-range, order-dependent context.** The hidden state carries information from every row read so far, so the last state can in principle depend on the whole image, including relations between far apart regions, whereas a CNN sees only a small neighbourhood per layer and needs many layers (or pooling) before one unit covers the whole image. It also has a small memory footprint per step and can process a stream (e.g. a scanline from a sensor) online, with the same cost per row.

# %% answer T2
def final_output(xs):
    """The network's output y_T at the last step, from a closed form in the inputs.

    xs: a list of integers, of even length T.
    Returns: y_T, a float between 0 and 1.
    """
    values = np.asarray(xs, dtype=np.int64)
    # h_T = (x_2 + x_4 + ... + x_T) - (x_1 + x_3 + ... + x_{T-1}) for even T:
    # signs -1, +1, -1, +1, ... starting at x_1
    signs = np.resize(np.array([-1, 1], dtype=np.int64), values.shape[0])
    last_state = np.dot(signs, values)
    return sigmoid(1000.0 * last_state)


print(final_output([-1, 3]), run_network([-1, 3])[1][-1])

# %% answer T2_written
Unrolling gives h_2 = x_2 - x_1, h_4 = (x_4 - x_3) + (x_2 - x_1), and in general, after an even number T of steps, the hidden state holds the sum of the inputs at even positions minus the sum at odd positions: h_T = (x_2 + x_4 + ... + x_T) - (x_1 + x_3 + ... + x_{T-1}). The output y_T = σ(1000 h_T) therefore compares those two sums. Because the inputs are integers, h_T is an integer: if the even-position sum is larger (h_T ≥ 1), y_T = σ(≥1000) is 1 to machine precision; if the odd-position sum is larger (h_T ≤ -1), y_T is essentially 0; if the two sums are equal (h_T = 0), y_T = σ(0) = 1/2 exactly. The weight 1000 makes the sigmoid extremely steep, so it acts like a step function: a difference of just 1 already saturates it, turning the soft probability into a (near) hard yes/no decision "are the even-position inputs larger than the odd-position ones?".

# %% answer T3a
def token_norms(beta):
    """[||x1||, ||x2||, ||x3||] for orthogonal base vectors of norm beta."""
    # ||d + b||^2 = ||d||^2 + 2 d.b + ||b||^2 = 2 beta^2 since d.b = 0
    two_vectors = np.sqrt(2.0) * np.float64(beta)
    one_vector = np.float64(beta)
    return np.array((two_vectors, one_vector, two_vectors), dtype=np.float64)


print(np.asarray(token_norms(3.0), dtype=float))  # (3,)

# %% answer T3b
def self_attention(X):
    """Self-attention without weights: the rows of X are the queries, the keys and the values.

    X: the tokens, shape (n, d).
    Returns:
        Y: the outputs, shape (n, d): Y[i] = sum over j of A[i, j] X[j]
        A: the attention weights, shape (n, n): A[i] = the softmax over j of X[i] . X[j]
    """
    tokens = np.asarray(X, dtype=np.float64)
    scores = np.einsum("id,jd->ij", tokens, tokens)           # (n, n): x_i . x_j
    shifted = scores - scores.max(axis=-1, keepdims=True)     # largest score of each row becomes 0
    # log-softmax via log-sum-exp, then exponentiate: no overflow, rows sum to 1
    log_weights = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    weights = np.exp(log_weights)
    outputs = np.einsum("ij,jd->id", weights, tokens)         # (n, d): weighted mean of the tokens
    return outputs, weights


Y, A = self_attention(make_tokens(1.0))
print(np.round(A, 3))  # (3, 3)

# %% answer T3c_written
Each token is its own query and key, so where token i attends is decided by its dot products with the tokens: the largest score is always with itself (x_i·x_i = ||x_i||² beats any overlap, since the tokens differ in at least one orthogonal component), with a smaller score for tokens it shares a component with (x_1 and x_3 through b) and zero for unrelated ones (x_2). What gets copied are the values, which are the tokens themselves: y_i is the attention-weighted mean of the x_j, so when all the weight sits on j = i, y_i = x_i. The size of β sets the gap between scores (at least β²), and the softmax turns that gap into a weight ratio of e^{β²}: at small β the weights are spread and the outputs are blends (y_1 still mixes in x_3), while for large β (β = 5 already gives e^{25}) the softmax is effectively a hard argmax, the weight matrix is the identity and each output is an exact copy of its input. So large, well-separated dot products (like a large scale or temperature in a trained model's queries and keys) let attention select and copy one token; large scores are also why the softmax must subtract the row maximum to avoid overflow.
