# Independent student-style solution of a1_bow_sentiment/bow_sentiment.ipynb (written from the release only).
# %% answer I1
n_positive = 0
word_count = 0
for lab, review_text in train_reviews:
    if lab == 1:
        n_positive += 1
    word_count += len(review_text.split())
n_negative = len(train_reviews) - n_positive
avg_length = np.float64(word_count) / len(train_reviews)
print(f"positive: {n_positive}, negative: {n_negative}, average length: {avg_length:.1f} words")

# %% answer I2a
n_entries = len(vocab)
most_frequent = vocab.decode(range(1, 6))  # index 0 is <unk>, then words by falling frequency
least_frequent = vocab.decode(range(n_entries - 5, n_entries))
print("most frequent: ", most_frequent)
print("least frequent:", least_frequent)

# %% answer I2b
unk_index = vocab["qqq-a-token-that-no-review-contains-qqq"]
print("unknown words get index", unk_index)

# %% answer I2c
# vocab.freqs holds the whitespace counts of every training token, kept or not
n_unknown, n_unknown_types = 0, 0
for word, occurrences in vocab.freqs.items():
    if word not in vocab:
        n_unknown += occurrences
        n_unknown_types += 1
print(f"{n_unknown} unknown occurrences of {n_unknown_types} distinct words")

# %% answer I3a
n_positive_first_200 = Counter(lab for lab, _ in train_reviews[:200])[1]
print(f"{n_positive_first_200} positive reviews among the first 200")

# %% answer I3a_answer
Both splits are sorted by label, negatives first, so `train_reviews[:200]` holds 0 positive reviews
and `test_reviews[:200]` is all negative too. `first_200_model` only ever saw label 0, so it learned
to answer "negative" whatever the review says (in effect its output bias), not anything about
sentiment. That constant answer is right on every one of the 200 negative test reviews, hence 100%;
on 1,000 random test reviews, about half of them positive, it falls to chance (46% in my run). The
100% measures the one-class subset, not the model.

# %% answer I3b
import random

picker = random.Random(2024)
negatives = [review for review in train_reviews if review[0] == 0]
positives = [review for review in train_reviews if review[0] == 1]
balanced_200 = picker.sample(negatives, k=100) + picker.sample(positives, k=100)
picker.shuffle(balanced_200)
print(Counter(label for label, _ in balanced_200))

# %% answer II1
class_counts = Counter()
ones_so_far = torch.zeros((), dtype=torch.float64)
for vector, lab in tqdm(slow_train_data, desc="one pass over the slow dataset"):
    class_counts[int(lab)] += 1
    ones_so_far += vector.sum(dtype=torch.float64)
avg_encoded = ones_so_far / len(slow_train_data)
print(f"class counts: {dict(class_counts)}; average ones per vector: {avg_encoded:.1f} "
      f"(average review length: {avg_length:.1f} words)")

# %% answer II1_answer
A multi-hot vector only records *whether* a word occurs, not how often: a word repeated in a review
("the", "a", "movie", ...) sets the same entry to 1 again, so it counts once. On top of that, every
word outside the vocabulary maps to the single `<unk>` index, so all unknown words of a review
together give at most one 1. Hence fewer ones than words.

# %% answer II2a
model.train()
phases.start()
for batch_x, batch_y in tqdm(train_loader, desc="one timed epoch", leave=False):
    phases.data()
    with phases("copy"):
        batch_x, batch_y = batch_x.to(device), batch_y.to(device)
    with phases("forward"):
        out = model(batch_x)
        batch_loss = criterion(out.squeeze(1), batch_y.float())
    with phases("backward"):
        optimizer.zero_grad(set_to_none=True)
        batch_loss.backward()
    with phases("step"):
        optimizer.step()
ranked = sorted(phases.seconds.items(), key=lambda item: item[1])
slowest_phase = ranked[-1][0]
print(phases.table())

