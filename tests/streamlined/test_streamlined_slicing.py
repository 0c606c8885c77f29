import pytest
import torch

from reprobook.streamlined.memory import peak_memory
from reprobook.streamlined.slicing import (
    check_slice_counts,
    is_streamlined,
    remove_streamlining,
    slice_bounds,
    streamline,
)
from reprobook.streamlined.study import unet_inputs

# Slicing changes the batch size of convolutions, and oneDNN picks another algorithm for
# small batches: results then differ in the last bits (about 1e-6 here), not more.
ROUNDING = {"atol": 1e-5, "rtol": 1e-5}


def run(unet, inputs):
    with torch.no_grad():
        return unet(*inputs).sample


@pytest.mark.parametrize("grouping", [True, False])
def test_streamline_matches_motion_unet(motion_unet, grouping):
    inputs = unet_inputs(motion_unet, 1, 4, 16, seed=0)
    reference = run(motion_unet, inputs)
    handle = streamline(motion_unet, spatial_slices=2, temporal_slices=4, grouping=grouping)
    output = run(motion_unet, inputs)
    handle.remove()
    torch.testing.assert_close(output, reference, **ROUNDING)


@pytest.mark.parametrize("grouping", [True, False])
def test_streamline_matches_unet3d(unet3d, grouping):
    inputs = unet_inputs(unet3d, 1, 4, 16, seed=0)
    reference = run(unet3d, inputs)
    handle = streamline(unet3d, spatial_slices=2, temporal_slices=4, grouping=grouping)
    output = run(unet3d, inputs)
    handle.remove()
    torch.testing.assert_close(output, reference, **ROUNDING)


def test_temporal_slicing_is_bit_exact(motion_unet):
    inputs = unet_inputs(motion_unet, 1, 4, 16, seed=1)
    reference = run(motion_unet, inputs)
    handle = streamline(motion_unet, spatial_slices=1, temporal_slices=8)
    output = run(motion_unet, inputs)
    handle.remove()
    assert torch.equal(output, reference)


def test_streamline_is_repeatable(motion_unet):
    inputs = unet_inputs(motion_unet, 1, 4, 16, seed=2)
    handle = streamline(motion_unet, spatial_slices=4, temporal_slices=2)
    first, second = run(motion_unet, inputs), run(motion_unet, inputs)
    handle.remove()
    assert torch.equal(first, second)


def test_remove_restores_original_output(motion_unet):
    inputs = unet_inputs(motion_unet, 1, 4, 16, seed=3)
    reference = run(motion_unet, inputs)
    streamline(motion_unet, spatial_slices=4, temporal_slices=4)
    remove_streamlining(motion_unet)
    assert torch.equal(run(motion_unet, inputs), reference)


def test_remove_clears_every_hook(unet3d):
    streamline(unet3d).remove()
    assert not is_streamlined(unet3d)


def test_streamline_lowers_peak_memory(motion_unet):
    inputs = unet_inputs(motion_unet, 1, 8, 16, seed=0)
    original, _ = peak_memory(lambda: run(motion_unet, inputs))
    handle = streamline(motion_unet, spatial_slices=8, temporal_slices=8)
    sliced, _ = peak_memory(lambda: run(motion_unet, inputs))
    handle.remove()
    assert sliced < original


def test_spatial_slices_must_divide_frames(motion_unet):
    inputs = unet_inputs(motion_unet, 1, 4, 16, seed=0)
    handle = streamline(motion_unet, spatial_slices=3, temporal_slices=1)
    try:
        with pytest.raises(ValueError, match="spatial_slices"):
            run(motion_unet, inputs)
    finally:
        handle.remove()


def test_temporal_slices_must_not_exceed_height(motion_unet):
    inputs = unet_inputs(motion_unet, 1, 4, 16, seed=0)
    handle = streamline(motion_unet, spatial_slices=1, temporal_slices=32)
    try:
        with pytest.raises(ValueError, match="temporal_slices"):
            run(motion_unet, inputs)
    finally:
        handle.remove()


def test_streamline_rejects_other_models():
    with pytest.raises(ValueError, match="UNetMotionModel"):
        streamline(torch.nn.Linear(2, 2))


def test_streamline_rejects_zero_slices(motion_unet):
    with pytest.raises(ValueError, match="spatial_slices"):
        streamline(motion_unet, spatial_slices=0)


def test_streamline_rejects_second_install(motion_unet):
    handle = streamline(motion_unet)
    try:
        with pytest.raises(ValueError, match="already streamlined"):
            streamline(motion_unet)
    finally:
        handle.remove()


def test_slice_bounds_cover_the_axis():
    assert slice_bounds(8, 4, "axis") == [slice(0, 2), slice(2, 4), slice(4, 6), slice(6, 8)]


def test_slice_counts_reject_bad_spatial():
    with pytest.raises(ValueError, match="spatial_slices"):
        check_slice_counts(7, 1, batch=1, frames_list=[8, 16], sizes=[16], n_levels=2)


def test_slice_counts_reject_bad_temporal():
    with pytest.raises(ValueError, match="temporal_slices"):
        check_slice_counts(1, 16, batch=1, frames_list=[8], sizes=[16], n_levels=2)


def test_slice_counts_accept_common_divisors():
    assert check_slice_counts(8, 8, batch=1, frames_list=[8, 16], sizes=[16, 32], n_levels=2) is None
