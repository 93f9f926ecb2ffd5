# Independent student-style solution of release/a2_embeddings_seq2seq/word2vec.ipynb (written from the release alone).

# %% answer W1
_NOT_KEPT = re.compile(r"[^a-z@# ]+")
_SPACES = r" +"


def split_tokens(tweet, stop=None):
    """The tweet's tokens: lower case, only a-z@#, no stop words, stemmed."""
    stop = STOP_WORDS if stop is None else set(stop)
    lowered = tweet.lower()                       # 1. lower case
    cleaned = _NOT_KEPT.sub("", lowered)          # 2. only a-z, @, # and spaces
    pieces = re.split(_SPACES, cleaned)           # 3. split on runs of spaces
    result = []
    for piece in pieces:
        if not piece or piece in stop:            # 4. no empty strings, no stop words
            continue
        result.append(stemmer.stem(piece))        # 5. the stem
    return result


print(split_tokens(" @user Fathers are the BEST dads!!! &amp; #FathersDay 2016"))

# %% answer W2
word_counter = Counter()
for tweet_tokens in all_tokens:
    word_counter.update(tweet_tokens)
MIN_SEEN = 10
counts = Counter()
for tok, seen in word_counter.items():  # first-seen order, kept
    if seen > MIN_SEEN:
        counts[tok] = seen
vocab = list(counts)
n_v = len(vocab)
id2tok = {}
tok2id = {}
for position, tok in enumerate(vocab):
    id2tok[position] = tok
    tok2id[tok] = position
print(f"{n_v} tokens kept; the first ten: {vocab[:10]}")

# %% answer W3
tokens = []
for tweet_tokens in all_tokens:
    tokens.append(list(filter(tok2id.__contains__, tweet_tokens)))
kept = sum(map(len, tokens)) / sum(map(len, all_tokens))
print(f"{kept:.1%} of the tokens are kept")

# %% answer W4
def windowizer(doc, tok2id, wsize=3):
    """Sliding-window pairs of one token list: [(target id, context id), ...]."""
    ids = [tok2id[word] for word in doc]
    out = []
    for centre, centre_id in enumerate(ids):
        lo = max(centre - wsize, 0)
        hi = centre + wsize + 1  # slicing clips at the end
        for offset, ctx_id in enumerate(ids[lo:hi], start=lo):
            if offset != centre:
                out.append((centre_id, ctx_id))
    return out


toy = "cold rain soaks empty streets".split()
toy_ids = {word: index for index, word in enumerate(toy)}
print([(toy[t], toy[c]) for t, c in windowizer(toy, toy_ids, wsize=2)][:7])

# %% answer W5
pair_data = TensorDataset(targets, contexts)
shuffle_gen = torch.Generator().manual_seed(7)
train_loader = DataLoader(
    dataset=pair_data,
    batch_size=None,
    sampler=RandomBatchSampler(n=len(pair_data), batch_size=BATCH_SIZE, generator=shuffle_gen),
)
batch_targets, batch_contexts = next(iter(train_loader))
print(batch_targets.shape, batch_contexts.shape)  # [BATCH_SIZE], [BATCH_SIZE]

# %% answer W6
def one_hot_encode(index, size):
    return (torch.arange(size) == index).to(dtype=torch.float32)


size, index = 20, 7
one_hot = one_hot_encode(index, size)
print(one_hot)

# %% answer W7
def linear_outputs(layer, size):
    one_hots = torch.stack([one_hot_encode(index=i, size=size) for i in range(size)])  # the rows of eye(size)
    with torch.no_grad():
        return layer(one_hots)


def embedding_outputs(layer, size):
    with torch.no_grad():
        return layer(torch.arange(size, dtype=torch.long))


linear_all, embedding_all = linear_outputs(linear_layer, size), embedding_outputs(embedding_layer, size)
print(torch.equal(linear_all, embedding_all))

# %% answer W8
def batch_loss(model, targets, contexts):
    where = next(model.parameters()).device
    scores = model(contexts.to(where))
    return loss_fn(scores, targets.to(where))


probe_model = Word2Vec(n_v, EMBED_SIZE)
print(f"loss of an untrained model: {batch_loss(probe_model, batch_targets, batch_contexts).item():.3f}, "
      f"ln(vocabulary size) = {math.log(n_v):.3f}")