# %% answer II2b_answer
The *data* phase: 84% of the epoch in my run (0.87 s against 0.16 s for forward, backward and step
together). The culprit is `OneHotDataset.__getitem__`, run once per review, 128 times per batch and
again every epoch: `self.vocab.encode(self.tokenizer(text))` splits the text and looks every word up
in a dict in pure Python, `x = torch.zeros(len(self.vocab))` allocates a new vector, and above all
`for index in ...: x[index] = 1` writes the ones one at a time, each write a separate Python-level
tensor indexing call with its fixed overhead (then the loader still has to stack the 128 vectors).
The model phases are a handful of large matrix products in optimised C code, so they are cheap.

# %% answer II2c
def one_hot_matrix(reviews, vocab, tokenizer):
    """Every review's multi-hot vector at once: a (N, V) float32 tensor."""
    row_ids, col_ids = [], []
    for row, (_, review_text) in enumerate(reviews):
        present = set(vocab.encode(tokenizer(review_text)))
        row_ids.extend([row] * len(present))
        col_ids.extend(present)
    matrix = torch.zeros((len(reviews), len(vocab)), dtype=torch.float32)
    positions = (torch.as_tensor(row_ids, dtype=torch.long), torch.as_tensor(col_ids, dtype=torch.long))
    matrix.index_put_(positions, torch.tensor(1.0))  # one indexing operation sets all the ones
    return matrix

# %% answer II3a
accuracies, sweep_models = [], []
best_lr, best_so_far = None, -1.0
for rate in learning_rates:
    candidate = OneHotMLP(vocab_size=len(vocab)).to(device)
    train(candidate, train_loader, lr=rate, epochs=5, desc=f"lr={rate:.0e}")
    score = accuracy(candidate, test_loader)
    sweep_models.append(candidate)
    accuracies.append(score)
    if score > best_so_far:  # strict: the first rate wins a tie, as np.argmax does
        best_lr, best_so_far = rate, score
for rate, score in zip(learning_rates, accuracies):
    print(f"lr {rate:.1e}: test accuracy {score:.1%}")

# %% answer II3b_answer
At each step SGD sets $w \leftarrow w - \eta \, \partial L_B / \partial w$, where $L_B$ is the
loss of the current batch and $\eta$ the learning rate: the rate multiplies the gradient, so it
scales the length of every step. With 5 epochs of 40 batches the model gets exactly 200 steps
whatever the rate, so a tiny $\eta$ barely moves the weights from their random start: from 1e-4 to
3e-3 the accuracy stayed at chance (50-52%). Larger rates cover more ground in the same 200 steps:
61% at 1e-2, 72% at 3e-2 and 83% at 1e-1, the best of my sweep. The rise cannot go on for ever:
once a step is longer than the region where the gradient is a good guide, it overshoots the minimum
and the loss jumps around or diverges (VI.4 at 0.5 shows such a jump), so past some rate the curve
falls again; the best rate is the largest one that is still stable.

# %% answer II4a
LINE_BREAK = re.compile(r"<br\s*/?>", flags=re.IGNORECASE)
PUNCT_MARK = re.compile(r"([^\w\s])")


def tokenize(text):
    """Lower-case words and punctuation marks, each mark its own token; <br /> becomes a space."""
    spaced = LINE_BREAK.sub(" ", text.lower())
    spaced = PUNCT_MARK.sub(r" \1 ", spaced)  # put spaces around every mark
    return spaced.split()


print(tokenize("Great MOVIE!<br /><br />I loved it... 10/10"))

# %% answer II4b
better_vocab = Vocab.build((review_text for _, review_text in train_reviews), tokenize,
                           max_size=VOCAB_WORDS, specials=["<unk>"])
n_unknown_better = 0
for _, review_text in train_reviews:
    for token in tokenize(review_text):
        if token not in better_vocab:
            n_unknown_better += 1
