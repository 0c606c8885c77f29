from reprobook.claims import NOT_REPRODUCED, REPRODUCED, SAME_DIRECTION
from reprobook.kfade.experiment import compare_verdict, prepare, relearning_attack, threshold_verdict


def test_compare_verdict_all_seeds():
    assert compare_verdict([3, 3], [[1, 2], [2, 1]]) == REPRODUCED


def test_compare_verdict_mean_only():
    assert compare_verdict([3, 1], [[1, 2]]) == SAME_DIRECTION


def test_compare_verdict_worse():
    assert compare_verdict([1, 1], [[1, 2]]) == NOT_REPRODUCED


def test_threshold_verdict_levels():
    assert [threshold_verdict(x, 0.5, 0.1) for x in (0.6, 0.2, 0.0)] == [REPRODUCED, SAME_DIRECTION, NOT_REPRODUCED]


def test_prepare_caches_models(tmp_path):
    options = dict(n_authors=6, n_attributes=1, n_world=5, forget_fraction=0.2, width=8, depth=1, heads=2,
                   epochs=2, cache_dir=str(tmp_path))
    first, second = prepare(**options), prepare(**options)
    assert first.training_loss == second.training_loss and len(list(tmp_path.iterdir())) == 2


def test_relearning_rows(tmp_path):
    setup = prepare(n_authors=6, n_attributes=2, n_world=5, forget_fraction=0.3, width=8, depth=1, heads=2,
                    epochs=2, cache_dir=str(tmp_path))
    table = relearning_attack(setup, setup.original, epochs=1)
    assert list(table["model"]) == ["original", "unlearned", "oracle"]
