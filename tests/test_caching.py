from reprobook.caching import settings_key, tree_fingerprint


def test_settings_key_changes_with_code(tmp_path):
    (tmp_path / "train.py").write_text("steps = 1\n")
    before = settings_key({"width": 64}, tmp_path)
    (tmp_path / "train.py").write_text("steps = 2\n")
    assert settings_key({"width": 64}, tmp_path) != before


def test_settings_key_changes_with_settings(tmp_path):
    (tmp_path / "train.py").write_text("steps = 1\n")
    assert settings_key({"width": 64}, tmp_path) != settings_key({"width": 128}, tmp_path)


def test_tree_fingerprint_skips_bytecode(tmp_path):
    (tmp_path / "train.py").write_text("steps = 1\n")
    before = tree_fingerprint(tmp_path)
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "train.pyc").write_bytes(b"\x00")
    assert tree_fingerprint(tmp_path) == before