print(f"{n_unknown_better} unknown token occurrences with tokenize")

# %% answer II4b_answer
In my run 8,237 unknown tokens against 22,396 for the whitespace split (basic_english: 8,229). The
whitespace vocabulary spends many of its 2,500 slots on variants of the same word (`The`/`the`,
`great!`, `great,`, `GREAT.<br`), and every rarer variant of a common word falls outside it. Lower-
casing, removing `<br />` and splitting off punctuation maps all those variants onto one token, so
a common word is counted as one entry with all its occurrences, the freed slots go to other words,
and the variants become known (the punctuation marks themselves are frequent tokens, always known).
What stays unknown are the genuinely rare words: proper names of people and places (like the
invented names in these reviews), misspellings, rare numbers and words that occur only a few times
in the whole training set.

# %% answer II4c
better_model = train(OneHotMLP(vocab_size=len(better_vocab)).to(device), train_loader,
                     lr=best_lr, epochs=5, desc="better tokenizer")
accuracy_better = accuracy(better_model, test_loader)
print(f"test accuracy: {max(accuracies):.1%} splitting on whitespace, {accuracy_better:.1%} with your tokenizer")

# %% answer III0
trained_nets, outcomes = {}, {}
for shuffled in (True, False):
    loader_variant = DataLoader(train_data, batch_size=128, shuffle=shuffled)
    net = OneHotMLP(vocab_size=len(better_vocab)).to(device)
    trained_nets[shuffled] = train(net, loader_variant, lr=best_lr, epochs=5, desc=f"shuffle={shuffled}")
    outcomes[shuffled] = accuracy(net, test_loader)
shuffled_model, unshuffled_model = trained_nets[True], trained_nets[False]
accuracy_shuffled, accuracy_unshuffled = outcomes[True], outcomes[False]
print(f"{'shuffle':<10}{'test accuracy':>14}")
print(f"{'True':<10}{accuracy_shuffled:>14.1%}\n{'False':<10}{accuracy_unshuffled:>14.1%}")

# %% answer III1_answer
**a.** (1) A steadier gradient: the mean gradient over 128 reviews is a far less noisy estimate of
the gradient of the whole training loss than one review's, so each step points more reliably
downhill and a larger learning rate stays stable. (2) Speed: the 128 reviews go through the network
as one matrix product, which vectorised hardware (CPU SIMD, above all a GPU) does almost as fast as
one vector, and the fixed costs of a step (the Python loop, the loader, the optimizer call, kernel
launches) are paid once per 128 reviews instead of once per review (III.3: 7 to 9 s for batch size 1
against 0.2 to 0.3 s for 128).

**b.** The training set is sorted by label, so without shuffling every epoch deals the same ~20
all-negative batches, then ~20 all-positive ones. During the first half every gradient says "push
every output towards 0", during the second "towards 1": the weights (the output bias first, and the
weights of words common to all reviews) swing after the label of the recent batches instead of
learning which words separate the classes, and each epoch ends after 20 positive batches, leaving a
model that calls nearly every review positive: 50.0% on the balanced test set, against 93.7% with
shuffling, where every batch is a mixed sample and its gradient an unbiased estimate of the full one.

**c.** No. `accuracy` counts right answers over all test samples; the model is fixed (eval mode, no
gradient, no step), and each review's prediction depends only on that review, so a different order
only puts reviews in different batches and the sum of right answers is the same. Shuffling the test
set would just cost time (and make runs harder to compare).

# %% answer III2a
n_batches, last_batch_size = 0, 0
for _, batch_labels in train_loader:
    n_batches += 1
    last_batch_size = len(batch_labels)
print(f"{n_batches} batches; the last holds {last_batch_size} samples")

# %% answer III2b
ratios = [(batch_labels == 1).sum().item() / batch_labels.numel() for _, batch_labels in train_loader]
mean_ratio = np.mean(ratios)
print(f"positive share per batch: from {min(ratios):.2f} to {max(ratios):.2f}, mean {mean_ratio:.3f}")

