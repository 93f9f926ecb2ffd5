# Alternative (independent) answers for a3_transformers_sentiment/bert_gru_sentiment.ipynb
# %% answer B1
vocab_size = int(tokenizer.vocab_size)
greeting = 'Hello WORLD how ARE you?'
tokens = tokenizer.tokenize(greeting)
indexes = []
for piece in tokens:
    indexes.append(int(tokenizer.convert_tokens_to_ids(piece)))
print(vocab_size, tokens, indexes)
# %% answer B2
special_names = ("cls", "sep", "pad", "unk")
init_token, eos_token, pad_token, unk_token = (getattr(tokenizer, f"{kind}_token") for kind in special_names)
init_token_idx, eos_token_idx, pad_token_idx, unk_token_idx = (getattr(tokenizer, f"{kind}_token_id")
                                                               for kind in special_names)
print(init_token, eos_token, pad_token, unk_token)
print(init_token_idx, eos_token_idx, pad_token_idx, unk_token_idx)
# %% answer B3
max_input_length = int(bert.config.max_position_embeddings)  # the same as tokenizer.model_max_length
assert max_input_length == tokenizer.model_max_length


def tokenize_and_cut(sentence, max_input_length=max_input_length):
    '''The WordPieces of sentence, keeping room for [CLS] and [SEP].'''
    room = max_input_length - 2
    pieces = tokenizer.tokenize(sentence)
    return pieces[:room]


def text_to_ids(sentence, max_input_length=max_input_length):
    '''[CLS] id, the ids of the (cut) tokens, [SEP] id: at most max_input_length ints.'''
    encoded_ids = tokenizer.encode(sentence, add_special_tokens=True, truncation=True,
                                   max_length=max_input_length)
    return [int(i) for i in encoded_ids]


print(max_input_length, text_to_ids("Hello WORLD how ARE you?"))
# %% answer B4
split_gen = torch.Generator().manual_seed(2718)
shuffled = torch.randperm(len(train_rows), generator=split_gen).tolist()
n_keep = round(0.7 * len(train_rows))
train_data = [train_rows[k] for k in shuffled[:n_keep]]
valid_data = [train_rows[k] for k in shuffled[n_keep:]]
test_data = test_rows
print(f"train {len(train_data):,}, validation {len(valid_data):,}, test {len(test_data):,}")
# %% answer B5
class BERTGRUSentiment(nn.Module):
    def __init__(self, bert, hidden_dim, output_dim, n_layers, bidirectional, dropout):
        super().__init__()
        self.bert = bert
        feature_width = bert.config.hidden_size
        self.rnn = nn.GRU(input_size=feature_width, hidden_size=hidden_dim, num_layers=n_layers,
                          bidirectional=bidirectional, batch_first=True,
                          dropout=0.0 if n_layers < 2 else dropout)
        self.dropout = nn.Dropout(p=dropout)
        n_directions = 2 if bidirectional else 1
        self.out = nn.Linear(in_features=n_directions * hidden_dim, out_features=output_dim)

    def features(self, text, mask):
        keep = mask.bool()
        with torch.no_grad():
            states = self.bert(input_ids=text, attention_mask=keep.long()).last_hidden_state
            states = torch.where(keep.unsqueeze(-1), states, torch.zeros_like(states))
        return states

    def classify(self, features):
        _, h_n = self.rnn(features)                     # (layers * directions, B, H)
        n_dir = 2 if self.rnn.bidirectional else 1
        top = h_n.view(self.rnn.num_layers, n_dir, h_n.shape[1], h_n.shape[2])[-1]  # (directions, B, H)
        joined = top.permute(1, 0, 2).reshape(h_n.shape[1], n_dir * h_n.shape[2])  # forward then backward
        return self.out(self.dropout(joined))

    def forward(self, text, mask=None):
        '''(B, T) int64 token ids, or (B, T, E) features already computed -> (B, output_dim) logits.'''
        if text.is_floating_point():
            return self.classify(text)
        if mask is None:
            mask = text != pad_token_idx
        return self.classify(self.features(text, mask))

    def train(self, mode=True):
        super().train(mode)
        self.bert.eval()  # the frozen encoder's dropout stays off
        return self
# %% answer B6
HIDDEN_DIM = 256
OUTPUT_DIM = 1
N_LAYERS = 2
BIDIRECTIONAL = True
DROPOUT = 0.25
model = BERTGRUSentiment(bert, hidden_dim=HIDDEN_DIM, output_dim=OUTPUT_DIM, n_layers=N_LAYERS,
                         bidirectional=BIDIRECTIONAL, dropout=DROPOUT).to(device)
n_all = sum(p.numel() for p in model.parameters() if p.requires_grad)
for pname, param in model.named_parameters():
    if pname.startswith("bert"):
        param.requires_grad = False
n_trainable = count_parameters(model)
n_pooler = count_parameters(bert.pooler, trainable_only=False)
print(f"{n_all:,} trainable parameters, {n_trainable:,} once the encoder is frozen; the pooler holds {n_pooler:,}")
# %% answer B6_written
No. The pooler (a dense layer with tanh over the `[CLS]` vector) only makes `pooler_output`, and `features` keeps just `last_hidden_state`. So the pooler changes no prediction. BERT still computes it on every call, and its parameters never get a gradient.

