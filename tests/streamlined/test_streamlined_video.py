import numpy as np
import pytest
import torch

from reprobook.streamlined.video import moving_shapes, sample_videos, tiny_motion_unet, train_denoiser


def test_moving_shapes_shape():
    assert moving_shapes(2, 5, 16, seed=0).shape == (2, 3, 5, 16, 16)


def test_moving_shapes_range():
    videos = moving_shapes(4, 6, 16, seed=0)
    assert videos.min() >= -1.0
    assert videos.max() <= 1.0


def test_moving_shapes_repeatable():
    assert np.array_equal(moving_shapes(3, 4, 16, seed=5), moving_shapes(3, 4, 16, seed=5))


def test_moving_shapes_move():
    videos = moving_shapes(8, 4, 16, seed=1)
    assert not np.array_equal(videos[:, :, 0], videos[:, :, -1])


def test_moving_shapes_rejects_small_size():
    with pytest.raises(ValueError, match="size"):
        moving_shapes(1, 1, 4, seed=0)


def trained(seed):
    torch.manual_seed(0)
    unet = tiny_motion_unet(channels=(16, 32), in_channels=3)
    losses = train_denoiser(unet, moving_shapes(4, 4, 16, seed=0), 2, 2, 1e-3, seed)
    return unet, losses


def test_training_is_repeatable():
    (first, _), (second, _) = trained(0), trained(0)
    assert all(torch.equal(a, b) for a, b in zip(first.parameters(), second.parameters()))


def test_training_reports_each_loss():
    _, losses = trained(0)
    assert len(losses) == 2


def test_sampling_is_repeatable():
    torch.manual_seed(0)
    unet = tiny_motion_unet(channels=(16, 32), in_channels=3).eval()
    first = sample_videos(unet, 1, 4, 16, 2, seed=3)
    assert torch.equal(first, sample_videos(unet, 1, 4, 16, 2, seed=3))
