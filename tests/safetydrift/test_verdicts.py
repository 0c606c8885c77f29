import pytest

from reprobook.claims import NOT_REPRODUCED, REPRODUCED, SAME_DIRECTION
from reprobook.safetydrift.verdicts import grade, grade_bound, synthetic_reason

BEATS = "the monitor beats keyword matching"


def test_grade_within_tolerance():
    assert grade(0.93, 0.947, tolerance=0.05).verdict == REPRODUCED


def test_grade_within_tolerance_needs_comparison():
    graded = grade(0.93, 0.947, tolerance=0.05, same_direction=False, comparison=BEATS)
    assert graded.verdict == NOT_REPRODUCED


def test_grade_same_direction():
    graded = grade(0.7, 0.947, tolerance=0.05, same_direction=True, comparison=BEATS)
    assert graded.verdict == SAME_DIRECTION


def test_grade_not_reproduced():
    assert grade(0.2, 0.947, tolerance=0.05).verdict == NOT_REPRODUCED


def test_grade_nan_not_reproduced():
    graded = grade(float("nan"), 0.5, tolerance=1.0, same_direction=True, comparison=BEATS)
    assert graded.verdict == NOT_REPRODUCED


def test_grade_rejects_negative_tolerance():
    with pytest.raises(ValueError, match="tolerance must be a finite number >= 0.0"):
        grade(0.5, 0.5, tolerance=-1.0)


def test_grade_needs_comparison_text():
    with pytest.raises(ValueError, match="comparison must describe"):
        grade(0.5, 0.5, tolerance=0.1, same_direction=True)


def test_synthetic_caps_reproduced():
    graded = grade(
        0.94, 0.947, tolerance=0.05, same_direction=True, comparison=BEATS, synthetic=True
    )
    assert graded.verdict == SAME_DIRECTION


def test_synthetic_cap_explained():
    graded = grade(0.94, 0.947, tolerance=0.05, synthetic=True)
    assert "not independent evidence" in graded.reason


def test_synthetic_reason_starts_with_note():
    assert grade(0.94, 0.947, tolerance=0.05, synthetic=True).reason.startswith("Synthetic traces")


def test_synthetic_keeps_not_reproduced():
    assert grade(0.2, 0.947, tolerance=0.05, synthetic=True).verdict == NOT_REPRODUCED


def test_reason_of_miss_says_beyond_tolerance():
    graded = grade(
        0.7, 0.947, tolerance=0.05, same_direction=True, comparison=BEATS, scale=100, unit=" points"
    )
    assert (
        graded.reason
        == f"24.7 points from the paper's value, beyond the tolerance of 5 points; the comparison holds ({BEATS})"
    )


def test_reason_of_failed_comparison_names_it():
    graded = grade(0.93, 0.947, tolerance=0.05, same_direction=False, comparison=BEATS)
    assert graded.reason.endswith(f"but the comparison fails (it needs: {BEATS})")


def test_reason_keeps_note():
    assert grade(0.2, 0.947, tolerance=0.05, note="threshold 0").reason.endswith("; threshold 0")


def test_reason_says_synthetic():
    assert synthetic_reason("x").startswith("Synthetic traces")


def test_bound_below_holds():
    assert grade_bound(0.03, 0.05, below=True).verdict == REPRODUCED


def test_bound_below_broken_same_direction():
    graded = grade_bound(0.3, 0.05, below=True, same_direction=True, comparison=BEATS)
    assert graded.verdict == SAME_DIRECTION


def test_bound_below_broken_without_comparison():
    assert grade_bound(0.448, 0.05, below=True, synthetic=True).verdict == NOT_REPRODUCED


def test_bound_above_holds():
    assert grade_bound(0.9, 0.85, below=False).verdict == REPRODUCED


def test_bound_synthetic_caps_reproduced():
    assert grade_bound(0.043, 0.05, below=True, synthetic=True).verdict == SAME_DIRECTION


def test_bound_reason_names_values():
    graded = grade_bound(0.448, 0.05, below=True, scale=100, unit="%")
    assert graded.reason == "44.8% breaks the bound (below 5%)"


def test_bound_nan_not_reproduced():
    graded = grade_bound(float("nan"), 0.05, below=True, same_direction=True, comparison=BEATS)
    assert graded.verdict == NOT_REPRODUCED
