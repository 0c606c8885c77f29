"""AnimateDiff pipelines from a local folder, with Streamlined Inference on their UNet.

Users with real checkpoints load them with :func:`load_animatediff` (diffusers'
``AnimateDiffPipeline.from_pretrained`` on a local folder, nothing is downloaded) and pass
the pipeline to :func:`streamline_pipeline`. :func:`save_tiny_animatediff` writes a
complete, randomly initialised pipeline of a few hundred thousand parameters, with a
character-level CLIP tokenizer, so the path can be tested without any download.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import torch
from diffusers import AnimateDiffPipeline, AutoencoderKL, DDIMScheduler, MotionAdapter, UNet2DConditionModel
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

from reprobook.streamlined.slicing import Streamlining, streamline

_CHARACTERS = "abcdefghijklmnopqrstuvwxyz"


def _write_tokenizer(folder: Path) -> CLIPTokenizer:
    """Write a character-level CLIP vocabulary (no merges) into ``folder`` and load it."""
    tokens = ["<|startoftext|>", "<|endoftext|>"] + list(_CHARACTERS) + [f"{c}</w>" for c in _CHARACTERS]
    (folder / "vocab.json").write_text(json.dumps({token: index for index, token in enumerate(tokens)}), encoding="utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n", encoding="utf-8")
    return CLIPTokenizer(str(folder / "vocab.json"), str(folder / "merges.txt"), model_max_length=16)


def save_tiny_animatediff(path: str | Path, seed: int = 0) -> Path:
    """Build a tiny AnimateDiff pipeline with random weights and save it to ``path``.

    Args:
        path: the folder to write (created if missing).
        seed: seeds the weight initialisation.

    Returns:
        The folder, loadable with :func:`load_animatediff`.
    """
    path = Path(path)
    torch.manual_seed(seed)
    unet = UNet2DConditionModel(
        block_out_channels=(16, 32),
        layers_per_block=1,
        sample_size=8,
        in_channels=4,
        out_channels=4,
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
        cross_attention_dim=16,
        norm_num_groups=8,
        attention_head_dim=8,
    )
    adapter = MotionAdapter(
        block_out_channels=(16, 32), motion_layers_per_block=1, motion_norm_num_groups=8,
        motion_num_attention_heads=2, motion_max_seq_length=32,
    )
    vae = AutoencoderKL(
        block_out_channels=(16, 32), in_channels=3, out_channels=3, latent_channels=4, norm_num_groups=8,
        down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"), up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"),
    )
    text_encoder = CLIPTextModel(
        CLIPTextConfig(vocab_size=2 + 2 * len(_CHARACTERS), hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                       num_attention_heads=2, max_position_embeddings=16, bos_token_id=0, eos_token_id=1, pad_token_id=1)
    )
    with tempfile.TemporaryDirectory() as folder:
        tokenizer = _write_tokenizer(Path(folder))
    scheduler = DDIMScheduler(beta_schedule="linear", clip_sample=False, timestep_spacing="linspace", steps_offset=1)
    pipeline = AnimateDiffPipeline(
        vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet, motion_adapter=adapter, scheduler=scheduler
    )
    pipeline.save_pretrained(path)
    return path


def load_animatediff(path: str | Path, device: torch.device | str = "cpu") -> AnimateDiffPipeline:
    """Load an AnimateDiff pipeline saved with ``save_pretrained`` from a local folder.

    Raises:
        ValueError: if ``path`` is not a folder with a ``model_index.json``.
    """
    path = Path(path)
    if not (path / "model_index.json").is_file():
        raise ValueError(f"path must be a folder saved with save_pretrained (with model_index.json); got {str(path)!r}")
    return AnimateDiffPipeline.from_pretrained(path, local_files_only=True).to(device)


def streamline_pipeline(pipeline: AnimateDiffPipeline, spatial_slices: int = 4, temporal_slices: int = 4) -> Streamlining:
    """Streamline the UNet of an AnimateDiff pipeline; ``remove()`` on the handle undoes it."""
    return streamline(pipeline.unet, spatial_slices, temporal_slices)
