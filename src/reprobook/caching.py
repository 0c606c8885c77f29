"""Keys for results that notebooks cache between runs.

A cached model or result is only valid for the settings and the code that produced it,
so a key covers both: the settings as JSON and a fingerprint of every file of the
subpackage that computed it. A change of code then misses the cache instead of loading
a stale result.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any


def tree_fingerprint(directory: Path, salt: str = "") -> str:
    """Return a SHA-256 (hex) over ``salt`` and every file below ``directory`` (path and bytes).

    ``__pycache__`` folders are left out.
    """
    digest = hashlib.sha256(salt.encode())
    for path in sorted(Path(directory).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(directory)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def settings_key(settings: dict[str, Any], code_dir: Path, length: int = 16) -> str:
    """Return a short key for ``settings`` computed by the code under ``code_dir``.

    Args:
        settings: JSON data that determines the result.
        code_dir: the folder of the code that computes it (usually a chapter subpackage).
        length: number of hex characters kept.
    """
    text = json.dumps(settings, sort_keys=True, default=str) + tree_fingerprint(code_dir)
    return hashlib.sha256(text.encode()).hexdigest()[:length]
