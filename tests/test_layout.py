from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_chapter_test_folders_are_packages():
    folders = [path for path in TESTS.iterdir() if path.is_dir() and not path.name.startswith((".", "__"))]
    assert [path.name for path in folders if not (path / "__init__.py").is_file()] == []
