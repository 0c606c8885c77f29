import json

from reprobook.benchmarking import best_time, describe_machine, write_record


def test_write_record_contents(tmp_path):
    path = write_record("demo", {"ratio": 12.5}, tmp_path)
    record = json.loads(path.read_text())
    assert record["results"] == {"ratio": 12.5}
    assert record["machine"] == describe_machine()


def test_write_record_leaves_no_partial_file(tmp_path):
    write_record("demo", {"ratio": 1.0}, tmp_path)
    assert [path.name for path in tmp_path.iterdir()] == ["demo.json"]


def test_best_time_returns_last_result():
    calls = []
    seconds, result = best_time(lambda: calls.append(1) or len(calls), 3)
    assert result == 3
    assert seconds >= 0.0


def test_best_time_rejects_zero_repeats():
    import pytest

    with pytest.raises(ValueError, match="repeats must be an integer >= 1; got 0"):
        best_time(print, 0)
