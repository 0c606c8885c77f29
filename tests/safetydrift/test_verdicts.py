import pytest

from reprobook.claims import NOT_REPRODUCED, REPRODUCED, SAME_DIRECTION
from reprobook.safetydrift.verdicts import grade, grade_bound, synthetic_reason


def test_grade_within_tolerance():
    assert grade(0.93, 0.947, tolerance=0.05, same_direction=False) == REPRODUCED


def test_grade_same_direction():
    assert grade(0.7, 0.947, tolerance=0.05, same_direction=True) == SAME_DIRECTION


def test_grade_not_reproduced():
    assert grade(0.2, 0.947, tolerance=0.05, same_direction=False) == NOT_REPRODUCED


def test_grade_nan_not_reproduced():
    assert grade(float("nan"), 0.5, tolerance=1.0, same_direction=True) == NOT_REPRODUCED


def test_grade_rejects_negative_tolerance():
    with pytest.raises(ValueError, match="tolerance must be a finite number >= 0.0"):
        grade(0.5, 0.5, tolerance=-1.0, same_direction=True)


def test_reason_says_synthetic():
    assert synthetic_reason("x").startswith("Synthetic traces")


def test_bound_below_holds():
    assert grade_bound(0.03, 0.05, below=True, same_direction=False) == REPRODUCED


def test_bound_below_broken_same_direction():
    assert grade_bound(0.3, 0.05, below=True, same_direction=True) == SAME_DIRECTION


def test_bound_above_holds():
    assert grade_bound(0.9, 0.85, below=False, same_direction=False) == REPRODUCED


def test_bound_nan_not_reproduced():
    assert grade_bound(float("nan"), 0.05, below=True, same_direction=True) == NOT_REPRODUCED