# %% answer W9
def distinct_batch_loss(model, targets, contexts):
    where = next(model.parameters()).device
    targets, contexts = targets.to(where), contexts.to(where)
    words, row_of = torch.unique(contexts, return_inverse=True)
    log_probs = torch.log_softmax(model(words), dim=-1)          # [n distinct, vocab]
    n_words = log_probs.shape[-1]
    picked = log_probs.reshape(-1)[row_of * n_words + targets]   # one log-probability per pair
    return picked.mean().neg()


print(f"{batch_contexts.unique().numel()} distinct context words in a batch of {len(batch_contexts)}")
print(f"{distinct_batch_loss(probe_model, batch_targets, batch_contexts).item():.5f} "
      f"vs {batch_loss(probe_model, batch_targets, batch_contexts).item():.5f}")

# %% answer W10
model = Word2Vec(vocab_size=n_v, embedding_size=EMBED_SIZE).to(device)
optimizer = torch.optim.AdamW(params=model.parameters(), lr=LR)
running_loss = []
model.train()
for epoch in tqdm(range(EPOCHS), desc="epochs"):
    loss_sum = torch.zeros((), dtype=torch.float64, device=device)
    n_batches = 0
    for tgt, ctx in train_loader:
        optimizer.zero_grad(set_to_none=True)
        step_loss = distinct_batch_loss(model, tgt.to(device), ctx.to(device))
        step_loss.backward()
        optimizer.step()
        loss_sum += step_loss.detach()
        n_batches += 1
    running_loss.append(np.float64((loss_sum / n_batches).item()))
print(f"loss: {running_loss[0]:.3f} after the first epoch, {running_loss[-1]:.3f} after the last")

# %% answer W11
def get_k_similar_words(word, dmat, k=10):
    me = tok2id[word]
    row = dmat[me]
    n_take = min(k + 1, row.numel())
    near_d, near_i = torch.topk(row, n_take, largest=False, sorted=True)
    found = []
    for dist, idx in zip(near_d, near_i.tolist()):
        if idx == me:
            continue
        found.append((idx, id2tok[idx], dist))
        if len(found) == k:
            break
    return found


for word in ["good", "day", "school", "father", "food", "game", "music", "summer", "work"]:
    print(f"{word:>7}: {[token for _, token, _ in get_k_similar_words(word, dmat)]}")

# %% answer W12_answer
For Word2Vec the training task (guess a word from its neighbour) is only a pretext: what we keep is the embedding, so overfitting would mean the vectors memorise quirks of this particular corpus (rare co-occurrences, individual tweets) instead of general usage, and would then transfer badly to other text. With a small model (50 dimensions), a vocabulary limited to words seen more than 10 times and a handful of epochs, the model cannot memorise the pairs; its loss stays high because the task is inherently ambiguous (many possible targets per context). So overfitting is not a real worry here; if anything, with so little text the vectors are under-trained rather than over-fitted.

# %% answer W13_answer
They are good for topical words: "school" gets library, homework, class, exam, teacher; "father" gets mother, dad, brother, son; "food" gets lunch, breakfast, pizza; "summer" gets holiday, beach, travel. Generic words such as "good" and "day" get only other generic, positive words (best, great, thank, fun), since they appear in tweets of every topic. Be careful, though: in the tiny mode the tweets are generated from topics, so this is easier than on real tweets, where the lists are noisier. They could be better with more text and more epochs, several context words averaged (true CBOW) or skip-gram, a larger window, subsampling very frequent tokens (@user, amp), negative sampling to train on a large vocabulary, and by tuning the embedding size. Averaging the `embed` and `expand` vectors is another thing to try.

# %% answer W14_answer
Word2Vec gives every word one fixed vector, learned by a shallow network (an embedding and a linear layer) from a small window of neighbours; the word "bank" has the same vector in every sentence. BERT is a deep Transformer pre-trained (masked-word prediction) on huge corpora, which reads the whole sentence in both directions with self-attention and produces contextual embeddings: the vector of a (sub)word depends on the sentence it is in. BERT is far bigger and costlier but captures meaning in context; Word2Vec is cheap and static.