# %% answer III2c
first_inputs, first_labels = next(iter(train_loader))
input_shape, input_dtype = first_inputs.size(), first_inputs.dtype
label_shape, label_dtype = first_labels.size(), first_labels.dtype
print(f"inputs: {tuple(input_shape)} {input_dtype}; labels: {tuple(label_shape)} {label_dtype}")

# %% answer III3
batch_models, batch_accuracy, batch_seconds = {}, {}, {}
for size in batch_sizes:
    sized_loader = DataLoader(train_data, batch_size=size, shuffle=True)
    net = OneHotMLP(vocab_size=len(better_vocab)).to(device)
    with Timer(device) as clock:
        train(net, sized_loader, lr=best_lr, epochs=2, desc=f"batch size {size}")
    batch_models[size] = net
    batch_seconds[size] = clock.seconds
    batch_accuracy[size] = accuracy(net, test_loader)
    print(f"batch size {size:>5}: {batch_accuracy[size]:.1%} test accuracy, {batch_seconds[size]:.1f} s")

# %% answer III3_answer
In my runs: batch size 1: 93.4% in 7 to 9 s; 16: 94.1% in about 1 s; 128: 92.9% and 1024: 64.1%, both
in 0.2 to 0.3 s. Batch size 16 (closely followed by 1) learns most in two epochs: at a fixed learning rate,
smaller batches make more updates (10,000 steps for size 1, 626 for 16, 80 for 128, only 10 for
1024), and 10 steps at this rate are far too few, hence 64% for 1024. The large batches train fastest
(128 and 1024 both about 0.2 to 0.3 s): each step has a fixed cost (the Python loop, the loader, the
optimizer, launching each operation), paid 10,000 times for size 1 but 80 times for 128, and the
arithmetic itself runs in big matrix products that the hardware does efficiently; past ~128 there is
nothing left to save, so time stops falling while the number of steps keeps dropping. I would choose
128: within about a point of the best accuracy at a quarter of the time of size 16, and one or two
more epochs (or a somewhat larger rate) close the gap; 1024 would need a much larger rate or many
more epochs.

# %% answer IV1a
inputs, targets = next(iter(train_loader))
inputs, targets = inputs.to(device), targets.to(device)
with torch.no_grad():
    logits = model(inputs)  # (B, 1)
    probs = torch.sigmoid(logits)
print(f"logits {tuple(logits.shape)}; probabilities from {probs.min():.3f} to {probs.max():.3f}")

# %% answer IV1b
train(model, train_loader, lr=best_lr, epochs=5)
model.eval()
with torch.no_grad():
    trained_probs = torch.sigmoid(model(inputs)).squeeze(1)
guesses = (trained_probs > 0.5).long()
batch_accuracy_trained = (guesses == targets).double().mean()
print(f"accuracy on this batch after training: {batch_accuracy_trained:.1%}")

# %% answer IV2a
def parameter_rows(model):
    """(name, shape as a tuple of ints, number of values) for each parameter tensor, in named_parameters() order."""
    rows = []
    for param_name, tensor in model.named_parameters():
        dims = tuple(int(size) for size in tensor.size())
        rows.append((param_name, dims, math.prod(dims)))  # prod(()) == 1 for a scalar parameter
    return rows

# %% answer IV2
n_parameters = 0
for tensor in model.parameters():
    if tensor.requires_grad:
        n_parameters += tensor.numel()
# by hand: fc1 maps the V entries of better_vocab to 200 hidden units, one weight per (unit, entry) pair
counts_by_name = {name: count for name, _, count in parameter_rows(model)}
fc1_by_hand = model.fc1.out_features * len(better_vocab)
assert counts_by_name["fc1.weight"] == fc1_by_hand
print(f"fc1.weight: {model.fc1.out_features} x {len(better_vocab)} = {fc1_by_hand:,} "
      f"({fc1_by_hand / n_parameters:.2%} of the model)")

