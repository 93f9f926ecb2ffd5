# Independent alternative solution of transformer_classification.ipynb (a4_sequence_models)
# %% answer X1_answer
def embed(self, inputs):
    # inputs (N, T) int64 -> (N, T, H)
    n_tokens = inputs.size(-1)
    word_vectors = self.embedding_voc(inputs)  # (N, T, H)
    place_vectors = self.embedding_pos.weight.narrow(0, 0, n_tokens)  # (T, H), rows 0..T-1
    return word_vectors + place_vectors.unsqueeze(0)  # broadcast over the N sentences


ClassificationTransformer.embed = embed
# %% answer X2_answer
def multi_head_attention(self, inputs, pad_mask=None):
    # inputs (N, T, H), pad_mask (N, T) bool, True at padding, or None -> (N, T, H)
    head_layers = [(self.q1, self.k1, self.v1), (self.q2, self.k2, self.v2)]
    outputs_per_head = []
    for query_layer, key_layer, value_layer in head_layers:
        Q = query_layer(inputs)  # (N, T, dq)
        K = key_layer(inputs)  # (N, T, dk)
        V = value_layer(inputs)  # (N, T, dv)
        logits = torch.einsum("nid,njd->nij", Q, K) / math.sqrt(K.shape[-1])  # (N, T_query, T_key)
        if pad_mask is not None:
            blocked = pad_mask.to(torch.bool).unsqueeze(1)  # (N, 1, T_key): same keys for every query
            logits = torch.where(blocked, torch.full_like(logits, float("-inf")), logits)
        weights = self.softmax(logits)  # over the keys (dim 2)
        outputs_per_head.append(torch.einsum("nij,njd->nid", weights, V))
    joined = torch.cat(outputs_per_head, dim=-1)  # (N, T, heads * dv)
    mixed = self.attention_head_projection(joined)
    return self.norm_mh(mixed + inputs)


ClassificationTransformer.multi_head_attention = multi_head_attention
# %% answer X3_answer
def to_multihead(model):
    # model: a ClassificationTransformer whose heads have hidden_dim / 2 numbers -> nn.MultiheadAttention
    hidden = model.hidden_dim
    attention = nn.MultiheadAttention(embed_dim=hidden, num_heads=2, batch_first=True)
    groups = {
        "q": (model.q1, model.q2),
        "k": (model.k1, model.k2),
        "v": (model.v1, model.v2),
    }
    with torch.no_grad():
        offset = 0
        for name in ("q", "k", "v"):  # queries, then keys, then values
            for layer in groups[name]:  # head 1, then head 2
                rows = layer.weight.shape[0]
                attention.in_proj_weight[offset:offset + rows, :] = layer.weight
                attention.in_proj_bias[offset:offset + rows] = layer.bias
                offset += rows
        assert offset == 3 * hidden, "each head must have hidden_dim / 2 numbers"
        attention.out_proj.weight.copy_(model.attention_head_projection.weight)
        attention.out_proj.bias.copy_(model.attention_head_projection.bias)
    return attention.eval()
# %% answer X4_answer
def feedforward_layer(self, inputs):
    # inputs (N, T, H) -> (N, T, H)
    widened = self.relu(self.ff_transform1(inputs))  # (N, T, dim_feedforward)
    narrowed = self.ff_transform2(widened)  # back to (N, T, H)
    residual = inputs + narrowed
    return self.norm_ff(residual)


ClassificationTransformer.feedforward_layer = feedforward_layer
# %% answer X5_answer
def final_layer(self, inputs):
    # inputs (N, T, H) -> probabilities (N, 1)
    cls_vectors = inputs.select(dim=1, index=0)  # (N, H): the [CLS] position
    logit = self.output_layer(cls_vectors)  # (N, 1)
    return self.sigmoid(logit)


ClassificationTransformer.final_layer = final_layer
# %% answer X6_answer
def forward(self, inputs):
    # inputs (N, T) int64 -> probabilities (N, 1)
    is_padding = inputs.eq(self.pad_index)  # (N, T), True at [PAD]
    states = self.embed(inputs)
    states = self.multi_head_attention(states, pad_mask=is_padding)
    states = self.feedforward_layer(states)
    return self.final_layer(states)


