import numpy as np
import pytest

from reprobook.kfade.metrics import forget_quality, greedy_answers, kl_on_targets, rouge_l_recall, truth_ratios


def test_rouge_l_recall_subsequence():
    assert rouge_l_recall("a x b c", "a b c d") == 0.75


def test_rouge_l_recall_empty_reference():
    assert rouge_l_recall("a", "") == 0.0


def test_forget_quality_same_sample_is_one():
    sample = np.linspace(0, 1, 20)
    assert forget_quality(sample, sample) == pytest.approx(1.0)


def test_forget_quality_shifted_sample_is_small():
    sample = np.linspace(0, 1, 40)
    assert forget_quality(sample, sample + 2.0) < 1e-6


def test_kl_to_itself_is_zero(trained, forget_batches):
    assert kl_on_targets(trained, trained, forget_batches) == pytest.approx(0.0, abs=1e-6)


def test_trained_model_prefers_true_answers(trained, tokenizer, benchmark):
    assert np.median(truth_ratios(trained, tokenizer, list(benchmark.items))) < 1.0


def test_greedy_answers_one_per_item(trained, tokenizer, benchmark):
    assert len(greedy_answers(trained, tokenizer, list(benchmark.items[:5]), max_new_tokens=4)) == 5
