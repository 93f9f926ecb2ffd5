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
Both splits are sorted by label: all negative reviews come first, then all positive ones. The first
200 training reviews are therefore all negative (0 positives), and so are the first 200 test
reviews. A model trained on that slice only ever sees label 0, learns to answer "negative" whatever
the text, and that constant answer happens to be right on every one of the 200 test reviews. The
100% says nothing about sentiment; the subset is simply not representative (one class only).

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
for batch_no, (batch_x, batch_y) in enumerate(train_loader):
    phases.data()
    with phases("forward"):
        out = model(batch_x.to(device))
        batch_loss = criterion(out.squeeze(1), batch_y.to(device).float())
    with phases("backward"):
        optimizer.zero_grad(set_to_none=True)
        batch_loss.backward()
    with phases("step"):
        optimizer.step()
    if batch_no == 1:  # two batches timed
        break
ranked = sorted(phases.seconds.items(), key=lambda item: item[1])
slowest_phase = ranked[-1][0]
print(phases.table())

# %% answer II2b_answer
Loading the data is by far the slowest phase. `OneHotDataset.__getitem__` rebuilds every vector from
the raw text each time it is asked: it tokenizes the review, looks every word up, and writes the ones
one Python statement at a time, for each of the 128 samples of a batch, and again every epoch. The
forward, backward and step phases are a few big matrix operations done in optimised C/GPU code, so
they take a tiny share of the time. The fix is to encode the reviews once, up front, in bulk.

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
accuracies = []
best_lr, best_so_far = None, -1.0
for rate in learning_rates:
    candidate = OneHotMLP(vocab_size=len(vocab)).to(device)
    train(candidate, train_loader, lr=rate, epochs=5, desc=f"lr={rate:.0e}")
    score = accuracy(candidate, test_loader)
    accuracies.append(score)
    if score > best_so_far:  # strict: the first rate wins a tie, as np.argmax does
        best_lr, best_so_far = rate, score
for rate, score in zip(learning_rates, accuracies):
    print(f"lr {rate:.1e}: test accuracy {score:.1%}")

# %% answer II3b_answer
The accuracy depends strongly on the learning rate. From 1e-4 to about 3e-3 the model stays near 50%,
i.e. chance: with such small steps, five epochs (200 updates) hardly move the weights away from their
random start. From 1e-2 it starts to learn, and in my run it peaked at about 3e-2 (80%). At 1e-1 the
accuracy fell again (60%): the steps are so large that they overshoot, and the loss jumps around
instead of settling. So the best rate sits between "too slow to learn in the time given" and "too big
to be stable"; on a log scale the sweep finds it cheaply, and a finer sweep around it could refine it
(the exact peak can move a little from run to run, since the initialisation and batches are random).

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
My tokenizer leaves far fewer unknown tokens than the whitespace split, and about as few as
`basic_english`. Splitting off punctuation and lower-casing merges `Great`, `great`, `great!` and
`great,` into one entry, and removing `<br />` stops it from being glued to words, so the same
number of vocabulary entries now covers many more distinct words: the evidence for a word is no
longer split over several variants, and many rare variants stop being unknown. (The counts are not
perfectly comparable, since each tokenizer also produces a different number of tokens, e.g. the
punctuation marks, which are frequent and always known.)

# %% answer II4c
train_data = make_dataset(train_reviews, better_vocab, tokenizer=tokenize)
test_data = make_dataset(test_reviews, better_vocab, tokenizer=tokenize)
train_loader = DataLoader(train_data, batch_size=128, shuffle=True)
test_loader = DataLoader(test_data, batch_size=1000)
better_model = train(OneHotMLP(vocab_size=len(better_vocab)).to(device), train_loader,
                     lr=best_lr, epochs=5, desc="better tokenizer")
accuracy_better = accuracy(better_model, test_loader)
print(f"test accuracy: {max(accuracies):.1%} splitting on whitespace, {accuracy_better:.1%} with your tokenizer")

# %% answer III0
outcomes = {}
for shuffled in (True, False):
    loader_variant = DataLoader(train_data, batch_size=128, shuffle=shuffled)
    net = OneHotMLP(vocab_size=len(better_vocab)).to(device)
    train(net, loader_variant, lr=best_lr, epochs=5, desc=f"shuffle={shuffled}")
    outcomes[shuffled] = accuracy(net, test_loader)
accuracy_shuffled, accuracy_unshuffled = outcomes[True], outcomes[False]
print(f"{'shuffle':<10}{'test accuracy':>14}")
print(f"{'True':<10}{accuracy_shuffled:>14.1%}\n{'False':<10}{accuracy_unshuffled:>14.1%}")

