import pytest

from reprobook.claims import NOT_REPRODUCED, REPRODUCED, SAME_DIRECTION
from reprobook.kfade.experiment import cap_verdict, compare_verdict, prepare, relearning_attack, threshold_verdict
from reprobook.kfade.models import save_checkpoint


def test_compare_verdict_all_seeds():
    assert compare_verdict([3, 3], [[1, 2], [2, 1]]) == REPRODUCED


def test_compare_verdict_mean_only():
    assert compare_verdict([3, 1], [[1, 2]]) == SAME_DIRECTION


def test_compare_verdict_worse():
    assert compare_verdict([1, 1], [[1, 2]]) == NOT_REPRODUCED


def test_compare_verdict_unreached_baseline():
    assert compare_verdict([3, 3], [[float("nan"), 1]]) == NOT_REPRODUCED


def test_cap_verdict_lowers_reproduced():
    assert cap_verdict(REPRODUCED, True) == SAME_DIRECTION


def test_cap_verdict_keeps_uncapped():
    assert cap_verdict(REPRODUCED, False) == REPRODUCED


def test_cap_verdict_keeps_not_reproduced():
    assert cap_verdict(NOT_REPRODUCED, True) == NOT_REPRODUCED


def test_cap_verdict_rejects_unknown_verdict():
    with pytest.raises(ValueError, match="verdict must be one of"):
        cap_verdict("maybe", True)


def test_threshold_verdict_levels():
    assert [threshold_verdict(x, 0.5, 0.1) for x in (0.6, 0.2, 0.0)] == [REPRODUCED, SAME_DIRECTION, NOT_REPRODUCED]


def test_prepare_caches_models(tmp_path):
    options = dict(n_authors=6, n_attributes=1, n_world=5, forget_fraction=0.2, width=8, depth=1, heads=2,
                   epochs=2, cache_dir=str(tmp_path))
    first, second = prepare(**options), prepare(**options)
    assert first.training_loss == second.training_loss
    assert len(list(tmp_path.iterdir())) == 2


def test_relearning_rows(tmp_path):
    setup = prepare(n_authors=6, n_attributes=2, n_world=5, forget_fraction=0.3, width=8, depth=1, heads=2,
                    epochs=2, cache_dir=str(tmp_path))
    table = relearning_attack(setup, setup.original, epochs=1)
    assert list(table["model"]) == ["original", "unlearned", "oracle"]


def test_prepare_reads_benchmark_from_checkpoint(tmp_path):
    small = dict(forget_fraction=0.3, width=8, depth=1, heads=2, epochs=1, cache_dir=str(tmp_path / "cache"))
    first = prepare(n_authors=6, n_attributes=2, n_world=5, **small)
    save_checkpoint(first.original, first.tokenizer, tmp_path / "ckpt", {"benchmark": first.benchmark.config()})
    loaded = prepare(n_authors=50, n_attributes=1, n_world=9, model_path=str(tmp_path / "ckpt"), **small)
    assert loaded.benchmark == first.benchmark


def test_prepare_rejects_missing_checkpoint(tmp_path):
    with pytest.raises(ValueError, match="model_path must be empty or a folder holding config.json"):
        prepare(n_authors=6, n_attributes=1, n_world=5, forget_fraction=0.2, model_path=str(tmp_path / "none"))


def test_prepare_rejects_missing_oracle(tmp_path):
    with pytest.raises(ValueError, match="oracle_path must be empty or a folder holding config.json"):
        prepare(n_authors=6, n_attributes=1, n_world=5, forget_fraction=0.2, oracle_path=str(tmp_path / "none"))
