import pytest
import torch

from reprobook.devices import resolve_device, seed_everything


def test_auto_without_cuda_is_cpu():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == expected


@pytest.mark.parametrize("name", ["gpu", "cuda:x", "", 0])
def test_resolve_rejects_unknown_name(name):
    with pytest.raises(ValueError, match="device must be 'auto', 'cpu', 'mps', 'cuda' or 'cuda:N'"):
        resolve_device(name)


def test_resolve_rejects_missing_cuda_device():
    with pytest.raises(ValueError, match="is not available"):
        resolve_device(f"cuda:{torch.cuda.device_count()}")


def test_seed_everything_repeats_draws():
    seed_everything(3)
    first = torch.rand(4)
    seed_everything(3)
    assert torch.equal(first, torch.rand(4))