# %% answer III1_answer
The training set is sorted by label: 2,500 negative reviews, then 2,500 positive ones. Without
shuffling, every epoch first deals about 20 batches that are all negative, then about 20 that are all
positive. Each batch's gradient only says "push everything towards 0" (or towards 1), so the model
mostly learns the label of the recent batches rather than which words distinguish them; and each
epoch ends with a long run of positive batches, which drags the output towards "positive" for every
review just before we evaluate. The result is close to a constant predictor, near 50% on the balanced
test set. With shuffling each batch is a random mix of both classes, so its gradient is an unbiased
estimate of the gradient of the whole training loss and the model learns the words that separate
the classes. Lesson: always shuffle the training data (when it can be ordered in any way), and keep a
fixed order only for evaluation, where it does not matter.

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
batch_accuracy, batch_seconds = {}, {}
for size in batch_sizes:
    sized_loader = DataLoader(train_data, batch_size=size, shuffle=True)
    net = OneHotMLP(vocab_size=len(better_vocab)).to(device)
    with Timer(device) as clock:
        train(net, sized_loader, lr=best_lr, epochs=2, desc=f"batch size {size}")
    batch_seconds[size] = clock.seconds
    batch_accuracy[size] = accuracy(net, test_loader)
    print(f"batch size {size:>5}: {batch_accuracy[size]:.1%} test accuracy, {batch_seconds[size]:.1f} s")

# %% answer III3_answer
With a fixed learning rate and a fixed number of epochs, the batch size trades time for the number of
updates. Batch size 1 makes 5,000 updates an epoch: it reached the best accuracy after 2 epochs (about
94%) but was by far the slowest (10 to 25 s in my runs), since each step processes one sample and
pays the Python, loader and kernel-launch overhead every time. Batch size 16 was almost as accurate
and about ten times faster. With 128 and 1024 an epoch takes well under a second (a few big matrix products), but
1024 makes only 5 updates an epoch, too few at this rate: it stayed near chance (54%), and 128 (40
updates an epoch) was in between. Past a point larger batches stop saving time (128 and 1024 took
about the same), while still cutting the number of steps. Larger batches give smoother gradients and
better hardware use, but need a larger learning rate or more epochs to make up for the fewer steps;
a moderate batch size is the usual compromise.

# %% answer IV1a
inputs, targets = next(iter(train_loader))
inputs, targets = inputs.to(device), targets.to(device)
with torch.no_grad():
    logits = model(inputs)  # (B, 1)
    probs = 1.0 / (1.0 + torch.exp(-logits))  # the sigmoid, written out
print(f"logits {tuple(logits.shape)}; probabilities from {probs.min():.3f} to {probs.max():.3f}")

# %% answer IV1b
train(model, train_loader, lr=best_lr, epochs=5)
model.eval()
with torch.no_grad():
    trained_probs = torch.sigmoid(model(inputs)).squeeze(1)
guesses = (trained_probs > 0.5).long()
batch_accuracy_trained = (guesses == targets).double().mean()
print(f"accuracy on this batch after training: {batch_accuracy_trained:.1%}")

# %% answer IV2
n_parameters = 0
for tensor in model.parameters():
    if tensor.requires_grad:
        n_parameters += tensor.numel()
# by hand: fc1 has V x 200 weights + 200 biases, fc2 has 200 weights + 1 bias
assert n_parameters == len(better_vocab) * 200 + 200 + 200 + 1
print(f"{n_parameters:,} parameters")

# %% answer V1a
initial_loss_theory = -np.log(0.5)

# %% answer V1a_answer
If $p_i = 0.5$ for every review, then for a positive review the term is $\ln p_i = \ln 0.5$ and for a
negative one it is $\ln(1 - p_i) = \ln 0.5$ as well. Every sample contributes $-\ln 0.5$, so the
average is $L = -\ln 0.5 = \ln 2 \approx 0.693$, whatever the labels. An untrained network has small
random weights, so its logits are near 0 and its probabilities near 0.5: its loss should start at
about $\ln 2$.

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
A model object keeps its weights between cells. Running a training cell a second time does not start
over: it continues from the weights the first run left, so the first logged loss is already low
(not about ln 2), and the results mix several runs, e.g. a comparison then credits extra epochs to
one setting. `reset_weights` re-initialises every layer (as a new model would), so the loss before
training is back near ln 2; alternatively build a fresh model inside the cell that trains it.

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
It evaluates every sample of the test set once: `len(loader.dataset)` samples (5,000 here), spread
over `len(loader)` batches, and it divides the number of right answers by the number of samples,
`len(loader.dataset)`, not by the number of batches `len(loader)` (which would give an "accuracy" far
above 1). The last batch may be smaller than the others, so counting right answers and dividing by
the sample count (rather than averaging per-batch accuracies) is what weights every sample equally.
`model.eval()` and `@torch.no_grad()` make it a pure measurement: no dropout/batch-norm training
behaviour, no gradient graph kept, no weights changed.

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
The training perplexity falls towards 1 (1.003 after 30 epochs; it jumps around in the first epochs
because 0.5 is a large rate for batches of 32): with 1,000 reviews and a network of about half a
million parameters, the model can memorise the training set and grows ever more confident on it.
The test perplexity follows it down only at first, reaches its minimum (about 1.29, around epoch 13
in my run), then climbs again (1.62 at the end) while the training perplexity keeps falling: from
there on the model learns quirks of these 1,000 reviews (rare words that happen to occur in one
class) rather than sentiment, and its confident mistakes on new reviews are punished harder and
harder by the cross-entropy. That widening gap is overfitting. The best model is the one at the epoch
of lowest held-out perplexity (one would pick it on a validation set, not the test set): stop there
(early stopping), or use more data, a smaller model or regularisation (weight decay, dropout).
