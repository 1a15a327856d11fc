"""The README's map of the rooms matches the tree: a newcomer's first hop is right."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _layout_block() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Layout", 1)[1]
    return section.split("```", 2)[1]


def _modules(package: Path) -> set[str]:
    """Modules and subpackages of a package, as the layout names them (no `.py`, no __init__)."""
    names = {p.stem for p in package.glob("*.py") if p.stem != "__init__"}
    names |= {p.name for p in package.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    return names


def test_the_layout_names_every_room_and_module_that_exists() -> None:
    words = set(re.findall(r"[a-z_]+", _layout_block()))
    missing = {}
    for room in ("auditor", "connectors", "reports", *(f"auditor/{d}" for d in _modules(ROOT / "auditor")
                                                         if (ROOT / "auditor" / d).is_dir())):
        unnamed = _modules(ROOT / room) - words
        if unnamed:
            missing[room] = sorted(unnamed)
    assert not missing, f"modules the README's layout does not name: {missing}"


def test_every_file_the_layout_names_exists() -> None:
    for name in re.findall(r"\b([a-z_]+\.py)\b", _layout_block()):
        assert list(ROOT.glob(f"auditor/**/{name}")) or list(ROOT.glob(f"*/{name}")), name
    for folder in re.findall(r"\b([a-z_]+)/", _layout_block()):
        assert list(ROOT.glob(f"**/{folder}")), folder
