from types import SimpleNamespace

from reprobook.sphinxext import package_fingerprint, toc_order


def test_toc_order_depth_first():
    env = SimpleNamespace(
        config=SimpleNamespace(root_doc="intro"),
        toctree_includes={"intro": ["b/index", "a/index"], "b/index": ["b/2", "b/1"], "a/index": ["a/1"]},
    )
    assert toc_order(env) == ["intro", "b/index", "b/2", "b/1", "a/index", "a/1"]


def test_fingerprint_changes_with_file(tmp_path):
    (tmp_path / "module.py").write_text("x = 1\n")
    before = package_fingerprint(tmp_path, "book")
    (tmp_path / "module.py").write_text("x = 2\n")
    assert package_fingerprint(tmp_path, "book") != before


def test_fingerprint_changes_with_profile(tmp_path):
    (tmp_path / "module.py").write_text("x = 1\n")
    assert package_fingerprint(tmp_path, "book") != package_fingerprint(tmp_path, "smoke")
