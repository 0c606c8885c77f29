import pytest

from reprobook.params import (
    by_profile,
    check_bool,
    check_choice,
    check_float,
    check_int,
    check_int_list,
    check_profile,
    default_profile,
)


def test_check_int_accepts_numpy_integer():
    import numpy as np

    assert check_int("base", np.int64(16), low=2) == 16


@pytest.mark.parametrize("value", [16.0, "16", True, None])
def test_check_int_rejects_non_integers(value):
    with pytest.raises(ValueError, match=r"base must be an integer >= 2; got"):
        check_int("base", value, low=2)


def test_check_int_message_names_value_and_range():
    with pytest.raises(ValueError, match=r"^base must be an integer in \[2, 200\]; got 1$"):
        check_int("base", 1, low=2, high=200)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -0.1, 1.5])
def test_check_float_rejects_out_of_range(value):
    with pytest.raises(ValueError, match="threshold must be a finite number in"):
        check_float("threshold", value, low=0.0, high=1.0)


def test_check_choice_lists_choices():
    with pytest.raises(ValueError, match=r"convention must be one of 'a', 'b'; got 'c'"):
        check_choice("convention", "c", ["a", "b"])


def test_check_bool_rejects_integer():
    with pytest.raises(ValueError, match="plot must be True or False"):
        check_bool("plot", 1)


def test_check_int_list_names_bad_element():
    with pytest.raises(ValueError, match=r"bases\[1\] must be an integer >= 2; got 1"):
        check_int_list("bases", [10, 1], low=2)


def test_check_int_list_rejects_empty():
    with pytest.raises(ValueError, match="bases must be a non-empty list"):
        check_int_list("bases", [])


def test_check_profile_rejects_unknown():
    with pytest.raises(ValueError, match=r"profile must be one of 'smoke', 'book', 'full'; got 'fast'"):
        check_profile("fast")


def test_default_profile_reads_environment(monkeypatch):
    monkeypatch.setenv("REPROBOOK_PROFILE", "smoke")
    assert default_profile() == "smoke"


def test_default_profile_without_environment(monkeypatch):
    monkeypatch.delenv("REPROBOOK_PROFILE", raising=False)
    assert default_profile() == "book"


def test_default_profile_rejects_bad_environment(monkeypatch):
    monkeypatch.setenv("REPROBOOK_PROFILE", "quick")
    with pytest.raises(ValueError, match="REPROBOOK_PROFILE must be one of"):
        default_profile()


def test_by_profile_picks_value():
    assert by_profile("book", smoke=1, book=2, full=3) == 2


def test_check_int_without_bounds_message():
    with pytest.raises(ValueError, match=r"^n must be an integer; got 12.0 \(float\)$"):
        check_int("n", 12.0)
