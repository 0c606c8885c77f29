"""The tool registry and the sensitivity scale: how one agent step moves the fine state.

A *tool kind* fixes the escalation and reversibility of a call: ``read`` (read-only,
fully reversible), ``write`` (file write, partially reversible), ``exec`` (code
execution, partially reversible) and ``network`` (network, irreversible). The registry
maps tool names to their escalation and reversibility, and the sensitivity scale maps
data labels to exposure levels. Both start with defaults and accept the user's own
tools and labels, so that traces from any agent framework can be scored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from reprobook.params import check_choice, check_int
from reprobook.safetydrift.state import Escalation, Exposure, Reversibility

TOOL_KINDS: dict[str, tuple[int, int]] = {
    "read": (Escalation.READ_ONLY, Reversibility.FULLY),
    "write": (Escalation.FILE_WRITE, Reversibility.PARTIALLY),
    "exec": (Escalation.CODE_EXECUTION, Reversibility.PARTIALLY),
    "network": (Escalation.NETWORK, Reversibility.IRREVERSIBLE),
}

# Tool names that agent frameworks commonly expose, by kind. ``web_search`` counts as a
# read because only the search terms leave the machine. Register it as ``network`` to
# treat every outgoing query as a possible leak.
DEFAULT_TOOLS: dict[str, str] = {
    "read_file": "read",
    "list_directory": "read",
    "search_files": "read",
    "grep": "read",
    "search_docs": "read",
    "web_search": "read",
    "read_email": "read",
    "read_calendar": "read",
    "query_database": "read",
    "read_logs": "read",
    "inspect_process": "read",
    "git_log": "read",
    "git_diff": "read",
    "read_config": "read",
    "write_file": "write",
    "edit_file": "write",
    "create_document": "write",
    "append_file": "write",
    "draft_email": "write",
    "git_commit": "write",
    "export_csv": "write",
    "run_python": "exec",
    "run_shell": "exec",
    "run_tests": "exec",
    "run_sql": "exec",
    "restart_service": "exec",
    "install_package": "exec",
    "send_email": "network",
    "http_request": "network",
    "upload_file": "network",
    "post_message": "network",
    "share_document": "network",
    "git_push": "network",
    "publish_post": "network",
}

# ``delete_file`` writes but cannot be undone, so it carries its own reversibility.
DEFAULT_TOOL_OVERRIDES: dict[str, tuple[int, int]] = {
    "delete_file": (Escalation.FILE_WRITE, Reversibility.IRREVERSIBLE),
}

DEFAULT_SENSITIVITY: dict[str, int] = {
    "none": Exposure.NONE,
    "public": Exposure.PUBLIC,
    "internal": Exposure.INTERNAL,
    "sensitive": Exposure.SENSITIVE,
    "credentials": Exposure.CREDENTIALS,
}


class ToolRegistry:
    """A mapping from tool names to ``(escalation, reversibility)``.

    Args:
        tools: tool name to kind (one of :data:`TOOL_KINDS`); defaults to
            :data:`DEFAULT_TOOLS` plus :data:`DEFAULT_TOOL_OVERRIDES`.
    """

    def __init__(self, tools: Mapping[str, str] | None = None) -> None:
        self._effects: dict[str, tuple[int, int]] = {}
        if tools is None:
            for name, kind in DEFAULT_TOOLS.items():
                self.register(name, kind=kind)
            for name, (escalation, reversibility) in DEFAULT_TOOL_OVERRIDES.items():
                self.register(name, escalation=escalation, reversibility=reversibility)
        else:
            for name, kind in tools.items():
                self.register(name, kind=kind)

    def register(
        self,
        name: str,
        *,
        kind: str | None = None,
        escalation: int | None = None,
        reversibility: int | None = None,
    ) -> None:
        """Add or replace one tool, either by kind or by explicit levels.

        Args:
            name: the tool name as it appears in traces.
            kind: one of ``read``, ``write``, ``exec``, ``network``.
            escalation: 0 to 3, with ``reversibility``, instead of ``kind``.
            reversibility: 0 to 2.

        Raises:
            ValueError: if the name is empty, the kind is unknown, or the levels are
                missing, out of range or given together with a kind.
        """
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"tool name must be a non-empty string; got {name!r}")
        if kind is not None:
            if escalation is not None or reversibility is not None:
                raise ValueError(
                    f"tool {name!r}: give either kind or escalation and reversibility, not both"
                )
            escalation, reversibility = TOOL_KINDS[check_choice("kind", kind, tuple(TOOL_KINDS))]
            self._effects[name] = (int(escalation), int(reversibility))
            return
        if escalation is None or reversibility is None:
            raise ValueError(f"tool {name!r}: give a kind or both escalation and reversibility")
        self._effects[name] = (
            check_int("escalation", escalation, low=0, high=len(Escalation) - 1),
            check_int("reversibility", reversibility, low=0, high=len(Reversibility) - 1),
        )

    def effect(self, name: str) -> tuple[int, int]:
        """Return ``(escalation, reversibility)`` of a tool.

        Raises:
            ValueError: if the tool is not registered.
        """
        try:
            return self._effects[name]
        except KeyError:
            raise ValueError(
                f"unknown tool {name!r}; register it with ToolRegistry.register(name, kind=...)"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._effects

    def names(self) -> list[str]:
        """Return the registered tool names, sorted."""
        return sorted(self._effects)

    def as_dict(self) -> dict[str, tuple[int, int]]:
        """Return a copy of the mapping from tool name to ``(escalation, reversibility)``."""
        return dict(self._effects)


class SensitivityScale:
    """A mapping from data sensitivity labels to exposure levels (0 to 4).

    Args:
        labels: label to exposure level; defaults to :data:`DEFAULT_SENSITIVITY`.
    """

    def __init__(self, labels: Mapping[str, int] | None = None) -> None:
        self._levels: dict[str, int] = {}
        for label, level in (DEFAULT_SENSITIVITY if labels is None else labels).items():
            self.register(label, level)

    def register(self, label: str, level: int) -> None:
        """Add or replace one label, for example ``register("pii", 3)``.

        Raises:
            ValueError: if the label is empty or the level is not an integer in [0, 4].
        """
        if not isinstance(label, str) or not label.strip():
            raise ValueError(f"sensitivity label must be a non-empty string; got {label!r}")
        self._levels[label] = check_int(
            f"exposure level of {label!r}", level, low=0, high=len(Exposure) - 1
        )

    def exposure(self, label: str) -> int:
        """Return the exposure level of a label.

        Raises:
            ValueError: if the label is unknown.
        """
        try:
            return self._levels[label]
        except KeyError:
            known = ", ".join(repr(name) for name in self._levels)
            raise ValueError(
                f"unknown sensitivity {label!r}; known labels are {known}, or add one with SensitivityScale.register"
            ) from None

    def __contains__(self, label: object) -> bool:
        return label in self._levels

    def labels(self) -> list[str]:
        """Return the labels, ordered by exposure level and then by name."""
        return sorted(self._levels, key=lambda label: (self._levels[label], label))

    def as_dict(self) -> dict[str, int]:
        """Return a copy of the mapping from label to exposure level."""
        return dict(self._levels)


def unknown_tools(names: Iterable[str], registry: ToolRegistry) -> list[str]:
    """Return the names, sorted and without repeats, that the registry does not know."""
    return sorted({name for name in names if name not in registry})
