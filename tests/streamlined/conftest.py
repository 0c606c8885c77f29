"""Tiny video UNets shared by the Streamlined Inference tests."""

from __future__ import annotations

import pytest
import torch

from reprobook.streamlined.video import tiny_motion_unet, tiny_unet3d


@pytest.fixture(scope="module")
def motion_unet():
    torch.manual_seed(0)
    return tiny_motion_unet(channels=(16, 32), in_channels=4).eval()


@pytest.fixture(scope="module")
def unet3d():
    torch.manual_seed(0)
    return tiny_unet3d(channels=(16, 32), in_channels=4).eval()