# %% answer V1a
initial_loss_theory = -np.log(0.5)

# %% answer V1a_answer
If $p_i = 0.5$ for every review, a positive review ($y_i = 1$) contributes $\ln p_i = \ln 0.5$ and a
negative one ($y_i = 0$) contributes $\ln(1 - p_i) = \ln 0.5$ as well. Every term of the sum is
$\ln 0.5$, so $L = -\frac{1}{N} \cdot N \ln 0.5 = -\ln 0.5 = \ln 2 \approx 0.693$, whatever the
labels. Freshly initialised layers draw small random weights and biases (PyTorch's default for
`nn.Linear` is uniform in $\pm 1/\sqrt{\text{fan\_in}}$, about $\pm 0.07$ for `fc2`), so the logit
is a sum of many small terms of random sign that largely cancel: $z \approx 0$ and
$\sigma(0) = 0.5$ (IV.1a: probabilities between 0.50 and 0.54).

# %% answer V1b
fresh_model = OneHotMLP(vocab_size=len(better_vocab)).to(device)
fresh_logits = fresh_model(inputs).squeeze(1)  # (B,)
fresh_probs = torch.sigmoid(fresh_logits)
y_float = targets.to(fresh_probs.dtype)
per_sample = y_float * torch.log(fresh_probs) + (1 - y_float) * torch.log1p(-fresh_probs)
loss_by_hand = -per_sample.sum() / per_sample.numel()
print(f"loss by hand: {loss_by_hand.item():.4f}; ln 2 = {math.log(2):.4f}")

# %% answer V1cd
bce = nn.BCELoss(reduction="mean")
loss_bce = bce(fresh_probs.unsqueeze(1), y_float.unsqueeze(1))
bce_logits = nn.BCEWithLogitsLoss(reduction="mean")
loss_with_logits = bce_logits(fresh_logits.unsqueeze(1), y_float.unsqueeze(1))
print(f"by hand {loss_by_hand.item():.6f}, BCELoss {loss_bce.item():.6f}, BCEWithLogitsLoss {loss_with_logits.item():.6f}")

# %% answer V2a
@torch.no_grad()
def mean_loss_over(model, loader, loss_fn):
    """Average per-sample loss over the whole loader (no training)."""
    model.eval()
    total, count = 0.0, 0
    for batch_x, batch_y in loader:
        batch_x, batch_y = batch_x.to(device), batch_y.to(device)
        total += loss_fn(model(batch_x).squeeze(1), batch_y.float()).item()
        count += len(batch_y)
    return total / count


def train_logged(model, loader, lr, epochs=5):
    """The training loop of II.3, returning the average loss before training and after each epoch."""
    summed = nn.BCEWithLogitsLoss(reduction="sum")
    mean_loss = nn.BCEWithLogitsLoss()
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    history = [mean_loss_over(model, loader, summed)]
    for _ in tqdm(range(epochs), desc="logged training", leave=False):
        model.train()
        for batch_x, batch_y in loader:
            batch_x, batch_y = batch_x.to(device), batch_y.to(device)
            step_loss = mean_loss(model(batch_x).squeeze(1), batch_y.float())
            opt.zero_grad()
            step_loss.backward()
            opt.step()
        history.append(mean_loss_over(model, loader, summed))
    return history
logged_model = OneHotMLP(len(better_vocab)).to(device)
losses = train_logged(logged_model, train_loader, best_lr)
print("loss before training and after each epoch:", [round(loss, 4) for loss in losses])

# %% answer V2b
reset_weights(logged_model)
loss_after_reset = train_logged(logged_model, train_loader, lr=best_lr, epochs=0)[0]
print(f"loss after reset: {loss_after_reset:.4f}")

