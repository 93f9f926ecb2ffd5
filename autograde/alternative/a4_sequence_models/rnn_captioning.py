# Independent (student-like) solution of a4_sequence_models/rnn_captioning.ipynb, written from the release alone.
# %% answer R1
def rnn_step_forward(x, prev_h, Wx, Wh, b):
    """One step of a vanilla RNN: next_h = tanh(x Wx + prev_h Wh + b).

    Args:
        x: this step's inputs, of shape (N, D).
        prev_h: the previous hidden state, of shape (N, H).
        Wx: input-to-hidden weights, of shape (D, H).
        Wh: hidden-to-hidden weights, of shape (H, H).
        b: biases, of shape (H,).
    Returns:
        next_h: the next hidden state, of shape (N, H);
        cache: what rnn_step_backward needs (your choice).
    """
    pre_activation = np.matmul(x, Wx) + np.matmul(prev_h, Wh) + b
    next_h = np.tanh(pre_activation)
    cache = {"x": x, "prev_h": prev_h, "Wx": Wx, "Wh": Wh, "out": next_h}
    return next_h, cache
# %% answer R2
def rnn_step_backward(dnext_h, cache):
    """Backward pass of rnn_step_forward.

    Args:
        dnext_h: gradient of the loss with respect to next_h, of shape (N, H).
        cache: from rnn_step_forward.
    Returns:
        dx (N, D), dprev_h (N, H), dWx (D, H), dWh (H, H), db (H,): the gradients of the loss
        with respect to each input of the step.
    """
    dpre = dnext_h * (1.0 - np.square(cache["out"]))          # through tanh: 1 - h^2, (N, H)
    dx = np.matmul(dpre, cache["Wx"].T)
    dprev_h = np.matmul(dpre, cache["Wh"].T)
    dWx = np.matmul(cache["x"].T, dpre)
    dWh = np.matmul(cache["prev_h"].T, dpre)
    db = np.sum(dpre, axis=0)
    return dx, dprev_h, dWx, dWh, db
# %% answer R3
def rnn_forward(x, h0, Wx, Wh, b):
    """A vanilla RNN over a sequence of T steps, from the initial hidden state h0.

    Args:
        x: the inputs of every step, of shape (N, T, D).
        h0: the initial hidden state, of shape (N, H).
        Wx (D, H), Wh (H, H), b (H,): as in rnn_step_forward, shared by every step.
    Returns:
        h: the hidden states of every step, of shape (N, T, H) (h0 not included);
        cache: what rnn_backward needs (your choice).
    """
    states, step_caches = [], []
    state = h0
    for x_step in np.moveaxis(x, 1, 0):                      # (N, D) at each step, in time order
        state, step_cache = rnn_step_forward(x_step, state, Wx, Wh, b)
        states.append(state)
        step_caches.append(step_cache)
    h = np.stack(states, axis=1)
    return h, step_caches
# %% answer R4
def rnn_backward(dh, cache):
    """Backward pass of rnn_forward.

    Args:
        dh: gradient of the loss with respect to every hidden state, of shape (N, T, H).
        cache: from rnn_forward.
    Returns:
        dx (N, T, D), dh0 (N, H), dWx (D, H), dWh (H, H), db (H,).
    """
    step_caches = cache
    n_steps = len(step_caches)
    carried = np.zeros_like(dh[:, 0])                        # gradient flowing back from step t + 1
    dx_steps = [None] * n_steps
    sums = None                                              # running sums of dWx, dWh, db over the steps
    for t in range(n_steps - 1, -1, -1):
        gx, carried, *weight_grads = rnn_step_backward(dh[:, t] + carried, step_caches[t])
        dx_steps[t] = gx
        if sums is None:
            sums = weight_grads
        else:
            for total, part in zip(sums, weight_grads):
                total += part
    dx = np.stack(dx_steps, axis=1)
    dh0 = carried
    dWx, dWh, db = sums
    return dx, dh0, dWx, dWh, db
