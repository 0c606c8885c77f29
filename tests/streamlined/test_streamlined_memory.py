import pytest
import torch

from reprobook.streamlined.memory import latency, peak_memory


def test_peak_memory_counts_one_new_tensor():
    peak, _ = peak_memory(lambda: torch.zeros(1000))
    assert peak == 4000


def test_peak_memory_ignores_tensors_that_existed_before():
    weights = torch.ones(10_000)
    peak, _ = peak_memory(lambda: weights.sum())
    assert peak == 4


def test_peak_memory_releases_freed_tensors():
    def two_in_turn():
        first = torch.zeros(1000)
        del first
        return torch.zeros(1000)

    peak, _ = peak_memory(two_in_turn)
    assert peak == 4000


def test_peak_memory_counts_tensors_alive_together():
    def two_at_once():
        first = torch.zeros(1000)
        second = torch.zeros(1000)
        return first, second

    peak, _ = peak_memory(two_at_once)
    assert peak == 8000


def test_peak_memory_counts_a_view_once():
    def with_view():
        tensor = torch.zeros(1000)
        return tensor.view(10, 100).t()

    peak, _ = peak_memory(with_view)
    assert peak == 4000


def test_peak_memory_rejects_meta_device():
    with pytest.raises(ValueError, match="device"):
        peak_memory(lambda: None, "meta")


def test_latency_times_each_repeat():
    result = latency(lambda: torch.zeros(10), repeats=4, warmup=0)
    assert len(result.times) == 4


def test_latency_rejects_zero_repeats():
    with pytest.raises(ValueError, match="repeats"):
        latency(lambda: None, repeats=0)
