# Independent student-style answers for a2_embeddings_seq2seq/seq2seq.ipynb
# %% answer S1
def _spacy_words(pipeline, text):
    """Lower-cased tokens of `text`, in reading order, skipping spaCy's whitespace tokens."""
    kept = []
    for tok in pipeline.tokenizer(text):
        if tok.is_space:
            continue
        kept.append(tok.text.lower())
    return kept


def tokenize_de(text):
    # the source is fed backwards (Sutskever et al.)
    return list(reversed(_spacy_words(nlp_de, text)))


def tokenize_en(text):
    return _spacy_words(nlp_en, text)


print(tokenize_de("Zwei Hunde spielen im Schnee."), tokenize_en("Two dogs are playing in the snow."))

# %% answer S2
german_texts = [pair[0] for pair in train_pairs]
english_texts = [pair[1] for pair in train_pairs]
src_vocab = Vocab.build(texts=german_texts, tokenizer=tokenize_de, min_freq=2, specials=SEQ2SEQ_SPECIALS)
trg_vocab = Vocab.build(texts=english_texts, tokenizer=tokenize_en, min_freq=2, specials=SEQ2SEQ_SPECIALS)
print(f"German vocabulary: {len(src_vocab)} tokens; English vocabulary: {len(trg_vocab)} tokens")

# %% answer S3
class Encoder(nn.Module):
    def __init__(self, input_dim, emb_dim, hid_dim, n_layers, dropout):
        super().__init__()
        self.hid_dim, self.n_layers = hid_dim, n_layers
        self.embedding = nn.Embedding(num_embeddings=input_dim, embedding_dim=emb_dim)
        self.rnn = nn.LSTM(input_size=emb_dim, hidden_size=hid_dim, num_layers=n_layers, dropout=dropout)
        self.dropout = nn.Dropout(dropout)

    def forward(self, src):
        # src = [src len, batch size]
        embedded = self.dropout(self.embedding(src))  # [src len, batch size, emb dim]
        _per_step, state = self.rnn(embedded)         # no initial state: zeros
        hidden, cell = state
        # hidden = cell = [n layers, batch size, hid dim]
        return hidden, cell

# %% answer S4
class Decoder(nn.Module):
    def __init__(self, output_dim, emb_dim, hid_dim, n_layers, dropout):
        super().__init__()
        self.output_dim = output_dim
        self.hid_dim = hid_dim
        self.n_layers = n_layers
        self.embedding = nn.Embedding(num_embeddings=output_dim, embedding_dim=emb_dim)
        self.rnn = nn.LSTM(input_size=emb_dim, hidden_size=hid_dim, num_layers=n_layers, dropout=dropout)
        self.fc_out = nn.Linear(in_features=hid_dim, out_features=output_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, input, hidden, cell):
        # input = [batch size]; hidden = cell = [n layers, batch size, hid dim]
        step_in = self.dropout(self.embedding(input.unsqueeze(0)))  # [1, batch size, emb dim]
        top, (hidden, cell) = self.rnn(step_in, (hidden, cell))     # top = [1, batch size, hid dim]
        prediction = self.fc_out(top[-1])
        # prediction = [batch size, output dim]
        return prediction, hidden, cell

# %% answer S5
class Seq2Seq(nn.Module):
    def __init__(self, encoder, decoder):
        super().__init__()
        assert encoder.hid_dim == decoder.hid_dim, "encoder and decoder need the same hidden size"
        assert encoder.n_layers == decoder.n_layers, "encoder and decoder need the same number of layers"
        self.encoder, self.decoder = encoder, decoder

    def forward(self, src, trg, teacher_forcing_ratio=0.5):
        # src = [src len, batch size]; trg = [trg len, batch size]
        trg_len, batch_size = trg.shape
        outputs = torch.zeros(trg_len, batch_size, self.decoder.output_dim, device=trg.device)
        hidden, cell = self.encoder(src)  # the context vector
        input = trg[0]                    # <sos>
        for t in range(1, trg_len):
            scores, hidden, cell = self.decoder(input, hidden, cell)
            outputs[t] = scores
            use_truth = random.random() < teacher_forcing_ratio
            if use_truth:
                input = trg[t]
            else:
                input = scores.argmax(dim=-1)
        return outputs  # [trg len, batch size, output dim]

# %% answer S6
def init_weights(m):
    with torch.no_grad():
        for weight in m.parameters():
            nn.init.uniform_(weight, a=-0.08, b=0.08)