# %% answer R5
def word_embedding_forward(x, W):
    """The vector of every word of a minibatch of captions.

    Args:
        x: word indices, integers in [0, V), of shape (N, T).
        W: one vector a word, of shape (V, D).
    Returns:
        out: the words' vectors, of shape (N, T, D);
        cache: what word_embedding_backward needs.
    """
    out = np.take(W, x, axis=0)
    cache = (x, W.shape[0])
    return out, cache
# %% answer R6
def word_embedding_backward(dout, cache):
    """Backward pass of word_embedding_forward.

    Args:
        dout: gradient of the loss with respect to out, of shape (N, T, D).
        cache: from word_embedding_forward.
    Returns:
        dW: gradient of the loss with respect to W, of shape (V, D).
    """
    indices, vocab_size = cache
    # one-hot rows (N, T, V) against the upstream gradients: repeated words add up in the sum
    one_hot = (indices[..., None] == np.arange(vocab_size)).astype(dout.dtype)
    dW = np.einsum("ntv,ntd->vd", one_hot, dout, optimize=True)
    return dW
# %% answer R7
class CaptioningRNN:
    """An image captioning model: image features -> initial hidden state, then a recurrent
    network that writes the caption word by word.

    Sizes: N captions, D features an image, W word-vector size, H hidden size, V words.
    """

    def __init__(self, word_to_idx, input_dim=512, wordvec_dim=128, hidden_dim=128, cell_type="rnn",
                 dtype=np.float32):
        """
        Args:
            word_to_idx: the vocabulary, word -> index in [0, V); it holds "<NULL>", and
                "<START>" and "<END>" for sampling.
            input_dim: D, the size of an image's features.
            wordvec_dim: W, the size of a word vector.
            hidden_dim: H, the size of the hidden state.
            cell_type: "rnn" (the next notebook adds "lstm").
            dtype: the parameters' dtype (np.float64 for gradient checks).
        """
        if cell_type not in ("rnn", "lstm"):
            raise ValueError(f'cell_type must be "rnn" or "lstm", got {cell_type!r}')
        self.cell_type, self.dtype = cell_type, dtype
        self.word_to_idx = word_to_idx
        self.idx_to_word = {i: w for w, i in word_to_idx.items()}
        self._null = word_to_idx["<NULL>"]
        self._start = word_to_idx.get("<START>")
        self._end = word_to_idx.get("<END>")

        V, gates = len(word_to_idx), {"rnn": 1, "lstm": 4}[cell_type]
        self.params = {
            "W_embed": np.random.randn(V, wordvec_dim) / 100,
            "W_proj": np.random.randn(input_dim, hidden_dim) / np.sqrt(input_dim),
            "b_proj": np.zeros(hidden_dim),
            "Wx": np.random.randn(wordvec_dim, gates * hidden_dim) / np.sqrt(wordvec_dim),
            "Wh": np.random.randn(hidden_dim, gates * hidden_dim) / np.sqrt(hidden_dim),
            "b": np.zeros(gates * hidden_dim),
            "W_vocab": np.random.randn(hidden_dim, V) / np.sqrt(hidden_dim),
            "b_vocab": np.zeros(V),
        }
        for name, value in self.params.items():
            self.params[name] = value.astype(dtype)

    def _initial_state(self, features):
        """h0: the features projected to the hidden size, no activation, (N, H)."""
        p = self.params
        return np.einsum("nd,dh->nh", features, p["W_proj"], optimize=True) + p["b_proj"]

    def loss(self, features, captions):
        """The training loss of a minibatch, and its gradient.

        Args:
            features: image features, of shape (N, D).
            captions: the right captions, word indices of shape (N, T).
        Returns:
            loss: a float;
            grads: a dict with the gradient of the loss for every name of self.params, of its shape.
        """
        if self.cell_type != "rnn":
            raise NotImplementedError("only the vanilla RNN is written in this notebook")
        captions_in = captions[:, :-1]   # (N, T - 1): what the network reads, from <START>
        captions_out = captions[:, 1:]   # (N, T - 1): what it should predict at each step
        mask = captions_out != self._null
        p = self.params

        # forward
        start_state = self._initial_state(features)                                     # (N, H)
        word_vectors, embed_cache = word_embedding_forward(captions_in, p["W_embed"])   # (N, T-1, W)
        states, rnn_cache = rnn_forward(word_vectors, start_state, p["Wx"], p["Wh"], p["b"])  # (N, T-1, H)
        scores, vocab_cache = temporal_affine_forward(states, p["W_vocab"], p["b_vocab"])     # (N, T-1, V)
        loss, dscores = temporal_softmax_loss(scores, captions_out, mask)

        # backward, in the reverse order
        dstates, dW_vocab, db_vocab = temporal_affine_backward(dscores, vocab_cache)
        dword_vectors, dstart_state, dWx, dWh, db = rnn_backward(dstates, rnn_cache)
        dW_embed = word_embedding_backward(dword_vectors, embed_cache)
        dW_proj = np.einsum("nd,nh->dh", features, dstart_state, optimize=True)
        db_proj = dstart_state.sum(axis=0)

        grads = dict(W_embed=dW_embed, W_proj=dW_proj, b_proj=db_proj, Wx=dWx, Wh=dWh, b=db,
                     W_vocab=dW_vocab, b_vocab=db_vocab)
        return loss, grads

    def sample(self, features, max_length=30):
        """Greedy captions: from <START>, the highest-scoring word at each step, fed back in.

        Args:
            features: image features, of shape (N, D).
            max_length: how many words to write.
        Returns:
            captions: the words chosen at each step (<START> not included), integers of shape
            (N, max_length).
        """
        p = self.params
        batch = features.shape[0]
        state = self._initial_state(features)
        current = np.full(batch, self._start)
        chosen = []
        for _ in range(max_length):
            vectors = np.take(p["W_embed"], current, axis=0)                      # (N, W)
            state, _ = rnn_step_forward(vectors, state, p["Wx"], p["Wh"], p["b"])
            word_scores = state @ p["W_vocab"] + p["b_vocab"]                     # (N, V)
            current = np.argmax(word_scores, axis=1)
            chosen.append(current)
        captions = np.stack(chosen, axis=1) if chosen else np.zeros((batch, 0), dtype=np.int64)
        return captions