# %% answer V2b_answer
`logged_model` keeps its weights between cells: the second call did not start from random weights
but went on training the weights the first run had left, so its "before training" loss (0.252) is
where the first run ended, far below ln 2 (0.693), and the two runs add up to 10 epochs, not 5. To
start again from random weights, something must re-initialise the model before the training cell:
re-run the cell that creates it (a fresh `OneHotMLP(...)`), or call `reset_weights(model)`. Safest is
to create the fresh model inside the same cell that trains it, so re-running that cell always starts
over (the optimizer too is created afresh by `train_logged`).

# %% answer V3a
model_2 = OneHotMLP(len(better_vocab), n_outputs=2).to(device)
logits_2 = model_2(inputs)  # (B, 2)
shifted = logits_2 - logits_2.max(dim=1, keepdim=True).values  # for numerical safety
exps = shifted.exp()
probs_2 = exps / exps.sum(dim=1, keepdim=True)
true_class_prob = probs_2.gather(1, targets.unsqueeze(1)).squeeze(1)
loss_2_by_hand = -true_class_prob.log().mean()
print(f"probabilities sum to {probs_2.sum(dim=1).mean():.3f}; loss {loss_2_by_hand.item():.4f}")

# %% answer V3b
cross_entropy = nn.CrossEntropyLoss()
loss_2_ce = cross_entropy(logits_2, targets)
print(f"CrossEntropyLoss {loss_2_ce.item():.6f}, by hand {loss_2_by_hand.item():.6f}")

# %% answer V3c
def train_2(model, loader, lr, epochs=5):
    """SGD on CrossEntropyLoss for a two-logit model (integer labels); returns the model."""
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    model.train()
    for _ in tqdm(range(epochs), desc="two logits", leave=False):
        for batch_x, batch_y in loader:
            scores = model(batch_x.to(device))  # (B, 2)
            step_loss = loss_fn(scores, batch_y.to(device))
            opt.zero_grad()
            step_loss.backward()
            opt.step()
    return model


@torch.no_grad()
def accuracy_2(model, loader):
    """Share of the loader's samples whose larger logit is the true class."""
    model.eval()
    hits, seen = 0, 0
    for batch_x, batch_y in loader:
        chosen = model(batch_x.to(device)).argmax(dim=1)
        hits += (chosen == batch_y.to(device)).sum().item()
        seen += batch_y.numel()
    return hits / seen


train_2(model_2, train_loader, lr=best_lr, epochs=5)
test_accuracy_2 = accuracy_2(model_2, test_loader)
print(f"two logits: {test_accuracy_2:.1%} test accuracy")

# %% answer VI1a
n_evaluated = sum(batch_labels.shape[0] for _, batch_labels in test_loader)
print(f"accuracy(model, test_loader) evaluates {n_evaluated} samples in {len(test_loader)} batches")

# %% answer VI1b_answer
`model.eval()` switches every sub-module to evaluation behaviour: dropout stops dropping units and
batch norm uses its stored running statistics instead of the batch's (and stops updating them). Our
`OneHotMLP` has neither, so today it changes nothing; but without it a model with dropout would give
random, worse predictions, a model with batch norm predictions that depend on the other reviews of
the batch, and the test data would leak into the running statistics. (It is a mode: `train` calls
`model.train()` again before training.)

