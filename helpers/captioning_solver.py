"""Training loop for the numpy captioning models (assignment 4), in cs231n's shape.

    solver = CaptioningSolver(model, data, update_rule="adam",
                              optim_config={"learning_rate": 1e-3}, lr_decay=0.95,
                              batch_size=25, num_epochs=50, print_every=10)
    solver.train()
    plt.plot(solver.loss_history)

The model has ``params`` (a dict of arrays) and ``loss(features, captions) ->
(loss, grads)``; ``data`` is ``load_coco_data``'s dictionary. Each step draws a
minibatch of training captions at random (with replacement, from numpy's
global generator: seed it for a repeatable run), and updates every parameter
with its own copy of ``optim_config``. An epoch is ``N // batch_size`` steps,
after which every learning rate is multiplied by ``lr_decay``.
"""
from __future__ import annotations

from tqdm.auto import tqdm

from . import optim
from .datasets.coco_captions import sample_coco_minibatch

__all__ = ["CaptioningSolver"]


class CaptioningSolver:
    """Trains a captioning model by minibatch gradient descent; ``loss_history`` holds every step's loss.

    Args:
        model: with ``params`` and ``loss(features, captions)``.
        data: ``load_coco_data``'s dictionary.
        update_rule: ``"sgd"`` or ``"adam"`` (``helpers.optim``), or such a function.
        optim_config: the rule's settings, e.g. ``{"learning_rate": 1e-3}``.
        lr_decay: multiplies the learning rate after every epoch.
        batch_size: captions a step.
        num_epochs: passes over the training captions (in expectation: draws are random).
        print_every: print the loss every this many steps (when verbose).
        verbose: print those lines and show a progress bar.
    """

    def __init__(self, model, data, update_rule="sgd", optim_config=None, lr_decay=1.0, batch_size=100,
                 num_epochs=10, print_every=10, verbose=True):
        self.model, self.data = model, data
        self.update_rule = getattr(optim, update_rule) if isinstance(update_rule, str) else update_rule
        self.optim_config = dict(optim_config or {})
        self.lr_decay, self.batch_size, self.num_epochs = lr_decay, batch_size, num_epochs
        self.print_every, self.verbose = print_every, verbose
        self.epoch = 0
        self.loss_history: list[float] = []
        self.optim_configs = {name: dict(self.optim_config) for name in model.params}

    def _step(self) -> None:
        """One update of every parameter on one random minibatch."""
        captions, features, _ = sample_coco_minibatch(self.data, batch_size=self.batch_size, split="train")
        loss, grads = self.model.loss(features, captions)
        self.loss_history.append(float(loss))
        for name, value in self.model.params.items():
            self.model.params[name], self.optim_configs[name] = self.update_rule(
                value, grads[name], self.optim_configs[name])

    def train(self) -> None:
        """Run ``num_epochs`` epochs."""
        steps_per_epoch = max(self.data["train_captions"].shape[0] // self.batch_size, 1)
        total = self.num_epochs * steps_per_epoch
        with tqdm(total=total, desc="training", unit="step", disable=not self.verbose) as bar:
            for step in range(total):
                self._step()
                bar.update()
                bar.set_postfix(loss=f"{self.loss_history[-1]:.3f}", refresh=False)
                if self.verbose and step % self.print_every == 0:
                    bar.write(f"(Iteration {step + 1} / {total}) loss: {self.loss_history[-1]:f}")
                if (step + 1) % steps_per_epoch == 0:
                    self.epoch += 1
                    for config in self.optim_configs.values():
                        config["learning_rate"] *= self.lr_decay  # set by the rule at the first step