ClassificationTransformer.forward = forward
# %% answer X7_written
**Without the mask.** Every layer except attention works on each position alone, so the pads can only enter through attention. The pads' vectors are the `[PAD]` word embedding plus their own position embeddings, so more pads means more keys and values. In every head, the `[CLS]` query (and every word's query) gives each pad key a positive softmax weight. The pads' values then enter the weighted sum, and the other words' weights shrink, because the weights still add up to 1. So the attention output at position 0 changes with the number of pads. The residual, `norm_mh`, the feed-forward layer and `norm_ff` work on that vector position by position and keep the change, and `output_layer` reads it at `[CLS]`. So the score drifts with the padding.

**With the mask.** The pad keys get a score of −∞, so after the softmax their weight is exactly 0. The weights over the real keys are then exactly the ones a sentence with no padding would get. The pads' own rows are still computed (their queries attend to the real words), but no position ever reads a pad's value. After attention, every layer works on each position alone, so nothing mixes positions again. The `[CLS]` vector is therefore the same for any number of pads: the model has one attention layer, and it is the only place where positions mix.

**With the flattened head.** The classifier would read all T·H numbers, including the pads' final vectors. Those vectors are not masked: they are computed from the pad embeddings and their positions. So the score would depend on the padding again, even with the mask. Also, adding pads changes T, and the head's input size with it, so the head could not even be applied to a sentence of another length.
# %% answer X8_answer
def matthews(predictions, labels):
    # predictions, labels: (N,) arrays of 0 and 1 -> float
    guess = np.asarray(predictions).astype(bool).ravel()
    truth = np.asarray(labels).astype(bool).ravel()
    # np.count_nonzero returns Python ints: arbitrary precision, no overflow in the products below
    tp = int(np.count_nonzero(guess & truth))
    tn = int(np.count_nonzero(~guess & ~truth))
    fp = int(np.count_nonzero(guess & ~truth))
    fn = int(np.count_nonzero(~guess & truth))
    denominator_squared = (tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)
    if denominator_squared == 0:
        return 0.0
    return float((tp * tn - fp * fn) / math.sqrt(denominator_squared))
# %% answer X9_answer
def train_epoch(model, optimizer, inxs, labels, batch_size=64):
    # inxs (N, T) int64, labels (N,) 0/1 -> mean training loss (float)
    model.train()
    sentences = torch.from_numpy(np.ascontiguousarray(inxs)).long()
    targets = torch.from_numpy(np.asarray(labels, dtype=np.float32))
    count = sentences.shape[0]
    order = torch.randperm(count)
    summed_loss = 0.0
    start = 0
    while start < count:
        chosen = order[start:start + batch_size]
        probs = model(sentences[chosen]).reshape(-1)  # (B,)
        batch_loss = nn.functional.binary_cross_entropy(probs, targets[chosen], reduction="sum")
        optimizer.zero_grad(set_to_none=True)
        (batch_loss / chosen.numel()).backward()  # the mean over the batch drives the step
        optimizer.step()
        summed_loss += batch_loss.item()
        start += batch_size
    return summed_loss / count
# %% answer X9_written
After 8 epochs (tiny data) my model reaches a validation accuracy of 0.858 with an MCC of 0.658. The majority baseline always answers "acceptable" and gets an accuracy of 0.689 with an MCC of 0.

Accuracy alone misleads on CoLA because the classes are unbalanced: about 70% of the sentences are acceptable, so a model that has learnt nothing already scores about 0.69–0.70. An accuracy of 0.75 therefore sounds good but is only a little above that constant answer. The MCC uses all four cells of the confusion matrix and is 0 for any constant answer, whatever the class balance. So the baseline's MCC of 0 says it has no information about acceptability: its 69% is only the class frequency. A positive MCC means the model really tells the two classes apart.

Did more epochs help? In the tiny run, yes, mostly. The training loss fell at every epoch (0.594 down to 0.303), and the validation MCC rose from 0.35 to 0.66. Gains got smaller along the way, though: MCC stayed flat between epochs 6 and 7 (0.598) before a last jump. Neither curve has levelled off yet, so a few more epochs might still help a little. The training loss keeps falling faster than the validation numbers rise, so overfitting would come eventually. With real CoLA's 7,000 sentences I would expect the validation MCC to level off or drop much earlier.

One kind of error I expect it to miss is extraction from an island, for example *Who did some men see Mary and?* (a question word pulled out of a coordination or a relative clause). Every word in such a sentence is common, and each local pair of words ("see Mary", "Mary and") is fine. What is wrong is the long-distance link between *who* and a gap inside a structure it may not leave. A single attention layer, trained on a few thousand sentences without any notion of syntactic structure, mostly learns word and local-order cues (agreement, a missing object, word order). It has no reliable way to represent that constraint, so it will often call these sentences acceptable.