# %% answer R9_written
With random weights the scores are all small, so the softmax is close to uniform over the $V$ words and every
step that counts costs about $-\ln(1/V) = \ln V$. Here $V = 153$, so $\ln V \approx 5.03$ a step. A step counts
when its target in `captions[:, 1:]` is not `<NULL>`: the caption's words and its `<END>`. The loss adds the
steps of a caption and averages over captions, so it is about (counted steps per caption) $\times \ln V$:

`(small_data["train_captions"][:, 1:] != data["word_to_idx"]["<NULL>"]).sum(axis=1).mean() * np.log(len(data["word_to_idx"]))`

gives $10.52 \times 5.03 \approx 52.9$ (in the tiny data mode), close to the first loss printed, about 51.4.
The gap has two sources. The first minibatch's 10 captions are a little shorter than average (10.0 counted
steps, so $10.0 \times 5.03 \approx 50.3$ for them). And the scores of the random model are small but not all
equal, so the softmax is not exactly uniform and the right word costs slightly more than $\ln V$ on average:
the actual loss sits about 2% above the estimate.

# %% answer R10_written
The model did not learn to describe pictures: with about two million parameters (in the tiny data mode) and only 50 captions it
learnt those 50 sentences by heart, each tied to its own image's feature vector, which acts like a key. On a
training image it finds the key and repeats the caption. A validation image is a key it has never seen, so
it writes something close to one of the memorised captions (of a training image whose features look
similar): well-formed, but its words match the new picture only partly, hence a BLEU-1 of about 0.27 on
validation images against 1.0 on the training ones.

To caption new pictures well it needs to learn the link between what is in a picture and the words, which
takes many more examples (the whole training set: on real COCO, 80,000 images with five captions each)
so that it cannot just memorise them, and then a model that generalises: regularisation (dropout, weight
decay, a smaller model), choosing the stopping point on the validation loss or BLEU, and possibly a better
cell (LSTM) or attention over the image.
