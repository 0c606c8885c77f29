import pytest

from reprobook.safetydrift.tools import SensitivityScale, ToolRegistry, unknown_tools


def test_registry_network_tool_is_irreversible():
    assert ToolRegistry().effect("send_email") == (3, 2)


def test_registry_read_tool_is_reversible():
    assert ToolRegistry().effect("read_file") == (0, 0)


def test_registry_delete_is_irreversible_write():
    assert ToolRegistry().effect("delete_file") == (1, 2)


def test_register_by_kind():
    registry = ToolRegistry()
    registry.register("slack_post", kind="network")
    assert registry.effect("slack_post") == (3, 2)


def test_register_explicit_levels():
    registry = ToolRegistry({})
    registry.register("sandboxed_exec", escalation=2, reversibility=0)
    assert registry.effect("sandboxed_exec") == (2, 0)


def test_register_rejects_unknown_kind():
    with pytest.raises(ValueError, match="kind must be one of"):
        ToolRegistry().register("x", kind="teleport")


def test_register_rejects_kind_and_levels():
    with pytest.raises(ValueError, match="not both"):
        ToolRegistry().register("x", kind="read", escalation=0, reversibility=0)


def test_register_rejects_missing_levels():
    with pytest.raises(ValueError, match="both escalation and reversibility"):
        ToolRegistry().register("x", escalation=1)


def test_register_rejects_escalation_out_of_range():
    with pytest.raises(ValueError, match=r"escalation must be an integer in \[0, 3\]; got 4"):
        ToolRegistry().register("x", escalation=4, reversibility=0)


def test_unknown_tool_error_names_tool():
    with pytest.raises(ValueError, match="unknown tool 'teleport'"):
        ToolRegistry().effect("teleport")


def test_unknown_tools_lists_missing():
    assert unknown_tools(["read_file", "b", "a", "b"], ToolRegistry()) == ["a", "b"]


def test_scale_default_levels():
    assert SensitivityScale().exposure("credentials") == 4


def test_scale_register_label():
    scale = SensitivityScale()
    scale.register("pii", 3)
    assert scale.exposure("pii") == 3


def test_scale_rejects_level_out_of_range():
    with pytest.raises(ValueError, match=r"in \[0, 4\]; got 7"):
        SensitivityScale().register("top-secret", 7)


def test_scale_unknown_label_error():
    with pytest.raises(ValueError, match="unknown sensitivity 'secretish'"):
        SensitivityScale().exposure("secretish")


def test_scale_labels_ordered_by_level():
    assert SensitivityScale().labels() == ["none", "public", "internal", "sensitive", "credentials"]
