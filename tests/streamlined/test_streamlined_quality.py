import math

import pytest
import torch

from reprobook.claims import NOT_REPRODUCED, REPRODUCED, SAME_DIRECTION
from reprobook.streamlined.quality import ratio_verdict, video_psnr, video_ssim
from reprobook.streamlined.study import measure


def test_psnr_of_identical_videos_is_infinite():
    video = torch.zeros(1, 3, 2, 8, 8)
    assert math.isinf(video_psnr(video, video))


def test_psnr_of_known_offset():
    reference = torch.zeros(1, 3, 2, 16, 16)
    assert video_psnr(reference + 0.2, reference) == pytest.approx(20.0, abs=1e-4)


def test_ssim_of_identical_videos_is_one():
    video = torch.rand(1, 3, 2, 16, 16) * 2 - 1
    assert video_ssim(video, video) == pytest.approx(1.0)


def test_psnr_rejects_images():
    with pytest.raises(ValueError, match="videos"):
        video_psnr(torch.zeros(3, 8, 8), torch.zeros(3, 8, 8))


@pytest.mark.parametrize(
    ("measured", "verdict"), [(3.5, REPRODUCED), (2.0, SAME_DIRECTION), (0.9, NOT_REPRODUCED)]
)
def test_ratio_verdict(measured, verdict):
    assert ratio_verdict(measured, paper=3.8, target=3.0) == verdict


def test_measure_reports_streamlined_below_original(motion_unet):
    original, ours = measure(motion_unet, ["original", "streamlined"], 8, 16, 8, 8)
    assert ours.peak_bytes < original.peak_bytes


def test_split_inference_needs_motion_unet(unet3d):
    with pytest.raises(ValueError, match="UNetMotionModel"):
        measure(unet3d, ["split_inference"], 4, 16, 2, 2)

