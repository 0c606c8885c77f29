import json

from reprobook.benchmarking import describe_machine, write_record


def test_write_record_contents(tmp_path):
    path = write_record("demo", {"ratio": 12.5}, tmp_path)
    record = json.loads(path.read_text())
    assert record["results"] == {"ratio": 12.5}
    assert record["machine"] == describe_machine()


def test_write_record_leaves_no_partial_file(tmp_path):
    write_record("demo", {"ratio": 1.0}, tmp_path)
    assert [path.name for path in tmp_path.iterdir()] == ["demo.json"]
