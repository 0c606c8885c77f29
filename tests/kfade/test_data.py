import pytest

from reprobook.kfade.data import ForgetSplit, check_forget_fraction, items_of, make_benchmark, split_authors


def test_benchmark_repeats_for_seed():
    assert make_benchmark(5, 3, 4, seed=1) == make_benchmark(5, 3, 4, seed=1)


def test_benchmark_item_count():
    assert len(make_benchmark(7, 3, 4).items) == 21


def test_perturbed_answers_are_wrong():
    benchmark = make_benchmark(8, 6, 4)
    assert all(item.paraphrased_answer not in item.perturbed_answers for item in benchmark.items)


def test_author_names_unique():
    benchmark = make_benchmark(50, 1, 2)
    assert len(set(benchmark.authors)) == 50


def test_config_regenerates(benchmark):
    assert make_benchmark(**benchmark.config()) == benchmark


def test_split_size():
    split = split_authors(make_benchmark(100, 1, 2), 0.05)
    assert len(split.forget_authors) == 5


def test_split_disjoint_and_complete():
    split = split_authors(make_benchmark(20, 1, 2), 0.1, seed=3)
    assert sorted(split.forget_authors + split.retain_authors) == list(range(20))


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1, 1.5])
def test_split_rejects_fraction_outside_open_interval(fraction):
    with pytest.raises(ValueError, match="forget_fraction"):
        split_authors(make_benchmark(10, 1, 2), fraction)


def test_split_rejects_overlap():
    with pytest.raises(ValueError, match=r"disjoint; authors \[2\] are in both"):
        ForgetSplit((1, 2), (2, 3))


def test_split_rejects_empty_forget():
    with pytest.raises(ValueError, match="empty forget set"):
        ForgetSplit((), (2, 3))


def test_split_rejects_empty_retain():
    with pytest.raises(ValueError, match="empty retain set"):
        ForgetSplit((1,), ())


def test_items_of_selects_authors(benchmark):
    assert {item.author for item in items_of(benchmark, [3, 4])} == {3, 4}


def test_benchmark_rejects_one_author():
    with pytest.raises(ValueError, match="n_authors must be an integer >= 2; got 1"):
        make_benchmark(1)


def test_forget_fraction_rejects_zero():
    with pytest.raises(ValueError, match=r"forget_fraction must lie strictly between 0 and 1, in \(0, 1\); got 0.0"):
        check_forget_fraction(0)


def test_forget_fraction_rejects_one():
    with pytest.raises(ValueError, match=r"strictly between 0 and 1.*got 1.0"):
        check_forget_fraction(1.0)


def test_forget_fraction_accepts_inside():
    assert check_forget_fraction(0.1) == 0.1