model.apply(init_weights)
print(model)
print(f"The model has {count_parameters(model):,} trainable parameters")

# %% answer S7
def train(model, loader, optimizer, criterion, clip):
    model.train()
    running = torch.zeros((), dtype=torch.float64)
    n_batches = 0
    for src_batch, trg_batch in loader:
        src_batch = src_batch.to(device)
        trg_batch = trg_batch.to(device)
        optimizer.zero_grad()
        logits = model(src_batch, trg_batch, teacher_forcing_ratio=0.5)
        flat_logits = logits[1:].flatten(start_dim=0, end_dim=1)  # [(trg len - 1) * batch, output dim]
        flat_targets = trg_batch[1:].flatten()                    # [(trg len - 1) * batch]
        batch_loss = criterion(flat_logits, flat_targets)
        batch_loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=clip)
        optimizer.step()
        running += batch_loss.detach().double().cpu()
        n_batches += 1
    return float(running / n_batches)

# %% answer S8
train_losses, valid_losses = [], []
lowest_valid = math.inf
progress = tqdm(range(1, N_EPOCHS + 1), desc="epochs")
for epoch in progress:
    tick = time.time()
    tr_loss = train(model, train_loader, optimizer, criterion, clip=CLIP)
    va_loss = evaluate(model, valid_loader, criterion)
    tock = time.time()
    train_losses.append(tr_loss)
    valid_losses.append(va_loss)
    saved = ""
    if va_loss < lowest_valid:
        lowest_valid = va_loss
        torch.save(model.state_dict(), BEST_MODEL)
        saved = " (best so far, saved)"
    mins, secs = epoch_time(tick, tock)
    progress.set_postfix(train=f"{tr_loss:.3f}", valid=f"{va_loss:.3f}")
    tqdm.write(f"epoch {epoch:02d} | {mins}m {secs}s | train loss {tr_loss:.3f}, ppl {math.exp(tr_loss):8.3f}"
               f" | valid loss {va_loss:.3f}, ppl {math.exp(va_loss):8.3f}{saved}")

# %% answer S9
best_parameters = torch.load(BEST_MODEL, map_location=device, weights_only=True)
model.load_state_dict(best_parameters)
test_loss = evaluate(model=model, loader=test_loader, criterion=criterion)
print(f"test loss {test_loss:.3f} | test perplexity {math.exp(test_loss):7.3f}")

# %% answer S10
def translate(sentence, max_len=50):
    model.eval()
    ids = encode_sentence(tokenize_de(sentence), src_vocab)
    src_tensor = torch.tensor(ids, dtype=torch.long, device=device).view(-1, 1)  # [src len, 1]
    end_index = trg_vocab[EOS]
    produced = []
    with torch.inference_mode():
        hidden, cell = model.encoder(src_tensor)
        current = torch.full((1,), trg_vocab[SOS], dtype=torch.long, device=device)
        while len(produced) < max_len:
            scores, hidden, cell = model.decoder(current, hidden, cell)
            current = scores.argmax(dim=1)
            index = int(current[0])
            if index == end_index:
                break
            produced.append(trg_vocab.itos[index])
    return produced


for german, english in test_pairs[:5]:
    print(f"{german}\n  model:     {' '.join(translate(german))}\n  reference: {english}")

# %% answer S11
references, hypotheses = [], []
for german, english in test_pairs:
    references.append([tokenize_en(english)])
    hypotheses.append(translate(german))
bleu = corpus_bleu(list_of_references=references, hypotheses=hypotheses)
print(f"corpus BLEU on the test set: {bleu:.3f}")

# %% answer S12_answer
Validation runs with teacher forcing switched off: the decoder is fed its own predictions, so one wrong
word puts it on a path it rarely saw during training and the mistakes pile up along the sentence. In
training, half of the steps get the true previous word, which makes each prediction easier. So the two
losses measure different tasks, and the harder one (free-running) stays higher even with no overfitting
(dropout, on only in training, pulls the other way, but the exposure to its own errors dominates).

# %% answer S13_answer
All of the source has to be squeezed into a fixed-size vector (the final `hidden` and `cell`), whatever the
sentence length. The longer the sentence, the more information has to fit in the same space and the
further the early words are from where they are needed, so long sentences are translated worse (words get
dropped or repeated). Remedies: attention (Bahdanau et al.), which lets the decoder look at all the
encoder's per-step outputs and weight them at every step; also a bigger hidden size, a bidirectional
encoder, or feeding the context vector to every decoder step rather than only as its first state.