Freezing does not change what the model computes: `features` already runs BERT under `no_grad`, so no gradient reached the encoder anyway, and the encoder's dropout is switched off by `eval()`, not by freezing. What it does change is bookkeeping: the encoder's weights no longer count as trainable, the optimizer built over the parameters that require a gradient leaves them out (no Adam state for them, and no risk of them being updated), and only the GRU and the linear layer are trained.
# %% answer B7
def binary_accuracy(logits, y):
    said_positive = logits > 0
    is_positive = y > 0.5
    n_right = torch.count_nonzero(said_positive == is_positive).item()
    return n_right / y.numel()


print(binary_accuracy(torch.tensor([2.0, -1.0, 0.5, -3.0]), torch.tensor([1.0, 0.0, 0.0, 0.0])))  # 0.75
# %% answer B8
def train(model, iterator, optimizer, criterion):
    model.train()
    loss_sum, acc_sum, n_batches = 0.0, 0.0, 0
    for inputs, targets in iterator:
        optimizer.zero_grad(set_to_none=True)
        scores = model(inputs)[:, 0]
        batch_loss = criterion(scores, targets)
        batch_loss.backward()
        optimizer.step()
        loss_sum += batch_loss.item()
        acc_sum += binary_accuracy(scores.detach(), targets)
        n_batches += 1
    return loss_sum / n_batches, acc_sum / n_batches


def evaluate(model, iterator, criterion, rounded=False):
    model.eval()
    losses, accuracies = [], []
    with torch.no_grad():
        for inputs, targets in iterator:
            scores = model(inputs)[:, 0]
            given = torch.round(torch.sigmoid(scores)) if rounded else scores
            losses.append(criterion(given, targets).item())
            accuracies.append(binary_accuracy(scores, targets))
    return float(np.mean(losses)), float(np.mean(accuracies))
# %% answer B9
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.Adam(params=[p for p in model.parameters() if p.requires_grad], lr=LR)
history = []
best_valid_loss = math.inf
best_state = None
for epoch_no in range(1, N_EPOCHS + 1):
    started = time.time()
    tr_loss, tr_acc = train(model, feature_batches("train", shuffle=True, seed=epoch_no), optimizer, criterion)
    va_loss, va_acc = evaluate(model, feature_batches("valid"), criterion)
    mins, secs = epoch_time(started, time.time())
    history.append((tr_loss, tr_acc, va_loss, va_acc))
    if va_loss < best_valid_loss:
        best_valid_loss = va_loss
        best_state = {key: tensor.detach().clone() for key, tensor in model.state_dict().items()}
    print(f"epoch {epoch_no} ({mins}m {secs}s): train loss {tr_loss:.3f}, acc {tr_acc:.2%} | "
          f"valid loss {va_loss:.3f}, acc {va_acc:.2%}")
# %% answer B10
def rounded_loss(tp, fn, tn, fp):
    # BCEWithLogitsLoss(x, y) = softplus(x) - x * y, for a "logit" x of 0 or 1
    per_case = {
        "tp": np.logaddexp(0.0, 1.0) - 1.0,  # x = 1, y = 1: ln(1 + e^-1)
        "fn": np.logaddexp(0.0, 0.0),        # x = 0, y = 1: ln 2
        "tn": np.logaddexp(0.0, 0.0),        # x = 0, y = 0: ln 2
        "fp": np.logaddexp(0.0, 1.0),        # x = 1, y = 0: ln(1 + e)
    }
    counts = {"tp": tp, "fn": fn, "tn": tn, "fp": fp}
    total = sum(counts.values())
    return sum(counts[k] * per_case[k] for k in counts) / total


PER_LABEL = 1000
floor = rounded_loss(PER_LABEL, 0, PER_LABEL, 0)
seed_losses = []
for accuracy in (0.8979, 0.9158, 0.9230):
    wrong_each = (1 - accuracy) * PER_LABEL  # errors per label (may be fractional)
    seed_losses.append(rounded_loss(PER_LABEL - wrong_each, wrong_each, PER_LABEL - wrong_each, wrong_each))
print(f"a perfect classifier: {floor:.3f}; the original's accuracies predict {[round(l, 3) for l in seed_losses]}")
# %% answer B11
def predict_sentiment(model, tokenizer, sentence):
    model.eval()
    batch = torch.as_tensor(text_to_ids(sentence), dtype=torch.long, device=device).unsqueeze(0)  # (1, T)
    with torch.no_grad():
        probability = torch.sigmoid(model(batch, torch.ones_like(batch))).squeeze()
    return float(probability)


for sentence in ("Justice League is terrible. I hated it.", "Avengers was great!!"):
    print(f"{predict_sentiment(model, tokenizer, sentence):.3f}  {sentence}")
# %% answer B12
my_reviews = [
    "A warm, clever little film: the cast is superb and I smiled from the first scene to the last.",
    "Two hours of my life I will never get back; the plot was a mess and the acting was wooden.",
]
for review in my_reviews:
    print(f"{predict_sentiment(model, tokenizer, review):.3f}  {review}")
# %% answer B12_written
Yes. The positive review got 0.991 and the negative one 0.051, both clearly on the right side. The positive one was easy: it is full of plain praise words ("superb", "clever", "warm", "smiled"), like the opinion words the training reviews carry. The negative one was the harder test, since it never says "bad" or "terrible": it relies on an idiom ("two hours of my life I will never get back") and on words that are negative only in a film review ("mess", "wooden"). The model still got it, which is where the pretrained encoder helps. It has seen these words in context during pretraining, while a model trained from scratch on a few thousand stand-in reviews would only know the words it met there. Sarcasm, or praise that is negated ("not superb at all"), would be a harder test.
