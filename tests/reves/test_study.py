import math

import pandas as pd
import pytest

from reprobook.claims import NOT_REPRODUCED, SAME_DIRECTION
from reprobook.reves.study import (
    IN_DISTRIBUTION,
    StudyConfig,
    direction_verdict,
    interval,
    paired_difference,
    puzzle_sets,
    run_study,
    study_config,
    summary,
    warmed_up_policy,
)


def test_interval_of_constant():
    assert interval([0.5, 0.5, 0.5]) == (0.5, 0.5, 0.5)


def test_interval_known_half_width():
    mean, _, high = interval([0.0, 1.0])
    assert high - mean == pytest.approx(12.7062 * 0.5, rel=1e-4)


def test_interval_clipped_below():
    assert interval([0.0, 0.0, 0.3], bounds=(0.0, 1.0))[1] == 0.0


def test_interval_clipped_above():
    assert interval([1.0, 1.0, 0.7], bounds=(0.0, 1.0))[2] == 1.0


def test_interval_clip_keeps_mean():
    assert interval([0.0, 0.0, 0.3], bounds=(0.0, 1.0))[0] == pytest.approx(0.1)


def test_summary_interval_within_rates():
    metrics = pd.DataFrame({"set": IN_DISTRIBUTION, "arm": "reves", "seed": [0, 1, 2], "pass@1": [0.0, 0.9, 1.0]})
    row = summary(metrics, "pass@1").loc["reves"]
    assert (row["low"], row["high"]) == (0.0, 1.0)


def test_interval_of_one_value_is_open():
    assert math.isnan(interval([0.3])[1])


def test_verdict_positive_interval():
    assert direction_verdict(0.01, 0.2) == SAME_DIRECTION


def test_verdict_straddling_interval():
    assert direction_verdict(-0.01, 0.2) == NOT_REPRODUCED


def table():
    return pd.DataFrame(
        {"arm": ["a", "b", "a", "b"], "seed": [0, 0, 1, 1], "set": [IN_DISTRIBUTION] * 4, "pass@1": [0.5, 0.2, 0.6, 0.4]}
    )


def test_paired_difference_mean():
    assert paired_difference(table(), "pass@1", "a", "b")[0] == pytest.approx(0.25)


def test_paired_difference_unknown_arm():
    with pytest.raises(ValueError, match="arm and baseline must both be in the results"):
        paired_difference(table(), "pass@1", "a", "c")


def test_summary_counts_seeds():
    assert summary(table(), "pass@1").loc["a", "seeds"] == 2


def test_harder_must_exceed_training():
    with pytest.raises(ValueError, match=r"harder_blanks must start above train_blanks=\(6, 10\)"):
        StudyConfig(harder_blanks=(9, 12))


def test_smoke_study_caches(tmp_path):
    config = study_config("smoke")
    sets = puzzle_sets(config)
    base, _ = warmed_up_policy(config, sets, cache_dir=tmp_path)
    first = run_study(config, arms=("single_turn", "reves"), seeds=[0], base=base, sets=sets, cache_dir=tmp_path)
    again = run_study(config, arms=("single_turn", "reves"), seeds=[0], base=base, sets=sets, cache_dir=tmp_path)
    assert first.metrics["pass@1"].tolist() == again.metrics["pass@1"].tolist()


def test_cached_warm_up_equals_fresh(tmp_path):
    import torch

    config = study_config("smoke")
    sets = puzzle_sets(config)
    fresh, _ = warmed_up_policy(config, sets, cache_dir=tmp_path)
    cached, _ = warmed_up_policy(config, sets, cache_dir=tmp_path)
    assert all(torch.equal(a, b) for a, b in zip(fresh.parameters(), cached.parameters(), strict=True))


def test_unknown_arm_in_study_raises():
    config = study_config("smoke")
    with pytest.raises(ValueError, match="arms must be chosen from"):
        run_study(config, arms=("beam",), seeds=[0], base=None, sets=None)


def test_describe_sets_sudoku_unique():
    from reprobook.reves.study import describe_sets

    table = describe_sets(puzzle_sets(study_config("smoke")))
    assert (table[table["family"] == "sudoku"]["unique share"] == 1.0).all()


def test_paired_difference_keeps_undefined_metric():
    metrics = table().assign(auroc=[float("nan"), 0.5, float("nan"), 0.6])
    assert math.isnan(paired_difference(metrics, "auroc", "a", "b")[0])


def test_full_profile_fits_context():
    from reprobook.reves.policy import build_policy

    config = study_config("full")
    model = build_policy(config.n_layer, config.n_embd, config.n_head)
    assert model.config.n_embd == 128
