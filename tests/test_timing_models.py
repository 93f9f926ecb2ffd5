import time

import torch

from helpers import get_device, seed_everything
from helpers.models import EmbeddingBagMLP, OneHotMLP, count_parameters, reset_weights
from helpers.timing import PhaseTimer, Timer, epoch_time


def test_timer_measures_wall_time():
    with Timer() as timer:
        time.sleep(0.05)
    assert 0.05 <= timer.seconds < 1.0


def test_phase_timer_adds_up_phases_and_data():
    phases = PhaseTimer()
    phases.start()
    for _ in range(2):
        time.sleep(0.02)  # "loading" the batch
        phases.data()
        with phases("forward"):
            time.sleep(0.01)
    assert phases.seconds["data"] >= 0.04 and 0.02 <= phases.seconds["forward"] < phases.seconds["data"]
    assert phases.table().splitlines()[1].startswith("data")


def test_epoch_time():
    assert epoch_time(100.0, 225.5) == (2, 5)
    assert epoch_time(0.0, 59.9) == (0, 59)


def test_seed_everything_repeats_and_device():
    seed_everything(3)
    a = torch.randn(3)
    seed_everything(3)
    assert torch.equal(a, torch.randn(3))
    assert get_device().type in ("cpu", "cuda")


def test_models_count_reset_and_embedding_bag_equivalence():
    seed_everything(0)
    mlp = OneHotMLP(50, hidden=8)
    assert count_parameters(mlp) == 50 * 8 + 8 + 8 + 1
    bag = EmbeddingBagMLP(50, hidden=8)
    with torch.no_grad():
        bag.fc1.weight.copy_(mlp.fc1.weight.T)
        bag.bias.copy_(mlp.fc1.bias)
        bag.fc2.load_state_dict(mlp.fc2.state_dict())
    reviews = [[3, 7, 9], [0, 49]]
    one_hot = torch.zeros(2, 50)
    for row, ids in enumerate(reviews):
        one_hot[row, ids] = 1
    ids = torch.tensor([i for r in reviews for i in r])
    offsets = torch.tensor([0, 3])
    assert torch.allclose(mlp(one_hot), bag(ids, offsets), atol=1e-6)
    before = mlp.fc1.weight.clone()
    reset_weights(mlp)
    assert not torch.equal(before, mlp.fc1.weight)
