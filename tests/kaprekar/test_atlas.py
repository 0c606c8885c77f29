"""Tests of the attractor atlas."""

from __future__ import annotations

import pytest

from reprobook.kaprekar.atlas import ATLAS_COLUMNS, atlas


def test_atlas_columns():
    table = atlas([10], [3])
    assert tuple(table.columns) == ATLAS_COLUMNS


def test_atlas_base10_rows():
    table = atlas([10], [2, 3, 4])
    assert table["members"].tolist() == [(9, 81, 63, 27, 45), (495,), (6174,)]
    assert table["kind"].tolist() == ["cycle", "fixed point", "fixed point"]
    assert table["length"].tolist() == [5, 1, 1]
    assert table["max_steps"].tolist() == [2, 6, 7]


def test_atlas_members_text():
    table = atlas([10, 16], [2, 3])
    texts = dict(zip(zip(table["base"], table["digits"]), table["members_text"]))
    assert texts[(10, 2)] == "09 -> 81 -> 63 -> 27 -> 45"
    assert texts[(16, 3)] == "7f8"


def test_atlas_large_base_text():
    table = atlas([40], [3])
    assert table["members_text"].tolist() == ["19:39:20"]


def test_atlas_basin_shares_sum_to_one():
    table = atlas(range(2, 12), [4], "proper")
    shares = table.groupby("base")["basin_share"].sum()
    assert shares.tolist() == pytest.approx([1.0] * 10)


def test_atlas_reports_zero_attractor():
    table = atlas([5], [2])
    assert table["members"].tolist() == [(0,), (8,)]
    assert table["members_text"].tolist() == ["00", "13"]
    assert table["basin_size"].tolist() == [4, 16]


def test_atlas_rejects_bad_digits():
    with pytest.raises(ValueError, match=r"digit_counts\[0\] must be an integer >= 1; got 0"):
        atlas([10], [0])


def test_atlas_rejects_float_base():
    with pytest.raises(ValueError, match=r"bases\[0\] must be an integer >= 2; got 16.0"):
        atlas([16.0], [3])
