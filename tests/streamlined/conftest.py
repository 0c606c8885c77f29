"""Tiny video UNets shared by the Streamlined Inference tests."""

from __future__ import annotations

import pytest
import torch

from reprobook.streamlined.video import tiny_motion_unet, tiny_unet3d


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Run torch on one thread: on a shared two-core machine more threads only contend."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def motion_unet():
    torch.manual_seed(0)
    return tiny_motion_unet(channels=(16, 32), in_channels=4).eval()


@pytest.fixture(scope="module")
def unet3d():
    torch.manual_seed(0)
    return tiny_unet3d(channels=(16, 32), in_channels=4).eval()