`torch.no_grad()` tells autograd not to record the operations: no graph is built and no intermediate
activations are kept for a backward pass. The predictions are the same without it, but evaluation
would cost more memory (every batch's activations held until the outputs are freed) and more time,
and the outputs would require grad (e.g. `.numpy()` on them would fail). Neither of the two changes
the weights: only an optimizer step does that.

# %% answer VI1c
def predict(logits):
    """Labels (int64) from logits: sigmoid(z) > 0.5 exactly when z > 0."""
    return torch.where(logits > 0, 1, 0).to(torch.int64)

# %% answer VI2
def ppl_random(n_classes):
    """Perplexity of a model spreading probability 1/n_classes over every class: exp(-ln(1/C)) = C."""
    return np.exp(-np.log(1.0 / n_classes))


ppl_random_2 = ppl_random(2)  # exp(ln 2) = 2
ppl_perfect = np.exp(-np.log(1.0))  # true class with probability 1: loss 0, perplexity e^0 = 1
print(ppl_random_2, ppl_perfect, ppl_random(10))

# %% answer VI3
@torch.no_grad()
def evaluate(model, loader):
    """(accuracy, perplexity) of a one-logit model over the whole loader."""
    model.eval()
    summed_bce = nn.BCEWithLogitsLoss(reduction="sum")  # sum = batch mean weighted by batch size
    n_right, loss_total, n_seen = 0, 0.0, 0
    for batch_x, batch_y in loader:
        batch_x, batch_y = batch_x.to(device), batch_y.to(device)
        z = model(batch_x).squeeze(1)
        loss_total += summed_bce(z, batch_y.float()).item()
        n_right += (predict(z) == batch_y).sum().item()
        n_seen += len(batch_y)
    return n_right / n_seen, math.exp(loss_total / n_seen)
for name, m in [("untrained", OneHotMLP(len(better_vocab)).to(device)), ("trained", model)]:
    acc, ppl = evaluate(m, test_loader)
    print(f"{name:<10} accuracy {acc:.1%}, perplexity {ppl:.3f}")

# %% answer VI4
from torch.utils.data import Subset

all_labels = train_data.tensors[1]
chooser = torch.Generator().manual_seed(31)
chosen_ids = []
for wanted_label in (0, 1):
    pool = torch.nonzero(all_labels == wanted_label).squeeze(1)
    chosen_ids += pool[torch.randperm(len(pool), generator=chooser)[:500]].tolist()
small_train = Subset(train_data, chosen_ids)
small_loader = DataLoader(small_train, batch_size=32, shuffle=True)
small_eval_loader = DataLoader(small_train, batch_size=500)

overfit_model = OneHotMLP(vocab_size=len(better_vocab)).to(device)
sgd = torch.optim.SGD(overfit_model.parameters(), lr=0.5)
bce_loss = nn.BCEWithLogitsLoss()
train_ppl, test_ppl = [], []
for epoch in tqdm(range(30), desc="1,000 reviews"):
    overfit_model.train()
    for batch_x, batch_y in small_loader:
        batch_x, batch_y = batch_x.to(device), batch_y.to(device)
        step_loss = bce_loss(overfit_model(batch_x).squeeze(1), batch_y.float())
        sgd.zero_grad()
        step_loss.backward()
        sgd.step()
    train_ppl.append(evaluate(overfit_model, small_eval_loader)[1])
    test_ppl.append(evaluate(overfit_model, test_loader)[1])
print("train:", [round(p, 3) for p in train_ppl])
print("test: ", [round(p, 3) for p in test_ppl])

# %% answer VI4_answer
In my run the training perplexity fell from 1.90 to 1.002 by epoch 30, with one spike at epoch 5
(21 on training, 27 on test: a rate of 0.5 with batches of 32 made one step overshoot, and the next
epochs recovered). It keeps falling because about 500,000 parameters are plenty to memorise 1,000
reviews: the model becomes ever more confident on exactly these samples. The test perplexity follows
it down only at first, reaches its minimum, 1.30 at epoch 10, then climbs back to 1.66 while the
training perplexity still falls: from there on the model fits quirks of its 1,000 reviews (rare
words that happen to occur in one class) rather than sentiment, and grows confident on test reviews
it gets wrong, which the cross-entropy punishes harder and harder. That widening gap is overfitting.
I would keep the model of epoch 10, the lowest held-out perplexity (early stopping), chosen in
practice on a validation set rather than the test set, which must stay unseen for the final figure.
