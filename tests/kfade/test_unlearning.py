import copy
import math

import pytest
import torch

from reprobook.kfade.unlearning import (
    METHODS, RetainReference, StepRecord, UpdateDelta, forget_gain_at_kl, kfade, token_nll, unlearn,
)

BASELINES = [method for method in METHODS if method != "kfade"]


@pytest.fixture(scope="module")
def kfade_run(trained, forget_batches, retain_batches):
    model = copy.deepcopy(trained)
    result = kfade(model, forget_batches, retain_batches, n_steps=2, kl_budget=0.05, mc_samples=1, seed=0)
    return model, result


def test_kfade_raises_forget_nll(kfade_run):
    _, result = kfade_run
    assert result.history[-1].forget_nll > result.history[0].forget_nll + 0.1


def test_kfade_respects_kl_budget(kfade_run, trained, retain_batches):
    model, _ = kfade_run
    assert RetainReference(trained, retain_batches).kl(model) <= 0.05 + 1e-6


def test_kfade_delta_is_the_weight_change(kfade_run, trained):
    model, result = kfade_run
    rebuilt = result.delta.apply(copy.deepcopy(trained))
    for (name, a), b in zip(model.named_parameters(), rebuilt.parameters()):
        torch.testing.assert_close(a, b, msg=name)


def test_kfade_repeats_bit_for_bit(kfade_run, trained, forget_batches, retain_batches):
    _, first = kfade_run
    second = kfade(copy.deepcopy(trained), forget_batches, retain_batches, n_steps=2, kl_budget=0.05,
                   mc_samples=1, seed=0)
    assert all(torch.equal(first.delta.changes[n], second.delta.changes[n]) for n in first.delta.changes)


def test_delta_save_load_roundtrip(kfade_run, tmp_path):
    _, result = kfade_run
    loaded = UpdateDelta.load(result.delta.save(tmp_path / "delta.pt"))
    assert all(torch.equal(loaded.changes[n], c) for n, c in result.delta.changes.items())


def test_delta_load_rejects_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="update file must exist"):
        UpdateDelta.load(tmp_path / "none.pt")


def test_delta_apply_rejects_wrong_shape(trained):
    with pytest.raises(ValueError, match="must have a parameter 'lm_head.weight' of shape"):
        UpdateDelta({"lm_head.weight": torch.zeros(2, 2)}, "x").apply(copy.deepcopy(trained))


@pytest.mark.parametrize("method", BASELINES)
def test_baseline_raises_forget_nll(method, trained, forget_batches, retain_batches):
    model = copy.deepcopy(trained)
    result = unlearn(method, model, forget_batches, retain_batches, n_steps=5, lr=1e-2)
    assert token_nll(model, forget_batches) > result.history[0].forget_nll


def test_rmu_leaves_later_blocks(trained, forget_batches, retain_batches):
    result = unlearn("rmu", copy.deepcopy(trained), forget_batches, retain_batches, n_steps=1, rmu_layer=1)
    assert all(".layers.0." in name for name in result.delta.changes)


def test_unlearn_rejects_empty_forget(trained, retain_batches):
    with pytest.raises(ValueError, match="forget_batches must not be empty"):
        unlearn("kfade", trained, [], retain_batches)


def test_unlearn_rejects_unknown_method(trained, forget_batches, retain_batches):
    with pytest.raises(ValueError, match="method must be one of"):
        unlearn("finetune", trained, forget_batches, retain_batches)


def test_kfade_rejects_nonpositive_damping(trained, forget_batches, retain_batches):
    with pytest.raises(ValueError, match="damping must be a number > 0; got 0.0"):
        kfade(copy.deepcopy(trained), forget_batches, retain_batches, damping=0.0)


def test_forget_gain_reads_within_level():
    history = [StepRecord(0, 1.0, 0.0, 0.0), StepRecord(1, 2.0, 0.1, 0.0), StepRecord(2, 5.0, 0.3, 0.0)]
    assert forget_gain_at_kl(history, 0.2) == 1.0


def test_forget_gain_is_nan_below_first_step():
    history = [StepRecord(0, 1.0, 0.0, 0.0), StepRecord(1, 2.0, 0.1, 0.0)]
    assert math.isnan(forget_gain_at_kl(history, 0.05))
