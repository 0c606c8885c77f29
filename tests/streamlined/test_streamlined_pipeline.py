import pytest
import torch

from reprobook.streamlined.pipeline import load_animatediff, save_tiny_animatediff, streamline_pipeline


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    folder = save_tiny_animatediff(tmp_path_factory.mktemp("animatediff"))
    return load_animatediff(folder)


def generate(pipeline):
    return pipeline(
        prompt="a red ball", num_frames=4, height=16, width=16, num_inference_steps=2, output_type="pt",
        generator=torch.Generator().manual_seed(0),
    ).frames


def test_loaded_pipeline_uses_motion_unet(pipeline):
    assert type(pipeline.unet).__name__ == "UNetMotionModel"


def test_streamlined_pipeline_matches_original(pipeline):
    reference = generate(pipeline)
    handle = streamline_pipeline(pipeline, spatial_slices=2, temporal_slices=2)
    output = generate(pipeline)
    handle.remove()
    torch.testing.assert_close(output, reference, atol=1e-5, rtol=1e-5)


def test_load_rejects_folder_without_index(tmp_path):
    with pytest.raises(ValueError, match="model_index.json"):
        load_animatediff(tmp_path)
