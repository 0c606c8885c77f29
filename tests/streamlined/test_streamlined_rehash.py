import pytest
import torch

from reprobook.streamlined.rehash import (
    StepRehash,
    adjacent_similarity,
    calibrate,
    check_key_steps,
    deep_modules,
    reused_feature_module,
    search_key_steps,
    similarity,
    uniform_key_steps,
)
from reprobook.streamlined.rehash_study import distinct_key_steps
from reprobook.streamlined.video import sample_videos

N_STEPS = 4


def sample(unet):
    return sample_videos(unet, 1, 4, 16, N_STEPS, seed=0)


def test_similarity_of_identical_features_is_one():
    feature = torch.randn(2, 3, 4)
    assert similarity(feature, feature, "relative_l1") == pytest.approx(1.0)


def test_cosine_similarity_of_opposite_features_is_minus_one():
    feature = torch.randn(2, 5)
    assert similarity(feature, -feature, "cosine") == pytest.approx(-1.0)


def test_similarity_rejects_unknown_metric():
    with pytest.raises(ValueError, match="metric"):
        similarity(torch.ones(1, 2), torch.ones(1, 2), "l2")


def test_search_opens_key_step_where_feature_changes():
    features = [torch.ones(1, 4), torch.ones(1, 4), -torch.ones(1, 4), -torch.ones(1, 4)]
    assert search_key_steps(features, threshold=0.9) == [0, 2]


def test_search_respects_max_gap():
    features = [torch.ones(1, 4)] * 5
    assert search_key_steps(features, threshold=0.9, max_gap=2) == [0, 2, 4]


def test_uniform_key_steps():
    assert uniform_key_steps(7, 3) == [0, 3, 6]


def test_key_steps_outside_range_are_rejected():
    with pytest.raises(ValueError, match=r"\[0, 3\]"):
        check_key_steps([0, 4], 4)


def test_key_steps_without_step_zero_are_rejected():
    with pytest.raises(ValueError, match="step 0"):
        check_key_steps([1, 2], 4)


def test_deep_modules_of_two_level_unet(motion_unet):
    assert deep_modules(motion_unet) == ["down_blocks.1", "mid_block", "up_blocks.0"]


def test_calibrate_records_every_step(motion_unet):
    records = calibrate(motion_unet, lambda: sample(motion_unet))
    assert all(len(features) == N_STEPS for features in records.values())


def test_adjacent_similarity_shape(motion_unet):
    records = calibrate(motion_unet, lambda: sample(motion_unet), names=["mid_block", "up_blocks.1"])
    assert adjacent_similarity(records).shape == (2, N_STEPS - 1)


def test_rehash_with_every_step_key_is_exact(motion_unet):
    reference = sample(motion_unet)
    with StepRehash(motion_unet, range(N_STEPS), N_STEPS):
        output = sample(motion_unet)
    assert torch.equal(output, reference)


def test_rehash_skips_deep_blocks_on_other_steps(motion_unet):
    with StepRehash(motion_unet, [0, 2], N_STEPS) as rehash:
        sample(motion_unet)
    assert rehash.state.skipped_calls == 2 * len(deep_modules(motion_unet))


def test_rehash_changes_output_when_skipping(motion_unet):
    reference = sample(motion_unet)
    with StepRehash(motion_unet, [0], N_STEPS):
        output = sample(motion_unet)
    assert not torch.equal(output, reference)


def test_rehash_hooks_are_removed(motion_unet):
    reference = sample(motion_unet)
    with StepRehash(motion_unet, [0], N_STEPS):
        sample(motion_unet)
    assert torch.equal(sample(motion_unet), reference)


def test_rehash_rejects_wrong_call_count(motion_unet):
    with pytest.raises(ValueError, match="n_steps"):
        with StepRehash(motion_unet, [0], N_STEPS + 1):
            sample(motion_unet)


def test_reused_feature_is_second_to_last_up_block(motion_unet):
    assert reused_feature_module(motion_unet) == "up_blocks.0"


def test_distinct_key_steps_merge_equal_sets():
    features = [torch.ones(1, 4), torch.ones(1, 4), -torch.ones(1, 4), -torch.ones(1, 4)]
    assert distinct_key_steps(features, [0.9, 0.5, 0.0]) == [([0, 2], "0.9/0.5/0")]


def test_distinct_key_steps_keep_different_sets():
    features = [torch.ones(1, 2), torch.tensor([[1.0, 0.0]]), torch.tensor([[1.0, 0.0]])]
    assert [key_steps for key_steps, _ in distinct_key_steps(features, [0.99, 0.5])] == [[0, 1], [0]]
